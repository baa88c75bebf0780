/**
 * Masters spread over the nodes and stay put (masters.ts, sticky-master.ts),
 * through the whole planner: each step plans, then writes back the statuses
 * the agents would report for that plan (every candidate running, the top
 * priority master), as the controller does between syncs.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { plan } from "./plan.js";
import type { PlanResult } from "./types.js";
import type { NodeSummary, VirtualIP } from "../api/types.js";
import { at, node, nodes, vip } from "./test-fixtures.js";

/** Router instance -> its master: the candidate with the top priority. */
function masters(result: PlanResult): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of result.vips.values()) {
    const top = Object.entries(p.priorities).sort((a, b) => b[1] - a[1])[0];
    if (top !== undefined && p.routers?.[0] !== undefined) out.set(p.routers[0].instance, top[0]);
  }
  return out;
}

/** Routers mastered per node, for every node given. */
function loads(result: PlanResult, cluster: readonly NodeSummary[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(cluster.map((n) => [n.name, 0]));
  for (const m of masters(result).values()) out[m] = (out[m] ?? 0) + 1;
  return out;
}

/** Statuses once the agents run `result`: the router's VRID, the top-priority candidate Master, the others Backup. */
function settle(live: readonly VirtualIP[], result: PlanResult): VirtualIP[] {
  return live.map((v) => {
    const p = result.vips.get(v.metadata.name)!;
    const ranked = Object.entries(p.priorities).sort((a, b) => b[1] - a[1]);
    if (ranked.length === 0) return v;
    return {
      ...v,
      status: {
        virtualRouterID: p.virtualRouterID,
        master: ranked[0]![0],
        nodes: ranked.map(([name, priority], i) => ({ name, state: i === 0 ? "Master" : "Backup", priority })),
      },
    };
  });
}

/** `count` VirtualIPs spread over `subnets` /24s from 10.<net>.0.0 on (one group each), created one minute apart from `from`. */
function vips(count: number, subnets: number, from = 0, net = 0): VirtualIP[] {
  return Array.from({ length: count }, (_, i) =>
    vip(`v${from + i}`, { addresses: [`10.${net + (i % subnets)}.0.${Math.floor(i / subnets) + 1}/24`] }, { created: at(from + i) }),
  );
}

function assertBalanced(result: PlanResult, cluster: readonly NodeSummary[]): void {
  const l = Object.values(loads(result, cluster));
  assert.ok(Math.max(...l) - Math.min(...l) <= 1, `masters per node within one router: ${JSON.stringify(loads(result, cluster))}`);
}

function assertSameMasters(before: PlanResult, after: PlanResult, skip: (instance: string, master: string) => boolean = () => false): void {
  const now = masters(after);
  for (const [instance, master] of masters(before)) {
    if (skip(instance, master) || !now.has(instance)) continue;
    assert.equal(now.get(instance), master, `${instance} keeps its master`);
  }
}

describe("plan: masters spread over the nodes, stably", () => {
  const six = nodes(6);

  for (const [count, subnets, cluster] of [
    [300, 1, nodes(3)],
    [60, 5, six],
    [40, 4, nodes(10)],
    [200, 7, nodes(13)],
  ] as const) {
    it(`${count} VirtualIPs in ${subnets} subnet(s) on ${cluster.length} nodes: every node masters routers, within one of the others`, () => {
      const result = plan({ virtualIPs: vips(count, subnets), nodes: cluster });
      assertBalanced(result, cluster);
      assert.ok(Object.values(loads(result, cluster)).every((n) => n > 0));
    });
  }

  it("balances cluster-wide: a pool on some of the nodes and one on all of them share one load", () => {
    const cluster = nodes(6).map((n, i) => ({ ...n, labels: { ...n.labels, ...(i < 3 ? { edge: "yes" } : {}) } }));
    const edge = Array.from({ length: 3 }, (_, i) =>
      vip(`edge${i}`, { addresses: [`10.9.0.${i + 1}/24`], nodeSelector: { matchLabels: { edge: "yes" } } }, { created: at(i) }),
    );
    const result = plan({ virtualIPs: [...edge, ...vips(60, 2, 10, 20)], nodes: cluster });
    assertBalanced(result, cluster);
  });

  it("the same input in any order gives the same plan", () => {
    const live = vips(60, 5);
    const a = plan({ virtualIPs: live, nodes: six });
    const b = plan({ virtualIPs: [...live].reverse(), nodes: [...six].reverse() });
    assert.deepEqual(masters(b), masters(a));
  });

  it("adding VirtualIPs moves no master, with or without statuses; new routers go to the least loaded nodes", () => {
    const live = vips(30, 5);
    const before = plan({ virtualIPs: live, nodes: six });
    for (const statuses of [live, settle(live, before)]) {
      // One into an existing subnet (joins a router), five into a new one (a new group, new routers).
      const added = [...statuses, vip("v30", { addresses: ["10.0.0.200/24"] }, { created: at(30) }), ...vips(5, 1, 40, 50)];
      const after = plan({ virtualIPs: added, nodes: six });
      assertSameMasters(before, after);
      assert.equal(masters(after).size, masters(before).size + 5);
      assertBalanced(after, six);
    }
  });

  it("removing a VirtualIP, and with it a router, moves no other master", () => {
    const live = vips(30, 5);
    const before = plan({ virtualIPs: live, nodes: six });
    const settled = settle(live, before);
    // v0 is the oldest: alone in its router (each subnet opens six routers for its six VirtualIPs).
    const gone = before.vips.get("v0")!.routers![0]!.instance;
    const after = plan({ virtualIPs: settled.filter((v) => v.metadata.name !== "v0"), nodes: six });
    assert.equal(masters(after).has(gone), false, "its router is gone");
    assertSameMasters(before, after);
  });

  it("a node that joins moves nothing and takes the next new routers", () => {
    const live = vips(30, 5);
    const before = plan({ virtualIPs: live, nodes: six });
    const seven = [...six, node("node-6", 6)];
    const after = plan({ virtualIPs: settle(live, before), nodes: seven });
    assertSameMasters(before, after);
    assert.equal(loads(after, seven)["node-6"], 0, "no router moves to it (no preemption)");
    const grown = plan({ virtualIPs: [...settle(live, before), ...vips(2, 1, 50, 50)], nodes: seven });
    assert.equal(loads(grown, seven)["node-6"], 2, "both new routers go to the least loaded node, the newcomer");
  });

  it("a node that leaves moves only its routers, each to its running backup; they stay there when it returns", () => {
    const live = vips(30, 5);
    const before = plan({ virtualIPs: live, nodes: six });
    const settled = settle(live, before);
    const backup = new Map(
      [...before.vips.values()].map((p) => [p.routers![0]!.instance, Object.entries(p.priorities).sort((a, b) => b[1] - a[1])[1]![0]]),
    );
    const five = six.filter((n) => n.name !== "node-2");
    // The first sync after it left: the statuses still name node-2 master.
    const gone = plan({ virtualIPs: settled, nodes: five });
    assertSameMasters(before, gone, (_, master) => master === "node-2");
    const moved = [...masters(before)].filter(([, m]) => m === "node-2");
    assert.ok(moved.length > 0);
    for (const [instance] of moved) assert.equal(masters(gone).get(instance), backup.get(instance), `${instance} goes to its backup`);
    // Once the agents report the new masters, and again after node-2 returns: nothing moves.
    const later = plan({ virtualIPs: settle(settled, gone), nodes: five });
    assert.deepEqual(masters(later), masters(gone));
    const back = plan({ virtualIPs: settle(settled, later), nodes: six });
    assert.deepEqual(masters(back), masters(gone));
  });

  it("an unready or cordoned node gets no new master", () => {
    const cluster = six.map((n) =>
      n.name === "node-1" ? { ...n, ready: false } : n.name === "node-4" ? { ...n, unschedulable: true } : n,
    );
    const l = loads(plan({ virtualIPs: vips(40, 4), nodes: cluster }), cluster);
    assert.equal(l["node-1"], 0);
    assert.equal(l["node-4"], 0);
  });

  it("a cordoned master keeps its routers, unless releaseOnCordon: then they go to their backups and stay there", () => {
    const three = nodes(3);
    for (const releaseOnCordon of [false, true]) {
      const live = Array.from({ length: 6 }, (_, i) =>
        vip(`r${i}`, { addresses: [`10.${i}.0.1/24`], releaseOnCordon }, { created: at(i) }),
      );
      const before = plan({ virtualIPs: live, nodes: three });
      const cordoned = three.map((n) => (n.name === "node-0" ? { ...n, unschedulable: true } : n));
      const after = plan({ virtualIPs: settle(live, before), nodes: cordoned });
      const lost = [...masters(before)].filter(([, m]) => m === "node-0");
      assert.equal(lost.length, 2);
      assertSameMasters(before, after, (_, m) => releaseOnCordon && m === "node-0");
      for (const [instance] of lost) assert.equal(masters(after).get(instance) === "node-0", !releaseOnCordon, instance);
      const later = plan({ virtualIPs: settle(settle(live, before), after), nodes: cordoned });
      assert.deepEqual(masters(later), masters(after), "and nothing moves at the next sync");
    }
  });

  it("a VirtualIP whose status names no master yet does not hide the master its router's other VirtualIPs report", () => {
    const three = nodes(3);
    const pair = [
      vip("a", { addresses: ["10.0.0.1/24"] }, { created: at(0), statusVrid: 1 }),
      vip("b", { addresses: ["10.0.0.2/24"] }, { statusVrid: 1 }),
    ];
    const fresh = masters(plan({ virtualIPs: pair, nodes: three }));
    assert.deepEqual([...fresh.keys()], ["vrid-1"], "both ride router 1");
    const reported = three.map((n) => n.name).find((n) => n !== fresh.get("vrid-1"))!;
    const b: VirtualIP = {
      ...pair[1]!,
      status: { virtualRouterID: 1, master: reported, nodes: [{ name: reported, state: "Master", priority: 250 }] },
    };
    assert.equal(masters(plan({ virtualIPs: [pair[0]!, b], nodes: three })).get("vrid-1"), reported);
  });

  it("keeps the master the plan chose when a lower-ranked node won a moment during start-up", () => {
    const live = vips(1, 1);
    const before = plan({ virtualIPs: live, nodes: six });
    const [chosen, second] = Object.entries(before.vips.get("v0")!.priorities).sort((a, b) => b[1] - a[1]);
    const early: VirtualIP = {
      ...live[0]!,
      status: {
        virtualRouterID: before.vips.get("v0")!.virtualRouterID,
        master: second![0],
        nodes: [
          { name: second![0], state: "Master", priority: second![1] },
          { name: chosen![0], state: "Backup", priority: chosen![1] },
        ],
      },
    };
    assert.deepEqual(masters(plan({ virtualIPs: [early], nodes: six })), masters(before));
  });

  it("explicit preferredNodes and priorities keep their master, and count in the load", () => {
    const three = nodes(3);
    const pinned = [
      vip("pin-a", { addresses: ["10.8.0.1/24"], preferredNodes: ["node-0"] }, { created: at(0) }),
      vip("pin-b", { addresses: ["10.7.0.1/24"], priorities: { "node-0": 200, "node-1": 100 } }, { created: at(1) }),
    ];
    const result = plan({ virtualIPs: [...pinned, ...vips(4, 2, 10)], nodes: three });
    assert.equal(masters(result).get(result.vips.get("pin-a")!.routers![0]!.instance), "node-0");
    assert.equal(masters(result).get(result.vips.get("pin-b")!.routers![0]!.instance), "node-0");
    assert.deepEqual(loads(result, three), { "node-0": 2, "node-1": 2, "node-2": 2 });
  });
});
