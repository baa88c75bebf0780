import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fromBigInt, overlaps, parseRange, rangeSize, saturate } from "./ranges.js";

describe("pool address ranges", () => {
  const ok: [string, number, string, string, bigint][] = [
    ["192.0.2.64/28", 4, "192.0.2.64", "192.0.2.79", 16n],
    ["192.0.2.10-192.0.2.20", 4, "192.0.2.10", "192.0.2.20", 11n],
    ["192.0.2.7", 4, "192.0.2.7", "192.0.2.7", 1n],
    ["192.0.2.7/32", 4, "192.0.2.7", "192.0.2.7", 1n],
    ["2001:db8::/120", 6, "2001:db8::", "2001:db8::ff", 256n],
    ["2001:DB8::10-2001:db8::0:20", 6, "2001:db8::10", "2001:db8::20", 17n],
    ["2001:db8::/64", 6, "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", 1n << 64n],
  ];
  for (const [text, family, first, last, size] of ok) {
    it(`parses ${text}`, () => {
      const r = parseRange(text);
      assert.ok(r.ok, r.ok ? "" : JSON.stringify(r));
      assert.equal(r.range.family, family);
      assert.equal(fromBigInt(r.range.family, r.range.first), first);
      assert.equal(fromBigInt(r.range.family, r.range.last), last);
      assert.equal(rangeSize(r.range), size);
    });
  }
  const bad: [string, RegExp][] = [
    ["192.0.2.20-192.0.2.10", /first address is after the last/],
    ["192.0.2.10-2001:db8::1", /mixes IPv4 and IPv6/],
    ["192.0.2.65/28", /host bits set: the prefix starts at 192\.0\.2\.64\/28/],
    ["192.0.2.0/33", /prefix length must be 0\.\.32/],
    ["192.0.2.300", /not an address/],
    ["1-2-3", /one range/],
    ["192.0.2.1-x", /"x" \(end of/],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${text}`, () => {
      const r = parseRange(text);
      assert.ok(!r.ok);
      assert.match(r.message, message);
    });
  }
  it("overlap is per family and inclusive at both ends", () => {
    const r = (t: string) => {
      const x = parseRange(t);
      assert.ok(x.ok);
      return x.range;
    };
    assert.ok(overlaps(r("192.0.2.0/28"), r("192.0.2.15-192.0.2.20")));
    assert.ok(!overlaps(r("192.0.2.0/28"), r("192.0.2.16-192.0.2.20")));
    assert.ok(!overlaps(r("0.0.0.0/0"), r("::/0")));
  });
  it("counts saturate at 2^53-1", () => {
    assert.equal(saturate(1n << 64n), Number.MAX_SAFE_INTEGER);
    assert.equal(saturate(256n), 256);
  });
});
