import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validatePoolSpec } from "./validate-pool.js";

describe("VirtualIPPool spec validation", () => {
  it("accepts CIDRs, ranges, both families; applies autoAssign true", () => {
    const r = validatePoolSpec({
      addresses: ["192.0.2.64/28", "192.0.2.100 - 192.0.2.110", "2001:db8::100/124"],
      nodeSelector: { "node-role.kubernetes.io/ingress": "" },
    });
    assert.ok(r.ok, r.ok ? "" : JSON.stringify(r));
    assert.deepEqual(r.config.families, [4, 6]);
    assert.equal(r.config.autoAssign, true);
    assert.equal(r.config.ranges.length, 3);
    assert.equal(r.config.serviceSelector, undefined);
  });
  it("keeps interfaces in order; absent when not given", () => {
    const r = validatePoolSpec({ addresses: ["192.0.2.0/28"], interfaces: ["eth1", "bond0"] });
    assert.ok(r.ok, r.ok ? "" : JSON.stringify(r));
    assert.deepEqual(r.config.interfaces, ["eth1", "bond0"]);
    const none = validatePoolSpec({ addresses: ["192.0.2.0/28"] });
    assert.ok(none.ok && !("interfaces" in none.config));
  });
  const bad: [unknown, string, RegExp][] = [
    [{}, "spec.addresses", /is required/],
    [{ addresses: [] }, "spec.addresses", /at least one/],
    [{ addresses: ["192.0.2.0/24", "192.0.2.10-192.0.2.12"] }, "spec.addresses[1]", /overlaps spec\.addresses\[0\]/],
    [{ addresses: ["192.0.2.9/24"] }, "spec.addresses[0]", /host bits set/],
    [{ addresses: [7] }, "spec.addresses[0]", /must be a CIDR or range/],
    [{ addresses: ["192.0.2.0/28"], autoAssign: "yes" }, "spec.autoAssign", /true or false/],
    [{ addresses: ["192.0.2.0/28"], nodeSelector: { a: 1 } }, "spec.nodeSelector.a", /must be a string/],
    [
      { addresses: ["192.0.2.0/28"], serviceSelector: { matchExpressions: [{ key: "a", operator: "In" }] } },
      "spec.serviceSelector.matchExpressions[0].values",
      /must not be empty/,
    ],
    [{ addresses: ["192.0.2.0/28"], namespaceSelector: { matchLabels: [] } }, "spec.namespaceSelector.matchLabels", /mapping/],
    [{ addresses: ["192.0.2.0/28"], interval: "1s" }, "spec.interval", /unknown field/],
    [
      { addresses: ["192.0.2.0/28"], advertisementInterval: "15ms" },
      "spec.advertisementInterval",
      /10ms to 40\.95s in steps of 10ms, got 15ms/,
    ],
    [{ addresses: ["192.0.2.0/28"], transport: "broadcast" }, "spec.transport", /"unicast" or "multicast"/],
    [{ addresses: ["192.0.2.0/28"], advertisementInterval: "1" }, "spec.advertisementInterval", /duration with a unit/],
    [{ addresses: ["192.0.2.0/28"], interfaces: [] }, "spec.interfaces", /at least one/],
    [{ addresses: ["192.0.2.0/28"], interfaces: "eth1" }, "spec.interfaces", /list/],
    [{ addresses: ["192.0.2.0/28"], interfaces: ["eth1", "a/b"] }, "spec.interfaces[1]", /interface name/],
    [{ addresses: ["192.0.2.0/28"], interfaces: ["eth1", "eth1"] }, "spec.interfaces[1]", /repeats spec\.interfaces\[0\]/],
    [{ addresses: ["192.0.2.0/28"], interfaces: Array.from({ length: 33 }, (_, i) => `eth${i}`) }, "spec.interfaces", /at most 32/],
  ];
  for (const [spec, field, message] of bad) {
    it(`rejects ${JSON.stringify(spec)} naming ${field}`, () => {
      const r = validatePoolSpec(spec);
      assert.ok(!r.ok);
      const e = r.errors.find((x) => x.field === field);
      assert.ok(e, JSON.stringify(r.errors));
      assert.match(e.message, message);
    });
  }
});
