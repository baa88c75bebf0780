/**
 * The cluster-scale scenario of issue 15: `services` LoadBalancer Services
 * (class floatip.io/vrrp, externalTrafficPolicy Cluster, one pool) plus
 * `vips` VirtualIPs on `nodes` Nodes, the real controller (client-node, in
 * this process) against the test API server (test/kube, its own process).
 *
 * Everything is IPv6 inside 2001:db8::/32: the IPv4 documentation ranges
 * hold 762 addresses, not the 6,000 that Services, VirtualIPs and Nodes
 * need. Nodes have one IPv6 InternalIP each; Services take addresses from
 * a pool in 2001:db8:1::/112, VirtualIPs are 2001:db8:2::<i>/128.
 *
 * Measures: cold start (until every Service has its ingress, every VirtualIP
 * a VRID, every address is rendered on at least two nodes and the controller
 * is idle), the largest VRRPNode, the adverts per second the rendered specs
 * imply, and the writes after one Service is added (with a check that no
 * address already rendered moved to another node or router).
 */
import { performance } from "node:perf_hooks";
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { parseDuration } from "../agent/config/duration.js";
import { expandPeerSets } from "../agent/kube/peer-sets.js";
import { systemClock } from "../base/clock.js";
import { jsonLogger } from "../base/logger.js";
import type { AgentConfigDocument } from "../operator/api/types.js";
import { Controller } from "../operator/controller/controller.js";
import { startBenchApiServer } from "./api-server.js";
import { clientNodeControllerApi } from "../operator/controller/kube-api.js";
import { ControllerMetrics } from "../operator/controller/metrics.js";

export interface LbScaleOptions {
  readonly services: number;
  readonly vips: number;
  readonly nodes: number;
  /** API writes in flight at once (the controller's writeConcurrency). */
  readonly concurrency?: number;
  readonly limitMs?: number;
}

export interface LbScaleResult {
  readonly coldStartMs: number;
  readonly controllerCpuMs: number;
  readonly syncs: number;
  readonly coldWrites: Readonly<Record<string, number>>;
  readonly served: { readonly services: number; readonly vips: number; readonly minNodesPerAddress: number };
  readonly largestVrrpNodeBytes: number;
  /** VRRPNodes that write one peer list more than once (0 with peer sets). */
  readonly repeatedPeerLists: number;
  readonly routers: number;
  readonly largestRouter: number;
  readonly advertsPerSecond: number;
  readonly addOne: {
    readonly writes: Readonly<Record<string, number>>;
    readonly specWrites: readonly string[];
    readonly moved: readonly string[];
    readonly rendered: number;
  };
}

const NS = "default";
const serviceName = (i: number) => `svc-${String(i).padStart(5, "0")}`;

function nodeObject(i: number) {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: `node-${String(i).padStart(4, "0")}`,
      labels: { "kubernetes.io/os": "linux" },
      creationTimestamp: "2026-01-01T00:00:00Z",
    },
    status: {
      addresses: [{ type: "InternalIP", address: `2001:db8:f::${(i + 1).toString(16)}` }],
      conditions: [{ type: "Ready", status: "True" }],
    },
  };
}

function serviceObject(i: number) {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: serviceName(i), namespace: NS, creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString() },
    spec: {
      type: "LoadBalancer",
      loadBalancerClass: "floatip.io/vrrp",
      externalTrafficPolicy: "Cluster",
      ipFamilies: ["IPv6"],
      ports: [{ port: 80, protocol: "TCP" }],
    },
  };
}

function vipObject(i: number) {
  return {
    apiVersion: "floatip.io/v1alpha1",
    kind: "VirtualIP",
    metadata: { name: `vip-${String(i).padStart(4, "0")}` },
    spec: { addresses: [`2001:db8:2::${(i + 1).toString(16)}/128`] },
  };
}

const POOL = {
  apiVersion: "floatip.io/v1alpha1",
  kind: "VirtualIPPool",
  metadata: { name: "pool" },
  spec: { addresses: ["2001:db8:1::/112"] },
};

type Obj = Record<string, unknown>;
interface Listed {
  metadata: { name: string; namespace?: string };
  spec?: Obj;
  status?: Obj;
}

interface World {
  readonly services: readonly Listed[];
  readonly vips: readonly Listed[];
  readonly vrrpNodes: readonly Listed[];
}

async function readWorld(kc: KubeConfig): Promise<World> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const list = async (plural: string) =>
    ((await custom.listClusterCustomObject({ group: "floatip.io", version: "v1alpha1", plural })) as { items: Listed[] }).items;
  const services = (await core.listNamespacedService({ namespace: NS })).items as unknown as Listed[];
  return { services, vips: await list("virtualips"), vrrpNodes: await list("vrrpnodes") };
}

/** address -> the "node/instance" places that render it. */
function placements(vrrpNodes: readonly Listed[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const n of vrrpNodes) {
    // As the agent reads it: peer set references resolved (agent/kube/peer-sets.ts).
    const spec = expandPeerSets(n.spec).doc as AgentConfigDocument | undefined;
    for (const i of spec?.instances ?? []) {
      // Advertised or riding excluded (pack.ts, "Overflow"): the master holds both.
      for (const a of [...i.addresses, ...(i.excludedAddresses ?? [])]) {
        let set = out.get(a);
        if (set === undefined) out.set(a, (set = new Set()));
        set.add(`${n.metadata.name}/${i.name}`);
      }
    }
  }
  return out;
}

interface Served {
  readonly services: number;
  readonly vips: number;
  readonly minNodesPerAddress: number;
}

function served(world: World): Served {
  const where = placements(world.vrrpNodes);
  const ingress = world.services.filter(
    (s) => ((s.status?.["loadBalancer"] as { ingress?: unknown[] } | undefined)?.ingress ?? []).length > 0,
  ).length;
  const withVrid = world.vips.filter((v) => typeof v.status?.["virtualRouterID"] === "number").length;
  let min = Number.POSITIVE_INFINITY;
  for (const v of world.vips)
    for (const a of (v.spec?.["addresses"] as string[] | undefined) ?? []) min = Math.min(min, where.get(a)?.size ?? 0);
  return { services: ingress, vips: withVrid, minNodesPerAddress: min === Number.POSITIVE_INFINITY ? 0 : min };
}

/**
 * VRRPNodes whose spec writes one peer list more than once (inline in two
 * instances, or in two peer sets): a compact spec writes each once.
 */
export function repeatedPeerLists(vrrpNodes: readonly { readonly spec?: unknown }[]): number {
  let repeated = 0;
  for (const n of vrrpNodes) {
    const spec = n.spec as AgentConfigDocument | undefined;
    const lists = [
      ...(spec?.peerSets ?? []).map((s) => `${s.source ?? ""} ${s.peers.join(",")}`),
      ...(spec?.instances ?? []).flatMap((i) =>
        i.unicast?.peers !== undefined ? [`${i.unicast.source ?? ""} ${i.unicast.peers.join(",")}`] : [],
      ),
    ];
    if (new Set(lists).size < lists.length) repeated++;
  }
  return repeated;
}

/** Cluster-wide adverts per second: each router's master sends one advert per interval to each of its peers. */
function adverts(vrrpNodes: readonly Listed[]): { routers: number; largest: number; perSecond: number } {
  const seen = new Set<string>();
  let perSecond = 0;
  let largest = 0;
  for (const n of vrrpNodes) {
    // As the agent reads it: peer set references resolved (agent/kube/peer-sets.ts).
    const spec = expandPeerSets(n.spec).doc as AgentConfigDocument | undefined;
    for (const i of spec?.instances ?? []) {
      const members = [i.unicast?.source ?? n.metadata.name, ...(i.unicast?.peers ?? [])].sort().join(",");
      const key = `${i.name}|${members}`;
      largest = Math.max(largest, i.addresses.length);
      if (seen.has(key)) continue;
      seen.add(key);
      const interval = parseDuration(i.advertisementInterval ?? "1s");
      perSecond += (i.unicast?.peers?.length ?? 1) / ((interval.ok ? interval.ms : 1000) / 1000);
    }
  }
  return { routers: seen.size, largest, perSecond };
}

const t0 = performance.now();
const stage = (what: string) =>
  process.env["LB_SCALE_DEBUG"] !== undefined && process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(1)}s ${what}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runLbScale(o: LbScaleOptions): Promise<LbScaleResult> {
  const nodes = Array.from({ length: o.nodes }, (_, i) => nodeObject(i));
  const stored = [...nodes, { apiVersion: "v1", kind: "Namespace", metadata: { name: NS, labels: { "kubernetes.io/metadata.name": NS } } }];
  const created = [
    POOL,
    ...Array.from({ length: o.services }, (_, i) => serviceObject(i)),
    ...Array.from({ length: o.vips }, (_, i) => vipObject(i)),
  ];
  const server = await startBenchApiServer(stored, created);
  const writes: string[] = [];
  const base = clientNodeControllerApi(server.kc, "floatip-system");
  // Every write the controller makes, by method (reads and watches pass through).
  const api = new Proxy(base, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== "string" || typeof value !== "function" || !/^(write|delete|patch|set|create)/.test(prop)) return value;
      return (...args: unknown[]) => {
        const first = args[0];
        writes.push(`${prop} ${typeof first === "string" ? first : ""}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const controller = new Controller({
    api,
    clock: systemClock(),
    wallClock: () => new Date(),
    logger: jsonLogger({ write: (line) => process.stderr.write(line), wallClock: () => new Date(), minLevel: "error" }),
    metrics: new ControllerMetrics(),
    secretNamespace: "floatip-system",
    writeConcurrency: o.concurrency ?? 16,
    loadBalancers: { api, defaultClass: false },
  });
  const limit = o.limitMs ?? 300_000;
  const settle = async (done: (w: World) => boolean, what: string): Promise<World> => {
    const end = performance.now() + limit;
    for (;;) {
      await controller.idle();
      const world = await readWorld(server.kc);
      if (done(world)) {
        await controller.idle();
        return world;
      }
      if (performance.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(served(world))}`);
      await sleep(250);
    }
  };
  try {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await controller.start();
    const complete = (w: World) => {
      const s = served(w);
      return s.services === o.services && s.vips === o.services + o.vips && s.minNodesPerAddress >= 2;
    };
    const world = await settle(complete, "every Service and VirtualIP served");
    const coldStartMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const coldWrites = tally(writes);
    const shape = adverts(world.vrrpNodes);
    const largestVrrpNodeBytes = Math.max(...world.vrrpNodes.map((n) => Buffer.byteLength(JSON.stringify(n))));

    // One more Service: what is written, and whether any address already rendered moved.
    stage("cold start done");
    const before = placements(world.vrrpNodes);
    const mark = writes.length;
    const core = server.kc.makeApiClient(CoreV1Api);
    const added = serviceObject(o.services);
    await core.createNamespacedService({
      namespace: NS,
      body: { ...added, metadata: { name: added.metadata.name, namespace: NS } } as never,
    });
    stage("service added");
    await settle((w) => served(w).services === o.services + 1 && served(w).minNodesPerAddress >= 2, "the added Service");
    for (let i = 0; i < 3; i++) {
      await sleep(300);
      await controller.idle();
    }
    stage("added service served");
    const after = placements((await readWorld(server.kc)).vrrpNodes);
    const moved = [...before]
      .filter(([address, places]) => [...places].sort().join(" ") !== [...(after.get(address) ?? [])].sort().join(" "))
      .map(([a]) => a);
    const newWrites = writes.slice(mark);
    const addedAddress = [...after.keys()].find((a) => !before.has(a));
    return {
      coldStartMs,
      controllerCpuMs: (used.user + used.system) / 1000,
      syncs: controller.results.length,
      coldWrites,
      served: served(world),
      largestVrrpNodeBytes,
      repeatedPeerLists: repeatedPeerLists(world.vrrpNodes),
      routers: shape.routers,
      largestRouter: shape.largest,
      advertsPerSecond: shape.perSecond,
      addOne: {
        writes: tally(newWrites),
        specWrites: newWrites.filter((w) => w.startsWith("writeVrrpNodeSpec")).map((w) => w.split(" ")[1]!),
        moved,
        rendered: addedAddress === undefined ? 0 : after.get(addedAddress)!.size,
      },
    };
  } finally {
    stage("stopping");
    await controller.stop();
    stage("controller stopped");
    await server.stop();
    stage("server stopped");
  }
}

function tally(writes: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of writes) {
    const method = w.split(" ")[0]!;
    out[method] = (out[method] ?? 0) + 1;
  }
  return out;
}
