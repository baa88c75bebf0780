import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Conflict } from "../conflict/types.js";
import type { RouterSnapshot } from "../runtime/router.js";
import { MAX_CONFLICTS, MAX_INTERFACES, nodeStatus } from "./node-status.js";

const snapshot = (conflicts: readonly Conflict[]): RouterSnapshot => ({
  name: "web",
  phase: "master",
  priority: 200,
  effectivePriority: 200,
  masterAddress: undefined,
  since: 1000,
  conflicts,
});
const status = (conflicts: readonly Conflict[]) =>
  nodeStatus({
    snapshots: [snapshot(conflicts)],
    transitions: new Map(),
    observedGeneration: 3,
    configErrors: [],
    monotonicNow: 61_000,
    wallNow: new Date("2026-11-25T12:01:00Z"),
  }).instances[0]!;

describe("VRRPNode status: conflicts", () => {
  it("none: no conflicts field at all", () => {
    assert.equal("conflicts" in status([]), false);
  });

  it("each kind with its offender, since in wall time", () => {
    const result = status([
      { kind: "duplicate-address", address: "192.0.2.5", mac: "02:00:00:00:00:99", since: 31_000 },
      { kind: "foreign-vrrp", source: "192.0.2.66", mismatch: "address-mismatch", addresses: ["192.0.2.99"], since: 1000 },
      { kind: "unknown-peer", source: "192.0.2.77", since: 61_000 },
    ]);
    assert.deepEqual(result.conflicts, [
      { kind: "duplicate-address", address: "192.0.2.5", mac: "02:00:00:00:00:99", since: "2026-11-25T12:00:30.000Z" },
      {
        kind: "foreign-vrrp",
        source: "192.0.2.66",
        mismatch: "address-mismatch",
        addresses: ["192.0.2.99"],
        since: "2026-11-25T12:00:00.000Z",
      },
      { kind: "unknown-peer", source: "192.0.2.77", since: "2026-11-25T12:01:00.000Z" },
    ]);
  });

  it("at most the CRD's maxItems, so the status write is never rejected", () => {
    const many: Conflict[] = Array.from({ length: 100 }, (_, i) => ({ kind: "unknown-peer", source: `198.51.100.${i}`, since: 0 }));
    assert.equal(status(many).conflicts?.length, MAX_CONFLICTS);
  });
});

describe("VRRPNode status: the node's interfaces (for pools with spec.interfaces)", () => {
  const base = {
    snapshots: [],
    transitions: new Map(),
    observedGeneration: 1,
    configErrors: [],
    monotonicNow: 0,
    wallNow: new Date("2026-11-25T12:00:00Z"),
  };
  it("sorted, each once", () => {
    assert.deepEqual(nodeStatus({ ...base, interfaces: ["eth1", "lo", "eth0", "eth1"] }).interfaces, ["eth0", "eth1", "lo"]);
  });
  it("not read yet: no interfaces field", () => {
    assert.equal("interfaces" in nodeStatus(base), false);
  });
  it("at most the CRD's maxItems", () => {
    const many = Array.from({ length: 300 }, (_, i) => `veth${String(i).padStart(3, "0")}`);
    assert.equal(nodeStatus({ ...base, interfaces: many }).interfaces?.length, MAX_INTERFACES);
  });
});
