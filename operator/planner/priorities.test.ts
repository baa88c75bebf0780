import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { assignPriorities, firstPositionBelow, scale } from "./priorities.js";
import type { PriorityOptions } from "./priorities.js";
import { node, nodes } from "./test-fixtures.js";
import type { NodeSummary } from "../api/types.js";

const hash = (key: string): PriorityOptions => ({ key, placement: { kind: "hash" }, releaseOnCordon: false });

/** The node with the highest priority. */
function top(priorities: Record<string, number>): string {
  return Object.entries(priorities).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

describe("priorities", () => {
  it("scale: 250, 240 ... 10, then 9 ... 1, then 1", () => {
    assert.deepEqual([0, 1, 2, 23, 24, 25, 26, 33, 34, 100].map(scale), [250, 240, 230, 20, 10, 9, 8, 1, 1, 1]);
    assert.equal(firstPositionBelow(250), 1);
    assert.equal(firstPositionBelow(200), 6);
    assert.equal(firstPositionBelow(10), 25);
    assert.equal(firstPositionBelow(1), 33);
  });

  const five = nodes(5);
  const cases: ReadonlyArray<
    readonly [string, PriorityOptions, readonly NodeSummary[], Record<string, number> | ((p: Record<string, number>) => void)]
  > = [
    [
      "explicit priorities; unlisted nodes below the lowest",
      {
        key: "web",
        placement: { kind: "priorities", priorities: { "node-0": 200, "node-1": 150, "node-9": 254 } },
        releaseOnCordon: false,
      },
      five,
      (p) => {
        assert.equal(p["node-0"], 200);
        assert.equal(p["node-1"], 150);
        assert.equal(p["node-9"], undefined, "unselected nodes get nothing");
        assert.deepEqual(["node-2", "node-3", "node-4"].map((n) => p[n]).sort(), [120, 130, 140]);
      },
    ],
    [
      "explicit priorities down to 1: unlisted nodes get 1",
      { key: "web", placement: { kind: "priorities", priorities: { "node-0": 1 } }, releaseOnCordon: false },
      five.slice(0, 3),
      { "node-0": 1, "node-1": 1, "node-2": 1 },
    ],
    [
      "preferredNodes: 250, 240, ...; unlisted after",
      { key: "web", placement: { kind: "preferred", nodes: ["node-3", "node-1"] }, releaseOnCordon: false },
      five,
      (p) => {
        assert.equal(p["node-3"], 250);
        assert.equal(p["node-1"], 240);
        assert.deepEqual(["node-0", "node-2", "node-4"].map((n) => p[n]).sort(), [210, 220, 230]);
      },
    ],
    [
      "preferredNodes keep their place when one is missing",
      { key: "web", placement: { kind: "preferred", nodes: ["gone", "node-1", "node-0"] }, releaseOnCordon: false },
      five.slice(0, 2),
      { "node-0": 230, "node-1": 240 },
    ],
    [
      "hash: distinct values from 250 down",
      hash("web"),
      five,
      (p) =>
        assert.deepEqual(
          Object.values(p).sort((a, b) => b - a),
          [250, 240, 230, 220, 210],
        ),
    ],
    [
      "releaseOnCordon: a cordoned node gets 1",
      { key: "web", placement: { kind: "preferred", nodes: ["node-0", "node-1"] }, releaseOnCordon: true },
      [node("node-0", 0, { unschedulable: true }), node("node-1", 1)],
      { "node-0": 1, "node-1": 240 },
    ],
    [
      "cordoned nodes keep their priority without releaseOnCordon",
      { key: "web", placement: { kind: "preferred", nodes: ["node-0"] }, releaseOnCordon: false },
      [node("node-0", 0, { unschedulable: true })],
      { "node-0": 250 },
    ],
    ["no nodes", hash("web"), [], {}],
  ];
  for (const [name, options, selected, expected] of cases) {
    it(name, () => {
      const p = assignPriorities(selected, options);
      if (typeof expected === "function") expected(p);
      else assert.deepEqual(p, expected);
      assert.deepEqual(Object.keys(p), Object.keys(p).sort(), "keys sorted");
    });
  }

  it("spreads masters: over 10 nodes each is top for 5%..15% of 1,000 VirtualIPs", () => {
    const ten = nodes(10);
    const counts = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const t = top(assignPriorities(ten, hash(`vip-${i}`)));
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    assert.equal(counts.size, 10);
    for (const [name, count] of counts) assert.ok(count >= 50 && count <= 150, `${name} is top for ${count}`);
  });

  it("is stable: adding an 11th node moves only the VirtualIPs it now tops (about 1/11)", () => {
    const ten = nodes(10);
    const eleven = nodes(11);
    let moved = 0;
    for (let i = 0; i < 1000; i++) {
      const before = top(assignPriorities(ten, hash(`vip-${i}`)));
      const after = top(assignPriorities(eleven, hash(`vip-${i}`)));
      if (before !== after) {
        moved++;
        assert.equal(after, "node-10", `vip-${i} moved from ${before} to ${after}`);
      }
    }
    assert.ok(moved > 0 && moved <= (1000 / 11) * 1.5, `${moved} of 1000 moved`);
  });

  it("is stable: removing a node moves only the VirtualIPs it topped", () => {
    const ten = nodes(10);
    const nine = ten.filter((n) => n.name !== "node-4");
    for (let i = 0; i < 300; i++) {
      const before = top(assignPriorities(ten, hash(`vip-${i}`)));
      const after = top(assignPriorities(nine, hash(`vip-${i}`)));
      if (before !== "node-4") assert.equal(after, before);
    }
  });
});
