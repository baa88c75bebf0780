import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseIPv4, parseIPv6 } from "./address-bytes.js";
import { checksumIsValid, internetChecksum, onesComplementSum, pseudoHeaderSumV4, pseudoHeaderSumV6 } from "./checksum.js";
import { GOLDEN_V2_NOAUTH, GOLDEN_V3_V4, GOLDEN_V3_V6 } from "./golden.js";

const bytes = (hex: string) => Buffer.from(hex.replace(/\s+/g, ""), "hex");

function v4(text: string): Uint8Array {
  const parsed = parseIPv4(text);
  assert.ok(parsed.ok);
  return parsed.bytes;
}

function v6(text: string): Uint8Array {
  const parsed = parseIPv6(text);
  assert.ok(parsed.ok);
  return parsed.bytes;
}

/** Slow, obviously-right reference: 32-bit-free word sum with end-around carry per word. */
function referenceSum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) {
    sum += (data[i]! << 8) | (data[i + 1] ?? 0);
    if (sum > 0xffff) sum -= 0xffff;
  }
  return sum;
}

describe("onesComplementSum / internetChecksum (RFC 1071)", () => {
  const table: [string, string, number][] = [
    // RFC 1071 §3 numerical example.
    ["RFC 1071 §3 example", "0001 f203 f4f5 f6f7", 0xddf2],
    ["empty", "", 0],
    ["one odd byte is the high byte", "ab", 0xab00],
    ["odd length", "0001 f203 f4f5 f6f7 01", 0xddf2 + 0x0100],
    ["carry wraps around", "ffff 0001", 0x0001],
    ["all ones stays all ones", "ffff ffff", 0xffff],
  ];
  for (const [name, hex, sum] of table) {
    it(name, () => {
      assert.equal(onesComplementSum(bytes(hex)), sum);
      assert.equal(internetChecksum(bytes(hex)), ~sum & 0xffff);
    });
  }

  it("matches a reference on seeded random buffers, including long ones", () => {
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
    for (const length of [1, 2, 3, 7, 8, 20, 511, 4096, 70_001, 300_000]) {
      const data = Buffer.alloc(length);
      for (let i = 0; i < length; i++) data[i] = length > 1000 && i % 3 ? 0xff : next() & 0xff;
      assert.equal(onesComplementSum(data), referenceSum(data), `length ${length}`);
    }
  });

  it("sums a sub-range and chains through `initial`", () => {
    const data = bytes("aaaa 0001 f203 f4f5 f6f7 bbbb");
    assert.equal(onesComplementSum(data, 0, 2, 10), 0xddf2);
    const chained = onesComplementSum(data, onesComplementSum(data, 0, 0, 4), 4, 12);
    assert.equal(chained, onesComplementSum(data));
  });

  it("a buffer carrying its own checksum verifies", () => {
    const data = bytes("2133 9601 0001 0000 c000 0264 0000 0000 0000 0000");
    data.writeUInt16BE(internetChecksum(data), 6);
    assert.equal(data.readUInt16BE(6), 0x8665); // the keepalived golden's checksum
    assert.ok(checksumIsValid(data));
    data[9] = data[9]! ^ 1;
    assert.equal(checksumIsValid(data), false);
  });
});

describe("pseudo-header sums", () => {
  it("IPv4: src, dst, zero, protocol 112, 16-bit length (RFC 793 §3.1)", () => {
    const explicit = bytes("c0000201 e0000012 00 70 000c");
    assert.equal(pseudoHeaderSumV4(v4("192.0.2.1"), v4("224.0.0.18"), 12), onesComplementSum(explicit));
  });

  it("IPv6: src, dst, 32-bit length, three zeros, next header 112 (RFC 8200 §8.1)", () => {
    const explicit = bytes("fe80000000000000000000fffe000001 ff020000000000000000000000000012 00000018 000000 70");
    assert.equal(pseudoHeaderSumV6(v6("fe80::ff:fe00:1"), v6("ff02::12"), 24), onesComplementSum(explicit));
    const big = bytes("20010db8000000000000000000000001 20010db8000000000000000000000002 00012345 000000 70");
    assert.equal(pseudoHeaderSumV6(v6("2001:db8::1"), v6("2001:db8::2"), 0x12345), onesComplementSum(big));
  });

  it("rejects wrong-size addresses and lengths with RangeError", () => {
    assert.throws(() => pseudoHeaderSumV4(new Uint8Array(16), v4("192.0.2.1"), 12), RangeError);
    assert.throws(() => pseudoHeaderSumV4(v4("192.0.2.1"), v4("192.0.2.1"), 0x10000), RangeError);
    assert.throws(() => pseudoHeaderSumV6(v4("192.0.2.1"), v6("::1"), 12), RangeError);
    assert.throws(() => pseudoHeaderSumV6(v6("::1"), v6("::1"), -1), RangeError);
  });

  it("validate keepalived's captured checksums", () => {
    const v2 = bytes(GOLDEN_V2_NOAUTH.hex);
    assert.ok(checksumIsValid(v2));

    const v3 = bytes(GOLDEN_V3_V4.hex);
    const p4 = pseudoHeaderSumV4(v4(GOLDEN_V3_V4.source), v4(GOLDEN_V3_V4.destination), v3.length);
    assert.ok(checksumIsValid(v3, p4));
    assert.equal(checksumIsValid(v3), false, "keepalived 2.2 includes the IPv4 pseudo-header");

    const v3v6 = bytes(GOLDEN_V3_V6.hex);
    const p6 = pseudoHeaderSumV6(v6(GOLDEN_V3_V6.source), v6(GOLDEN_V3_V6.destination), v3v6.length);
    assert.ok(checksumIsValid(v3v6, p6));
  });
});
