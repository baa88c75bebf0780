import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Family } from "./packet.js";
import { parseAddress } from "./address-bytes.js";
import { internetChecksum, pseudoHeaderSumV4, pseudoHeaderSumV6 } from "./checksum.js";
import { decodeAdvert, encodeAdvert, vrrpMessageLength } from "./codec.js";
import { GOLDEN_ADVERTS, GOLDEN_V2_PASS, GOLDEN_V3_V4, GOLDEN_V3_V6, type GoldenAdvert } from "./golden.js";
import type { Advert, DecodeResult, DropReason } from "./packet.js";

const CODEC_REASONS: ReadonlySet<DropReason> = new Set<DropReason>(["truncated", "bad-version", "bad-type", "bad-checksum"]);
const MCAST4 = { source: "192.0.2.1", destination: "224.0.0.18" };
const MCAST6 = { source: "fe80::ff:fe00:1", destination: "ff02::12" };

const goldenBytes = (g: GoldenAdvert): Buffer => Buffer.from(g.hex, "hex");
const decodeGolden = (g: GoldenAdvert, payload: Buffer = goldenBytes(g)) =>
  decodeAdvert({ family: g.advert.family, payload, source: g.source, destination: g.destination });

function expectDrop(result: DecodeResult, reason: DropReason): void {
  assert.equal(result.ok, false, "expected a drop");
  if (!result.ok) {
    assert.equal(result.reason, reason, result.detail);
    assert.ok(result.detail.length > 0);
  }
}

function addr(text: string, family: Family): Uint8Array {
  const parsed = parseAddress(text, family);
  assert.ok(parsed.ok);
  return parsed.bytes;
}

/** Rewrites the checksum of a VRRP message; `pseudo` false = no pseudo-header. */
function refreshChecksum(packet: Buffer, family: Family, addressing: typeof MCAST4, pseudo: boolean): Buffer {
  const out = Buffer.from(packet);
  out.writeUInt16BE(0, 6);
  let initial = 0;
  if (pseudo) {
    const src = addr(addressing.source, family);
    const dst = addr(addressing.destination, family);
    initial = family === 4 ? pseudoHeaderSumV4(src, dst, out.length) : pseudoHeaderSumV6(src, dst, out.length);
  }
  out.writeUInt16BE(internetChecksum(out, initial), 6);
  return out;
}

describe("keepalived 2.2.7 golden adverts", () => {
  for (const golden of GOLDEN_ADVERTS) {
    it(`${golden.scenario}: decodes to the configured advert`, () => {
      const result = decodeGolden(golden);
      assert.ok(result.ok, result.ok ? "" : `${result.reason}: ${result.detail}`);
      assert.deepEqual(result.advert, golden.advert);
    });
    it(`${golden.scenario}: encoding the advert reproduces the captured bytes`, () => {
      const packet = encodeAdvert(golden.advert, golden);
      assert.equal(packet.toString("hex"), golden.hex);
    });
    it(`${golden.scenario}: every truncation is dropped as truncated`, () => {
      const bytes = goldenBytes(golden);
      for (let length = 0; length < bytes.length; length++) {
        expectDrop(decodeGolden(golden, bytes.subarray(0, length)), "truncated");
      }
    });
    it(`${golden.scenario}: trailing bytes are dropped like keepalived does`, () => {
      for (const extra of [1, 2, 4, 8, 16]) {
        const longer = Buffer.concat([goldenBytes(golden), Buffer.alloc(extra)]);
        expectDrop(decodeGolden(golden, longer), "truncated");
      }
    });
    it(`${golden.scenario}: a wrong checksum is dropped`, () => {
      for (const flip of [0x0001, 0x8000, 0xffff, 0x1234]) {
        const bad = goldenBytes(golden);
        bad.writeUInt16BE(bad.readUInt16BE(6) ^ flip, 6);
        expectDrop(decodeGolden(golden, bad), "bad-checksum");
      }
      const bad = goldenBytes(golden);
      bad[bad.length - 1] = bad[bad.length - 1]! ^ 0x40; // payload corruption
      expectDrop(decodeGolden(golden, bad), "bad-checksum");
    });
    it(`${golden.scenario}: a count larger than the payload is truncated`, () => {
      for (const count of [golden.advert.addresses.length + 1, 255]) {
        const bad = goldenBytes(golden);
        bad[3] = count;
        expectDrop(decodeGolden(golden, bad), "truncated");
      }
    });
  }
});

describe("VRRPv3 checksum forms", () => {
  it("IPv4: accepts the checksum with the pseudo-header (keepalived, FRR)", () => {
    assert.ok(decodeGolden(GOLDEN_V3_V4).ok);
  });
  it("IPv4: accepts the checksum without the pseudo-header too", () => {
    const plain = refreshChecksum(goldenBytes(GOLDEN_V3_V4), 4, MCAST4, false);
    assert.notEqual(plain.readUInt16BE(6), goldenBytes(GOLDEN_V3_V4).readUInt16BE(6));
    const result = decodeGolden(GOLDEN_V3_V4, plain);
    assert.ok(result.ok);
    assert.deepEqual(result.advert, GOLDEN_V3_V4.advert);
  });
  it("IPv4: a pseudo-header checksum for other addresses is wrong", () => {
    const payload = goldenBytes(GOLDEN_V3_V4);
    for (const addressing of [
      { source: "192.0.2.9", destination: "224.0.0.18" },
      { source: "192.0.2.1", destination: "192.0.2.2" },
    ]) {
      expectDrop(decodeAdvert({ family: 4, payload, ...addressing }), "bad-checksum");
    }
  });
  it("IPv4: the no-pseudo-header form is still checked without usable addresses", () => {
    const plain = refreshChecksum(goldenBytes(GOLDEN_V3_V4), 4, MCAST4, false);
    assert.ok(decodeAdvert({ family: 4, payload: plain, source: "bogus", destination: "224.0.0.18" }).ok);
    expectDrop(decodeAdvert({ family: 4, payload: goldenBytes(GOLDEN_V3_V4), source: "bogus", destination: "x" }), "bad-checksum");
  });
  it("IPv6: the pseudo-header is mandatory", () => {
    const plain = refreshChecksum(goldenBytes(GOLDEN_V3_V6), 6, MCAST6, false);
    expectDrop(decodeGolden(GOLDEN_V3_V6, plain), "bad-checksum");
    expectDrop(decodeAdvert({ family: 6, payload: goldenBytes(GOLDEN_V3_V6), source: "fe80::2", destination: "ff02::12" }), "bad-checksum");
    expectDrop(
      decodeAdvert({ family: 6, payload: goldenBytes(GOLDEN_V3_V6), source: "192.0.2.1", destination: "ff02::12" }),
      "bad-checksum",
    );
  });
});

describe("header checks", () => {
  it("drops versions other than 2 and 3", () => {
    for (let version = 0; version < 16; version++) {
      if (version === 2 || version === 3) continue;
      const bad = goldenBytes(GOLDEN_V3_V4);
      bad[0] = (version << 4) | 1;
      expectDrop(decodeGolden(GOLDEN_V3_V4, bad), "bad-version");
    }
  });
  it("drops VRRPv2 over IPv6", () => {
    const v2 = Buffer.concat([Buffer.from("2137640100010000", "hex"), Buffer.alloc(16 + 8)]);
    expectDrop(decodeAdvert({ family: 6, payload: v2, ...MCAST6 }), "bad-version");
  });
  it("drops types other than ADVERTISEMENT", () => {
    for (let type = 0; type < 16; type++) {
      if (type === 1) continue;
      for (const golden of [GOLDEN_V2_PASS, GOLDEN_V3_V4]) {
        const bad = goldenBytes(golden);
        bad[0] = (bad[0]! & 0xf0) | type;
        expectDrop(decodeGolden(golden, refreshChecksum(bad, 4, MCAST4, golden.advert.version === 3)), "bad-type");
      }
    }
  });
  it("ignores the v3 reserved bits (RFC 5798 §5.2.5)", () => {
    const bytes = goldenBytes(GOLDEN_V3_V4);
    bytes[4] = 0xf0 | bytes[4]!;
    const result = decodeGolden(GOLDEN_V3_V4, refreshChecksum(bytes, 4, MCAST4, true));
    assert.ok(result.ok);
    assert.equal(result.advert.advertIntervalMs, 1000);
  });
  it("keeps v2 auth bytes that are not UTF-8 as they are (fuzz finding F4)", () => {
    // v2, VRID 51, priority 100, auth type 1, 192.0.2.100, auth data ff 00 .. 00
    const payload = Buffer.from("213364010101b864c0000264ff00000000000000", "hex");
    const result = decodeAdvert({ family: 4, payload, ...MCAST4 });
    assert.ok(result.ok, result.ok ? "" : result.detail);
    assert.equal(result.advert.authType, 1);
    assert.deepEqual(result.advert.password, Buffer.from([0xff]));
    payload[12] = 0xfe; // another invalid byte gives another password (both were U+FFFD as text)
    payload.writeUInt16BE(0, 6);
    payload.writeUInt16BE(internetChecksum(payload, 0), 6);
    const other = decodeAdvert({ family: 4, payload, ...MCAST4 });
    assert.ok(other.ok);
    assert.deepEqual(other.advert.password, Buffer.from([0xfe]));
  });
  it("passes unknown v2 auth types up without a password", () => {
    const bytes = goldenBytes(GOLDEN_V2_PASS);
    bytes[4] = 2;
    const result = decodeGolden(GOLDEN_V2_PASS, refreshChecksum(bytes, 4, MCAST4, false));
    assert.ok(result.ok);
    assert.equal(result.advert.authType, 2);
    assert.equal(result.advert.password, undefined);
  });
});

describe("round trips", () => {
  const many = (n: number, family: Family) =>
    Array.from({ length: n }, (_, i) => (family === 4 ? `198.51.100.${i}` : `2001:db8::${(i + 1).toString(16)}`));
  const table: [string, Advert, typeof MCAST4][] = [
    [
      "v2 no addresses",
      { version: 2, family: 4, virtualRouterId: 1, priority: 0, advertIntervalMs: 255_000, addresses: [], authType: 0 },
      MCAST4,
    ],
    [
      "v2 UTF-8 password",
      {
        version: 2,
        family: 4,
        virtualRouterId: 255,
        priority: 255,
        advertIntervalMs: 1000,
        addresses: ["203.0.113.1"],
        authType: 1,
        password: Buffer.from("pässwd"),
      },
      MCAST4,
    ],
    [
      "v2 password bytes that are not UTF-8, a NUL inside",
      {
        version: 2,
        family: 4,
        virtualRouterId: 8,
        priority: 100,
        advertIntervalMs: 1000,
        addresses: ["203.0.113.1"],
        authType: 1,
        password: Buffer.from([0xff, 0xfe, 0x00, 0x41]),
      },
      MCAST4,
    ],
    [
      "v2 empty password",
      {
        version: 2,
        family: 4,
        virtualRouterId: 9,
        priority: 1,
        advertIntervalMs: 3000,
        addresses: ["203.0.113.1"],
        authType: 1,
        password: Buffer.alloc(0),
      },
      MCAST4,
    ],
    [
      "v2 255 addresses",
      { version: 2, family: 4, virtualRouterId: 7, priority: 100, advertIntervalMs: 1000, addresses: many(255, 4), authType: 0 },
      MCAST4,
    ],
    [
      "v3 IPv4 10 ms",
      { version: 3, family: 4, virtualRouterId: 2, priority: 100, advertIntervalMs: 10, addresses: ["192.0.2.7", "192.0.2.8"] },
      MCAST4,
    ],
    [
      "v3 IPv4 unicast max interval",
      { version: 3, family: 4, virtualRouterId: 3, priority: 50, advertIntervalMs: 40_950, addresses: ["192.0.2.7"] },
      { source: "192.0.2.1", destination: "198.51.100.2" },
    ],
    [
      "v3 IPv6 several",
      {
        version: 3,
        family: 6,
        virtualRouterId: 4,
        priority: 200,
        advertIntervalMs: 250,
        addresses: ["2001:db8::1", "2001:db8:0:1::", "::ffff:192.0.2.1"],
      },
      MCAST6,
    ],
    [
      "v3 IPv6 255 addresses",
      { version: 3, family: 6, virtualRouterId: 5, priority: 254, advertIntervalMs: 1000, addresses: many(255, 6) },
      MCAST6,
    ],
    [
      "v3 IPv6 unicast",
      { version: 3, family: 6, virtualRouterId: 6, priority: 10, advertIntervalMs: 1000, addresses: ["2001:db8::100"] },
      { source: "2001:db8::1", destination: "2001:db8::2" },
    ],
  ];
  for (const [name, advert, addressing] of table) {
    it(name, () => {
      const packet = encodeAdvert(advert, addressing);
      assert.equal(packet.length, vrrpMessageLength(advert.version, advert.family, advert.addresses.length));
      assert.equal(packet.byteOffset, 0, "a buffer of its own");
      assert.equal(packet.buffer.byteLength, packet.length, "exact size");
      const result = decodeAdvert({ family: advert.family, payload: packet, ...addressing });
      assert.ok(result.ok, result.ok ? "" : result.detail);
      assert.deepEqual(result.advert, advert);
    });
  }
  it("canonicalises address text on the way through", () => {
    const advert: Advert = {
      version: 3,
      family: 6,
      virtualRouterId: 1,
      priority: 1,
      advertIntervalMs: 1000,
      addresses: ["2001:DB8:0:0::0005"],
    };
    const result = decodeAdvert({ family: 6, payload: encodeAdvert(advert, MCAST6), ...MCAST6 });
    assert.ok(result.ok);
    assert.deepEqual(result.advert.addresses, ["2001:db8::5"]);
  });
});

describe("encodeAdvert rejects what it cannot encode", () => {
  const base: Advert = { version: 2, family: 4, virtualRouterId: 10, priority: 100, advertIntervalMs: 1000, addresses: ["192.0.2.10"] };
  const v3: Advert = { ...base, version: 3 };
  const table: [string, Advert, typeof MCAST4?][] = [
    ["9-byte password", { ...base, authType: 1, password: Buffer.from("123456789") }],
    ["5 characters, 10 UTF-8 bytes", { ...base, authType: 1, password: Buffer.from("ääääää") }],
    ["password without authType 1", { ...base, password: Buffer.from("x") }],
    ["authType 2", { ...base, authType: 2 }],
    ["v2 interval 0", { ...base, advertIntervalMs: 0 }],
    ["v2 interval 256 s", { ...base, advertIntervalMs: 256_000 }],
    ["v2 interval 1.5 s", { ...base, advertIntervalMs: 1500 }],
    ["v3 interval 0", { ...v3, advertIntervalMs: 0 }],
    ["v3 interval 4096 cs", { ...v3, advertIntervalMs: 40_960 }],
    ["v3 interval 15 ms", { ...v3, advertIntervalMs: 15 }],
    ["v3 interval NaN", { ...v3, advertIntervalMs: NaN }],
    ["256 addresses", { ...v3, addresses: Array.from({ length: 256 }, () => "192.0.2.1") }],
    ["VRID 0", { ...base, virtualRouterId: 0 }],
    ["VRID 256", { ...base, virtualRouterId: 256 }],
    ["priority -1", { ...base, priority: -1 }],
    ["priority 256", { ...base, priority: 256 }],
    ["priority 1.5", { ...base, priority: 1.5 }],
    ["v2 over IPv6", { ...base, family: 6, addresses: ["2001:db8::1"] }, MCAST6],
    ["v3 with a password", { ...v3, authType: 1, password: Buffer.from("x") }],
    ["bad address text", { ...v3, addresses: ["192.0.2.300"] }],
    ["IPv6 address in an IPv4 advert", { ...v3, addresses: ["2001:db8::1"] }],
    ["v3 without a usable source", v3, { source: "", destination: "224.0.0.18" }],
    ["v3 IPv4 with IPv6 addressing", v3, MCAST6],
  ];
  for (const [name, advert, addressing] of table) {
    it(name, () => assert.throws(() => encodeAdvert(advert, addressing ?? MCAST4), RangeError));
  }
  it("v2 ignores the addressing", () => {
    assert.equal(encodeAdvert(base, { source: "", destination: "" }).length, 20);
  });
});

describe("decodeAdvert mini-fuzz", () => {
  it("never throws on 20,000 seeded random and mutated inputs", () => {
    // mulberry32: small, seeded, deterministic.
    let state = 0x7f4a7c15;
    const random = () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (n: number) => Math.floor(random() * n);
    const addressings = [MCAST4, MCAST6, { source: "", destination: "::" }, { source: "192.0.2.1", destination: "nonsense" }];
    const counts = { ok: 0, drop: 0 };

    for (let n = 0; n < 20_000; n++) {
      let payload: Buffer;
      const golden = GOLDEN_ADVERTS[int(GOLDEN_ADVERTS.length)]!;
      const mode = int(5);
      if (mode === 0) {
        payload = Buffer.alloc(int(80));
        for (let i = 0; i < payload.length; i++) payload[i] = int(256);
        if (payload.length > 0 && random() < 0.7) payload[0] = ((2 + int(2)) << 4) | (random() < 0.8 ? 1 : int(16));
      } else {
        payload = goldenBytes(golden);
        for (let flips = 1 + int(3); flips > 0; flips--) payload[int(payload.length)] = int(256);
        if (mode === 2) payload = payload.subarray(0, int(payload.length + 1));
        if (mode === 3) payload = Buffer.concat([payload, Buffer.alloc(int(40), int(256))]);
        // Make it self-consistent so that the accept path is fuzzed as well.
        if (mode === 4) payload = refreshChecksum(payload, golden.advert.family, golden, golden.advert.version === 3);
      }
      const family: Family = random() < 0.5 ? 4 : 6;
      const addressing = random() < 0.6 ? golden : addressings[int(addressings.length)]!;
      let result: DecodeResult;
      try {
        result = decodeAdvert({ family, payload, source: addressing.source, destination: addressing.destination });
      } catch (error) {
        assert.fail(`threw on ${payload.toString("hex")} (family ${family}): ${String(error)}`);
      }
      if (result.ok) {
        counts.ok++;
        const { advert } = result;
        assert.ok(advert.version === 2 || advert.version === 3);
        assert.equal(payload.length, vrrpMessageLength(advert.version, family, advert.addresses.length));
        for (const text of advert.addresses) assert.ok(parseAddress(text, family).ok, text);
      } else {
        counts.drop++;
        assert.ok(CODEC_REASONS.has(result.reason), result.reason);
        assert.equal(typeof result.detail, "string");
      }
    }
    assert.ok(counts.ok > 100, `the accept path was exercised (${counts.ok} accepted)`);
    assert.ok(counts.drop > 10_000);
  });
});
