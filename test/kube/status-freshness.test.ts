/**
 * Fresh status (issue 14 item 4), against the Kubernetes API test server
 * with the real @kubernetes/client-node: the controller and two
 * `agent --kubernetes` cores (KubeAgent; the VRRP routers are a stand-in
 * that reports node a master, b backup). Node a reaches the API server
 * through a TCP relay the test can cut, as a network partition would. With
 * a 500 ms status refresh the bound is 1.5 s: within it after the cut,
 * a's router shows Unknown, no master is claimed, Ready is no longer True
 * (kubectl get vip too); when the relay is back everything recovers.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect, type Server, type Socket } from "node:net";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { restAgentApi } from "../../agent/kube/api.js";
import { kubeConfigEndpoint } from "../../agent/kube/endpoint.js";
import type { CachedConfig, ConfigCache } from "../../agent/kube/config-cache.js";
import { KubeAgent, type Runner } from "../../agent/kube/kube-agent.js";
import { PodIndex } from "../../agent/kube/pod-index.js";
import type { AgentConfig } from "../../agent/config/types.js";
import { systemClock } from "../../base/clock.js";
import { jsonLogger } from "../../base/logger.js";
import type { RouterSnapshot } from "../../agent/runtime/router.js";
import { Controller } from "../../operator/controller/controller.js";
import { startTestApiServer, type TestApiServer } from "./server.js";
import { testController } from "./test-controller.js";
import { kubectl } from "./tools.js";

const REFRESH_MS = 500;
const BOUND_MS = 3 * REFRESH_MS;

/** A TCP relay to the API server that can be cut (connections dropped, refused) and restored on the same port. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: number) {}
  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }
  async cut(): Promise<void> {
    if (this.server?.listening !== true) return;
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

class StandInRouters implements Runner {
  private config: AgentConfig | undefined;
  constructor(private readonly phase: RouterSnapshot["phase"]) {}
  async apply(config: AgentConfig) {
    this.config = config;
    return { added: config.instances.map((i) => i.name), removed: [], replaced: [], updated: [], unchanged: [] };
  }
  snapshot(): RouterSnapshot[] {
    return (this.config?.instances ?? []).map((i) => ({
      name: i.name,
      phase: this.phase,
      priority: i.priority,
      effectivePriority: i.priority,
      masterAddress: undefined,
      since: 0,
      conflicts: [],
    }));
  }
}

class NoCache implements ConfigCache {
  async load(): Promise<CachedConfig | undefined> {
    return undefined;
  }
  async save(): Promise<void> {}
}

interface VipStatus {
  status?: {
    master?: string;
    nodes?: { name: string; state: string }[];
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

const quiet = jsonLogger({ write: () => undefined, wallClock: () => new Date() });

describe("fresh status: a node cut off from the API server", { timeout: 60_000 }, () => {
  let server: TestApiServer;
  let relay: Relay;
  let controller: Controller;
  const agents: KubeAgent[] = [];

  before(async () => {
    server = await startTestApiServer({ crds: ["crds/virtualip.yaml", "crds/vrrpnode.yaml"] });
    for (const [name, ip] of [
      ["a", "198.51.100.1"],
      ["b", "198.51.100.2"],
    ] as const) {
      server.store.put({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name, labels: {} },
        status: { addresses: [{ type: "InternalIP", address: ip }], conditions: [{ type: "Ready", status: "True" }] },
      });
    }
    relay = new Relay(server.port);
    await relay.open();
    const clock = systemClock();
    controller = testController(server.kubeConfig(), "floatip-system", { loadBalancers: false, clock, logger: quiet });
    await controller.start();
    for (const [name, phase] of [
      ["a", "master"],
      ["b", "backup"],
    ] as const) {
      const doc = server.kubeconfig() as { clusters: { cluster: { server: string } }[] };
      if (name === "a") for (const c of doc.clusters) c.cluster.server = `http://127.0.0.1:${relay.port}`;
      const kc = new KubeConfig();
      kc.loadFromString(JSON.stringify(doc));
      const agent = new KubeAgent({
        api: restAgentApi(kubeConfigEndpoint(kc)),
        nodeName: name,
        runner: new StandInRouters(phase),
        pods: new PodIndex(),
        cache: new NoCache(),
        links: async () => [],
        clock,
        wallClock: () => new Date(),
        logger: quiet,
        statusIntervalMs: 100,
        statusRefreshMs: REFRESH_MS,
      });
      await agent.start();
      agents.push(agent);
    }
  });

  after(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await controller?.stop();
    await relay?.cut();
    await server?.close();
  });

  const custom = () => server.kubeConfig().makeApiClient(CustomObjectsApi);
  const vipStatus = async () =>
    (await custom().getClusterCustomObject({ group: "floatip.io", version: "v1alpha1", plural: "virtualips", name: "web" })) as VipStatus;
  const ready = (v: VipStatus) => v.status?.conditions?.find((c) => c.type === "Ready");
  const until = async <T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms; last status ${JSON.stringify((await vipStatus()).status)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it(`within ${BOUND_MS} ms (+ a write and a sync) the cut-off master shows Unknown and Ready is not True; it recovers when a is back`, async () => {
    await custom().createClusterCustomObject({
      group: "floatip.io",
      version: "v1alpha1",
      plural: "virtualips",
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIP",
        metadata: { name: "web" },
        spec: { addresses: ["192.0.2.5/24"], interface: "eth0", priorities: { a: 200, b: 100 } },
      },
    });
    await until("a master, Ready", 10_000, async () => {
      const v = await vipStatus();
      return v.status?.master === "a" && ready(v)?.status === "True" ? v : undefined;
    });
    // Quiet for longer than the bound: heartbeats keep the report trusted.
    await new Promise((r) => setTimeout(r, 2 * BOUND_MS));
    assert.equal(ready(await vipStatus())?.status, "True", "refreshed reports stay trusted without transitions");

    await relay.cut();
    const cut = Date.now();
    const unknown = await until("a Unknown", BOUND_MS + 2000, async () => {
      const v = await vipStatus();
      return v.status?.nodes?.find((n) => n.name === "a")?.state === "Unknown" ? v : undefined;
    });
    const took = Date.now() - cut;
    assert.ok(took <= BOUND_MS + 1000, `Unknown after ${took} ms (bound ${BOUND_MS} ms from a's last write)`);
    assert.equal(unknown.status?.master, undefined, "no master claimed on a's word");
    assert.equal(ready(unknown)?.status, "Unknown");
    assert.equal(ready(unknown)?.reason, "StatusUnknown");
    assert.deepEqual(
      unknown.status?.nodes?.map((n) => `${n.name}:${n.state}`),
      ["a:Unknown", "b:Backup"],
    );
    const table = await kubectl(server, ["get", "vip", "web"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /web\s+\["192\.0\.2\.5\/24"\]\s+\d+\s+Unknown\s/, table.stdout);

    await relay.open(); // the same port: a's client reconnects
    await until("a master again, Ready", 10_000, async () => {
      const v = await vipStatus();
      return v.status?.master === "a" && ready(v)?.status === "True" && v.status.nodes?.find((n) => n.name === "a")?.state === "Master"
        ? v
        : undefined;
    });
  });
});
