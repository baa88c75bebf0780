import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { VRRPNode, VRRPNodeConflict, VRRPNodeInstanceStatus } from "../api/types.js";
import { conflictEvents, conflictMessage, conflictReason, reportedConflicts } from "./network-conflicts.js";

const since = "2026-11-25T12:00:00Z";
const dup = (mac = "02:00:00:00:00:99"): VRRPNodeConflict => ({ kind: "duplicate-address", address: "192.0.2.5", mac, since });
const foreign: VRRPNodeConflict = {
  kind: "foreign-vrrp",
  source: "192.0.2.66",
  mismatch: "auth-mismatch",
  addresses: ["192.0.2.5"],
  since,
};
const stranger: VRRPNodeConflict = { kind: "unknown-peer", source: "192.0.2.77", since };
const node = (name: string, ...instances: VRRPNodeInstanceStatus[]): VRRPNode => ({
  metadata: { name },
  spec: { instances: [] },
  status: { instances },
});
const inst = (name: string, ...conflicts: VRRPNodeConflict[]): VRRPNodeInstanceStatus => ({ name, state: "Master", conflicts });

describe("network conflicts from VRRPNode statuses", () => {
  it("only rendered nodes and the VirtualIP's own routers count", () => {
    const nodes = [
      node("a", inst("web", dup()), inst("other", stranger)),
      node("b", inst("web-v6", foreign)),
      node("gone", inst("web", stranger)),
    ];
    const found = reportedConflicts(nodes, new Set(["a", "b"]), ["web", "web-v6"]);
    assert.deepEqual(
      found.map((r) => `${r.node}/${r.instance}/${r.conflict.kind}`),
      ["a/web/duplicate-address", "b/web-v6/foreign-vrrp"],
    );
  });

  it("reasons per kind", () => {
    assert.deepEqual([dup(), foreign, stranger].map(conflictReason), ["DuplicateAddress", "ForeignVRRP", "UnknownPeer"]);
  });

  it("an unknown kind (a newer agent) is skipped, not crashed on", () => {
    const odd = { kind: "something-new", since } as unknown as VRRPNodeConflict;
    assert.deepEqual(reportedConflicts([node("a", inst("web", odd))], new Set(["a"]), ["web"]), []);
  });

  it("the message names each conflict once with every node that sees it", () => {
    const found = reportedConflicts([node("b", inst("web", foreign)), node("a", inst("web", foreign, dup()))], new Set(["a", "b"]), [
      "web",
    ]);
    assert.equal(
      conflictMessage(found),
      "192.0.2.5 is also answered by 02:00:00:00:00:99 (seen by a); 192.0.2.66 sends adverts on this VRID with a different password (seen by a, b)",
    );
  });

  const table: { name: string; before: string[][]; now: VRRPNodeConflict[]; events: string[] }[] = [
    { name: "a new conflict: one Warning", before: [], now: [dup()], events: ["Warning DuplicateAddress"] },
    { name: "still there: nothing", before: [["duplicate-address/192.0.2.5/02:00:00:00:00:99", "x"]], now: [dup()], events: [] },
    {
      name: "gone: one Normal",
      before: [["unknown-peer/192.0.2.77", "192.0.2.77 sends adverts"]],
      now: [],
      events: ["Normal ConflictResolved"],
    },
    {
      name: "another MAC for the same address is a new conflict, the old one resolved",
      before: [["duplicate-address/192.0.2.5/02:00:00:00:00:99", "old"]],
      now: [dup("02:00:00:00:00:aa")],
      events: ["Warning DuplicateAddress", "Normal ConflictResolved"],
    },
  ];
  for (const row of table) {
    it(`events: ${row.name}`, () => {
      const reported = reportedConflicts([node("a", inst("web", ...row.now))], new Set(["a"]), ["web"]);
      const { events, announced } = conflictEvents(new Map(row.before as [string, string][]), reported);
      assert.deepEqual(
        events.map((e) => `${e.type} ${e.reason}`),
        row.events,
      );
      assert.equal(announced.size, row.now.length);
    });
  }
});
