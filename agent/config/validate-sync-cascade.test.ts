/**
 * One error, one message: a sync group member whose instance has an error
 * of its own is not reported again as "no instance named ..." (found with
 * the field config field-multi-interface, where one bad address line also
 * produced that error at the group).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "./validate.js";

const instance = (name: string, vrid: number) => ({
  name,
  interface: "eth0",
  virtualRouterId: vrid,
  addresses: ["192.0.2.5/24".replace("5", String(vrid))],
});

describe("sync group members with errors of their own", () => {
  it("reports the member's own error only", () => {
    const doc = {
      instances: [{ ...instance("A", 1), virtualRouterId: 0 }, instance("B", 2)],
      syncGroups: [{ name: "G", instances: ["A", "B"] }],
    };
    const result = validateAgentConfig(doc);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => e.path),
      ["instances[0].virtualRouterId"],
    );
  });
  it("still names a member that is nowhere under instances", () => {
    const doc = { instances: [instance("A", 1), instance("B", 2)], syncGroups: [{ name: "G", instances: ["A", "C"] }] };
    const result = validateAgentConfig(doc);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => `${e.path}: ${e.message}`),
      ['syncGroups[0].instances[1]: no instance named "C" under instances'],
    );
  });
});
