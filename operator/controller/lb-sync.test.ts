/**
 * The load-balancer half of the controller against an in-memory API:
 * what it writes for a Service, that a second sync writes nothing, and how
 * endpoint, type and pool changes, exhaustion and master moves come out.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { KubernetesObject } from "@kubernetes/client-node";
import type { WatchHandlers } from "../../base/watch-list.js";
import { jsonLogger } from "../../base/logger.js";
import type { VirtualIPPool } from "../api/pool.js";
import type { NodeSummary, VirtualIP } from "../api/types.js";
import { pool, slice, svc } from "../lb/test-fixtures.js";
import type { LoadBalancerKubeApi, ServiceEventInput } from "./kube-api.js";
import { LoadBalancerSync } from "./lb-sync.js";
import { WriteFailures } from "./write-failures.js";
import { Controller, type SyncResult } from "./controller.js";
import type { ControllerKubeApi, EventInput } from "./kube-api.js";
import { ManualClock } from "../../base/clock.js";
import { ControllerMetrics } from "./metrics.js";
import type { VRRPNode } from "../api/types.js";
import { applyMergePatch } from "./merge-patch.js";

type Obj = Record<string, unknown>;
const stop = { stop: async () => undefined };

class FakeApi implements LoadBalancerKubeApi {
  services?: WatchHandlers<KubernetesObject>;
  slices?: WatchHandlers<KubernetesObject>;
  poolHandlers?: WatchHandlers<VirtualIPPool>;
  readonly vips = new Map<string, VirtualIP>();
  readonly serviceObjects = new Map<string, Obj>();
  readonly pools = new Map<string, VirtualIPPool>();
  readonly writes: string[] = [];
  readonly events: ServiceEventInput[] = [];
  async watchServices(h: WatchHandlers<KubernetesObject>) {
    this.services = h;
    return stop;
  }
  async watchEndpointSlices(h: WatchHandlers<KubernetesObject>) {
    this.slices = h;
    return stop;
  }
  async watchVirtualIPPools(h: WatchHandlers<VirtualIPPool>) {
    this.poolHandlers = h;
    return stop;
  }
  async watchNamespaces() {
    return stop;
  }
  putService(s: Obj) {
    const m = s["metadata"] as { namespace: string; name: string };
    this.serviceObjects.set(`${m.namespace}/${m.name}`, s);
    this.services!.onUpsert(s as KubernetesObject);
  }
  putPool(p: VirtualIPPool) {
    this.pools.set(p.metadata.name, p);
    this.poolHandlers!.onUpsert(p);
  }
  async createVirtualIP(vip: VirtualIP) {
    this.writes.push(`create ${vip.metadata.name}`);
    // The API server applies the CRD's defaults.
    this.vips.set(vip.metadata.name, {
      ...vip,
      spec: { version: 3, advertisementInterval: "1s", preempt: true, transport: "unicast", ...vip.spec },
    });
  }
  async patchVirtualIP(name: string, patch: unknown) {
    this.writes.push(`patch ${name}`);
    this.vips.set(name, applyMergePatch(this.vips.get(name), patch) as VirtualIP);
  }
  async deleteVirtualIP(name: string) {
    this.writes.push(`delete ${name}`);
    this.vips.delete(name);
  }
  async patchServiceStatus(namespace: string, name: string, statusPatch: unknown) {
    this.writes.push(`status ${namespace}/${name}`);
    const s = this.serviceObjects.get(`${namespace}/${name}`)!;
    const status = applyMergePatch(s["status"], statusPatch) as Obj;
    // The API server may add ipMode to ingress entries.
    const lb = status["loadBalancer"] as { ingress?: Obj[] } | undefined;
    if (lb?.ingress) lb.ingress = lb.ingress.map((i) => ({ ...i, ipMode: "VIP" }));
    this.putService({ ...s, status });
  }
  async patchVirtualIPPoolStatus(name: string, statusPatch: unknown) {
    this.writes.push(`pool ${name}`);
    const p = this.pools.get(name)!;
    this.putPool({ ...p, status: applyMergePatch(p.status ?? {}, statusPatch) as VirtualIPPool["status"] });
  }
  async createServiceEvent(e: ServiceEventInput) {
    this.events.push(e);
  }
}

const node = (name: string): NodeSummary => ({
  name,
  labels: {},
  internalIPs: { v4: "198.51.100.1" },
  unschedulable: false,
  ready: true,
  creationTimestamp: "",
});
const NODES = ["a", "b", "c"].map(node);
const NOW = new Date("2026-11-25T12:00:00Z");

async function setup(defaultClass = false, nodes: readonly NodeSummary[] = NODES) {
  const api = new FakeApi();
  const failures = new WriteFailures();
  const lb = new LoadBalancerSync(
    { api, defaultClass },
    jsonLogger({ write: () => undefined, wallClock: () => NOW }),
    async (e) => void api.events.push(e),
    (kind, target, content, write) => failures.attempt(kind, target, content, 0, write),
  );
  await lb.start(
    () => undefined,
    () => () => undefined,
  );
  const sync = async () => {
    api.writes.length = 0;
    const before = api.events.length;
    await lb.sync(NOW, [...api.vips.values()], nodes);
    return { writes: [...api.writes].sort(), events: api.events.slice(before) };
  };
  return { api, lb, sync };
}

const statusOf = (api: FakeApi, key: string) =>
  api.serviceObjects.get(key)!["status"] as {
    loadBalancer: { ingress?: { ip: string }[] };
    conditions: { type: string; status: string; reason: string; message: string }[];
  };

describe("controller: LoadBalancer Services", () => {
  it("a Service with endpoints gets a VirtualIP, its status and an Event; the next sync writes nothing", async () => {
    const { api, sync } = await setup();
    api.putPool(pool("default", { addresses: ["192.0.2.10-192.0.2.11"] }));
    api.putService(svc("web"));
    api.slices!.onUpsert(slice("web", ["a", "b"]) as KubernetesObject);
    const first = await sync();
    assert.deepEqual(first.writes, ["create lb-192-0-2-10", "pool default", "status default/web"]);
    const vip = api.vips.get("lb-192-0-2-10")!;
    assert.deepEqual(
      [vip.metadata.labels, vip.metadata.annotations],
      [{ "floatip.io/load-balancer": "true" }, { "floatip.io/services": "default/web" }],
    );
    assert.equal(vip.spec.preferredNodes, undefined, "Cluster: no per-Service placement");
    assert.deepEqual(
      statusOf(api, "default/web").loadBalancer.ingress!.map((i) => i.ip),
      ["192.0.2.10"],
    );
    assert.deepEqual(
      first.events.map((e) => [e.namespace, e.name, e.type, e.reason, e.message]),
      [["default", "web", "Normal", "AddressAllocated", "192.0.2.10 from VirtualIPPool default"]],
    );
    assert.deepEqual(api.pools.get("default")!.status?.ipv4, { total: 2, allocated: 1, free: 1 });
    const second = await sync();
    assert.deepEqual([second.writes, second.events], [[], []], "CRD defaults on the VirtualIP and ipMode on the ingress cause no rewrite");
  });

  it("an endpoint turning unready patches only the VirtualIP's nodeNames (Local)", async () => {
    const { api, sync } = await setup();
    api.putPool(pool("default", { addresses: ["192.0.2.10/32"] }));
    api.putService(svc("web", { policy: "Local" }));
    api.slices!.onUpsert(slice("web", ["a", "b"]) as KubernetesObject);
    await sync();
    api.slices!.onUpsert(slice("web", ["a", "b"], ["a"]) as KubernetesObject);
    const moved = await sync();
    assert.deepEqual(moved.writes, ["patch lb-192-0-2-10"]);
    assert.deepEqual(api.vips.get("lb-192-0-2-10")!.spec.nodeNames, ["b"]);
    assert.equal(api.vips.get("lb-192-0-2-10")!.spec.version, 3, "fields the load balancer does not manage stay");
  });

  it("the pool's advertisementInterval and transport are the VirtualIP's; removing it goes back to the default without a write loop", async () => {
    const { api, sync } = await setup();
    api.putPool(pool("default", { addresses: ["192.0.2.10/32"], advertisementInterval: "100ms", transport: "multicast" }));
    api.putService(svc("web"));
    await sync();
    assert.equal(api.vips.get("lb-192-0-2-10")!.spec.advertisementInterval, "100ms");
    assert.equal(api.vips.get("lb-192-0-2-10")!.spec.transport, "multicast");
    api.putPool({ ...pool("default", { addresses: ["192.0.2.10/32"] }), status: api.pools.get("default")!.status! });
    assert.deepEqual((await sync()).writes, ["patch lb-192-0-2-10"]);
    assert.equal(api.vips.get("lb-192-0-2-10")!.spec.advertisementInterval, undefined);
    assert.equal(api.vips.get("lb-192-0-2-10")!.spec.transport, undefined);
    assert.deepEqual((await sync()).writes, []);
  });

  it("a pool with interfaces: a Cluster Service's nodeNames are marked as the interface's nodes (so it packs); turned Local, the mark goes", async () => {
    const { api, sync } = await setup(
      false,
      NODES.map((n) => ({ ...n, interfaces: ["eth0", "eth1"] })),
    );
    api.putPool(pool("default", { addresses: ["192.0.2.10/32"], interfaces: ["eth1"] }));
    api.putService(svc("web"));
    await sync();
    const cluster = api.vips.get("lb-192-0-2-10")!;
    assert.deepEqual([cluster.spec.interface, cluster.spec.nodeNames], ["eth1", ["a", "b", "c"]]);
    assert.equal(cluster.metadata.annotations?.["floatip.io/node-names"], "interfaces");
    api.putService(svc("web", { policy: "Local" }));
    api.slices!.onUpsert(slice("web", ["b"]) as KubernetesObject);
    assert.deepEqual(
      (await sync()).writes.filter((w) => w.startsWith("patch")),
      ["patch lb-192-0-2-10"],
    );
    const local = api.vips.get("lb-192-0-2-10")!;
    assert.deepEqual(
      [local.spec.nodeNames, local.metadata.annotations?.["floatip.io/node-names"]],
      [["b"], undefined],
      "Local: nodeNames follow endpoints, unmarked",
    );
    assert.deepEqual((await sync()).writes, []);
  });

  it("Local policy: the VirtualIP runs only where a ready endpoint is", async () => {
    const { api, sync } = await setup();
    api.putPool(pool("default", { addresses: ["192.0.2.10/32"] }));
    api.putService(svc("web", { policy: "Local" }));
    api.slices!.onUpsert(slice("web", ["c"]) as KubernetesObject);
    await sync();
    assert.deepEqual(api.vips.get("lb-192-0-2-10")!.spec.nodeNames, ["c"]);
  });

  it("the Service deleted, or no longer of type LoadBalancer: the VirtualIP goes and the status is cleared", async () => {
    const { api, sync } = await setup();
    api.putPool(pool("default", { addresses: ["192.0.2.10-192.0.2.11"] }));
    api.putService(svc("a"));
    api.putService(svc("b", { created: "2026-01-02T00:00:00Z" }));
    await sync();
    assert.deepEqual([...api.vips.keys()].sort(), ["lb-192-0-2-10", "lb-192-0-2-11"]);
    const b = api.serviceObjects.get("default/b")!;
    api.putService({ ...b, spec: { ...(b["spec"] as Obj), type: "ClusterIP" } });
    api.services!.onDelete(api.serviceObjects.get("default/a") as KubernetesObject);
    const gone = await sync();
    assert.deepEqual(gone.writes, ["delete lb-192-0-2-10", "delete lb-192-0-2-11", "pool default", "status default/b"]);
    assert.deepEqual(statusOf(api, "default/b").loadBalancer, {});
    assert.deepEqual(statusOf(api, "default/b").conditions, []);
  });

  it("exhaustion: a Warning Event and a False condition once, no VirtualIP; the counts for the metrics", async () => {
    const { api, lb, sync } = await setup();
    api.putPool(pool("default", { addresses: ["192.0.2.10/32"] }));
    api.putService(svc("a"));
    api.putService(svc("b", { created: "2026-01-02T00:00:00Z" }));
    const first = await sync();
    assert.deepEqual([...api.vips.keys()], ["lb-192-0-2-10"]);
    const counted = await lb.sync(NOW, [...api.vips.values()], NODES);
    assert.deepEqual(
      counted.pools,
      [{ name: "default", ipv4: { total: 1, allocated: 1, free: 0 } }],
      "for floatip_virtualippool_addresses",
    );
    assert.deepEqual([...counted.allocations].sort(), ["Allocated", "PoolExhausted"], "for floatip_loadbalancer_services");
    const warning = first.events.find((e) => e.name === "b")!;
    assert.deepEqual([warning.type, warning.reason], ["Warning", "PoolExhausted"]);
    const allocated = statusOf(api, "default/b").conditions.find((c) => c.type === "floatip.io/AddressAllocated")!;
    assert.deepEqual([allocated.status, allocated.reason], ["False", "PoolExhausted"]);
    assert.equal(statusOf(api, "default/b").loadBalancer.ingress, undefined);
    assert.deepEqual((await sync()).events, [], "announced once");
    api.putPool(pool("default", { addresses: ["192.0.2.10/31"] }));
    const grown = await sync();
    assert.deepEqual(
      grown.events.map((e) => [e.name, e.reason]),
      [["b", "AddressAllocated"]],
    );
    assert.ok(api.vips.has("lb-192-0-2-11"));
  });

  it("a master move of a shared address: an Event on each Service naming the announcing node", async () => {
    const { api, lb, sync } = await setup();
    api.putPool(pool("default", { addresses: ["192.0.2.10/32"] }));
    api.putService(svc("http", { share: "k", ports: [80] }));
    api.putService(svc("dns", { share: "k", ports: [53], created: "2026-01-02T00:00:00Z" }));
    await sync();
    const vip = api.vips.get("lb-192-0-2-10")!;
    api.events.length = 0;
    assert.equal(await lb.announceMove(vip, { from: "a", to: "b", reason: "master -> backup (priority 0 advert)" }), 2);
    assert.deepEqual(
      api.events.map((e) => [e.name, e.type, e.reason, e.message]),
      [
        ["http", "Normal", "Announced", "b announces 192.0.2.10; a: master -> backup (priority 0 advert)"],
        ["dns", "Normal", "Announced", "b announces 192.0.2.10; a: master -> backup (priority 0 advert)"],
      ],
    );
    await lb.announceMove(vip, { from: "b", to: undefined, reason: undefined });
    assert.deepEqual(
      api.events.slice(2).map((e) => [e.type, e.reason]),
      [
        ["Warning", "NotAnnounced"],
        ["Warning", "NotAnnounced"],
      ],
    );
  });

  it("the pool deleted while in use: the address stays, a Warning Event and the condition say so", async () => {
    const { api, sync } = await setup();
    api.putPool(pool("default", { addresses: ["192.0.2.10/32"] }));
    api.putService(svc("web"));
    await sync();
    api.poolHandlers!.onDelete(api.pools.get("default")!);
    api.pools.delete("default");
    const after = await sync();
    assert.deepEqual(after.writes, ["status default/web"], "no VirtualIP write");
    assert.ok(api.vips.has("lb-192-0-2-10"));
    assert.deepEqual(
      after.events.map((e) => [e.type, e.reason]),
      [["Warning", "OutsidePools"]],
    );
    assert.equal(statusOf(api, "default/web").conditions.find((c) => c.type === "floatip.io/AddressAllocated")!.reason, "OutsidePools");
    assert.deepEqual(
      statusOf(api, "default/web").loadBalancer.ingress!.map((i) => i.ip),
      ["192.0.2.10"],
    );
  });

  it("Services without a class are served only with --default-load-balancer-class", async () => {
    for (const defaultClass of [false, true]) {
      const { api, sync } = await setup(defaultClass);
      api.putPool(pool("default", { addresses: ["192.0.2.10/32"] }));
      api.putService(svc("web", { cls: null }));
      await sync();
      assert.equal(api.vips.size, defaultClass ? 1 : 0);
    }
  });
});

/** The whole controller: the VirtualIP half behind the same fake, VRRPNodes kept in memory. */
class FakeCluster extends FakeApi implements ControllerKubeApi {
  vipHandlers?: WatchHandlers<VirtualIP>;
  vrrpHandlers?: WatchHandlers<VRRPNode>;
  nodeHandlers?: WatchHandlers<KubernetesObject>;
  readonly vrrpNodes = new Map<string, VRRPNode>();
  failCreates = false;
  async watchVirtualIPs(h: WatchHandlers<VirtualIP>) {
    this.vipHandlers = h;
    return stop;
  }
  async watchVrrpNodes(h: WatchHandlers<VRRPNode>) {
    this.vrrpHandlers = h;
    return stop;
  }
  async watchNodes(h: WatchHandlers<KubernetesObject>) {
    this.nodeHandlers = h;
    return stop;
  }
  override async createVirtualIP(vip: VirtualIP) {
    if (this.failCreates) throw new Error("422: invalid");
    await super.createVirtualIP(vip);
    this.vipHandlers!.onUpsert(this.vips.get(vip.metadata.name)!);
  }
  putVip(vip: VirtualIP) {
    this.vips.set(vip.metadata.name, vip);
    this.vipHandlers!.onUpsert(vip);
  }
  putVrrpNode(node: VRRPNode) {
    this.vrrpNodes.set(node.metadata.name, node);
    this.vrrpHandlers!.onUpsert(node);
  }
  async writeVrrpNodeSpec(name: string, spec: unknown) {
    this.putVrrpNode({ metadata: { name, generation: 1 }, spec: spec as VRRPNode["spec"] });
  }
  async deleteVrrpNode(name: string) {
    this.vrrpNodes.delete(name);
  }
  async patchVirtualIPStatus(name: string, statusPatch: unknown) {
    const vip = this.vips.get(name)!;
    this.putVip({ ...vip, status: applyMergePatch(vip.status ?? {}, statusPatch) as VirtualIP["status"] });
  }
  async setVirtualIPFinalizers(name: string, finalizers: readonly string[]) {
    const vip = this.vips.get(name)!;
    this.putVip({ ...vip, metadata: { ...vip.metadata, finalizers } });
  }
  async createEvent(_e: EventInput) {}
  async readLease() {
    return undefined;
  }
  async writeLease() {}
}

describe("the controller with LoadBalancer Services", () => {
  async function start() {
    const cluster = new FakeCluster();
    const clock = new ManualClock(0);
    const logger = jsonLogger({ write: () => undefined, wallClock: () => NOW });
    const controller = new Controller({
      api: cluster,
      clock,
      wallClock: () => NOW,
      logger,
      metrics: new ControllerMetrics(),
      secretNamespace: "floatip-system",
      loadBalancers: { api: cluster, defaultClass: false },
    });
    await controller.start();
    for (const [n, ip] of [
      ["a", "198.51.100.1"],
      ["b", "198.51.100.2"],
    ] as const) {
      cluster.nodeHandlers!.onUpsert({
        metadata: { name: n },
        status: { addresses: [{ type: "InternalIP", address: ip }], conditions: [{ type: "Ready", status: "True" }] },
      } as KubernetesObject);
    }
    /** Lets time pass (manual clock); `idle` also waits for no sync to be pending (not while one is backing off). */
    const settle = async (idle = true) => {
      for (let i = 0; i < 20; i++) {
        clock.advanceTo(clock.now() + 100);
        await new Promise((r) => setImmediate(r));
      }
      if (idle) await controller.idle();
    };
    return { cluster, controller, settle };
  }
  /** What the agents would report: `master` holds the Service's router. */
  const report = (cluster: FakeCluster, master: string) => {
    for (const node of [...cluster.vrrpNodes.values()]) {
      const instances = node.spec.instances.map((i) => ({ name: i.name, state: node.metadata.name === master ? "Master" : "Backup" }));
      cluster.putVrrpNode({ ...node, status: { observedGeneration: 1, instances } });
    }
  };

  it("the owned VirtualIP is rendered; the agents' master is in the Service's status and a master move is an Event on it", async () => {
    const { cluster, controller, settle } = await start();
    cluster.putPool(pool("default", { addresses: ["192.0.2.10/32"] }));
    cluster.putService(svc("web"));
    await settle();
    const instances = (name: string) => (cluster.vrrpNodes.get(name)?.spec.instances ?? []).map((i) => [i.name, i.addresses]);
    assert.deepEqual([instances("a"), instances("b")], [[["vrid-1", ["192.0.2.10/32"]]], [["vrid-1", ["192.0.2.10/32"]]]]);
    report(cluster, "b");
    await settle();
    assert.equal(cluster.vips.get("lb-192-0-2-10")!.status?.master, "b");
    assert.ok(
      cluster.events.some((e) => e.name === "web" && e.reason === "Announced" && e.message === "b announces 192.0.2.10"),
      JSON.stringify(cluster.events),
    );
    const announced = statusOf(cluster, "default/web").conditions.find((c) => c.type === "floatip.io/Announced")!;
    assert.deepEqual([announced.status, announced.message], ["True", "b announces 192.0.2.10"]);
    report(cluster, "a");
    await settle();
    assert.ok(
      cluster.events.some((e) => e.name === "web" && e.reason === "Announced" && e.message.startsWith("a announces 192.0.2.10; b: ")),
    );
    await controller.stop();
  });

  it("a failing load-balancer write does not hold up the VirtualIPs; it alone is retried, with a Warning Event on its Service", async () => {
    const { cluster, controller, settle } = await start();
    cluster.failCreates = true;
    cluster.putVip({
      metadata: { name: "gateway", generation: 1, creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: { addresses: ["192.0.2.1/24"] },
    });
    cluster.putPool(pool("default", { addresses: ["192.0.2.10/32"] }));
    cluster.putService(svc("web"));
    await settle(false);
    assert.deepEqual(
      cluster.vrrpNodes.get("a")?.spec.instances.map((i) => i.addresses),
      [["192.0.2.1/24"]],
      "the VirtualIP gateway is rendered",
    );
    assert.ok(
      controller.results.some(
        (r: SyncResult) =>
          r.kind === "partial" &&
          r.failures.some((f) => f.kind === "virtualip" && f.target === "lb-192-0-2-10" && f.message.includes("422")),
      ),
    );
    assert.ok(!controller.results.some((r: SyncResult) => r.kind === "failed"));
    assert.equal(cluster.events.filter((e) => e.name === "web" && e.reason === "WriteFailed").length, 1, "one Event, not one per retry");
    cluster.failCreates = false;
    for (let i = 0; i < 20 && !cluster.vips.has("lb-192-0-2-10"); i++) await settle(false);
    assert.ok(cluster.vips.has("lb-192-0-2-10"), "created on a retry");
    await controller.stop();
  });
});
