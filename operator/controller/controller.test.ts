import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { KubernetesObject } from "@kubernetes/client-node";
import type { WatchHandlers } from "../../base/watch-list.js";
import { ManualClock } from "../../base/clock.js";
import { jsonLogger } from "../../base/logger.js";
import type { VirtualIP, VirtualIPStatus, VRRPNode, VRRPNodeConflict } from "../api/types.js";
import { Controller, FINALIZER } from "./controller.js";
import type { ControllerKubeApi, EventInput } from "./kube-api.js";
import { applyMergePatch } from "./merge-patch.js";

import { ControllerMetrics } from "./metrics.js";

/** An in-memory cluster behind the controller's API surface, counting writes. */
class FakeCluster implements ControllerKubeApi {
  vipHandlers?: WatchHandlers<VirtualIP>;
  nodeHandlers?: WatchHandlers<VRRPNode>;
  k8sNodeHandlers?: WatchHandlers<KubernetesObject>;
  readonly vips = new Map<string, VirtualIP>();
  readonly vrrpNodes = new Map<string, VRRPNode>();
  readonly events: EventInput[] = [];
  readonly writes: string[] = [];
  async watchVirtualIPs(h: WatchHandlers<VirtualIP>) {
    this.vipHandlers = h;
    return { stop: async () => undefined };
  }
  async watchVrrpNodes(h: WatchHandlers<VRRPNode>) {
    this.nodeHandlers = h;
    return { stop: async () => undefined };
  }
  async watchNodes(h: WatchHandlers<KubernetesObject>) {
    this.k8sNodeHandlers = h;
    return { stop: async () => undefined };
  }
  putVip(vip: VirtualIP) {
    this.vips.set(vip.metadata.name, vip);
    this.vipHandlers!.onUpsert(vip);
  }
  async writeVrrpNodeSpec(name: string, spec: unknown) {
    this.writes.push(`spec ${name}`);
    const before = this.vrrpNodes.get(name);
    const node: VRRPNode = {
      metadata: { name, generation: (before?.metadata.generation ?? 0) + 1 },
      spec: spec as VRRPNode["spec"],
      ...(before?.status ? { status: before.status } : {}),
    };
    this.vrrpNodes.set(name, node);
    this.nodeHandlers!.onUpsert(node);
  }
  async deleteVrrpNode(name: string) {
    this.writes.push(`delete ${name}`);
    const node = this.vrrpNodes.get(name);
    this.vrrpNodes.delete(name);
    if (node) this.nodeHandlers!.onDelete(node);
  }
  async patchVirtualIPStatus(name: string, statusPatch: unknown) {
    this.writes.push(`status ${name}`);
    const before = this.vips.get(name)!;
    this.putVip({ ...before, status: applyMergePatch(before.status ?? {}, statusPatch) as VirtualIPStatus });
  }
  async setVirtualIPFinalizers(name: string, finalizers: readonly string[]) {
    this.writes.push(`finalizers ${name} [${finalizers.join(",")}]`);
    const vip = this.vips.get(name)!;
    if (vip.metadata.deletionTimestamp !== undefined && finalizers.length === 0) {
      this.vips.delete(name);
      this.vipHandlers!.onDelete(vip);
      return;
    }
    this.putVip({ ...vip, metadata: { ...vip.metadata, finalizers } });
  }
  async createEvent(e: EventInput) {
    this.events.push(e);
  }
  async readLease() {
    return undefined;
  }
  async writeLease() {}
  /** A node's agent rewrites its status unchanged but for `updated` (refreshing every 1s). */
  heartbeat(name: string, updated: string) {
    const node = this.vrrpNodes.get(name)!;
    const next: VRRPNode = { ...node, status: { ...node.status, updated, refreshInterval: "1s" } };
    this.vrrpNodes.set(name, next);
    this.nodeHandlers!.onUpsert(next);
  }
  /** What each agent would report after acting on its spec. */
  agentsReport(master: string | undefined, conflicts: Readonly<Record<string, readonly VRRPNodeConflict[]>> = {}) {
    for (const node of [...this.vrrpNodes.values()]) {
      const seen = conflicts[node.metadata.name];
      const instances = ((node.spec as unknown as { instances: { name: string; priority: number }[] }).instances ?? []).map((i) => ({
        name: i.name,
        state: node.metadata.name === master ? "Master" : "Backup",
        priority: i.priority,
        effectivePriority: i.priority,
        ...(seen !== undefined ? { conflicts: seen } : {}),
      }));
      const updated: VRRPNode = { ...node, status: { observedGeneration: node.metadata.generation, instances } };
      this.vrrpNodes.set(node.metadata.name, updated);
      this.nodeHandlers!.onUpsert(updated);
    }
  }
}

const k8sNode = (name: string, ip: string): KubernetesObject & Record<string, unknown> => ({
  metadata: { name, labels: {}, creationTimestamp: new Date("2026-01-01T00:00:00Z") },
  status: { addresses: [{ type: "InternalIP", address: ip }], conditions: [{ type: "Ready", status: "True" }] },
});

async function setup() {
  const cluster = new FakeCluster();
  const clock = new ManualClock(0);
  const metrics = new ControllerMetrics();
  const controller = new Controller({
    api: cluster,
    clock,
    wallClock: () => new Date("2026-11-25T12:00:00Z"),
    logger: jsonLogger({ write: () => undefined, wallClock: () => new Date(0) }),
    metrics,
    secretNamespace: "floatip-system",
  });
  await controller.start();
  for (const [n, ip] of [
    ["a", "198.51.100.1"],
    ["b", "198.51.100.2"],
    ["c", "198.51.100.3"],
  ] as const)
    cluster.k8sNodeHandlers!.onUpsert(k8sNode(n, ip));
  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      clock.advanceTo(clock.now() + 100);
      await new Promise((r) => setImmediate(r));
    }
    await controller.idle();
  };
  await settle();
  return { cluster, controller, settle, clock, metrics };
}

const vip = (name: string, spec: Partial<VirtualIP["spec"]> = {}, created = "2026-11-01T00:00:00Z"): VirtualIP => ({
  metadata: { name, generation: 1, creationTimestamp: created, uid: `uid-${name}` },
  spec: { addresses: ["192.0.2.5/24"], ...spec },
});

describe("the controller", () => {
  it("a VRRPNode spec an agent rejects is floatip_vrrpnode_config_rejected{node} 1 until it accepts one", async () => {
    const { cluster, settle, metrics } = await setup();
    cluster.putVip(vip("web"));
    await settle();
    const b = cluster.vrrpNodes.get("b")!;
    const rejected: VRRPNode = {
      ...b,
      status: {
        observedGeneration: b.metadata.generation,
        instances: [],
        configErrors: [{ field: "instances[0].interface", message: "no interface eth9" }],
      },
    };
    cluster.vrrpNodes.set("b", rejected);
    cluster.nodeHandlers!.onUpsert(rejected);
    await settle();
    const text = await metrics.registry.metrics();
    assert.match(text, /^floatip_vrrpnode_config_rejected\{node="b"\} 1$/m);
    assert.match(text, /^floatip_vrrpnode_config_rejected\{node="a"\} 0$/m);
    cluster.agentsReport("a");
    await settle();
    assert.match(await metrics.registry.metrics(), /^floatip_vrrpnode_config_rejected\{node="b"\} 0$/m);
  });

  it("renders a VirtualIP onto every node, adds its finalizer, and reports the master with one Event", async () => {
    const { cluster, settle } = await setup();
    cluster.putVip(vip("web", { priorities: { a: 200, b: 150, c: 100 } }));
    await settle();
    assert.deepEqual([...cluster.vrrpNodes.keys()].sort(), ["a", "b", "c"]);
    assert.ok(cluster.vips.get("web")!.metadata.finalizers?.includes(FINALIZER));
    cluster.agentsReport("a");
    await settle();
    const status = cluster.vips.get("web")!.status!;
    assert.equal(status.master, "a");
    assert.equal(status.conditions?.find((c) => c.type === "Ready")?.status, "True");
    assert.deepEqual(
      cluster.events.map((e) => e.reason),
      ["MasterChanged"],
    );
    assert.match(cluster.events[0]!.message, /^a became master/);
  });

  it("a master that stops refreshing its status shows Unknown after 3 refresh intervals, by timer; heartbeats alone cost no sync", async () => {
    const { cluster, controller, settle, clock, metrics } = await setup();
    const metricLines = async (name: string) =>
      (await metrics.registry.metrics())
        .split("\n")
        .filter((l) => l.startsWith(name))
        .sort();
    cluster.putVip(vip("web", { priorities: { a: 200, b: 150, c: 100 } }));
    await settle();
    cluster.agentsReport("a");
    await settle();
    const step = async (ms: number) => {
      for (const end = clock.now() + ms; clock.now() < end; ) {
        clock.advanceTo(clock.now() + 100);
        await new Promise((r) => setImmediate(r));
      }
      // A sync's own writes may schedule one more (debounced on the manual clock): nudge time until idle.
      let done = false;
      void controller.idle().then(() => (done = true));
      for (let i = 0; i < 50 && !done; i++) {
        clock.advanceTo(clock.now() + 10);
        await new Promise((r) => setTimeout(r, 2));
      }
      assert.ok(done, "controller idle");
    };
    for (const n of ["a", "b", "c"]) cluster.heartbeat(n, "t0");
    await step(100);
    const ready = () => cluster.vips.get("web")!.status!.conditions?.find((c) => c.type === "Ready");
    assert.equal(ready()?.status, "True");
    const syncs = controller.results.length;
    // b and c keep refreshing every second; a falls silent (cut off from the API server).
    for (let t = 1; t <= 2; t++) {
      await step(900);
      for (const n of ["b", "c"]) cluster.heartbeat(n, `t${t}`);
      await step(100);
    }
    assert.equal(controller.results.length, syncs, "heartbeats without a change start no sync");
    assert.equal(ready()?.status, "True", "within the bound (3 s) the report still counts");
    for (const n of ["b", "c"]) cluster.heartbeat(n, "t3");
    await step(1500); // no event from a: the timer must do it
    const status = cluster.vips.get("web")!.status!;
    assert.equal(status.master, undefined);
    assert.deepEqual(
      status.nodes?.map((n) => `${n.name}:${n.state}`),
      ["a:Unknown", "b:Backup", "c:Backup"],
    );
    assert.equal(ready()?.status, "Unknown");
    assert.equal(cluster.events.at(-1)?.reason, "NoMaster");
    assert.match(cluster.events.at(-1)!.message, /master unconfirmed: a has sent no status for 3s/);
    assert.deepEqual(await metricLines("floatip_controller_stale_vrrpnodes "), ["floatip_controller_stale_vrrpnodes 1"]);
    assert.deepEqual(await metricLines('floatip_virtualip_routers{state="'), [
      'floatip_virtualip_routers{state="Backup"} 2',
      'floatip_virtualip_routers{state="Fault"} 0',
      'floatip_virtualip_routers{state="Initialize"} 0',
      'floatip_virtualip_routers{state="Master"} 0',
      'floatip_virtualip_routers{state="Unknown"} 1',
    ]);
    // a reaches the API server again.
    for (const n of ["a", "b", "c"]) cluster.heartbeat(n, "t9");
    await step(100);
    assert.equal(cluster.vips.get("web")!.status!.master, "a");
    assert.equal(ready()?.status, "True");
    assert.deepEqual(await metricLines("floatip_controller_stale_vrrpnodes "), ["floatip_controller_stale_vrrpnodes 0"]);
    assert.ok((await metricLines('floatip_virtualip_routers{state="Master"}')).includes('floatip_virtualip_routers{state="Master"} 1'));
  });

  it("adding a second VirtualIP rewrites each VRRPNode once and leaves the first one's status alone", async () => {
    const { cluster, settle } = await setup();
    cluster.putVip(vip("web"));
    await settle();
    cluster.agentsReport("a");
    await settle();
    cluster.writes.length = 0;
    cluster.putVip(vip("db", { addresses: ["192.0.2.6/24"] }, "2026-11-02T00:00:00Z"));
    await settle();
    assert.equal(cluster.writes.filter((w) => w.startsWith("spec")).length, 3);
    assert.ok(!cluster.writes.includes("status web"), cluster.writes.join("\n"));
    cluster.writes.length = 0;
    await settle();
    assert.deepEqual(cluster.writes, [], "nothing changed, nothing written");
  });

  it("an overlapping newer VirtualIP gets Conflict and a Warning Event; the older one is untouched", async () => {
    const { cluster, settle } = await setup();
    cluster.putVip(vip("web"));
    await settle();
    const specs = JSON.stringify([...cluster.vrrpNodes.values()].map((n) => n.spec));
    cluster.putVip(vip("copy", {}, "2026-11-05T00:00:00Z"));
    await settle();
    assert.equal(JSON.stringify([...cluster.vrrpNodes.values()].map((n) => n.spec)), specs);
    const conflict = cluster.vips.get("copy")!.status!.conditions!.find((c) => c.type === "Conflict")!;
    assert.equal(conflict.status, "True");
    assert.match(conflict.message, /already claimed by VirtualIP web/);
    assert.ok(cluster.events.some((e) => e.name === "copy" && e.type === "Warning" && e.reason === "Conflict"));
  });

  it("deletion: the finalizer stays until every agent has dropped the instance", async () => {
    const { cluster, settle } = await setup();
    cluster.putVip(vip("web"));
    await settle();
    cluster.agentsReport("a");
    await settle();
    const current = cluster.vips.get("web")!;
    cluster.putVip({ ...current, metadata: { ...current.metadata, deletionTimestamp: "2026-11-25T12:00:00Z" } });
    await settle();
    assert.ok(cluster.vips.has("web"), "agents have not acted yet");
    assert.ok([...cluster.vrrpNodes.values()].every((n) => (n.spec as unknown as { instances: unknown[] }).instances.length === 0));
    cluster.agentsReport(undefined);
    await settle();
    assert.ok(!cluster.vips.has("web"), "finalizer released once no agent reports the instance");
  });

  it("deletion: the finalizer stays while a VRRPNode spec still holds the address in excludedAddresses (its write refused)", async () => {
    const { cluster, settle } = await setup();
    cluster.putVip(vip("web"));
    await settle();
    cluster.agentsReport("a");
    await settle();
    // Node a's spec as an earlier sync left it, the address riding excluded on a shared router; its writes now fail.
    const a = cluster.vrrpNodes.get("a")!;
    const instances = [{ name: "vrid-1", virtualRouterID: 1, addresses: ["192.0.2.9/24"], excludedAddresses: ["192.0.2.5/24"] }];
    const held = { ...a, spec: { instances }, status: { observedGeneration: a.metadata.generation, instances: [] } } as unknown as VRRPNode;
    cluster.vrrpNodes.set("a", held);
    cluster.nodeHandlers!.onUpsert(held);
    const write = cluster.writeVrrpNodeSpec.bind(cluster);
    cluster.writeVrrpNodeSpec = async (name: string, spec: unknown) => {
      if (name === "a") throw new Error("refused");
      return write(name, spec);
    };
    const current = cluster.vips.get("web")!;
    cluster.putVip({ ...current, metadata: { ...current.metadata, deletionTimestamp: "2026-11-25T12:00:00Z" } });
    await settle();
    cluster.agentsReport(undefined);
    await settle();
    assert.ok(cluster.vips.has("web"), "node a's spec still holds 192.0.2.5 (excluded): the finalizer stays");
  });

  it("an invalid VirtualIP is not rendered and gets an Event naming the field", async () => {
    const { cluster, settle } = await setup();
    cluster.putVip(vip("bad", { addresses: ["2001:db8::5/64"], version: 2 }));
    await settle();
    assert.ok([...cluster.vrrpNodes.values()].every((n) => (n.spec as unknown as { instances: unknown[] }).instances.length === 0));
    const event = cluster.events.find((e) => e.name === "bad")!;
    assert.equal(event.reason, "InvalidSpec");
    assert.match(event.message, /spec\.version/);
  });

  it("a conflict an agent reports: Conflict condition and one Warning Event naming the MAC; resolved with one Normal Event", async () => {
    const { cluster, settle } = await setup();
    cluster.putVip(vip("web"));
    await settle();
    cluster.agentsReport("a");
    await settle();
    const duplicate: VRRPNodeConflict = {
      kind: "duplicate-address",
      address: "192.0.2.5",
      mac: "02:00:00:00:00:99",
      since: "2026-11-25T11:59:00Z",
    };
    const foreign: VRRPNodeConflict = {
      kind: "foreign-vrrp",
      source: "192.0.2.66",
      mismatch: "address-mismatch",
      addresses: ["192.0.2.99"],
      since: "2026-11-25T11:59:00Z",
    };
    cluster.agentsReport("a", { a: [duplicate, foreign], b: [foreign] });
    await settle();
    const status = cluster.vips.get("web")!.status!;
    const condition = status.conditions!.find((c) => c.type === "Conflict")!;
    assert.equal(condition.status, "True");
    assert.equal(condition.reason, "DuplicateAddress");
    assert.equal(
      condition.message,
      "192.0.2.5 is also answered by 02:00:00:00:00:99 (seen by a); 192.0.2.66 sends adverts on this VRID with a different address list (192.0.2.99) (seen by a, b)",
    );
    assert.equal(status.master, "a", "VRRP's verdict is still reported");
    const warnings = cluster.events.filter((e) => e.type === "Warning");
    assert.deepEqual(
      warnings.map((e) => e.reason),
      ["DuplicateAddress", "ForeignVRRP"],
      "one Event per conflict, not per node",
    );
    assert.match(warnings[0]!.message, /02:00:00:00:00:99/);
    assert.match(warnings[1]!.message, /192\.0\.2\.66/);
    assert.ok(warnings.every((e) => e.name === "web" && e.kind === "VirtualIP" && e.uid === "uid-web"));

    cluster.agentsReport("a", { a: [duplicate, foreign], b: [foreign] }); // reported again: nothing new
    await settle();
    assert.equal(cluster.events.filter((e) => e.type === "Warning").length, 2);

    cluster.agentsReport("a"); // gone
    await settle();
    const cleared = cluster.vips.get("web")!.status!.conditions!.find((c) => c.type === "Conflict")!;
    assert.equal(cleared.status, "False");
    assert.deepEqual(
      cluster.events.filter((e) => e.reason === "ConflictResolved").map((e) => e.message),
      [
        "no longer seen: 192.0.2.5 is also answered by 02:00:00:00:00:99",
        "no longer seen: 192.0.2.66 sends adverts on this VRID with a different address list (192.0.2.99)",
      ],
    );
  });

  it("losing the master clears status.master (a merge patch must send null) and emits one Event, not a stream", async () => {
    const { cluster, settle } = await setup();
    cluster.putVip(vip("web"));
    await settle();
    cluster.agentsReport("a");
    await settle();
    cluster.agentsReport(undefined);
    await settle();
    await settle();
    assert.equal(cluster.vips.get("web")!.status!.master, undefined);
    assert.deepEqual(
      cluster.events.map((e) => e.reason),
      ["MasterChanged", "NoMaster"],
    );
  });

  it("plans nothing until every watch has listed: a cold start writes each VRRPNode and status once, with no NoNodes Event", async () => {
    // The Node list arrives late (a slow API server): VirtualIP events before it must not be planned against no nodes.
    const cluster = new FakeCluster();
    let listNodes: () => void = () => undefined;
    cluster.watchVirtualIPs = async (h) => {
      cluster.vipHandlers = h;
      for (const name of ["web", "db"]) cluster.putVip(vip(name, { addresses: [name === "web" ? "192.0.2.5/24" : "192.0.2.6/24"] }));
      return { stop: async () => undefined };
    };
    cluster.watchNodes = (h) =>
      new Promise((resolve) => {
        cluster.k8sNodeHandlers = h;
        listNodes = () => {
          for (const [n, ip] of [
            ["a", "198.51.100.1"],
            ["b", "198.51.100.2"],
          ] as const)
            h.onUpsert(k8sNode(n, ip));
          resolve({ stop: async () => undefined });
        };
      });
    const clock = new ManualClock(0);
    const controller = new Controller({
      api: cluster,
      clock,
      wallClock: () => new Date("2026-11-25T12:00:00Z"),
      logger: jsonLogger({ write: () => undefined, wallClock: () => new Date(0) }),
      metrics: new ControllerMetrics(),
      secretNamespace: "floatip-system",
    });
    const started = controller.start();
    for (let i = 0; i < 10; i++) {
      clock.advanceTo(clock.now() + 100);
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(cluster.writes, [], "no sync while the Node watch has not listed");
    listNodes();
    await started;
    for (let i = 0; i < 20; i++) {
      clock.advanceTo(clock.now() + 100);
      await new Promise((r) => setImmediate(r));
    }
    await controller.idle();
    const count = (prefix: string) => cluster.writes.filter((w) => w.startsWith(prefix)).sort();
    assert.deepEqual(count("spec"), ["spec a", "spec b"]);
    assert.deepEqual(count("status"), ["status db", "status web"]);
    assert.deepEqual(cluster.events, []);
  });
});
