/**
 * Masters spread over the nodes and stay put (operator/planner/masters.ts),
 * with the real controller and client-node on the API test server: four
 * nodes, eight LoadBalancer Services of one pool (four routers). Each node
 * is the chosen master (top priority) of one router; once the agents report
 * (VRRPNode statuses written as the agent writes them), a node that joins
 * takes no router, and a node that leaves hands only its own router to that
 * router's backup.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { systemClock } from "../../base/clock.js";
import { jsonLogger } from "../../base/logger.js";
import { restAgentApi } from "../../agent/kube/api.js";
import { kubeConfigEndpoint } from "../../agent/kube/endpoint.js";
import type { VRRPNode } from "../../operator/api/types.js";
import { Controller } from "../../operator/controller/controller.js";
import { clientNodeControllerApi } from "../../operator/controller/kube-api.js";
import { ControllerMetrics } from "../../operator/controller/metrics.js";
import { LOAD_BALANCER_CLASS } from "../../operator/lb/service.js";
import { loadCrdFile } from "./crd.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { waitFor } from "./testutil.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const GROUP = { group: "floatip.io", version: "v1alpha1" };
const NAMESPACE = "floatip-system";
const crds = ["crds/virtualip.yaml", "crds/vrrpnode.yaml", "crds/virtualippool.yaml"].map((f) => loadCrdFile(root + f)[0]!);

describe("masters spread over the nodes and stay put (controller on the API test server)", () => {
  let server: TestApiServer;
  let controller: Controller | undefined;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;

  const putNode = (name: string, i: number) =>
    server.store.put({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, labels: { "kubernetes.io/os": "linux" }, creationTimestamp: "2026-01-01T00:00:00Z" },
      status: { addresses: [{ type: "InternalIP", address: `198.51.100.${11 + i}` }], conditions: [{ type: "Ready", status: "True" }] },
    });

  before(async () => {
    server = await startTestApiServer({ crds });
    const kc = server.kubeConfig();
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    for (const [i, name] of ["n1", "n2", "n3", "n4"].entries()) putNode(name, i);
  });
  after(async () => {
    await controller?.stop();
    await server.close();
  });

  const vrrpNodes = async () => ((await custom.listClusterCustomObject({ ...GROUP, plural: "vrrpnodes" })) as { items: VRRPNode[] }).items;
  /** Router (instance) -> the node that runs it at the top priority, and the runner-up. */
  const ranking = async () => {
    const byRouter = new Map<string, [string, number][]>();
    for (const n of await vrrpNodes())
      for (const i of n.spec.instances ?? [])
        byRouter.set(i.name, [...(byRouter.get(i.name) ?? []), [n.metadata.name, i.priority ?? 0] as [string, number]]);
    return new Map([...byRouter].map(([r, ps]) => [r, ps.sort((a, b) => b[1] - a[1]).map(([n]) => n)]));
  };
  const masters = async () => new Map([...(await ranking())].map(([r, order]) => [r, order[0]!]));
  /** What each node's agent reports: every instance it runs, Master at the top priority, else Backup. */
  const report = async () => {
    const agent = restAgentApi(kubeConfigEndpoint(server.kubeConfig()));
    const now = new Date().toISOString();
    for (const n of await vrrpNodes()) {
      const instances = (n.spec.instances ?? []).map((i) => ({
        name: i.name,
        state: i.priority === 250 ? "Master" : "Backup",
        priority: i.priority ?? 0,
        effectivePriority: i.priority ?? 0,
        since: now,
        transitions: 1,
      }));
      await agent.patchVrrpNodeStatus(n.metadata.name, {
        observedGeneration: n.metadata.generation,
        updated: now,
        refreshInterval: "1h",
        instances,
        configErrors: [],
      });
    }
  };
  type Vip = { status?: { master?: string } };
  const allReported = async () =>
    ((await custom.listClusterCustomObject({ ...GROUP, plural: "virtualips" })) as { items: Vip[] }).items.every(
      (v) => v.status?.master !== undefined,
    );

  it("one router mastered per node; a node joining moves none; a node leaving moves only its own, to its backup", async () => {
    await custom.createClusterCustomObject({
      ...GROUP,
      plural: "virtualippools",
      body: { apiVersion: "floatip.io/v1alpha1", kind: "VirtualIPPool", metadata: { name: "p" }, spec: { addresses: ["192.0.2.0/24"] } },
    });
    const api = clientNodeControllerApi(server.kubeConfig(), NAMESPACE);
    controller = new Controller({
      api,
      clock: systemClock(),
      wallClock: () => new Date(),
      logger: jsonLogger({ write: () => undefined, wallClock: () => new Date() }),
      metrics: new ControllerMetrics(),
      secretNamespace: NAMESPACE,
      debounceMs: 20,
      loadBalancers: { api, defaultClass: false },
    });
    await controller.start();
    for (let i = 0; i < 8; i++) {
      await core.createNamespacedService({
        namespace: "default",
        body: {
          metadata: { name: `s${i}`, namespace: "default" },
          spec: {
            type: "LoadBalancer",
            loadBalancerClass: LOAD_BALANCER_CLASS,
            externalTrafficPolicy: "Cluster",
            ports: [{ port: 80, protocol: "TCP" }],
            selector: { app: `s${i}` },
          },
        },
      });
    }
    const carried = async () =>
      (await vrrpNodes()).reduce((sum, n) => sum + (n.spec.instances ?? []).reduce((s, i) => s + i.addresses.length, 0), 0);
    await waitFor(async () => (await carried()) === 8 * 3, 10_000, "8 addresses on 3 candidates each");
    const first = await masters();
    assert.equal(first.size, 4, "four routers (one per node: the group's spread)");
    assert.deepEqual([...first.values()].sort(), ["n1", "n2", "n3", "n4"], `one router mastered per node: ${JSON.stringify([...first])}`);

    await report();
    await waitFor(allReported, 10_000, "every VirtualIP's status names its master");

    putNode("n5", 4);
    await waitFor(async () => (await vrrpNodes()).some((n) => n.metadata.name === "n5"), 10_000, "a VRRPNode for n5");
    await new Promise((r) => setTimeout(r, 300)); // more syncs: nothing may move
    assert.deepEqual(await masters(), first, "a node that joins moves no master");

    await report();
    const order = await ranking();
    const leaving = "n2";
    const own = [...first].find(([, m]) => m === leaving)![0];
    server.store.remove("nodes", leaving);
    await waitFor(
      async () => !(await vrrpNodes()).some((n) => (n.spec.instances ?? []).length > 0 && n.metadata.name === leaving),
      10_000,
      "n2 runs nothing",
    );
    await new Promise((r) => setTimeout(r, 300));
    const now = await masters();
    for (const [router, master] of first) {
      if (router === own) assert.equal(now.get(router), order.get(router)![1], `${router} goes to its backup`);
      else assert.equal(now.get(router), master, `${router} keeps its master`);
    }
  });
});
