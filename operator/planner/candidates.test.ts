import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chooseCandidates } from "./candidates.js";
import { nodes } from "./test-fixtures.js";
import type { NodeSummary } from "../api/types.js";

const hash = { kind: "hash" } as const;
const choose = (eligible: readonly NodeSummary[], key: string, max = 3) =>
  chooseCandidates(eligible, { key, placement: hash, releaseOnCordon: false, max });
const names = (c: ReturnType<typeof choose>) => c.nodes.map((n) => n.name);

describe("chooseCandidates", () => {
  const cluster = nodes(50);

  it("at most `max` nodes, 0 = all; the first of the rendezvous order gets the top priority", () => {
    const c = choose(cluster, "vrid-1");
    assert.equal(c.nodes.length, 3);
    assert.deepEqual(Object.values(c.priorities).sort(), [230, 240, 250]);
    assert.equal(choose(cluster, "vrid-1", 0).nodes.length, 50);
  });

  it("a node that is not a candidate coming or going changes nothing", () => {
    const c = choose(cluster, "vrid-7");
    const outsider = cluster.find((n) => !names(c).includes(n.name))!;
    assert.deepEqual(
      choose(
        cluster.filter((n) => n !== outsider),
        "vrid-7",
      ),
      c,
    );
  });

  it("a candidate that leaves, turns unready or is cordoned is replaced; the others stay, in the same order", () => {
    const c = choose(cluster, "vrid-3");
    const victim = c.nodes[0]!.name;
    for (const change of [
      (l: NodeSummary[]) => l.filter((n) => n.name !== victim),
      (l: NodeSummary[]) => l.map((n) => (n.name === victim ? { ...n, ready: false } : n)),
      (l: NodeSummary[]) => l.map((n) => (n.name === victim ? { ...n, unschedulable: true } : n)),
    ]) {
      const next = choose(change([...cluster]), "vrid-3");
      assert.equal(next.nodes.length, 3);
      assert.ok(!names(next).includes(victim));
      const order = (ps: Readonly<Record<string, number>>) =>
        names(c)
          .filter((x) => x !== victim)
          .sort((x, y) => ps[y]! - ps[x]!);
      assert.deepEqual(order(next.priorities), order(c.priorities));
      const newcomer = names(next).find((n) => !names(c).includes(n))!;
      assert.ok(
        Object.entries(next.priorities).every(([n, p]) => n === newcomer || p > next.priorities[newcomer]!),
        "the replacement ranks last",
      );
    }
  });

  it("too few healthy nodes: unhealthy ones fill in", () => {
    const sick = nodes(3).map((n, i) => (i > 0 ? { ...n, ready: false } : n));
    assert.equal(choose(sick, "vrid-1").nodes.length, 3);
  });

  it("routers of one node set spread their masters over the nodes", () => {
    const masters = new Set(
      Array.from({ length: 32 }, (_, i) => {
        const c = choose(cluster, `vrid-${i + 1}`);
        return Object.entries(c.priorities).find(([, p]) => p === 250)![0];
      }),
    );
    assert.ok(masters.size >= 20, `${masters.size} distinct masters for 32 routers on 50 nodes`);
  });
});
