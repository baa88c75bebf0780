import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "./validate.js";

const instance = (rules: unknown) => ({
  instances: [{ name: "a", interface: "eth0", virtualRouterId: 1, addresses: ["192.0.2.5/24"], rules }],
});

function rulesOf(rules: unknown) {
  const result = validateAgentConfig(instance(rules));
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.config.instances[0]!.rules;
}

function errorsOf(rules: unknown): string[] {
  const result = validateAgentConfig(instance(rules));
  assert.ok(!result.ok, "expected errors");
  return result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe("instance rules (keepalived virtual_rules)", () => {
  it("reads every field, canonical prefixes, table main and IPv4 by default", () => {
    assert.deepEqual(
      rulesOf([
        { from: "192.0.2.5", to: "198.51.100.0/24", iif: "eth0", oif: "eth1", fwmark: 7, fwmask: 0xff, table: 100, priority: 1000 },
        { from: "2001:DB8:1::/48", table: 200 },
        { fwmark: 3 },
        { family: 6, iif: "eth0", table: 5 },
      ]),
      [
        {
          family: 4,
          from: "192.0.2.5/32",
          to: "198.51.100.0/24",
          iif: "eth0",
          oif: "eth1",
          fwmark: 7,
          fwmask: 255,
          table: 100,
          priority: 1000,
        },
        { family: 6, from: "2001:db8:1::/48", table: 200 },
        { family: 4, fwmark: 3, table: 254 },
        { family: 6, iif: "eth0", table: 5 },
      ],
    );
  });

  it("an empty list is no rules", () => {
    assert.equal(rulesOf([]), undefined);
  });

  it("refuses what ip rule would refuse, naming the field", () => {
    assert.deepEqual(errorsOf([{ from: "192.0.2.1/24", table: 1 }]), [
      'instances[0].rules[0].from: "192.0.2.1/24" has host bits set; the network is 192.0.2.0/24',
    ]);
    assert.deepEqual(errorsOf([{ from: "192.0.2.0/24", to: "2001:db8::/32", table: 1 }]), [
      "instances[0].rules[0]: from, to and family must be the same IP family",
    ]);
    assert.deepEqual(errorsOf([{ family: 6, from: "192.0.2.0/24" }]), [
      "instances[0].rules[0]: from, to and family must be the same IP family",
    ]);
    assert.deepEqual(errorsOf([{ fwmask: 255, table: 1 }]), ["instances[0].rules[0].fwmask: needs fwmark"]);
    assert.equal(errorsOf([{ table: 0 }]).length, 1);
    assert.equal(errorsOf([{ priority: 0 }]).length, 1);
    assert.match(errorsOf([{ action: "goto", table: 1 }])[0]!, /^instances\[0\]\.rules\[0\]/);
  });
});
