/**
 * A VRRPNode change (priority, unicast peers, one more address) is applied
 * to the running router in place (issue 15, item 3), in Kubernetes mode:
 * two `agent --kubernetes` cores (KubeAgent with the real client-node)
 * against the API test server, each running real AgentSupervisors whose
 * routers talk over an in-memory segment (runtime/fakes.ts) in real time.
 * The VRRPNodes change one after the other, as they reach nodes at different
 * moments: no transition, the master only adds the new address, the backup
 * touches nothing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { restAgentApi } from "../../agent/kube/api.js";
import { kubeConfigEndpoint } from "../../agent/kube/endpoint.js";
import type { CachedConfig, ConfigCache } from "../../agent/kube/config-cache.js";
import { KubeAgent } from "../../agent/kube/kube-agent.js";
import { PodIndex } from "../../agent/kube/pod-index.js";
import type { LinkInfo } from "../../agent/os/ports.js";
import { FakeSpawner } from "../../agent/health/fakes.js";
import { systemClock } from "../../base/clock.js";
import { FakeAddressTable, FakeAnnouncer, FakeSegment, fakeTransports } from "../../agent/runtime/fakes.js";
import { jsonLogger } from "../../base/logger.js";
import { AgentMetrics } from "../../agent/runtime/metrics.js";
import { AgentSupervisor } from "../../agent/runtime/supervisor.js";
import { startTestApiServer, type TestApiServer } from "./server.js";
import { waitFor } from "./testutil.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const NODES = [
  { name: "a", ip: "192.0.2.11", priority: 150 },
  { name: "b", ip: "192.0.2.12", priority: 100 },
] as const;
const ABSENT_PEER = "192.0.2.13";

const memoryCache = (): ConfigCache => {
  let entry: CachedConfig | undefined;
  return { load: async () => entry, save: async (e) => void (entry = e) };
};

interface Node {
  readonly name: string;
  readonly ip: string;
  readonly table: FakeAddressTable;
  readonly supervisor: AgentSupervisor;
  readonly agent: KubeAgent;
  readonly logs: string[];
}

describe("a VRRPNode change is applied in place (API test server, real client-node)", { timeout: 60_000 }, () => {
  let server: TestApiServer;
  const nodes: Node[] = [];
  let generation = 1;

  const spec = (n: (typeof NODES)[number], change: { priority: number; peers: readonly string[]; addresses: readonly string[] }) => ({
    instances: [
      {
        name: "web",
        interface: "eth0",
        virtualRouterId: 51,
        priority: change.priority,
        advertInterval: "100ms",
        addresses: change.addresses,
        unicast: { source: n.ip, peers: change.peers },
      },
    ],
  });
  const putSpec = (name: string, body: unknown) =>
    server.store.put({
      apiVersion: "floatip.io/v1alpha1",
      kind: "VRRPNode",
      metadata: { name, generation: ++generation },
      spec: body,
    } as never);

  before(async () => {
    server = await startTestApiServer({ crds: ["crds/virtualip.yaml", "crds/vrrpnode.yaml"].map((f) => root + f) });
    const segment = new FakeSegment();
    const clock = systemClock();
    for (const n of NODES) {
      const other = NODES.find((o) => o.name !== n.name)!;
      putSpec(n.name, spec(n, { priority: n.priority, peers: [other.ip], addresses: ["192.0.2.5/24"] }));
      const logs: string[] = [];
      const logger = jsonLogger({ write: (l) => logs.push(l), wallClock: () => new Date(), minLevel: "info" });
      const table = new FakeAddressTable();
      const supervisor = new AgentSupervisor({
        clock,
        transports: fakeTransports(segment, n.ip),
        addresses: table,
        announcer: new FakeAnnouncer(),
        metrics: new AgentMetrics(),
        logger,
        spawner: new FakeSpawner(),
        readFile: async () => "0",
        wallClock: () => new Date(),
        stateDir: mkdtempSync(join(tmpdir(), "floatip-kube-inplace-")),
      });
      const links: LinkInfo[] = [
        { name: "eth0", index: 2, mac: "02:00:00:00:00:01", up: true, addresses: [{ address: n.ip, family: 4, prefixLength: 24 }] },
      ];
      const agent = new KubeAgent({
        api: restAgentApi(kubeConfigEndpoint(server.kubeConfig())),
        nodeName: n.name,
        runner: supervisor,
        pods: new PodIndex(),
        cache: memoryCache(),
        links: async () => links,
        clock,
        wallClock: () => new Date(),
        logger,
        statusIntervalMs: 50,
      });
      await agent.start();
      nodes.push({ name: n.name, ip: n.ip, table, supervisor, agent, logs });
    }
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.agent.stop()));
    await Promise.all(nodes.map((n) => n.supervisor.stop()));
    await server?.close();
  });

  const phase = (n: Node) => n.supervisor.snapshot()[0]?.phase;
  const transitions = (n: Node) => n.logs.filter((l) => /"msg":"(initialize|backup|master|fault) -> /.test(l));

  it("priority and peers on both nodes, one more address: no transition, the master adds only the new address", async () => {
    const [a, b] = nodes as [Node, Node];
    await waitFor(() => phase(a) === "master" && phase(b) === "backup" && a.table.has("eth0", "192.0.2.5"), 10_000, "a master, b backup");
    const before = { a: transitions(a).length, b: transitions(b).length, aTable: a.table.log.length, bTable: b.table.log.length };
    const next = ["192.0.2.5/24", "192.0.2.6/24"];
    putSpec("a", spec(NODES[0], { priority: 200, peers: [b.ip, ABSENT_PEER], addresses: next }));
    await waitFor(() => a.table.has("eth0", "192.0.2.6"), 5000, "a took the new address");
    await new Promise((r) => setTimeout(r, 300)); // b still has the old list and peers
    putSpec("b", spec(NODES[1], { priority: 110, peers: [a.ip, ABSENT_PEER], addresses: next }));
    await waitFor(() => b.logs.filter((l) => l.includes('"msg":"applied VRRPNode spec"')).length >= 2, 5000, "b applied its new spec");
    await new Promise((r) => setTimeout(r, 1000));

    const diag = () => `--- a:\n${a.logs.slice(-20).join("\n")}\n--- b:\n${b.logs.slice(-20).join("\n")}`;
    assert.deepEqual(transitions(a).slice(before.a), [], diag());
    assert.deepEqual(transitions(b).slice(before.b), [], diag());
    assert.deepEqual(a.table.log.slice(before.aTable), ["add eth0 192.0.2.6/24"], diag());
    assert.deepEqual(b.table.log.slice(before.bTable), [], diag());
    assert.equal(a.supervisor.snapshot()[0]?.effectivePriority, 200);
    assert.equal(b.supervisor.snapshot()[0]?.masterAddress, a.ip);
  });
});
