import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ruleMessage } from "./rule-message.js";

describe("rule messages (as ip rule builds them)", () => {
  it("from a prefix to a small table: header table, lookup action, static protocol on add only", () => {
    const rule = { family: 4 as const, from: "192.0.2.0/24", table: 100, priority: 1000 };
    assert.deepEqual(ruleMessage(rule, "add"), {
      data: { family: 2, srcLen: 24, dstLen: 0, table: 100, action: 1 },
      attrs: { src: Buffer.from([192, 0, 2, 0]), priority: 1000, protocol: 4 },
    });
    assert.deepEqual(ruleMessage(rule, "remove").attrs, { src: Buffer.from([192, 0, 2, 0]), priority: 1000 });
  });

  it("a table above 255 goes in FRA_TABLE; interfaces by name; fwmark and mask", () => {
    const rule = { family: 6 as const, to: "2001:db8::/32", iif: "eth0", oif: "eth1", fwmark: 7, fwmask: 255, table: 1000 };
    const { data, attrs } = ruleMessage(rule, "remove");
    assert.deepEqual(data, { family: 10, srcLen: 0, dstLen: 32, table: 0, action: 1 });
    assert.deepEqual(attrs, {
      dst: Buffer.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      iifname: "eth0",
      oifname: "eth1",
      fwmark: 7,
      fwmask: 255,
      table: 1000,
    });
  });
});
