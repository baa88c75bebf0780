import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { allocateVrids } from "./vrid.js";
import type { VridCandidate, VridOutcome } from "./vrid.js";

const v4 = (name: string, extra: Partial<VridCandidate> = {}): VridCandidate => ({ name, families: [4], ...extra });
const v6 = (name: string, extra: Partial<VridCandidate> = {}): VridCandidate => ({ name, families: [6], ...extra });
const dual = (name: string, extra: Partial<VridCandidate> = {}): VridCandidate => ({ name, families: [4, 6], ...extra });
const assigned = (vrid: number, source: "spec" | "status" | "allocated"): VridOutcome => ({ kind: "assigned", vrid, source });

describe("allocateVrids", () => {
  const cases: ReadonlyArray<readonly [string, readonly VridCandidate[], Record<string, VridOutcome>, Iterable<number>?]> = [
    ["lowest free, oldest first", [v4("a"), v4("b"), v4("c")], { a: assigned(1, "allocated"), b: assigned(2, "allocated"), c: assigned(3, "allocated") }],
    ["spec wins over allocation", [v4("a"), v4("b", { specVrid: 1 })], { a: assigned(2, "allocated"), b: assigned(1, "spec") }],
    ["status is kept", [v4("a", { statusVrid: 7 }), v4("b")], { a: assigned(7, "status"), b: assigned(1, "allocated") }],
    ["families are separate", [v4("a"), v6("b"), v4("c", { specVrid: 5 }), v6("d", { specVrid: 5 })],
      { a: assigned(1, "allocated"), b: assigned(1, "allocated"), c: assigned(5, "spec"), d: assigned(5, "spec") }],
    ["dual-stack needs the VRID free in both families", [v4("a"), v6("b", { statusVrid: 2 }), dual("c")],
      { a: assigned(1, "allocated"), b: assigned(2, "status"), c: assigned(3, "allocated") }],
    ["a newer spec cannot take an older status VRID", [v4("old", { statusVrid: 9 }), v4("new", { specVrid: 9 })],
      { old: assigned(9, "status"), new: { kind: "taken", vrid: 9, family: 4, other: "old" } }],
    ["a newer spec cannot take an older spec VRID", [dual("old", { specVrid: 9 }), v6("new", { specVrid: 9 })],
      { old: assigned(9, "spec"), new: { kind: "taken", vrid: 9, family: 6, other: "old" } }],
    ["an older spec moves a newer status VRID", [v4("old", { specVrid: 9 }), v4("new", { statusVrid: 9 })],
      { old: assigned(9, "spec"), new: assigned(1, "allocated") }],
    ["two status claims: the newer moves", [v4("old", { statusVrid: 3 }), v4("new", { statusVrid: 3 })],
      { old: assigned(3, "status"), new: assigned(1, "allocated") }],
    ["allocation never takes a newer one's status VRID", [v4("old"), v4("new", { statusVrid: 1 })],
      { old: assigned(2, "allocated"), new: assigned(1, "status") }],
    ["reserved VRIDs are skipped by allocation only", [v4("a"), v4("b", { specVrid: 1 }), v4("c", { statusVrid: 2 })],
      { a: assigned(3, "allocated"), b: assigned(1, "spec"), c: assigned(2, "status") }, [1, 2]],
    ["an out-of-range status VRID is replaced", [v4("a", { statusVrid: 0 }), v4("b", { statusVrid: 300 })],
      { a: assigned(1, "allocated"), b: assigned(2, "allocated") }],
  ];
  for (const [name, candidates, expected, reserved] of cases) {
    it(name, () => {
      const outcomes = allocateVrids(candidates, reserved === undefined ? {} : { reserved });
      assert.deepEqual(Object.fromEntries(outcomes), expected);
    });
  }

  it("runs out after 255 per family", () => {
    const many = Array.from({ length: 257 }, (_, i) => v4(`a${String(i).padStart(3, "0")}`));
    const outcomes = allocateVrids([...many, v6("b"), dual("c")]);
    assert.deepEqual(outcomes.get("a254"), assigned(255, "allocated"));
    assert.deepEqual(outcomes.get("a255"), { kind: "exhausted" });
    assert.deepEqual(outcomes.get("a256"), { kind: "exhausted" });
    assert.deepEqual(outcomes.get("b"), assigned(1, "allocated"));
    assert.deepEqual(outcomes.get("c"), { kind: "exhausted" });
  });

  it("is stable: with status written back, deleting one and adding one moves nobody", () => {
    const first = allocateVrids([v4("a"), v4("b"), v4("c"), dual("d")]);
    const status = (name: string) => (first.get(name) as { vrid: number }).vrid;
    const second = allocateVrids([v4("a", { statusVrid: status("a") }), v4("c", { statusVrid: status("c") }), dual("d", { statusVrid: status("d") }), v6("e")]);
    assert.deepEqual(Object.fromEntries(second), {
      a: assigned(1, "status"),
      c: assigned(3, "status"),
      d: assigned(4, "status"),
      e: assigned(1, "allocated"),
    });
  });
});
