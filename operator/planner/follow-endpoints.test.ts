import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { plan } from "./plan.js";
import { rendezvousOrder } from "./hash.js";
import type { PlanResult } from "./types.js";
import type { VirtualIP } from "../api/types.js";
import { at, nodes, vip } from "./test-fixtures.js";

/** A VirtualIP whose eligible nodes follow endpoints, as the controller writes one for a `Local` Service. */
const local = (name: string, address: string, nodeNames: string[], minute: number) =>
  vip(name, { addresses: [address], nodeNames }, { created: at(minute) });

/** Statuses as the controller writes them back: the router's VRID, and the master the agents reported. */
function settle(live: readonly VirtualIP[], result: PlanResult, masters: Readonly<Record<string, string>>): VirtualIP[] {
  return live.map((v) => {
    const p = result.vips.get(v.metadata.name)!;
    const master = masters[v.metadata.name];
    return { ...v, status: { virtualRouterID: p.virtualRouterID, ...(master !== undefined ? { master } : {}) } };
  });
}

/** Every instance on every node, by node then instance name: what the agents would run. */
const rendered = (result: PlanResult) =>
  new Map([...result.nodes].map(([n, spec]) => [n, new Map(spec.instances.map((i) => [i.name, JSON.stringify(i)]))]));

function move(v: VirtualIP, nodeNames: string[]): VirtualIP {
  return { ...v, spec: { ...v.spec, nodeNames } };
}

describe("plan: a VirtualIP whose eligible nodes follow endpoints (Local Service)", () => {
  const cluster = nodes(5);
  const others = [
    // Three with web's endpoints, more than the two routers their group spreads over: today web would share one.
    local("same-endpoints", "192.0.2.11/32", ["node-0", "node-1"], 1),
    local("same-endpoints-2", "192.0.2.14/32", ["node-0", "node-1"], 1),
    local("same-endpoints-3", "192.0.2.15/32", ["node-0", "node-1"], 1),
    local("elsewhere", "192.0.2.12/32", ["node-2", "node-3"], 2),
    vip("cluster", { addresses: ["192.0.2.13/32"] }, { created: at(3) }),
  ];
  const web = local("web", "192.0.2.10/32", ["node-0", "node-1"], 4);

  for (const master of ["node-1", "node-0"]) {
    it(`endpoints move from {node-0, node-1} to {node-1, a node ranked above node-1}, master ${master}: same VRID and instance, the master kept when still eligible, other routers untouched`, () => {
      let live = [...others, web];
      const before = plan({ virtualIPs: live, nodes: cluster });
      const masters = Object.fromEntries(
        live.map((v) => [v.metadata.name, Object.entries(before.vips.get(v.metadata.name)!.priorities).sort((x, y) => y[1] - x[1])[0]![0]]),
      );
      masters.web = master;
      live = settle(live, before, masters);
      const old = before.vips.get("web")!;
      // The newcomer is a node that the router's hash ranks above node-1: it would preempt by rank alone.
      const newcomer = ["node-2", "node-3", "node-4"].find((n) => rendezvousOrder(old.routers![0]!.instance, [n, "node-1"])[0] === n)!;
      assert.ok(newcomer, "the fixture has a node that outranks node-1");
      const after = plan({ virtualIPs: live.map((v) => (v.metadata.name === "web" ? move(v, ["node-1", newcomer]) : v)), nodes: cluster });
      const now = after.vips.get("web")!;

      assert.deepEqual(now.findings, []);
      assert.equal(now.virtualRouterID, old.virtualRouterID, "web keeps its VRID");
      assert.deepEqual(now.routers, old.routers, "and its instance name");
      assert.deepEqual(now.renderedNodes, ["node-1", newcomer]);
      const instance = old.routers![0]!.instance;
      const onNode1 = after.nodes.get("node-1")!.instances.find((i) => i.name === instance);
      assert.ok(onNode1, "node-1 still runs web's router under the same name");
      assert.deepEqual(onNode1.addresses, ["192.0.2.10/32"], "the router carries web's address only: nothing else moves with it");
      assert.equal(
        after.nodes.get("node-0")!.instances.some((i) => i.name === instance),
        false,
        "node-0 lost eligibility: its instance goes (priority-0 handover when it was master)",
      );
      if (master === "node-1") {
        assert.ok(
          now.priorities["node-1"]! > now.priorities[newcomer]!,
          `the master keeps the highest priority (no preemption by the newcomer): ${JSON.stringify(now.priorities)}`,
        );
      }

      for (const other of others) {
        const name = other.metadata.name;
        assert.deepEqual(after.vips.get(name), before.vips.get(name), `${name}'s plan is untouched`);
      }
      const [b, a] = [rendered(before), rendered(after)];
      for (const other of others) {
        const name = before.vips.get(other.metadata.name)!.routers![0]!.instance;
        for (const n of cluster.map((x) => x.name))
          assert.equal(a.get(n)!.get(name), b.get(n)!.get(name), `${other.metadata.name}'s router on ${n} is byte-identical`);
      }
    });
  }

  it("the master loses its endpoint: the running backup takes over, and a newcomer ranked above it does not preempt it next", () => {
    let live = [...others, web];
    const before = plan({ virtualIPs: live, nodes: cluster });
    live = settle(live, before, {});
    const old = before.vips.get("web")!;
    const instance = old.routers![0]!.instance;
    const newcomer = ["node-2", "node-3", "node-4"].find((n) => rendezvousOrder(instance, [n, "node-1"])[0] === n)!;
    // The agents report node-0 master and node-1 its backup.
    live = live.map((v) =>
      v.metadata.name !== "web"
        ? v
        : {
            ...move(v, ["node-1", newcomer]),
            status: {
              ...v.status,
              master: "node-0",
              nodes: [
                { name: "node-0", state: "Master", priority: 250 },
                { name: "node-1", state: "Backup", priority: 240 },
              ],
            },
          },
    );
    const now = plan({ virtualIPs: live, nodes: cluster }).vips.get("web")!;
    assert.equal(now.virtualRouterID, old.virtualRouterID);
    assert.deepEqual(now.renderedNodes, ["node-1", newcomer].sort());
    assert.ok(
      now.priorities["node-1"]! > now.priorities[newcomer]!,
      `the backup that takes over keeps the top priority: ${JSON.stringify(now.priorities)}`,
    );
  });
});
