/**
 * Controller benchmarks (issue targets: planner < 200 ms for 1,000
 * VirtualIPs over 200 nodes; cold start < 10 s; writes per single change):
 *
 *   planner     plan() over 1,000 VirtualIPs × 200 nodes, repeated, median
 *               wall and CPU time; each VirtualIP on 3 nodes (a nodeSelector
 *               label per node triple), and the worst case of every
 *               VirtualIP on every node (VRIDs then run out at 255 per family).
 *   cold start  the controller (real client-node) starting against the test
 *               API server, a separate process that already holds 200 Nodes
 *               and 1,000 VirtualIPs: time until every VRRPNode is written,
 *               every VirtualIP has a status and the controller is idle; CPU
 *               of the controller's process and of the server's, apart.
 *   one change  one VirtualIP's spec edited, one VirtualIP added: the API
 *               writes that follow.
 *
 * Usage: node dist/bench/controller.js [--vips 1000] [--nodes 200] [--per-vip 3]
 *   [--repeats 10] [--concurrency 16] [--out bench/results-controller.md]
 *   [--json bench/results-controller.json] [--cpu-prof DIR]
 *
 * Cluster scale (issue 15; controller-scale.ts): with --services N, only
 * that run: N LoadBalancer Services plus --vips M VirtualIPs on --nodes K
 * nodes, bounded by --timeout seconds (default 300); prints one row of the
 * scale table and appends the figures, under --label, to
 * bench/results-controller-scale.json (not to --out).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { systemClock } from "../base/clock.js";
import { jsonLogger } from "../base/logger.js";
import { summarizeNode, type VirtualIP } from "../operator/api/types.js";
import { Controller } from "../operator/controller/controller.js";
import { clientNodeControllerApi, type ControllerKubeApi } from "../operator/controller/kube-api.js";
import { ControllerMetrics } from "../operator/controller/metrics.js";
import { plan } from "../operator/planner/index.js";
import { startBenchApiServer } from "./api-server.js";
import { benchScale, scaleHeader, scaleObjects, scaleRow } from "./controller-scale.js";
import { existsSync, readFileSync } from "node:fs";
import { machine } from "./multi.js";
import { clockTicks, cpuTicks } from "./procstat.js";
import { summarize, type Summary } from "./stats.js";

interface Options {
  readonly vips: number;
  readonly nodes: number;
  readonly perVip: number;
  readonly repeats: number;
  readonly concurrency: number;
  readonly out: string;
  readonly json: string | undefined;
  readonly cpuProf: string | undefined;
  /** Cluster-scale run (controller-scale.ts) when set. */
  readonly services: number | undefined;
  readonly timeoutS: number;
  readonly label: string;
}

const USAGE =
  "usage: controller.js [--vips 1000] [--nodes 200] [--per-vip 3] [--repeats 10] [--concurrency 16] [--out FILE] [--json FILE] [--cpu-prof DIR] [--services N --timeout 300 --label TEXT]";

function parseOptions(argv: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const name = arg.replace(/^--/, "");
    if (
      !arg.startsWith("--") ||
      !["vips", "nodes", "per-vip", "repeats", "concurrency", "out", "json", "cpu-prof", "services", "timeout", "label"].includes(name)
    )
      throw new Error(`unknown option ${arg}\n${USAGE}`);
    values.set(name, argv[++i] ?? "");
  }
  const count = (name: string, fallback: number, min = 1) => {
    const n = Number(values.get(name) ?? fallback);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected an integer >= ${min}, got ${values.get(name)}`);
    return n;
  };
  const json = values.get("json") ?? "bench/results-controller.json";
  return {
    vips: count("vips", 1000, values.has("services") ? 0 : 1),
    nodes: count("nodes", 200),
    perVip: count("per-vip", 3),
    repeats: count("repeats", 10),
    concurrency: count("concurrency", 16),
    out: values.get("out") ?? "bench/results-controller.md",
    json: json === "" ? undefined : json,
    cpuProf: values.get("cpu-prof"),
    services: values.has("services") ? count("services", 0) : undefined,
    timeoutS: count("timeout", 300),
    label: values.get("label") ?? "today",
  };
}

const GROUP_LABEL = "bench.floatip.io/group";

function nodeObject(i: number, perVip: number) {
  const v4 = i < 250 ? `198.51.100.${i + 1}` : `203.0.113.${(i % 250) + 1}`;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: `node-${String(i).padStart(3, "0")}`,
      labels: { "kubernetes.io/os": "linux", [GROUP_LABEL]: `g${Math.floor(i / perVip)}` },
      creationTimestamp: "2026-01-01T00:00:00Z",
    },
    status: {
      addresses: [
        { type: "InternalIP", address: v4 },
        { type: "InternalIP", address: `2001:db8:f::${(i + 1).toString(16)}` },
      ],
      conditions: [{ type: "Ready", status: "True" }],
    },
  };
}

/** VirtualIP i; on the node group i % groups, or (groups undefined) on every node. */
function vipObject(i: number, groups: number | undefined): VirtualIP {
  // Documentation ranges only: 192.0.2.0/24 and 203.0.113.0/24 hold 512 /32s, the rest IPv6.
  const address = i < 256 ? `192.0.2.${i}/32` : i < 512 ? `203.0.113.${i - 256}/32` : `2001:db8:1::${(i - 512).toString(16)}/128`;
  return {
    apiVersion: "floatip.io/v1alpha1",
    kind: "VirtualIP",
    metadata: {
      name: `vip-${String(i).padStart(4, "0")}`,
      creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      generation: 1,
    },
    spec: { addresses: [address], ...(groups !== undefined ? { nodeSelector: { [GROUP_LABEL]: `g${i % groups}` } } : {}) },
  };
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

interface PlannerResult {
  readonly scenario: string;
  readonly wallMs: Summary;
  readonly cpuMs: Summary;
  readonly rendered: number;
  readonly instances: number;
  readonly maxVrid: number;
  readonly maxSpecBytes: number;
}

function benchPlanner(scenario: string, vips: readonly VirtualIP[], o: Options): PlannerResult {
  const nodes = Array.from({ length: o.nodes }, (_, i) => summarizeNode(nodeObject(i, o.perVip)));
  plan({ virtualIPs: vips, nodes }); // warm-up
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < o.repeats; r++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    plan({ virtualIPs: vips, nodes });
    walls.push(performance.now() - start);
    cpus.push(cpuMs(cpu));
  }
  const result = plan({ virtualIPs: vips, nodes });
  const rendered = [...result.vips.values()].filter((p) => p.renderedNodes.length > 0);
  return {
    scenario,
    wallMs: summarize(walls),
    cpuMs: summarize(cpus),
    rendered: rendered.length,
    instances: [...result.nodes.values()].reduce((n, doc) => n + doc.instances.length, 0),
    maxVrid: Math.max(0, ...rendered.map((p) => p.virtualRouterID ?? 0)),
    maxSpecBytes: Math.max(0, ...[...result.nodes.values()].map((doc) => Buffer.byteLength(JSON.stringify(doc)))),
  };
}

interface Write {
  readonly method: string;
  readonly name: string;
}

/** The controller's API with every write recorded (reads and watches pass through). */
function recording(api: ControllerKubeApi, writes: Write[]): ControllerKubeApi {
  const record =
    <A extends unknown[]>(method: string, call: (name: string, ...rest: A) => Promise<void>) =>
    async (name: string, ...rest: A) => {
      writes.push({ method, name });
      await call(name, ...rest);
    };
  return {
    ...api,
    writeVrrpNodeSpec: record("writeVrrpNodeSpec", api.writeVrrpNodeSpec.bind(api)),
    deleteVrrpNode: record("deleteVrrpNode", api.deleteVrrpNode.bind(api)),
    patchVirtualIPStatus: record("patchVirtualIPStatus", api.patchVirtualIPStatus.bind(api)),
    setVirtualIPFinalizers: record("setVirtualIPFinalizers", api.setVirtualIPFinalizers.bind(api)),
    createEvent: async (event, now) => {
      writes.push({ method: "createEvent", name: event.name });
      await api.createEvent(event, now);
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitUntil(predicate: () => boolean, limitMs: number, what: string): Promise<void> {
  const end = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out after ${limitMs / 1000} s waiting for ${what}`);
    await sleep(20);
  }
}

interface ColdStart {
  readonly wallMs: number;
  readonly controllerCpuMs: number;
  readonly serverCpuMs: number;
  readonly syncs: number;
  readonly writes: Readonly<Record<string, number>>;
  readonly verified: string;
}

interface Change {
  readonly what: string;
  readonly writes: Readonly<Record<string, number>>;
  readonly total: number;
}

const tally = (writes: readonly Write[]) => {
  const out: Record<string, number> = {};
  for (const w of writes) out[w.method] = (out[w.method] ?? 0) + 1;
  return out;
};

async function benchColdStart(vips: readonly VirtualIP[], o: Options): Promise<{ cold: ColdStart; changes: Change[] }> {
  const nodes = Array.from({ length: o.nodes }, (_, i) => nodeObject(i, o.perVip));
  const server = await startBenchApiServer(
    nodes,
    vips.map((v) => ({ ...v, metadata: { name: v.metadata.name } })),
    o.cpuProf,
  );
  const writes: Write[] = [];
  const controller = new Controller({
    api: recording(clientNodeControllerApi(server.kc, "floatip-system"), writes),
    clock: systemClock(),
    wallClock: () => new Date(),
    logger: jsonLogger({ write: (line) => process.stderr.write(line), wallClock: () => new Date(), minLevel: "warn" }),
    metrics: new ControllerMetrics(),
    secretNamespace: "floatip-system",
    writeConcurrency: o.concurrency,
  });
  const session = o.cpuProf === undefined ? undefined : new Session();
  try {
    if (session !== undefined) {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
    }
    const serverTicks = cpuTicks(server.child.pid!) ?? 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    await controller.start();
    const distinct = (method: string) => new Set(writes.filter((w) => w.method === method).map((w) => w.name)).size;
    await waitUntil(
      () => distinct("writeVrrpNodeSpec") === o.nodes && distinct("patchVirtualIPStatus") === vips.length,
      600_000,
      "every VRRPNode and status",
    );
    await controller.idle();
    const wallMs = performance.now() - start;
    const controllerCpuMs = cpuMs(cpu);
    const serverCpuMs = (((cpuTicks(server.child.pid!) ?? 0) - serverTicks) * 1000) / clockTicks();
    if (session !== undefined) {
      const { profile } = await session.post("Profiler.stop");
      writeFileSync(join(o.cpuProf!, "controller.cpuprofile"), JSON.stringify(profile));
    }
    const cold = {
      wallMs,
      controllerCpuMs,
      serverCpuMs,
      syncs: controller.results.length,
      writes: tally(writes),
      verified: await verify(server.kc, o.nodes, vips.length),
    };

    const changes: Change[] = [];
    const custom = server.kc.makeApiClient(CustomObjectsApi);
    const crd = { group: "floatip.io", version: "v1alpha1", plural: "virtualips" };
    const measure = async (what: string, act: () => Promise<unknown>) => {
      const before = writes.length;
      const syncs = controller.results.length;
      await act();
      await waitUntil(() => controller.results.length > syncs, 30_000, `a sync after: ${what}`);
      // The controller's own writes come back as watch events; let those settle too.
      for (let i = 0; i < 3; i++) {
        await controller.idle();
        await sleep(300);
      }
      const after = writes.slice(before);
      changes.push({ what, writes: tally(after), total: after.length });
    };
    await measure("one VirtualIP's spec edited (preempt: false)", () =>
      custom.patchClusterCustomObject(
        { ...crd, name: vips[7]!.metadata.name, body: { spec: { preempt: false } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    );
    const added = vipObject(vips.length, o.nodes >= o.perVip ? Math.ceil(o.nodes / o.perVip) : undefined);
    await measure("one VirtualIP added", () =>
      custom.createClusterCustomObject({ ...crd, body: { ...added, metadata: { name: added.metadata.name } } }),
    );
    return { cold, changes };
  } finally {
    session?.disconnect();
    await controller.stop();
    await server.stop();
  }
}

/** Read back through the API: every VRRPNode exists, every VirtualIP has a status with a VRID. */
async function verify(kc: KubeConfig, nodes: number, vips: number): Promise<string> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const list = async (plural: string) =>
    (
      (await custom.listClusterCustomObject({ group: "floatip.io", version: "v1alpha1", plural })) as {
        items: Array<{ status?: { virtualRouterID?: number } }>;
      }
    ).items;
  const vrrpNodes = (await list("vrrpnodes")).length;
  const withVrid = (await list("virtualips")).filter((v) => typeof v.status?.virtualRouterID === "number").length;
  const ok = vrrpNodes === nodes && withVrid === vips;
  return `${ok ? "ok" : "MISMATCH"}: ${vrrpNodes}/${nodes} VRRPNodes, ${withVrid}/${vips} VirtualIPs with status.virtualRouterID`;
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const s = (n: number) => `${(n / 1000).toFixed(2)} s`;
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
/** etcd's default request size limit (--max-request-bytes): larger objects are refused. */
const ETCD_LIMIT_BYTES = 1.5 * 1024 * 1024;
const writeList = (w: Readonly<Record<string, number>>) =>
  Object.entries(w)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ") || "none";

function report(
  o: Options,
  planners: readonly PlannerResult[],
  cold: ColdStart | undefined,
  coldError: string | undefined,
  changes: readonly Change[],
): string {
  const main = planners[0]!;
  const plannerMet = main.wallMs.median < 200;
  const coldMet = cold !== undefined && cold.wallMs < 10_000;
  const edit = changes[0];
  const plannerRows = planners
    .map(
      (p) =>
        `| ${p.scenario} | ${ms(p.wallMs.median)} (p95 ${ms(p.wallMs.p95)}) | ${ms(p.cpuMs.median)} | ${p.rendered} | ${p.instances} | ${p.maxVrid} | ${kib(p.maxSpecBytes)}${p.maxSpecBytes > ETCD_LIMIT_BYTES ? " (over etcd's 1.5 MiB: refused)" : ""} |`,
    )
    .join("\n");
  return `# Controller benchmarks

${new Date().toISOString()} on ${machine()}

${o.vips} VirtualIPs, ${o.nodes} Nodes (each with an IPv4 and an IPv6 InternalIP); VirtualIPs 0..511 IPv4, the rest IPv6.
Planner: median of ${o.repeats} runs. Cold start: the controller with real client-node in this process, the
test API server (test/kube) in its own process; writes ${o.concurrency} at a time.

| target | result | met? |
|---|---|---|
| planner < 200 ms, ${o.vips} VirtualIPs × ${o.nodes} nodes (${o.perVip} each) | ${ms(main.wallMs.median)} wall (${ms(main.cpuMs.median)} CPU) | ${plannerMet ? "yes" : "no"} |
| cold start < 10 s | ${cold === undefined ? `did not finish: ${coldError}` : `${s(cold.wallMs)}; CPU: controller ${s(cold.controllerCpuMs)}, test API server ${s(cold.serverCpuMs)}`} | ${coldMet ? "yes" : "no"} |
| writes per single-VirtualIP change: only what it touches | ${edit === undefined ? "not measured" : `${edit.total} (${writeList(edit.writes)})`} | ${edit !== undefined && (edit.writes["writeVrrpNodeSpec"] ?? 0) <= o.perVip && (edit.writes["patchVirtualIPStatus"] ?? 0) <= 1 ? "yes" : "no"} |

## Planner

| scenario | wall: median (p95) | CPU: median | rendered | instances | highest VRID | largest VRRPNode spec |
|---|---|---|---|---|---|---|
${plannerRows}

## Cold start

${
  cold === undefined
    ? `Did not finish: ${coldError}`
    : `| measure | result |
|---|---|
| wall time until every VRRPNode is written, every VirtualIP has a status, the controller idle | ${s(cold.wallMs)} |
| CPU of the controller's process (planner, client-node, JSON) | ${s(cold.controllerCpuMs)} |
| CPU of the test API server's process | ${s(cold.serverCpuMs)} |
| syncs | ${cold.syncs} |
| writes | ${writeList(cold.writes)} |
| read back | ${cold.verified} |`
}

## Writes after one change

| change | writes |
|---|---|
${changes.map((c) => `| ${c.what} | ${c.total} (${writeList(c.writes)}) |`).join("\n")}
`;
}

/** The cluster-scale run alone; its row goes to stdout, its figures to bench/results-controller-scale.json. */
async function mainScale(o: Options, services: number): Promise<void> {
  const scale = { services, vips: o.vips, nodes: o.nodes, perVip: o.perVip, concurrency: o.concurrency, timeoutMs: o.timeoutS * 1000 };
  const { stored, created } = scaleObjects(scale);
  const server = await startBenchApiServer(stored, created);
  try {
    const result = await benchScale(server.kc, scale);
    const file = "bench/results-controller-scale.json";
    const runs = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as unknown[]) : [];
    runs.push({ label: o.label, date: new Date().toISOString(), machine: machine(), ...result });
    writeFileSync(file, `${JSON.stringify(runs, null, 1)}\n`);
    process.stdout.write(`${scaleHeader}\n${scaleRow(o.label, result)}\n`);
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o.services !== undefined) return mainScale(o, o.services);
  const groups = Math.ceil(o.nodes / o.perVip);
  const spread = Array.from({ length: o.vips }, (_, i) => vipObject(i, groups));
  const everywhere = Array.from({ length: o.vips }, (_, i) => vipObject(i, undefined));
  const planners = [
    benchPlanner(`${o.perVip} of ${o.nodes} nodes each`, spread, o),
    benchPlanner(`every VirtualIP on every node (worst case)`, everywhere, o),
  ];
  let cold: ColdStart | undefined;
  let coldError: string | undefined;
  let changes: Change[] = [];
  try {
    ({ cold, changes } = await benchColdStart(spread, o));
  } catch (error) {
    coldError = error instanceof Error ? error.message : String(error);
  }
  // The cluster-scale section (--services runs, kept by hand as before/after) survives a rerun of the rest.
  const previous = existsSync(o.out) ? readFileSync(o.out, "utf8") : "";
  const scale = previous.indexOf("\n## Cluster scale");
  const text = report(o, planners, cold, coldError, changes) + (scale >= 0 ? previous.slice(scale) : "");
  writeFileSync(o.out, text);
  if (o.json !== undefined) {
    writeFileSync(
      o.json,
      `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), options: o, planners, cold: cold ?? { error: coldError }, changes }, null, 1)}\n`,
    );
  }
  process.stdout.write(text);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
