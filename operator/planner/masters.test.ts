import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { assignMasters, type MasterRouter } from "./masters.js";

const names = (count: number) => Array.from({ length: count }, (_, i) => `n${i}`);
const routers = (count: number, nodes: readonly string[], from = 0): MasterRouter[] =>
  Array.from({ length: count }, (_, i) => ({ key: `vrid-${from + i + 1}`, age: from + i, nodes }));
function loads(masters: ReadonlyMap<string, string>, nodes: readonly string[]): number[] {
  return nodes.map((n) => [...masters.values()].filter((m) => m === n).length);
}

describe("assignMasters", () => {
  for (const [count, nodeCount] of [
    [3, 3],
    [7, 3],
    [32, 10],
    [100, 7],
    [5, 20],
  ] as const) {
    it(`${count} routers over ${nodeCount} nodes: every node within one router of the others`, () => {
      const nodes = names(nodeCount);
      const l = loads(assignMasters(routers(count, nodes)), nodes);
      assert.ok(Math.max(...l) - Math.min(...l) <= 1, `loads ${l}`);
      assert.equal(
        l.reduce((a, b) => a + b),
        count,
      );
    });
  }

  it("routers already placed keep their master and count: the others fill around them", () => {
    const nodes = names(3);
    const placed = [
      { key: "vrid-1", age: 0, nodes, master: "n0" },
      { key: "vrid-2", age: 1, nodes, master: "n0" },
    ];
    const masters = assignMasters([...placed, ...routers(4, nodes, 2)]);
    assert.equal(masters.get("vrid-1"), "n0");
    assert.equal(masters.get("vrid-2"), "n0");
    assert.deepEqual(loads(masters, nodes), [2, 2, 2]);
  });

  it("cluster-wide: routers of different node sets share one load", () => {
    const all = names(4);
    const firstTwo = ["n0", "n1"];
    const masters = assignMasters([...routers(4, firstTwo), ...routers(4, all, 4)]);
    assert.deepEqual(loads(masters, all), [2, 2, 2, 2]);
  });

  it("a newer router never moves an older one: oldest first, whatever the input order", () => {
    const nodes = names(5);
    const before = assignMasters(routers(8, nodes));
    const after = assignMasters([...routers(9, nodes)].reverse());
    for (const [key, master] of before) assert.equal(after.get(key), master, key);
  });

  it("the same input gives the same masters; a router with no node gets none", () => {
    const input = [...routers(6, names(4)), { key: "vrid-99", age: 99, nodes: [] }];
    assert.deepEqual(assignMasters(input), assignMasters([...input].reverse()));
    assert.equal(assignMasters(input).has("vrid-99"), false);
  });
});
