import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { allocateVrids, scopesConflict } from "./vrid.js";
import type { VridCandidate, VridOutcome, VridReservation, VridScope } from "./vrid.js";

// Unless a case says otherwise, every candidate may run on the same nodes (unicast).
const shared = { nodes: new Set(["n1", "n2"]), multicast: false } as const;
const v4 = (name: string, extra: Partial<VridCandidate> = {}): VridCandidate => ({ name, families: [4], ...shared, ...extra });
const v6 = (name: string, extra: Partial<VridCandidate> = {}): VridCandidate => ({ name, families: [6], ...shared, ...extra });
const dual = (name: string, extra: Partial<VridCandidate> = {}): VridCandidate => ({ name, families: [4, 6], ...shared, ...extra });
const on = (...nodes: string[]) => ({ nodes: new Set(nodes) });
const assigned = (vrid: number, source: "spec" | "status" | "allocated"): VridOutcome => ({ kind: "assigned", vrid, source });
const reservedAt = (vrid: number, extra: Partial<VridReservation> = {}): VridReservation => ({ vrid, families: [4], ...shared, ...extra });

describe("scopesConflict", () => {
  const scope = (nodes: readonly string[] | "all", extra: Partial<VridScope> = {}): VridScope => ({
    nodes: nodes === "all" ? "all" : new Set(nodes),
    multicast: false,
    ...extra,
  });
  const cases: ReadonlyArray<readonly [string, VridScope, VridScope, boolean]> = [
    ["unicast, a common node", scope(["a", "b"]), scope(["b", "c"]), true],
    ["unicast, disjoint nodes", scope(["a", "b"]), scope(["c", "d"]), false],
    ["a common node, different named interfaces", scope(["a"], { interface: "eth0" }), scope(["a"], { interface: "eth1" }), false],
    ["a common node, the same named interface", scope(["a"], { interface: "eth0" }), scope(["a"], { interface: "eth0" }), true],
    ["a common node, one interface unnamed (the agent may pick the same)", scope(["a"], { interface: "eth0" }), scope(["a"]), true],
    ["multicast reaches the segment: disjoint nodes conflict", scope(["a"], { multicast: true }), scope(["b"]), true],
    [
      "multicast, different named interfaces on different nodes may still share a segment",
      scope(["a"], { multicast: true, interface: "eth0" }),
      scope(["b"], { multicast: true, interface: "eth1" }),
      true,
    ],
    ["unknown nodes meet every node", scope("all"), scope(["z"]), true],
    ["no node selected meets nobody (unicast)", scope([]), scope("all"), false],
  ];
  for (const [name, a, b, expected] of cases) {
    it(name, () => {
      assert.equal(scopesConflict(a, b), expected);
      assert.equal(scopesConflict(b, a), expected, "symmetric");
    });
  }
});

describe("allocateVrids", () => {
  const cases: ReadonlyArray<readonly [string, readonly VridCandidate[], Record<string, VridOutcome>, Iterable<VridReservation>?]> = [
    [
      "lowest free, oldest first",
      [v4("a"), v4("b"), v4("c")],
      { a: assigned(1, "allocated"), b: assigned(2, "allocated"), c: assigned(3, "allocated") },
    ],
    ["spec wins over allocation", [v4("a"), v4("b", { specVrid: 1 })], { a: assigned(2, "allocated"), b: assigned(1, "spec") }],
    ["status is kept", [v4("a", { statusVrid: 7 }), v4("b")], { a: assigned(7, "status"), b: assigned(1, "allocated") }],
    [
      "families are separate",
      [v4("a"), v6("b"), v4("c", { specVrid: 5 }), v6("d", { specVrid: 5 })],
      { a: assigned(1, "allocated"), b: assigned(1, "allocated"), c: assigned(5, "spec"), d: assigned(5, "spec") },
    ],
    [
      "dual-stack needs the VRID free in both families",
      [v4("a"), v6("b", { statusVrid: 2 }), dual("c")],
      { a: assigned(1, "allocated"), b: assigned(2, "status"), c: assigned(3, "allocated") },
    ],
    [
      "a newer spec cannot take an older status VRID",
      [v4("old", { statusVrid: 9 }), v4("new", { specVrid: 9 })],
      { old: assigned(9, "status"), new: { kind: "taken", vrid: 9, family: 4, other: "old" } },
    ],
    [
      "a newer spec cannot take an older spec VRID",
      [dual("old", { specVrid: 9 }), v6("new", { specVrid: 9 })],
      { old: assigned(9, "spec"), new: { kind: "taken", vrid: 9, family: 6, other: "old" } },
    ],
    [
      "an older spec moves a newer status VRID",
      [v4("old", { specVrid: 9 }), v4("new", { statusVrid: 9 })],
      { old: assigned(9, "spec"), new: assigned(1, "allocated") },
    ],
    [
      "two status claims: the newer moves",
      [v4("old", { statusVrid: 3 }), v4("new", { statusVrid: 3 })],
      { old: assigned(3, "status"), new: assigned(1, "allocated") },
    ],
    [
      "allocation never takes a newer one's status VRID",
      [v4("old"), v4("new", { statusVrid: 1 })],
      { old: assigned(2, "allocated"), new: assigned(1, "status") },
    ],
    [
      "reserved VRIDs are skipped by allocation only",
      [v4("a"), v4("b", { specVrid: 1 }), v4("c", { statusVrid: 2 })],
      { a: assigned(3, "allocated"), b: assigned(1, "spec"), c: assigned(2, "status") },
      [reservedAt(1), reservedAt(2)],
    ],
    [
      "a reservation holds back only where its VirtualIP would run",
      [v4("a", on("n1")), v4("b", on("n9"))],
      { a: assigned(2, "allocated"), b: assigned(1, "allocated") },
      [reservedAt(1, on("n1", "n2"))],
    ],
    [
      "a reservation of unknown scope holds back everywhere",
      [v4("a", on("n9")), v6("b", on("n8"))],
      { a: assigned(2, "allocated"), b: assigned(2, "allocated") },
      [reservedAt(1, { nodes: "all", families: [4, 6] })],
    ],
    [
      "disjoint node sets share the lowest VRID",
      [v4("a", on("n1", "n2")), v4("b", on("n3", "n4")), v4("c", on("n2", "n3"))],
      { a: assigned(1, "allocated"), b: assigned(1, "allocated"), c: assigned(2, "allocated") },
    ],
    [
      "on a common node, differently named interfaces share a VRID",
      [v4("a", { interface: "eth0" }), v4("b", { interface: "eth1" }), v4("c")],
      { a: assigned(1, "allocated"), b: assigned(1, "allocated"), c: assigned(2, "allocated") },
    ],
    [
      "a multicast VirtualIP takes its VRID cluster-wide",
      [v4("m", { ...on("n1"), multicast: true }), v4("u", on("n7")), v6("w", { ...on("n7"), multicast: true })],
      { m: assigned(1, "allocated"), u: assigned(2, "allocated"), w: assigned(1, "allocated") },
    ],
    [
      "a unicast VirtualIP's VRID is avoided by a multicast one anywhere",
      [v4("u", on("n7")), v4("m", { ...on("n1"), multicast: true })],
      { u: assigned(1, "allocated"), m: assigned(2, "allocated") },
    ],
    [
      "a spec VRID may repeat on disjoint nodes",
      [v4("a", { ...on("n1"), specVrid: 9 }), v4("b", { ...on("n2"), specVrid: 9 })],
      { a: assigned(9, "spec"), b: assigned(9, "spec") },
    ],
    [
      "a spec VRID is taken where node sets overlap, named after the older one",
      [v4("a", { ...on("n1"), specVrid: 9 }), v4("b", { ...on("n2"), specVrid: 9 }), v4("c", { ...on("n2", "n3"), specVrid: 9 })],
      { a: assigned(9, "spec"), b: assigned(9, "spec"), c: { kind: "taken", vrid: 9, family: 4, other: "b" } },
    ],
    [
      "a status VRID is kept on disjoint nodes, moved when an older one overlaps",
      [
        v4("old", { ...on("n1", "n2"), statusVrid: 4 }),
        v4("far", { ...on("n5"), statusVrid: 4 }),
        v4("near", { ...on("n2"), statusVrid: 4 }),
      ],
      { old: assigned(4, "status"), far: assigned(4, "status"), near: assigned(1, "allocated") },
    ],
    [
      "an out-of-range status VRID is replaced",
      [v4("a", { statusVrid: 0 }), v4("b", { statusVrid: 300 })],
      { a: assigned(1, "allocated"), b: assigned(2, "allocated") },
    ],
  ];
  for (const [name, candidates, expected, reserved] of cases) {
    it(name, () => {
      const outcomes = allocateVrids(candidates, reserved === undefined ? {} : { reserved });
      assert.deepEqual(Object.fromEntries(outcomes), expected);
    });
  }

  it("runs out after 255 per family among VirtualIPs on the same nodes", () => {
    const many = Array.from({ length: 257 }, (_, i) => v4(`a${String(i).padStart(3, "0")}`));
    const outcomes = allocateVrids([...many, v6("b"), dual("c")]);
    assert.deepEqual(outcomes.get("a254"), assigned(255, "allocated"));
    assert.deepEqual(outcomes.get("a255"), { kind: "exhausted" });
    assert.deepEqual(outcomes.get("a256"), { kind: "exhausted" });
    assert.deepEqual(outcomes.get("b"), assigned(1, "allocated"));
    assert.deepEqual(outcomes.get("c"), { kind: "exhausted" });
  });

  it("255 per family is a per-node limit: 1,000 VirtualIPs over overlapping node triples all get one", () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      v4(`a${String(i).padStart(4, "0")}`, on(`n${i % 200}`, `n${(i + 1) % 200}`, `n${(i + 2) % 200}`)),
    );
    const outcomes = allocateVrids(many);
    const vrids = [...outcomes.values()].map((o) => (o.kind === "assigned" ? o.vrid : 0));
    assert.ok(
      vrids.every((v) => v >= 1),
      "every one assigned",
    );
    // Each node is in 15 triples (at least 15 VRIDs needed); each triple overlaps 24 others (greedy needs at most 25).
    const max = Math.max(...vrids);
    assert.ok(max >= 15 && max <= 25, `max VRID ${max}`);
    for (let a = 0; a < many.length; a++) {
      for (let b = a + 1; b < many.length; b++) {
        if (vrids[a] === vrids[b])
          assert.equal(scopesConflict(many[a]!, many[b]!), false, `${many[a]!.name} and ${many[b]!.name} share VRID ${vrids[a]}`);
      }
    }
  });

  it("is stable: with status written back, deleting one and adding one moves nobody", () => {
    const first = allocateVrids([v4("a"), v4("b"), v4("c"), dual("d")]);
    const status = (name: string) => (first.get(name) as { vrid: number }).vrid;
    const second = allocateVrids([
      v4("a", { statusVrid: status("a") }),
      v4("c", { statusVrid: status("c") }),
      dual("d", { statusVrid: status("d") }),
      v6("e"),
    ]);
    assert.deepEqual(Object.fromEntries(second), {
      a: assigned(1, "status"),
      c: assigned(3, "status"),
      d: assigned(4, "status"),
      e: assigned(1, "allocated"),
    });
  });
});
