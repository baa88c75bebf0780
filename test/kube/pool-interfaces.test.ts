/**
 * VirtualIPPool spec.interfaces (issue 19, part 3), on the API test server
 * with the real client-node, the controller, and the agent's own status
 * write: two nodes, only one of which reports eth1. A Service of a pool
 * limited to eth1 is rendered on that node only, on eth1; a node that
 * reports eth1 later becomes a candidate; the schema refuses a bad name.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { restAgentApi } from "../../agent/kube/api.js";
import { kubeConfigEndpoint } from "../../agent/kube/endpoint.js";
import { nodeStatus } from "../../agent/kube/node-status.js";
import type { VRRPNode } from "../../operator/api/types.js";
import { Controller } from "../../operator/controller/controller.js";
import { LOAD_BALANCER_CLASS } from "../../operator/lb/service.js";
import { loadCrdFile } from "./crd.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { testController } from "./test-controller.js";
import { rejects, waitFor } from "./testutil.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const GROUP = { group: "floatip.io", version: "v1alpha1" };
const NAMESPACE = "floatip-system";
const crds = ["crds/virtualip.yaml", "crds/vrrpnode.yaml", "crds/virtualippool.yaml"].map((f) => loadCrdFile(root + f)[0]!);

describe("pool interfaces: only nodes with a named interface announce, on it (controller on the API test server)", () => {
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
        status: { addresses: [{ type: "InternalIP", address: `198.51.100.${11 + i}` }], conditions: [{ type: "Ready", status: "True" }] },
      });
    }
  });
  after(async () => {
    await controller?.stop();
    await server.close();
  });

  const instancesOn = async () => {
    const list = (await custom.listClusterCustomObject({ ...GROUP, plural: "vrrpnodes" })) as { items: VRRPNode[] };
    return Object.fromEntries(
      list.items.map((n) => [n.metadata.name, (n.spec.instances ?? []).map((i) => `${i.interface ?? "-"}:${i.addresses.join(",")}`)]),
    );
  };
  /** The status write the agent makes (agent/kube), with the interfaces it read. */
  const report = (node: string, interfaces: string[]) =>
    restAgentApi(kubeConfigEndpoint(server.kubeConfig())).patchVrrpNodeStatus(
      node,
      nodeStatus({
        snapshots: [],
        transitions: new Map(),
        observedGeneration: 1,
        configErrors: [],
        monotonicNow: 0,
        wallNow: new Date(),
        interfaces,
      }),
    );

  it("a Service of a pool limited to eth1 is rendered only on the node that reports eth1, on eth1", async () => {
    await custom.createClusterCustomObject({
      ...GROUP,
      plural: "virtualippools",
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIPPool",
        metadata: { name: "eth1-only" },
        spec: { addresses: ["192.0.2.40/30"], interfaces: ["eth1"] },
      },
    });
    controller = testController(server.kubeConfig(), NAMESPACE);
    await controller.start();
    await waitFor(async () => Object.keys(await instancesOn()).length === 2, 5000, "a VRRPNode per node");
    await report("n1", ["eth0", "eth1", "lo"]);
    await report("n2", ["eth0", "lo"]);
    await core.createNamespacedService({
      namespace: "default",
      body: {
        metadata: { name: "web", namespace: "default" },
        spec: {
          type: "LoadBalancer",
          loadBalancerClass: LOAD_BALANCER_CLASS,
          ports: [{ port: 80, protocol: "TCP" }],
          selector: { app: "web" },
        },
      },
    });
    await waitFor(
      async () => JSON.stringify(await instancesOn()) === JSON.stringify({ n1: ["eth1:192.0.2.40/32"], n2: [] }),
      5000,
      "rendered on n1's eth1 only",
    );

    await report("n2", ["eth0", "eth1", "lo"]);
    await waitFor(
      async () => JSON.stringify(await instancesOn()) === JSON.stringify({ n1: ["eth1:192.0.2.40/32"], n2: ["eth1:192.0.2.40/32"] }),
      5000,
      "n2 joins once it reports eth1",
    );
  });

  it("300 Cluster Services of a pool with interfaces share VRRP routers: every one gets a VRID (was one router each, and a Conflict past 255)", async () => {
    await custom.createClusterCustomObject({
      ...GROUP,
      plural: "virtualippools",
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIPPool",
        metadata: { name: "wide" },
        spec: { addresses: ["198.51.100.0/24", "203.0.113.0/24"], interfaces: ["eth1"], autoAssign: false },
      },
    });
    for (let i = 0; i < 300; i++) {
      await core.createNamespacedService({
        namespace: "default",
        body: {
          metadata: { name: `wide-${i}`, namespace: "default", annotations: { "floatip.io/pool": "wide" } },
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
    type Vip = {
      metadata: { name: string; annotations?: Record<string, string> };
      status?: { virtualRouterID?: number; conditions?: { type: string; status: string; message: string }[] };
    };
    const wide = async () =>
      ((await custom.listClusterCustomObject({ ...GROUP, plural: "virtualips" })) as { items: Vip[] }).items.filter((v) =>
        (v.metadata.annotations?.["floatip.io/services"] ?? "").startsWith("default/wide-"),
      );
    await waitFor(async () => (await wide()).length === 300, 20_000, "300 VirtualIPs");
    await waitFor(async () => (await wide()).every((v) => v.status?.virtualRouterID !== undefined), 20_000, "a VRID for each").catch(
      async (e: unknown) => {
        const left = (await wide()).filter((v) => v.status?.virtualRouterID === undefined);
        assert.fail(
          `${String(e)}: ${left.length} without a VRID, e.g. ${left[0]?.metadata.name}: ${left[0]?.status?.conditions?.map((c) => `${c.type}=${c.status} ${c.message}`).join("; ")}`,
        );
      },
    );
    const routers = new Set((await wide()).map((v) => v.status!.virtualRouterID));
    assert.ok(routers.size <= 4, `the pool's Services share a few routers (${routers.size})`);
    const onNodes = await instancesOn();
    assert.ok(onNodes["n1"]!.every((i) => i.startsWith("eth1:")) && onNodes["n2"]!.every((i) => i.startsWith("eth1:")), "all on eth1");
  });

  it("the schema refuses an interface name with a slash, naming the field", async () => {
    const bad = await rejects(() =>
      custom.createClusterCustomObject({
        ...GROUP,
        plural: "virtualippools",
        body: {
          apiVersion: "floatip.io/v1alpha1",
          kind: "VirtualIPPool",
          metadata: { name: "bad" },
          spec: { addresses: ["198.51.100.64/30"], interfaces: ["eth1/2"] },
        },
      }),
    );
    assert.equal(bad.code, 422);
    assert.match(bad.message ?? "", /spec\.interfaces\[0\]/);
  });
});
