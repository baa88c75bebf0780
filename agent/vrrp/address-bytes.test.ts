import assert from "node:assert/strict";
import { SocketAddress, isIP } from "node:net";
import { describe, it } from "node:test";
import { canonicalAddress, formatAddress, formatIPv4, formatIPv6, parseAddress, parseIPv4, parseIPv6 } from "./address-bytes.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("parseIPv4", () => {
  const valid: [string, string][] = [
    ["192.0.2.5", "c0000205"],
    ["0.0.0.0", "00000000"],
    ["255.255.255.255", "ffffffff"],
    ["224.0.0.18", "e0000012"],
    ["203.0.113.10", "cb00710a"],
  ];
  for (const [text, bytes] of valid) {
    it(`parses ${text}`, () => {
      const parsed = parseIPv4(text);
      assert.ok(parsed.ok);
      assert.equal(parsed.family, 4);
      assert.equal(hex(parsed.bytes), bytes);
    });
  }

  const invalid = [
    "",
    "1.2.3",
    "1.2.3.4.5",
    "256.0.0.1",
    "01.2.3.4",
    "1.2.3.04",
    "1..2.3",
    "1.2.3.",
    ".1.2.3",
    " 1.2.3.4",
    "1.2.3.4 ",
    "1.2.3.-4",
    "1.2.3.+4",
    "0x1.2.3.4",
    "1e2.2.3.4",
    "1.2.3.4/32",
    "::1",
    "a.b.c.d",
    "1.2.3.4%eth0",
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      const parsed = parseIPv4(text);
      assert.equal(parsed.ok, false);
      assert.ok(!parsed.ok && parsed.error.length > 0);
    });
  }
});

describe("parseIPv6", () => {
  const valid: [string, string][] = [
    ["::", "00000000000000000000000000000000"],
    ["::1", "00000000000000000000000000000001"],
    ["1::", "00010000000000000000000000000000"],
    ["2001:db8::5", "20010db8000000000000000000000005"],
    ["2001:DB8:0:0:0:0:0:5", "20010db8000000000000000000000005"],
    ["2001:0db8:0000:0000:0000:0000:0000:0005", "20010db8000000000000000000000005"],
    ["fe80::ff:fe00:1", "fe80000000000000000000fffe000001"],
    ["ff02::12", "ff020000000000000000000000000012"],
    ["::ffff:192.0.2.1", "00000000000000000000ffffc0000201"],
    ["1:2:3:4:5:6:192.0.2.1", "000100020003000400050006c0000201"],
    ["1:2:3:4:5:6:7::", "00010002000300040005000600070000"],
    ["::2:3:4:5:6:7:8", "00000002000300040005000600070008"],
  ];
  for (const [text, bytes] of valid) {
    it(`parses ${text}`, () => {
      const parsed = parseIPv6(text);
      assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
      assert.equal(parsed.family, 6);
      assert.equal(hex(parsed.bytes), bytes);
    });
  }

  const invalid = [
    "",
    ":",
    ":::",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "12345::",
    "g::1",
    ":1::",
    "1::2:",
    "1:2:3:4:5:6:7:8::",
    "::1:2:3:4:5:6:7:8",
    "fe80::1%eth0",
    "1.2.3.4",
    "::1.2.3",
    "::256.0.0.1",
    "1.2.3.4::",
    "::1.2.3.4:5",
    "1:2:3:4:5:6:7:1.2.3.4",
    " ::1",
    "::1 ",
    "[::1]",
    "2001:db8::/32",
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      const parsed = parseIPv6(text);
      assert.equal(parsed.ok, false);
    });
  }
});

describe("parseAddress", () => {
  it("guesses the family from the text", () => {
    const v4 = parseAddress("192.0.2.1");
    assert.ok(v4.ok && v4.family === 4);
    const v6 = parseAddress("2001:db8::1");
    assert.ok(v6.ok && v6.family === 6);
  });
  it("rejects text of the other family when one is given", () => {
    assert.equal(parseAddress("192.0.2.1", 6).ok, false);
    assert.equal(parseAddress("2001:db8::1", 4).ok, false);
  });
});

describe("formatIPv6 (RFC 5952 §4)", () => {
  const cases: [string, string][] = [
    ["20010db8000000000000000000000001", "2001:db8::1"],
    ["20010db8000000000000000000000000", "2001:db8::"],
    ["00000000000000000000000000000000", "::"],
    ["00000000000000000000000000000001", "::1"],
    // §4.2.2: a single zero group is not shortened.
    ["20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1"],
    // §4.2.3: the longest run wins; on a tie the first.
    ["20010000000000010000000000000001", "2001:0:0:1::1"],
    ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"],
    // §4.3: lowercase; §4.1: no leading zeros.
    ["20010db8abcd00ef0000000000000000", "2001:db8:abcd:ef::"],
    ["fe80000000000000000000fffe000001", "fe80::ff:fe00:1"],
    // §5: IPv4-mapped keeps the dotted quad.
    ["00000000000000000000ffffc0000201", "::ffff:192.0.2.1"],
    // Deprecated IPv4-compatible addresses are plain hex (libuv would print "::192.0.2.1").
    ["000000000000000000000000c0000201", "::c000:201"],
  ];
  for (const [bytes, text] of cases) {
    it(`${bytes} -> ${text}`, () => assert.equal(formatIPv6(Buffer.from(bytes, "hex")), text));
  }

  it("reads at an offset", () => {
    const buffer = Buffer.from("ffff" + "20010db8000000000000000000000005" + "ffff", "hex");
    assert.equal(formatIPv6(buffer, 2), "2001:db8::5");
    assert.equal(formatAddress(6, buffer, 2), "2001:db8::5");
  });

  it("throws RangeError when the bytes are not there", () => {
    assert.throws(() => formatIPv6(new Uint8Array(15)), RangeError);
    assert.throws(() => formatIPv6(new Uint8Array(16), 1), RangeError);
    assert.throws(() => formatIPv4(new Uint8Array(4), -1), RangeError);
  });

  it("agrees with node:net on 5,000 seeded random addresses (outside ::/96)", () => {
    let seed = 0x5eed;
    const next = () => {
      // xorshift32
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    for (let n = 0; n < 5000; n++) {
      const bytes = Buffer.alloc(16);
      // Mostly zeros, so that runs of zero groups are frequent.
      for (let g = 0; g < 8; g++) if (next() % 3 === 0) bytes.writeUInt16BE(next() & 0xffff, 2 * g);
      if (bytes.subarray(0, 12).every((b) => b === 0)) bytes[0] = 0x20;
      const text = formatIPv6(bytes);
      const node = new SocketAddress({ address: text, family: "ipv6" }).address;
      assert.equal(text, node, `bytes ${bytes.toString("hex")}`);
      assert.equal(isIP(text), 6);
      const back = parseIPv6(text);
      assert.ok(back.ok);
      assert.equal(hex(back.bytes), bytes.toString("hex"));
    }
  });
});

describe("formatIPv4", () => {
  it("prints dotted decimal", () => {
    assert.equal(formatIPv4(Uint8Array.of(192, 0, 2, 5)), "192.0.2.5");
    assert.equal(formatIPv4(Uint8Array.of(9, 0, 0, 0, 0, 1), 1), "0.0.0.0");
    assert.equal(formatAddress(4, Uint8Array.of(198, 51, 100, 7)), "198.51.100.7");
  });
});

describe("canonicalAddress", () => {
  const cases: [string, string | undefined][] = [
    ["2001:DB8:0:0:0:0:0:5", "2001:db8::5"],
    ["2001:0db8::0005", "2001:db8::5"],
    ["::FFFF:C000:0201", "::ffff:192.0.2.1"],
    ["192.0.2.5", "192.0.2.5"],
    ["192.0.2.05", undefined],
    ["fe80::1%eth0", undefined],
    ["not an address", undefined],
  ];
  for (const [text, canonical] of cases) {
    it(`${JSON.stringify(text)} -> ${String(canonical)}`, () => assert.equal(canonicalAddress(text), canonical));
  }
  it("honours the requested family", () => {
    assert.equal(canonicalAddress("192.0.2.5", 6), undefined);
    assert.equal(canonicalAddress("::1", 4), undefined);
  });
});
