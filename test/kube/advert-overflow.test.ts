/**
 * Overflow on the API test server (issue 15): more Cluster Services in one
 * group than its routers' adverts carry (255 IPv4 addresses × 2 routers on
 * 2 nodes). The controller serves every one without another VRID: what an
 * advert cannot carry rides as the router's excludedAddresses, which the
 * VRRPNode schema accepts. A VirtualIP riding excluded still shows its
 * router's VRID, master and Ready.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { systemClock } from "../../base/clock.js";
import { jsonLogger } from "../../base/logger.js";
import { restAgentApi } from "../../agent/kube/api.js";
import { kubeConfigEndpoint } from "../../agent/kube/endpoint.js";
import type { AgentInstanceDocument, VRRPNode } from "../../operator/api/types.js";
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
const SERVICES = 560;

type Vip = {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { addresses: string[] };
  status?: { virtualRouterID?: number; master?: string; conditions?: { type: string; status: string; reason?: string }[] };
};

describe("advert overflow: a group with more addresses than its adverts carry (controller on the API test server)", () => {
  let server: TestApiServer;
  let controller: Controller | undefined;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;

  before(async () => {
    server = await startTestApiServer({ crds });
    const kc = server.kubeConfig();
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    for (const [i, name] of ["n1", "n2"].entries()) {
      server.store.put({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name, labels: { "kubernetes.io/os": "linux" }, creationTimestamp: "2026-01-01T00:00:00Z" },
        status: { addresses: [{ type: "InternalIP", address: `203.0.113.${201 + i}` }], conditions: [{ type: "Ready", status: "True" }] },
      });
    }
  });
  after(async () => {
    await controller?.stop();
    await server.close();
  });

  const vrrpNodes = async () => ((await custom.listClusterCustomObject({ ...GROUP, plural: "vrrpnodes" })) as { items: VRRPNode[] }).items;
  const vips = async () => ((await custom.listClusterCustomObject({ ...GROUP, plural: "virtualips" })) as { items: Vip[] }).items;
  const agent = () => restAgentApi(kubeConfigEndpoint(server.kubeConfig()));

  it(`${SERVICES} Cluster Services on 2 nodes: all served on 2 VRIDs, 255 in each advert, the rest excluded; statuses per VirtualIP`, async () => {
    await custom.createClusterCustomObject({
      ...GROUP,
      plural: "virtualippools",
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIPPool",
        metadata: { name: "wide" },
        spec: { addresses: ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/25"], interfaces: ["eth1"] },
      },
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
    await waitFor(async () => (await vrrpNodes()).length === 2, 5000, "a VRRPNode per node");
    for (const node of ["n1", "n2"]) await agent().patchVrrpNodeStatus(node, { interfaces: ["eth0", "eth1", "lo"] });
    for (let i = 0; i < SERVICES; i++) {
      await core.createNamespacedService({
        namespace: "default",
        body: {
          metadata: { name: `wide-${i}`, namespace: "default" },
          spec: {
            type: "LoadBalancer",
            loadBalancerClass: LOAD_BALANCER_CLASS,
            externalTrafficPolicy: "Cluster",
            ports: [{ port: 80, protocol: "TCP" }],
            selector: { app: `wide-${i}` },
          },
        },
      });
    }
    const served = async () => (await vips()).filter((v) => v.status?.virtualRouterID !== undefined).length;
    await waitFor(async () => (await served()) === SERVICES, 30_000, `a VRID for each of ${SERVICES}`).catch(async (e: unknown) => {
      const left = (await vips()).filter((v) => v.status?.virtualRouterID === undefined);
      assert.fail(`${String(e)}: ${left.length} without, e.g. ${JSON.stringify(left[0]?.status)}`);
    });
    const services = (await core.listNamespacedService({ namespace: "default" })).items;
    assert.equal(
      services.filter((s) => (s.status?.loadBalancer?.ingress ?? []).length > 0).length,
      SERVICES,
      "every Service has its ingress",
    );
    const all = await vips();
    assert.deepEqual([...new Set(all.map((v) => v.status!.virtualRouterID))].sort(), [1, 2], "two routers: the group's spread, no more");
    assert.ok(
      all.every((v) => !(v.status?.conditions ?? []).some((c) => c.type === "Conflict" && c.status === "True")),
      "nothing exhausted",
    );

    const nodes = await vrrpNodes();
    const shape = (n: VRRPNode) => (n.spec.instances ?? []).map((i) => [i.name, i.addresses.length, i.excludedAddresses?.length ?? 0]);
    for (const n of nodes)
      assert.deepEqual(
        shape(n),
        [
          ["vrid-1-eth1", 255, 25],
          ["vrid-2-eth1", 255, 25],
        ],
        n.metadata.name,
      );
    const heldOn = (n: VRRPNode) => new Set((n.spec.instances ?? []).flatMap((i) => [...i.addresses, ...(i.excludedAddresses ?? [])]));
    for (const n of nodes)
      assert.ok(
        all.every((v) => heldOn(n).has(v.spec.addresses[0]!)),
        `${n.metadata.name} holds every address`,
      );

    // The agents report: n1 master of both routers. A VirtualIP riding excluded shows it like the others.
    const excluded = (nodes[0]!.spec.instances as readonly AgentInstanceDocument[]).find((i) => i.name === "vrid-1-eth1")!
      .excludedAddresses![0]!;
    for (const n of nodes) {
      await agent().patchVrrpNodeStatus(n.metadata.name, {
        observedGeneration: n.metadata.generation,
        updated: new Date().toISOString(),
        refreshInterval: "20s",
        interfaces: ["eth0", "eth1", "lo"],
        instances: (n.spec.instances ?? []).map((i) => ({
          name: i.name,
          state: n.metadata.name === "n1" ? "Master" : "Backup",
          priority: i.priority,
          effectivePriority: i.priority,
        })),
      });
    }
    const riding = async () => (await vips()).find((v) => v.spec.addresses[0] === excluded)!;
    await waitFor(async () => (await riding()).status?.master === "n1", 10_000, `the VirtualIP of ${excluded} shows its master`);
    const status = (await riding()).status!;
    assert.equal(status.virtualRouterID, 1);
    assert.equal(status.conditions?.find((c) => c.type === "Ready")?.status, "True");
  });
});
