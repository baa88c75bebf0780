/**
 * One VirtualIP no node can hold must not freeze the others (issue 13
 * finding 2). The controller and two agents' Kubernetes sides run in this
 * process against the API test server with the real client-node; the agents'
 * VRRP is a stand-in runner (node "a" wins every election), so this test is
 * about the spec and status flow, not the wire (test/lab/kube-refusals.test.ts
 * runs real agents).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import type { AgentConfig } from "../../agent/config/types.js";
import { restAgentApi } from "../../agent/kube/api.js";
import { kubeConfigEndpoint } from "../../agent/kube/endpoint.js";
import type { CachedConfig, ConfigCache } from "../../agent/kube/config-cache.js";
import { KubeAgent } from "../../agent/kube/kube-agent.js";
import { PodIndex } from "../../agent/kube/pod-index.js";
import type { LinkInfo } from "../../agent/os/ports.js";
import { systemClock } from "../../base/clock.js";
import { jsonLogger } from "../../base/logger.js";
import type { RouterSnapshot } from "../../agent/runtime/router.js";
import type { ApplyReport } from "../../agent/runtime/supervisor.js";
import type { Condition, VirtualIP } from "../../operator/api/types.js";
import { Controller } from "../../operator/controller/controller.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { testController } from "./test-controller.js";
import { waitFor } from "./testutil.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const VIPS = { group: "floatip.io", version: "v1alpha1", plural: "virtualips" };
const NAMESPACE = "floatip-system";
const NODES = [
  { name: "a", ip: "192.0.2.11" },
  { name: "b", ip: "192.0.2.12" },
];

/** The agent's VRRP side as this test needs it: node "a" is master of whatever it runs. */
class StandInRunner {
  config: AgentConfig | undefined;
  constructor(private readonly master: boolean) {}
  async apply(config: AgentConfig): Promise<ApplyReport> {
    this.config = config;
    return { added: [], removed: [], replaced: [], updated: [], unchanged: [] };
  }
  snapshot(): RouterSnapshot[] {
    return (this.config?.instances ?? []).map((i) => ({
      name: i.name,
      phase: this.master ? "master" : "backup",
      priority: i.priority,
      effectivePriority: i.priority,
      masterAddress: undefined,
      since: 0,
      conflicts: [],
    }));
  }
}

const memoryCache = (): ConfigCache => {
  let entry: CachedConfig | undefined;
  return { load: async () => entry, save: async (e) => void (entry = e) };
};

describe("a VirtualIP no node can hold (API test server, real client-node)", () => {
  let server: TestApiServer;
  let controller: Controller;
  const agents: KubeAgent[] = [];
  const runners = new Map<string, StandInRunner>();
  let custom: CustomObjectsApi;
  const quiet = jsonLogger({ write: () => undefined, wallClock: () => new Date() });

  before(async () => {
    server = await startTestApiServer({ crds: ["crds/virtualip.yaml", "crds/vrrpnode.yaml"].map((f) => root + f) });
    const kc = server.kubeConfig();
    custom = kc.makeApiClient(CustomObjectsApi);
    for (const n of NODES) {
      server.store.put({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name: n.name, labels: { "kubernetes.io/os": "linux" }, creationTimestamp: "2026-01-01T00:00:00Z" },
        status: { addresses: [{ type: "InternalIP", address: n.ip }], conditions: [{ type: "Ready", status: "True" }] },
      });
    }
    controller = testController(kc, NAMESPACE, { loadBalancers: false, logger: quiet });
    await controller.start();
    for (const n of NODES) {
      const runner = new StandInRunner(n.name === "a");
      runners.set(n.name, runner);
      const links: LinkInfo[] = [
        { name: "eth0", index: 2, mac: "02:00:00:00:00:01", up: true, addresses: [{ address: n.ip, family: 4, prefixLength: 24 }] },
      ];
      const agent = new KubeAgent({
        api: restAgentApi(kubeConfigEndpoint(kc)),
        nodeName: n.name,
        runner,
        pods: new PodIndex(),
        cache: memoryCache(),
        links: async () => links,
        clock: systemClock(),
        wallClock: () => new Date(),
        logger: quiet,
        statusIntervalMs: 50,
      });
      agents.push(agent);
      await agent.start();
    }
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await controller.stop();
    await server.close();
  });

  const create = (name: string, address: string) =>
    custom.createClusterCustomObject({
      ...VIPS,
      body: { apiVersion: "floatip.io/v1alpha1", kind: "VirtualIP", metadata: { name }, spec: { addresses: [address] } },
    });
  const get = async (name: string): Promise<VirtualIP | undefined> => {
    try {
      return (await custom.getClusterCustomObject({ ...VIPS, name })) as VirtualIP;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  };
  const condition = async (name: string, type: string): Promise<Condition | undefined> =>
    (await get(name))?.status?.conditions?.find((c) => c.type === type);
  // By address: a router (vrid-<N>) carries the addresses of every VirtualIP packed into it.
  const running = (node: string) =>
    (runners.get(node)!.config?.instances ?? [])
      .flatMap((i) => i.addresses.map((a) => ({ "192.0.2.6": "old", "192.0.2.5": "web" })[a.address] ?? a.address))
      .sort();

  it("the unholdable VirtualIP says why on its conditions and in an Event", async () => {
    await create("old", "192.0.2.6/24");
    await waitFor(async () => (await get("old"))?.status?.master === "a", 5000, "old's master is a");
    await create("far", "198.51.100.5/24");
    const accepted = await waitFor(
      async () => {
        const c = await condition("far", "Accepted");
        return c?.status === "False" ? c : undefined;
      },
      5000,
      "far Accepted=False",
    );
    assert.equal(accepted.reason, "RefusedByNode");
    assert.match(accepted.message, /^a: interface: not given, and no interface has an address whose subnet contains 198\.51\.100\.5; b: /);
    assert.equal((await condition("far", "Ready"))?.reason, "RefusedByNode");
    const core = server.kubeConfig().makeApiClient(CoreV1Api);
    const events = await waitFor(
      async () => {
        const list = await core.listNamespacedEvent({ namespace: NAMESPACE });
        const found = list.items.filter((e) => e.involvedObject.name === "far" && e.reason === "RefusedByNode");
        return found.length > 0 ? found : undefined;
      },
      5000,
      "a RefusedByNode Event",
    );
    assert.match(events[0]!.message ?? "", /198\.51\.100\.5/);
  });

  it("while it exists, a new VirtualIP gets a master", async () => {
    await create("web", "192.0.2.5/24");
    await waitFor(async () => (await get("web"))?.status?.master === "a", 5000, "web's master is a");
    assert.deepEqual(running("a"), ["old", "web"]);
    assert.equal((await condition("web", "Accepted"))?.status, "True");
  });

  it("while it exists, a deleted VirtualIP is released and its object finishes Terminating", async () => {
    await custom.deleteClusterCustomObject({ ...VIPS, name: "old" });
    await waitFor(async () => (await get("old")) === undefined, 5000, "old gone");
    assert.ok(!running("a").includes("old") && !running("b").includes("old"), "old released on every node");
    assert.equal((await get("far"))?.status?.master, undefined);
  });
});
