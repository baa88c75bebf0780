/**
 * Controller benchmarks (issue targets: planner < 200 ms for 1,000
 * VirtualIPs over 200 nodes; cold start < 10 s; writes per single change):
 *
 *   planner     plan() over 1,000 VirtualIPs × 200 nodes, repeated, median.
 *   cold start  the controller (real client-node) starting against the test
 *               API server that already holds 200 Nodes and 1,000
 *               VirtualIPs: time until every VRRPNode is written and every
 *               VirtualIP has a status.
 *   one change  one VirtualIP's spec edited: API writes that follow.
 *
 * Usage: node dist/bench/controller.js [--repeats N] [--out FILE]
 */
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { systemClock } from "../agent/runtime/clock.js";
import { jsonLogger } from "../agent/runtime/logger.js";
import type { VirtualIP } from "../operator/api/types.js";
import { Controller } from "../operator/controller/controller.js";
import { clientNodeControllerApi } from "../operator/controller/kube-api.js";
import { ControllerMetrics } from "../operator/controller/metrics.js";
import { plan } from "../operator/planner/index.js";
import { summarizeNode } from "../operator/api/types.js";
import { startTestApiServer } from "../test/kube/server.js";
import { summarize } from "./stats.js";

const VIPS = Number(process.env["BENCH_VIPS"] ?? 1000);
const NODES = Number(process.env["BENCH_NODES"] ?? 200);

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function nodeObject(i: number) {
  const v4 = i < 250 ? `198.51.100.${i + 1}` : `203.0.113.${(i % 250) + 1}`;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: `node-${String(i).padStart(3, "0")}`, labels: { "kubernetes.io/os": "linux" }, creationTimestamp: "2026-01-01T00:00:00Z" },
    status: { addresses: [{ type: "InternalIP", address: v4 }], conditions: [{ type: "Ready", status: "True" }] },
  };
}

function vipObject(i: number): VirtualIP {
  // Documentation ranges only: 192.0.2.0/24 and 203.0.113.0/24 hold 512 /32s, the rest IPv6.
  const address = i < 256 ? `192.0.2.${i}/32` : i < 512 ? `203.0.113.${i - 256}/32` : `2001:db8:1::${(i - 512).toString(16)}/128`;
  return {
    apiVersion: "floatip.io/v1alpha1",
    kind: "VirtualIP",
    metadata: { name: `vip-${String(i).padStart(4, "0")}`, creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), generation: 1 },
    spec: { addresses: [address] },
  };
}

async function waitUntil(predicate: () => boolean, limitMs: number): Promise<void> {
  const end = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main(): Promise<void> {
  const repeats = Number(arg("repeats", "10"));
  const out = arg("out", "bench/results-controller.md");
  const vips = Array.from({ length: VIPS }, (_, i) => vipObject(i));
  const nodes = Array.from({ length: NODES }, (_, i) => summarizeNode(nodeObject(i)));

  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    plan({ virtualIPs: vips, nodes });
    times.push(performance.now() - start);
  }
  const planner = summarize(times);
  const rendered = [...plan({ virtualIPs: vips, nodes }).vips.values()].filter((p) => p.renderedNodes.length > 0).length;

  const server = await startTestApiServer({ crds: ["crds/virtualip.yaml", "crds/vrrpnode.yaml"] });
  let coldMs = Number.NaN;
  let writesPerChange = Number.NaN;
  let writeKinds = "";
  const logger = jsonLogger({ write: () => undefined, wallClock: () => new Date() });
  const controller = new Controller({
    api: clientNodeControllerApi(server.kubeConfig(), "floatip-system"),
    clock: systemClock(),
    wallClock: () => new Date(),
    logger,
    metrics: new ControllerMetrics(),
    secretNamespace: "floatip-system",
  });
  try {
    for (let i = 0; i < NODES; i++) server.store.put(nodeObject(i));
    for (const v of vips) server.store.put(v as unknown as Parameters<typeof server.store.put>[0]);
    const start = performance.now();
    await controller.start();
    await waitUntil(
      () =>
        server.store.list("vrrpnodes").length === NODES &&
        server.store.list("virtualips").every((v) => (v as { status?: unknown }).status !== undefined),
      600_000,
    );
    await controller.idle();
    coldMs = performance.now() - start;

    const before = server.requestLog.length;
    const target = server.store.get("virtualips", "vip-0007") as unknown as VirtualIP;
    server.store.put({ ...target, metadata: { ...target.metadata, generation: 2 }, spec: { ...target.spec, preempt: false } } as never);
    await new Promise((r) => setTimeout(r, 300));
    await controller.idle();
    const writes = server.requestLog.slice(before).filter((e) => e.method !== "GET");
    writesPerChange = writes.length;
    writeKinds = [...new Set(writes.map((w) => `${w.method} ${w.resource ?? w.path}`))].join(", ");
  } finally {
    await controller.stop();
    await server.close();
  }

  const text = `# Controller benchmarks

${new Date().toISOString()}, Node ${process.version}

| measure | result | target |
|---|---|---|
| planner, ${VIPS} VirtualIPs × ${NODES} nodes (median of ${repeats}; p95) | ${planner.median.toFixed(1)} ms; ${planner.p95.toFixed(1)} ms | < 200 ms |
| cold start: controller → every VRRPNode written and every VirtualIP with a status | ${(coldMs / 1000).toFixed(2)} s | < 10 s |
| API writes after one VirtualIP's spec changes | ${writesPerChange} (${writeKinds}) | only the VRRPNodes it touches |

${rendered} of ${VIPS} VirtualIPs are rendered: VRIDs are unique per address family in the cluster (255 each), so the rest get vrid-exhausted.
`;
  writeFileSync(out, text);
  process.stdout.write(text);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
