/**
 * Golden bytes for the probes, written field by field from RFC 5227 §2.1.1
 * (ARP probe) and RFC 4861 §4.3 / RFC 4862 §5.4.2 (DAD solicitation), and
 * the claims read back from ARP packets and neighbour advertisements.
 */
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { gratuitousArp, unsolicitedNeighbourAdvert } from "./frames.js";
import { ARP_PROBE_LENGTH, arpProbe, DAD_SOLICIT_LENGTH, dadSolicitation, parseClaim, solicitedNodeGroup } from "./probe-frames.js";
import { internetChecksum } from "../vrrp/checksum.js";
import fc from "fast-check";

const hex = (...fields: string[]) => Buffer.from(fields.join("").replace(/\s+/g, ""), "hex");
const MAC = "02:00:00:00:00:01";
const OTHER = "02:00:00:00:00:99";

describe("arpProbe", () => {
  it("asks who has the address with sender IP 0.0.0.0 and a zero target MAC, to broadcast", () => {
    const expected = hex(
      "ffffffffffff", // Ethernet destination: broadcast
      "020000000001", // Ethernet source: interface MAC
      "0806", // ARP
      "0001",
      "0800",
      "06",
      "04", // Ethernet / IPv4
      "0001", // request
      "020000000001", // sender hardware address: ours
      "00000000", // sender protocol address: 0.0.0.0 (RFC 5227 §2.1.1)
      "000000000000", // target hardware address: zero
      "c0000205", // target protocol address: 192.0.2.5
    );
    const frame = arpProbe({ mac: MAC, address: "192.0.2.5" });
    assert.equal(frame.length, ARP_PROBE_LENGTH);
    assert.deepEqual(frame, expected);
  });

  it("rejects an IPv6 address or a bad MAC", () => {
    assert.throws(() => arpProbe({ mac: MAC, address: "2001:db8::5" }), TypeError);
    assert.throws(() => arpProbe({ mac: "nope", address: "192.0.2.5" }), TypeError);
  });
});

describe("dadSolicitation", () => {
  it("solicited-node group from the low 24 bits", () => {
    assert.equal(solicitedNodeGroup("2001:db8::5"), "ff02::1:ff00:5");
    assert.equal(solicitedNodeGroup("2001:db8::abcd:1234:5678"), "ff02::1:ff34:5678");
  });

  it("a neighbour solicitation from :: to the solicited-node group, hop limit 255, no options", () => {
    const frame = dadSolicitation({ mac: MAC, target: "2001:db8::5" });
    const expected = hex(
      "3333ff000005", // 33:33 + low 32 bits of ff02::1:ff00:5
      "020000000001",
      "86dd",
      "60000000",
      "0018",
      "3a",
      "ff", // version 6, payload 24, ICMPv6, hop limit 255
      "00000000000000000000000000000000", // source ::
      "ff0200000000000000000001ff000005", // destination ff02::1:ff00:5
      "87",
      "00",
      frame.subarray(56, 58).toString("hex"),
      "00000000", // type 135, code 0, checksum, reserved
      "20010db8000000000000000000000005", // target
    );
    assert.equal(frame.length, DAD_SOLICIT_LENGTH);
    assert.deepEqual(frame, expected);
    // The checksum verifies over the pseudo-header (RFC 8200 §8.1): sum over all = 0.
    const pseudo = Buffer.concat([frame.subarray(22, 38), frame.subarray(38, 54), hex("00000018", "0000003a")]);
    assert.equal(internetChecksum(Buffer.concat([pseudo, frame.subarray(54)])), 0);
    assert.notEqual(frame.readUInt16BE(56), 0);
  });
});

describe("parseClaim", () => {
  const arpReply = hex(
    "020000000001",
    "020000000099",
    "0806",
    "0001",
    "0800",
    "06",
    "04",
    "0002",
    "020000000099",
    "c0000205", // sender: 02:..:99 has 192.0.2.5
    "020000000001",
    "00000000", // target: us, 0.0.0.0 (a reply to a probe, as Linux sends it)
  );

  const table: { name: string; frame: Buffer; claim: ReturnType<typeof parseClaim> }[] = [
    { name: "ARP reply to a probe", frame: arpReply, claim: { family: 4, address: "192.0.2.5", mac: OTHER, via: "arp-reply" } },
    {
      name: "gratuitous ARP request",
      frame: gratuitousArp({ mac: OTHER, address: "192.0.2.5" }),
      claim: { family: 4, address: "192.0.2.5", mac: OTHER, via: "arp-request" },
    },
    { name: "ARP probe claims nothing", frame: arpProbe({ mac: OTHER, address: "192.0.2.5" }), claim: undefined },
    { name: "truncated ARP", frame: arpReply.subarray(0, 41), claim: undefined },
    {
      name: "ARP for another protocol",
      frame: Buffer.concat([arpReply.subarray(0, 16), hex("86dd"), arpReply.subarray(18)]),
      claim: undefined,
    },
    {
      name: "ARP with an unknown opcode",
      frame: Buffer.concat([arpReply.subarray(0, 20), hex("0003"), arpReply.subarray(22)]),
      claim: undefined,
    },
    {
      name: "unsolicited neighbour advertisement (target link-layer option)",
      frame: unsolicitedNeighbourAdvert({ mac: OTHER, source: "fe80::99", target: "2001:db8::5" }),
      claim: { family: 6, address: "2001:db8::5", mac: OTHER, via: "neighbour-advert" },
    },
    { name: "neighbour solicitation claims nothing", frame: dadSolicitation({ mac: OTHER, target: "2001:db8::5" }), claim: undefined },
    {
      name: "NA with a broken checksum",
      frame: corrupt(unsolicitedNeighbourAdvert({ mac: OTHER, source: "fe80::99", target: "2001:db8::5" }), 60),
      claim: undefined,
    },
    {
      name: "NA with hop limit 64",
      frame: withByte(unsolicitedNeighbourAdvert({ mac: OTHER, source: "fe80::99", target: "2001:db8::5" }), 21, 64),
      claim: undefined,
    },
    {
      name: "NA truncated",
      frame: unsolicitedNeighbourAdvert({ mac: OTHER, source: "fe80::99", target: "2001:db8::5" }).subarray(0, 70),
      claim: undefined,
    },
    { name: "not ARP or IPv6", frame: Buffer.concat([arpReply.subarray(0, 12), hex("0800"), arpReply.subarray(14)]), claim: undefined },
    { name: "shorter than an Ethernet header", frame: hex("0102"), claim: undefined },
  ];
  for (const row of table) it(row.name, () => assert.deepEqual(parseClaim(row.frame), row.claim));

  it("an NA without the option names the Ethernet source", () => {
    const full = unsolicitedNeighbourAdvert({ mac: OTHER, source: "fe80::99", target: "2001:db8::5" });
    // Cut the 8-byte option, fix the payload length and checksum.
    const frame = Buffer.from(full.subarray(0, full.length - 8));
    frame.writeUInt16BE(24, 18);
    frame.writeUInt16BE(0, 56);
    const pseudo = Buffer.concat([frame.subarray(22, 54), hex("00000018", "0000003a")]);
    frame.writeUInt16BE(internetChecksum(Buffer.concat([pseudo, frame.subarray(54)])), 56);
    assert.deepEqual(parseClaim(frame), { family: 6, address: "2001:db8::5", mac: OTHER, via: "neighbour-advert" });
  });
});

function corrupt(frame: Buffer, at: number): Buffer {
  return withByte(frame, at, frame[at]! ^ 0xff);
}

function withByte(frame: Buffer, at: number, value: number): Buffer {
  const copy = Buffer.from(frame);
  copy[at] = value;
  return copy;
}

describe("parseClaim on hostile input", () => {
  const valid = [
    gratuitousArp({ mac: OTHER, address: "192.0.2.5" }),
    unsolicitedNeighbourAdvert({ mac: OTHER, source: "fe80::99", target: "2001:db8::5" }),
  ];
  it("never throws on arbitrary bytes or on valid frames with bytes changed, cut or appended", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void parseClaim(bytes)),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...valid),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat({ max: 100 }),
        fc.uint8Array({ maxLength: 40 }),
        (frame, changes, cut, tail) => {
          const copy = Buffer.from(frame);
          for (const [at, value] of changes) copy[at % copy.length] = value;
          const claim = parseClaim(Buffer.concat([copy.subarray(0, copy.length - (cut % copy.length)), tail]));
          if (claim !== undefined) assert.ok(claim.family === 4 || claim.family === 6);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
