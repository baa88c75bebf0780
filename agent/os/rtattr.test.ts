import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { addressBytes, AF_INET, AF_INET6, familyNumber, familyOf, findAttribute } from "./rtattr.js";

describe("rtattr: address families", () => {
  it("4 and 6 by number, both ways; other numbers are no family", () => {
    assert.deepEqual([familyNumber(4), familyNumber(6)], [AF_INET, AF_INET6]);
    assert.deepEqual([AF_INET, AF_INET6], [2, 10]);
    assert.deepEqual([familyOf(2), familyOf(10), familyOf(0), familyOf(17)], [4, 6, undefined, undefined]);
  });
});

describe("rtattr: an address as an attribute value (golden bytes, network order)", () => {
  const rows: readonly [string, 4 | 6, string][] = [
    ["192.0.2.5", 4, "c0000205"],
    ["203.0.113.255", 4, "cb0071ff"],
    ["2001:db8::1", 6, "20010db8000000000000000000000001"],
    ["2001:db8:0:1::", 6, "20010db8000000010000000000000000"],
  ];
  for (const [text, family, hex] of rows) it(text, () => assert.equal(addressBytes(text, family).toString("hex"), hex));
  it("a bad address or the other family is a TypeError naming it", () => {
    assert.throws(
      () => addressBytes("192.0.2.300", 4),
      (e: unknown) => e instanceof TypeError && e.message.includes("192.0.2.300"),
    );
    assert.throws(() => addressBytes("2001:db8::1", 4), TypeError);
  });
});

describe("rtattr: finding an attribute (golden bytes, little-endian host)", () => {
  // After a 4-byte header to skip: IFLA_MTU (4) = 1500; a nested attribute (type 26 with the nested flag) of 5 value
  // bytes, padded to 12; IFLA_IFNAME (3) "up0\0".
  const payload = Buffer.from("aabbccdd" + "08000400dc050000" + "09001a80" + "0102030405000000" + "0800030075703000", "hex");
  const rows: readonly [string, Buffer, number, ReturnType<typeof findAttribute>][] = [
    ["the first attribute", payload, 4, { start: 8, end: 12 }],
    ["after a padded nested one (the flag bits are not part of the type)", payload, 3, { start: 28, end: 32 }],
    ["a nested one by its type without the flags", payload, 26, { start: 16, end: 21 }],
    ["absent", payload, 1, "absent"],
    ["no attributes at all", payload.subarray(0, 4), 3, "absent"],
    ["a trailing stub shorter than a header is not an attribute", Buffer.concat([payload, Buffer.from("0800", "hex")]), 1, "absent"],
    ["one running past the end is malformed", Buffer.from("aabbccdd" + "0c000400dc050000", "hex"), 3, "malformed"],
    ["one shorter than its header is malformed", Buffer.from("aabbccdd" + "02000400", "hex"), 3, "malformed"],
  ];
  for (const [name, b, type, want] of rows) it(name, () => assert.deepEqual(findAttribute(b, 4, type), want));
});
