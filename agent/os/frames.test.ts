/**
 * Golden bytes for the announcement frames, written field by field from the
 * RFC 826 (ARP) and RFC 4861 §4.4 (NA) layouts. The same bytes, written to a
 * pcap file, decode with `tcpdump -nn -e -vv -r` as quoted above each test.
 */
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import {
  ARP_FRAME_LENGTH,
  NA_FRAME_LENGTH,
  formatMac,
  gratuitousArp,
  icmpv6Checksum,
  ipv6MulticastMac,
  parseMac,
  unsolicitedNeighbourAdvert,
} from "./frames.js";
import { internetChecksum } from "../vrrp/checksum.js";

const hex = (...fields: string[]) => Buffer.from(fields.join("").replace(/\s+/g, ""), "hex");
const MAC = "02:00:00:00:00:01";

describe("gratuitousArp", () => {
  // 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4),
  //   Request who-has 192.0.2.5 (ff:ff:ff:ff:ff:ff) tell 192.0.2.5, length 28
  it("builds an ARP request with sender = target = the VIP, from the interface MAC, to broadcast", () => {
    const expected = hex(
      "ffffffffffff", // Ethernet destination: broadcast
      "020000000001", // Ethernet source: interface MAC
      "0806", // ethertype ARP
      "0001", // hardware type: Ethernet (1)
      "0800", // protocol type: IPv4
      "06", // hardware address length
      "04", // protocol address length
      "0001", // opcode: request
      "020000000001", // sender hardware address
      "c0000205", // sender protocol address 192.0.2.5
      "ffffffffffff", // target hardware address (keepalived: broadcast)
      "c0000205", // target protocol address 192.0.2.5
    );
    const frame = gratuitousArp({ mac: MAC, address: "192.0.2.5" });
    assert.equal(frame.length, ARP_FRAME_LENGTH);
    assert.deepEqual(frame, expected);
  });

  it("rejects malformed input", () => {
    assert.throws(() => gratuitousArp({ mac: "02:00:00:00:00", address: "192.0.2.5" }), TypeError);
    assert.throws(() => gratuitousArp({ mac: MAC, address: "2001:db8::5" }), TypeError);
  });
});

describe("unsolicitedNeighbourAdvert", () => {
  // 02:00:00:00:00:01 > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: (hlim 255, next-header ICMPv6 (58)
  //   payload length: 32) fe80::1 > ff02::1: [icmp6 sum ok] ICMP6, neighbor advertisement, length 32,
  //   tgt is 2001:db8::5, Flags [override]
  //     destination link-address option (2), length 8 (1): 02:00:00:00:00:01
  it("builds an NA to all-nodes with Override, the target and its link-layer address", () => {
    const expected = hex(
      "333300000001", // Ethernet destination: 33:33 + low 32 bits of ff02::1 (RFC 2464 §7)
      "020000000001", // Ethernet source
      "86dd", // ethertype IPv6
      "60000000", // version 6, traffic class 0, flow label 0
      "0020", // payload length 32
      "3a", // next header ICMPv6 (58)
      "ff", // hop limit 255
      "fe800000000000000000000000000001", // source fe80::1
      "ff020000000000000000000000000001", // destination ff02::1
      "88", // type 136 neighbour advertisement
      "00", // code 0
      "285f", // checksum (pseudo-header + message)
      "20000000", // R=0 S=0 O=1, reserved
      "20010db8000000000000000000000005", // target 2001:db8::5
      "02", // option: target link-layer address
      "01", // option length: 1 (8 bytes)
      "020000000001", // link-layer address
    );
    const frame = unsolicitedNeighbourAdvert({ mac: MAC, source: "fe80::1", target: "2001:db8::5" });
    assert.equal(frame.length, NA_FRAME_LENGTH);
    assert.deepEqual(frame, expected);
  });

  // ... [icmp6 sum ok] ICMP6, neighbor advertisement, length 32, tgt is 2001:db8::5, Flags [router, override]
  it("sets the Router flag when asked, with the checksum adjusted", () => {
    const frame = unsolicitedNeighbourAdvert({ mac: MAC, source: "fe80::1", target: "2001:db8::5", router: true });
    assert.equal(frame[14 + 40 + 4], 0xa0);
    assert.equal(frame.readUInt16BE(14 + 40 + 2), 0xa85e);
  });

  it("carries a checksum that verifies to zero over the pseudo-header", () => {
    const frame = unsolicitedNeighbourAdvert({ mac: "52:54:00:12:34:56", source: "fe80::5054:ff:fe12:3456", target: "2001:db8::77" });
    const icmp = frame.subarray(14 + 40);
    const pseudo = Buffer.concat([frame.subarray(14 + 8, 14 + 40), hex("00000020", "0000003a")]);
    assert.equal(internetChecksum(Buffer.concat([pseudo, icmp])), 0);
  });
});

describe("helpers", () => {
  it("computes the RFC 1071 checksum, odd lengths padded with zero", () => {
    // RFC 1071 §3 example: 0001 f203 f4f5 f6f7 sums to ddf2 (checksum 220d).
    assert.equal(internetChecksum(hex("0001f203f4f5f6f7")), 0x220d);
    assert.equal(internetChecksum(Buffer.concat([hex("0001f2"), hex("03f4f5f6f7")])), 0x220d);
    assert.equal(internetChecksum(hex("01")), 0xfeff);
  });

  it("computes the ICMPv6 checksum with the checksum field zero", () => {
    const message = hex("88000000", "20000000", "20010db8000000000000000000000005", "0201020000000001");
    assert.equal(icmpv6Checksum("fe80::1", "ff02::1", message), 0x285f);
  });

  it("maps IPv6 multicast groups to 33:33 MACs", () => {
    assert.equal(ipv6MulticastMac("ff02::1"), "33:33:00:00:00:01");
    assert.equal(ipv6MulticastMac("ff02::1:ff00:5"), "33:33:ff:00:00:05");
    assert.throws(() => ipv6MulticastMac("2001:db8::1"), TypeError);
  });

  it("parses and formats MAC addresses", () => {
    assert.deepEqual(parseMac("AA-bb-cc-dd-ee-ff"), hex("aabbccddeeff"));
    assert.equal(formatMac(hex("0002aabbccdd")), "00:02:aa:bb:cc:dd");
    assert.throws(() => parseMac("aa:bb:cc:dd:ee:fg"), TypeError);
  });
});
