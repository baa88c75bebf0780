import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeAddress, decodeLink } from "./rtnetlink-decode.js";

/** One attribute, padded to 4 bytes (host order: x86 is little-endian, like the lab). */
function attr(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16LE(4 + value.length, 0);
  header.writeUInt16LE(type, 2);
  return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
};

// struct ifinfomsg: AF_UNSPEC, ARPHRD_ETHER (1), index 7, flags UP|BROADCAST|RUNNING|MULTICAST, change 0
const ifinfo = (flags: number) => Buffer.from([0, 0, 1, 0, 7, 0, 0, 0, flags & 0xff, (flags >> 8) & 0xff, 0, 0, 0, 0, 0, 0]);
const IFF_UP_RUNNING = 0x1043;

describe("rtnetlink link messages", () => {
  it("reads index, name and up (golden bytes)", () => {
    const payload = Buffer.from("00000100070000004310000000000000" + "0800030075703000" + "08000400dc050000", "hex");
    assert.deepEqual(decodeLink(payload), { index: 7, name: "up0", up: true });
  });
  it("skips other attributes, nested ones included, to find the name", () => {
    const payload = Buffer.concat([
      ifinfo(IFF_UP_RUNNING),
      attr(4, u32(1500)),
      attr(26 | 0x8000, attr(2, Buffer.alloc(9))),
      attr(3, Buffer.from("vlan.100\0")),
    ]);
    assert.deepEqual(decodeLink(payload), { index: 7, name: "vlan.100", up: true });
  });
  const flagRows: readonly [string, number, boolean][] = [
    ["up with carrier", 0x1043, true],
    ["up without carrier (NO-CARRIER: no IFF_RUNNING)", 0x1003, false],
    ["admin down", 0x1002, false],
    ["carrier but admin down", 0x1042, false],
  ];
  for (const [name, flags, up] of flagRows)
    it(name, () => assert.equal(decodeLink(Buffer.concat([ifinfo(flags), attr(3, Buffer.from("eth0\0"))]))?.up, up));
  it("no name attribute: name undefined", () =>
    assert.deepEqual(decodeLink(ifinfo(IFF_UP_RUNNING)), { index: 7, name: undefined, up: true }));
  it("rejects a short header", () => assert.equal(decodeLink(Buffer.alloc(15)), undefined));
  it("rejects an attribute before the name running past the end", () => {
    const payload = Buffer.concat([ifinfo(IFF_UP_RUNNING), attr(4, u32(1500)), attr(3, Buffer.from("eth0\0"))]);
    payload.writeUInt16LE(64, 16);
    assert.equal(decodeLink(payload), undefined);
  });
  it("rejects a name running past the end", () => {
    const payload = Buffer.concat([ifinfo(IFF_UP_RUNNING), attr(3, Buffer.from("eth0\0"))]);
    payload.writeUInt16LE(64, 16);
    assert.equal(decodeLink(payload), undefined);
  });
  it("rejects an attribute shorter than its header", () => {
    const payload = Buffer.concat([ifinfo(IFF_UP_RUNNING), Buffer.from([2, 0, 3, 0])]);
    assert.equal(decodeLink(payload), undefined);
  });
  it("a name without its NUL ends with its attribute", () => {
    assert.equal(decodeLink(Buffer.concat([ifinfo(IFF_UP_RUNNING), attr(3, Buffer.from("eth0"))]))?.name, "eth0");
  });
});

describe("rtnetlink address messages", () => {
  it("IPv6 link-local (golden bytes): family, prefix, index, IFA_ADDRESS", () => {
    const payload = Buffer.from("0a40802007000000" + "14000100fe80000000000000020000fffe000001", "hex");
    const decoded = decodeAddress(payload);
    assert.deepEqual(
      { ...decoded, address: decoded?.address?.toString("hex") },
      { family: 10, prefixLength: 64, index: 7, address: "fe80000000000000020000fffe000001" },
    );
  });
  it("IPv4: IFA_LOCAL wins over IFA_ADDRESS (a point-to-point peer)", () => {
    const payload = Buffer.concat([
      Buffer.from([2, 24, 0x80, 0, 3, 0, 0, 0]),
      attr(1, Buffer.from([198, 51, 100, 1])),
      attr(2, Buffer.from([192, 0, 2, 11])),
    ]);
    assert.deepEqual([...(decodeAddress(payload)?.address ?? [])], [192, 0, 2, 11]);
  });
  it("no address attribute: address undefined", () =>
    assert.equal(decodeAddress(Buffer.from([2, 24, 0, 0, 3, 0, 0, 0]))?.address, undefined));
  it("rejects a short header", () => assert.equal(decodeAddress(Buffer.alloc(7)), undefined));
  it("rejects a malformed attribute", () => assert.equal(decodeAddress(Buffer.from([2, 24, 0, 0, 3, 0, 0, 0, 2, 0, 1, 0])), undefined));
});
