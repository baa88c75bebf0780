/**
 * The controller at cluster scale (issue 15): N LoadBalancer Services
 * (externalTrafficPolicy Cluster, one pool) plus M VirtualIPs (each on a
 * group of `perVip` nodes) on K nodes, the real controller (client-node, in
 * this process) against the test API server (its own process, etcd's 1.5 MiB
 * object limit). Addresses are IPv6 (2001:db8::/32): the documentation IPv4
 * ranges hold too few for a thousand nodes and thousands of Services.
 *
 * Measured:
 *   cold start   until the controller is idle and no write has succeeded
 *                for `QUIET_MS` (refused writes keep being retried on their
 *                backoff, so "everything written" may never come), bounded
 *                by --timeout
 *   served       Services with status.loadBalancer.ingress whose address is
 *                rendered on at least two stored VRRPNodes
 *   sizes        the largest VRRPNode spec the controller tried to write,
 *                and the largest the server stored
 *   failures     the planner's findings (vrid-exhausted, ...) and refused
 *                writes by kind and reason (the controller's metrics)
 *   adverts/s    what the specs imply cluster-wide, as rendered (tried) and
 *                as stored: each router's master sends one advert per
 *                interval to each unicast peer (one multicast advert per
 *                interval)
 *   one change   one Service added: the API writes that follow
 */
import { performance } from "node:perf_hooks";
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { expandPeerSets } from "../agent/kube/peer-sets.js";
import { systemClock } from "../base/clock.js";
import { jsonLogger } from "../base/logger.js";
import { Controller } from "../operator/controller/controller.js";
import { clientNodeControllerApi, type ControllerKubeApi, type LoadBalancerKubeApi } from "../operator/controller/kube-api.js";
import { ControllerMetrics } from "../operator/controller/metrics.js";

export interface ScaleOptions {
  readonly services: number;
  readonly vips: number;
  readonly nodes: number;
  readonly perVip: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
}

export interface ScaleResult {
  readonly options: ScaleOptions;
  /** Until idle and quiet; undefined when --timeout ran out first. */
  readonly coldStartMs: number | undefined;
  readonly controllerCpuMs: number;
  readonly servicesWithIngress: number;
  readonly servicesServed: number;
  readonly vrrpNodesStored: number;
  readonly largestAttemptedBytes: number;
  readonly largestStoredBytes: number;
  readonly findings: Readonly<Record<string, number>>;
  readonly writeErrors: Readonly<Record<string, number>>;
  readonly routers: number;
  readonly advertsPerSecond: number;
  /** The same for the specs the controller rendered (tried to write), stored or not. */
  readonly renderedRouters: number;
  readonly renderedAdvertsPerSecond: number;
  readonly oneService: { readonly writes: Readonly<Record<string, number>>; readonly total: number } | undefined;
}

const QUIET_MS = 3000;
const GROUP = "bench.floatip.io/group";
const hex = (n: number) => n.toString(16);

export function scaleObjects(o: ScaleOptions): { stored: object[]; created: object[] } {
  const nodes = Array.from({ length: o.nodes }, (_, i) => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: `node-${String(i).padStart(4, "0")}`,
      labels: { "kubernetes.io/os": "linux", [GROUP]: `g${Math.floor(i / o.perVip)}` },
      creationTimestamp: "2026-01-01T00:00:00Z",
    },
    status: { addresses: [{ type: "InternalIP", address: `2001:db8:f::${hex(i + 1)}` }], conditions: [{ type: "Ready", status: "True" }] },
  }));
  const groups = Math.max(1, Math.ceil(o.nodes / o.perVip));
  const vips = Array.from({ length: o.vips }, (_, i) => ({
    apiVersion: "floatip.io/v1alpha1",
    kind: "VirtualIP",
    metadata: { name: `vip-${String(i).padStart(4, "0")}` },
    spec: { addresses: [`2001:db8:1::${hex(i + 1)}/128`], nodeSelector: { [GROUP]: `g${i % groups}` } },
  }));
  const pool = {
    apiVersion: "floatip.io/v1alpha1",
    kind: "VirtualIPPool",
    metadata: { name: "default" },
    spec: { addresses: ["2001:db8:2::/112"] },
  };
  const services = Array.from({ length: o.services }, (_, i) => service(`svc-${String(i).padStart(5, "0")}`));
  return {
    stored: [...nodes, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }],
    created: [...vips, pool, ...services],
  };
}

function service(name: string) {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default" },
    spec: {
      type: "LoadBalancer",
      loadBalancerClass: "floatip.io/vrrp",
      externalTrafficPolicy: "Cluster",
      ipFamilies: ["IPv6"],
      ipFamilyPolicy: "SingleStack",
      ports: [{ port: 80 }],
    },
  };
}

interface Recorder {
  readonly writes: { method: string; ok: boolean }[];
  /** The last spec tried per VRRPNode, as JSON bytes. */
  readonly attempted: Map<string, number>;
  /** The routers of the last spec tried per VRRPNode (name, peers, interval): what the controller rendered. */
  readonly rendered: Map<string, { instances?: readonly Instance[] }>;
  lastSuccess: number;
}

/** Both API halves with every write recorded (attempt, outcome, VRRPNode spec size). */
function recording(api: ControllerKubeApi & LoadBalancerKubeApi, r: Recorder): ControllerKubeApi & LoadBalancerKubeApi {
  const wrap =
    <A extends unknown[]>(method: string, call: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await call(...args);
        r.writes.push({ method, ok: true });
        r.lastSuccess = performance.now();
      } catch (error) {
        r.writes.push({ method, ok: false });
        throw error;
      }
    };
  return {
    ...api,
    writeVrrpNodeSpec: wrap("writeVrrpNodeSpec", (name: string, spec: unknown, exists: boolean) => {
      r.attempted.set(name, Buffer.byteLength(JSON.stringify(spec)));
      // As the agent reads it: peer set references resolved (agent/kube/peer-sets.ts).
      const instances = (expandPeerSets(spec).doc as { instances?: readonly Instance[] }).instances ?? [];
      r.rendered.set(name, {
        instances: instances.map((i) => ({
          name: i.name,
          advertisementInterval: i.advertisementInterval,
          unicast: { peers: Array.from({ length: i.unicast?.peers?.length ?? 0 }, () => "") },
        })),
      });
      return api.writeVrrpNodeSpec(name, spec, exists);
    }),
    deleteVrrpNode: wrap("deleteVrrpNode", api.deleteVrrpNode.bind(api)),
    patchVirtualIPStatus: wrap("patchVirtualIPStatus", api.patchVirtualIPStatus.bind(api)),
    setVirtualIPFinalizers: wrap("setVirtualIPFinalizers", api.setVirtualIPFinalizers.bind(api)),
    createEvent: wrap("createEvent", api.createEvent.bind(api)),
    createVirtualIP: wrap("createVirtualIP", api.createVirtualIP.bind(api)),
    patchVirtualIP: wrap("patchVirtualIP", api.patchVirtualIP.bind(api)),
    deleteVirtualIP: wrap("deleteVirtualIP", api.deleteVirtualIP.bind(api)),
    patchServiceStatus: wrap("patchServiceStatus", api.patchServiceStatus.bind(api)),
    patchVirtualIPPoolStatus: wrap("patchVirtualIPPoolStatus", api.patchVirtualIPPoolStatus.bind(api)),
    createServiceEvent: wrap("createServiceEvent", api.createServiceEvent.bind(api)),
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Idle and no successful write for QUIET_MS; false when `deadline` (performance.now()) passes first. */
async function quiet(controller: Controller, r: Recorder, deadline: number): Promise<boolean> {
  for (;;) {
    if (performance.now() > deadline) return false;
    let idle = false;
    await Promise.race([controller.idle().then(() => void (idle = true)), sleep(1000)]);
    if (idle && performance.now() - r.lastSuccess > QUIET_MS) return true;
    await sleep(250);
  }
}

const tally = (writes: readonly { method: string; ok: boolean }[]) => {
  const out: Record<string, number> = {};
  for (const w of writes) out[`${w.method}${w.ok ? "" : " (refused)"}`] = (out[`${w.method}${w.ok ? "" : " (refused)"}`] ?? 0) + 1;
  return out;
};

interface Instance {
  readonly name?: string;
  readonly advertisementInterval?: string;
  readonly addresses?: readonly string[];
  readonly unicast?: { readonly peers?: readonly string[] };
}

/** Seconds of a duration string ("1s", "100ms"). */
function seconds(text: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text ?? "1s");
  if (m === null) return 1;
  const n = Number(m[1]);
  return m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : n;
}

/** Cluster-wide adverts per second the specs imply: per router (instance name), its master's peers / interval. */
export function advertsImplied(specs: readonly { instances?: readonly Instance[] }[]): { routers: number; perSecond: number } {
  const routers = new Map<string, number>();
  for (const spec of specs) {
    for (const i of spec.instances ?? []) {
      const peers = i.unicast?.peers?.length;
      const rate = (peers === undefined ? 1 : peers) / seconds(i.advertisementInterval);
      routers.set(i.name ?? "", Math.max(routers.get(i.name ?? "") ?? 0, rate));
    }
  }
  return { routers: routers.size, perSecond: [...routers.values()].reduce((a, b) => a + b, 0) };
}

function metricSamples(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const labels = line.slice(name.length + 1, line.indexOf("}"));
    const value = Number(line.slice(line.indexOf("}") + 1));
    const key = label === "" ? labels.replace(/"/g, "") : (new RegExp(`${label}="([^"]*)"`).exec(labels)?.[1] ?? "");
    if (value > 0) out[key] = value;
  }
  return out;
}

export async function benchScale(kc: KubeConfig, o: ScaleOptions): Promise<ScaleResult> {
  const r: Recorder = { writes: [], attempted: new Map(), rendered: new Map(), lastSuccess: performance.now() };
  const api = recording(clientNodeControllerApi(kc, "floatip-system"), r);
  const metrics = new ControllerMetrics();
  const controller = new Controller({
    api,
    clock: systemClock(),
    wallClock: () => new Date(),
    metrics,
    secretNamespace: "floatip-system",
    writeConcurrency: o.concurrency,
    logger: jsonLogger({ write: () => undefined, wallClock: () => new Date(), minLevel: "error" }),
    loadBalancers: { api, defaultClass: false },
  });
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  try {
    const cpu = process.cpuUsage();
    const start = performance.now();
    r.lastSuccess = start;
    await controller.start();
    const settled = await quiet(controller, r, start + o.timeoutMs);
    const coldStartMs = settled ? r.lastSuccess - start : undefined;
    const used = process.cpuUsage(cpu);
    const vrrpNodes = (
      (await custom.listClusterCustomObject({ group: "floatip.io", version: "v1alpha1", plural: "vrrpnodes" })) as {
        items: { spec?: { instances?: Instance[] } }[];
      }
    ).items;
    const rendered = new Map<string, number>();
    for (const n of vrrpNodes)
      for (const i of n.spec?.instances ?? [])
        for (const a of i.addresses ?? []) rendered.set(a.split("/")[0]!, (rendered.get(a.split("/")[0]!) ?? 0) + 1);
    const services = (await core.listNamespacedService({ namespace: "default" })).items;
    const ingress = services.map((s) => s.status?.loadBalancer?.ingress?.[0]?.ip).filter((ip): ip is string => ip !== undefined);
    const text = await metrics.registry.metrics();
    const adverts = advertsImplied(vrrpNodes.map((n) => (expandPeerSets(n.spec ?? {}).doc ?? {}) as { instances?: readonly Instance[] }));
    const renderedAdverts = advertsImplied([...r.rendered.values()]);
    let oneService: ScaleResult["oneService"];
    if (settled) {
      const before = r.writes.length;
      await core.createNamespacedService({ namespace: "default", body: service("svc-added") });
      await sleep(200);
      if (await quiet(controller, r, performance.now() + o.timeoutMs)) {
        const after = r.writes.slice(before);
        oneService = { writes: tally(after), total: after.length };
      }
    }
    return {
      options: o,
      coldStartMs,
      controllerCpuMs: (used.user + used.system) / 1000,
      servicesWithIngress: ingress.length,
      servicesServed: ingress.filter((ip) => (rendered.get(ip) ?? 0) >= 2).length,
      vrrpNodesStored: vrrpNodes.length,
      largestAttemptedBytes: Math.max(0, ...r.attempted.values()),
      largestStoredBytes: Math.max(0, ...vrrpNodes.map((n) => Buffer.byteLength(JSON.stringify(n.spec ?? {})))),
      findings: metricSamples(text, "floatip_virtualips", "finding"),
      writeErrors: metricSamples(text, "floatip_controller_write_errors_total", ""),
      routers: adverts.routers,
      advertsPerSecond: adverts.perSecond,
      renderedRouters: renderedAdverts.routers,
      renderedAdvertsPerSecond: renderedAdverts.perSecond,
      oneService,
    };
  } finally {
    await controller.stop();
  }
}

const kib = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${(n / 1024).toFixed(0)} KiB`);
const list = (m: Readonly<Record<string, number>>) =>
  Object.entries(m)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ") || "none";

/** One markdown table row per run (the header is scaleHeader). */
export function scaleRow(label: string, s: ScaleResult): string {
  const o = s.options;
  return (
    `| ${label} | ${o.services} + ${o.vips} on ${o.nodes} | ${s.coldStartMs === undefined ? `not settled in ${o.timeoutMs / 1000} s` : `${(s.coldStartMs / 1000).toFixed(1)} s`} (controller CPU ${(s.controllerCpuMs / 1000).toFixed(1)} s) | ` +
    `${s.servicesServed} / ${o.services} (ingress: ${s.servicesWithIngress}) | ${s.vrrpNodesStored} / ${o.nodes} | ${kib(s.largestAttemptedBytes)} tried, ${kib(s.largestStoredBytes)} stored | ` +
    `${list(s.findings)} | ${list(s.writeErrors)} | ${s.renderedRouters} routers, ${Math.round(s.renderedAdvertsPerSecond).toLocaleString("en-US")}/s rendered; ${s.routers} routers, ${Math.round(s.advertsPerSecond).toLocaleString("en-US")}/s stored | ` +
    `${s.oneService === undefined ? "not measured" : `${s.oneService.total} (${list(s.oneService.writes)})`} |`
  );
}

export const scaleHeader = `| model | Services + VirtualIPs on nodes | cold start | Services served (address on ≥ 2 nodes) | VRRPNodes stored | largest VRRPNode spec | VirtualIPs by planner outcome | refused writes (kind, reason) | adverts/s the specs imply | writes after adding one Service |
|---|---|---|---|---|---|---|---|---|---|`;
