/**
 * One refused write stays local (issue 15, item 4): the controller with the
 * real client-node against the API test server, which refuses one object's
 * write (a VRRPNode over the size limit, as etcd refuses one over 1.5 MiB;
 * an injected refusal of one VirtualIP status or one Service status). Every
 * other object must still converge, the refused one is retried and written
 * once the cause is gone, and the user sees why on the object it concerns
 * (condition, Warning Event) and in the metric.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CoreV1Api, CustomObjectsApi, EventsV1Api, type CoreV1Event } from "@kubernetes/client-node";
import { jsonLogger } from "../../base/logger.js";
import type { Condition, VirtualIP } from "../../operator/api/types.js";
import { Controller } from "../../operator/controller/controller.js";
import { ControllerMetrics } from "../../operator/controller/metrics.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { testController } from "./test-controller.js";
import { waitFor } from "./testutil.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const VIPS = { group: "floatip.io", version: "v1alpha1", plural: "virtualips" };
const POOLS = { group: "floatip.io", version: "v1alpha1", plural: "virtualippools" };
const NAMESPACE = "floatip-system";
/** Small enough that node c's VRRPNode with a dozen routers is refused, a or b's with two or three is not. */
const LIMIT = 3000;

describe("one refused write stays local (API test server, real client-node)", () => {
  let server: TestApiServer;
  let controller: Controller;
  let metrics: ControllerMetrics;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  let events: EventsV1Api;
  const quiet = jsonLogger({ write: () => undefined, wallClock: () => new Date() });

  const vip = (name: string, address: string, nodeNames?: string[]) => ({
    apiVersion: "floatip.io/v1alpha1",
    kind: "VirtualIP",
    metadata: { name },
    spec: { addresses: [address], ...(nodeNames !== undefined ? { nodeNames } : {}) },
  });
  const getVip = async (name: string) => (await custom.getClusterCustomObject({ ...VIPS, name })) as VirtualIP;
  const accepted = async (name: string) => (await getVip(name)).status?.conditions?.find((c: Condition) => c.type === "Accepted");
  // Routers carry many VirtualIPs' addresses (vrid-N instances): which VirtualIPs a node's spec serves, by address.
  const VIP_BY_ADDRESS: Record<string, string> = {
    "192.0.2.10/32": "web",
    "192.0.2.11/32": "pair",
    "192.0.2.12/32": "later",
    "192.0.2.20/32": "stuck",
    "192.0.2.21/32": "fine",
  };
  const specOf = async (node: string) => {
    const found = server.store.get("vrrpnodes", node) as { spec?: { instances?: { addresses?: string[] }[] } } | undefined;
    return found?.spec?.instances
      ?.flatMap((i) => i.addresses ?? [])
      .map((a) => VIP_BY_ADDRESS[a] ?? a)
      .sort();
  };
  const warnings = async (kind: string, name: string): Promise<CoreV1Event[]> =>
    (await core.listNamespacedEvent({ namespace: NAMESPACE })).items.filter(
      (e) => e.involvedObject.kind === kind && e.involvedObject.name === name && e.type === "Warning",
    );
  const metricText = () => metrics.registry.metrics();

  before(async () => {
    server = await startTestApiServer({
      crds: ["virtualip", "vrrpnode", "virtualippool"].map((c) => `${root}crds/${c}.yaml`),
      maxObjectBytes: { vrrpnodes: LIMIT },
    });
    const kc = server.kubeConfig();
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    events = kc.makeApiClient(EventsV1Api);
    for (const [name, ip] of [
      ["a", "198.51.100.1"],
      ["b", "198.51.100.2"],
      ["c", "198.51.100.3"],
    ] as const) {
      server.store.put({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name, labels: { "kubernetes.io/os": "linux" }, creationTimestamp: "2026-01-01T00:00:00Z" },
        status: { addresses: [{ type: "InternalIP", address: ip }], conditions: [{ type: "Ready", status: "True" }] },
      });
    }
    server.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
    // "web" everywhere, "pair" on a and b only, and enough routers on c alone to push its VRRPNode over the limit.
    await custom.createClusterCustomObject({ ...VIPS, body: vip("web", "192.0.2.10/32") });
    await custom.createClusterCustomObject({ ...VIPS, body: vip("pair", "192.0.2.11/32", ["a", "b"]) });
    for (let i = 0; i < 20; i++)
      await custom.createClusterCustomObject({ ...VIPS, body: vip(`only-c-${i}`, `192.0.2.${100 + i}/32`, ["c"]) });
    metrics = new ControllerMetrics();
    controller = testController(kc, NAMESPACE, { logger: quiet, metrics });
    await controller.start();
  });
  after(async () => {
    await controller?.stop();
    await server?.close();
  });

  it("a VRRPNode over the size limit: every other node's spec and every other VirtualIP's status are written; the affected VirtualIPs say why", async () => {
    await waitFor(
      async () => (await specOf("a"))?.join() === "pair,web" && (await specOf("b"))?.join() === "pair,web",
      10_000,
      "a's and b's VRRPNodes",
    );
    assert.equal(server.store.get("vrrpnodes", "c"), undefined, "c's VRRPNode is over the limit: refused, as etcd refuses it");
    const pair = await waitFor(
      async () => ((await getVip("pair")).status?.virtualRouterID !== undefined ? accepted("pair") : undefined),
      10_000,
      "pair's status",
    );
    assert.equal(pair.status, "True", "pair is on a and b only: untouched by c's failure");
    const web = await waitFor(
      async () => {
        const c = await accepted("web");
        return c?.status === "False" ? c : undefined;
      },
      10_000,
      "web's Accepted condition",
    );
    assert.equal(web.reason, "NodeConfigRejected");
    assert.match(
      web.message ?? "",
      /VRRPNode c not updated, refused by the API server \(500 InternalError\): etcdserver: request is too large/,
    );
    const onlyC = await accepted("only-c-3");
    assert.equal(onlyC?.reason, "NodeConfigRejected");
    const onNode = await waitFor(async () => (await warnings("VRRPNode", "c"))[0], 5000, "a Warning Event on VRRPNode c");
    assert.equal(onNode.reason, "WriteFailed");
    assert.match(onNode.message ?? "", /etcdserver: request is too large.*node c keeps running its previous config/);
    const onVip = await waitFor(
      async () => (await warnings("VirtualIP", "web")).find((e) => e.reason === "NodeConfigRejected"),
      5000,
      "a NodeConfigRejected Event on web",
    );
    assert.match(onVip.message ?? "", /VRRPNode c not updated/);
    assert.match(await metricText(), /^floatip_controller_write_errors_total\{kind="vrrpnode-spec",reason="InternalError"\} [1-9]/m);
    assert.match(await metricText(), /^floatip_controller_failing_writes\{kind="vrrpnode-spec"\} 1$/m);

    // The controller keeps converging: a VirtualIP added now is written to a and b and gets its status.
    await custom.createClusterCustomObject({ ...VIPS, body: vip("later", "192.0.2.12/32", ["a", "b"]) });
    await waitFor(async () => (await specOf("a"))?.join() === "later,pair,web", 10_000, "later on a");
    await waitFor(async () => (await accepted("later"))?.status === "True", 10_000, "later's status");
    // Retried with backoff, not in a loop: a handful of attempts, not hundreds.
    const attempts = server.requestLog.filter((r) => r.resource === "vrrpnodes" && r.name === undefined && r.verb === "create").length;
    assert.ok(attempts >= 1 && attempts < 20, `${attempts} attempts to create c's VRRPNode`);

    // The cause goes away (c's routers deleted): c's VRRPNode is written and web is accepted again.
    for (let i = 0; i < 20; i++) await custom.deleteClusterCustomObject({ ...VIPS, name: `only-c-${i}` });
    await waitFor(async () => (await specOf("c"))?.join() === "web", 20_000, "c's VRRPNode once small enough");
    await waitFor(async () => (await accepted("web"))?.status === "True", 10_000, "web accepted again");
    assert.match(await metricText(), /^floatip_controller_failing_writes\{kind="vrrpnode-spec"\} 0$/m);
  });

  it("a refused VirtualIP status write: every other VirtualIP's status is written; a Warning Event names the API's message; written once allowed", async () => {
    server.faults.push({
      match: { verb: "patch", resource: "virtualips", subresource: "status", name: "stuck" },
      code: 422,
      reason: "Invalid",
      message: "status.nodes: Too many: 300: must have at most 255 items",
    });
    await custom.createClusterCustomObject({ ...VIPS, body: vip("stuck", "192.0.2.20/32", ["a", "b"]) });
    await custom.createClusterCustomObject({ ...VIPS, body: vip("fine", "192.0.2.21/32", ["a", "b"]) });
    await waitFor(async () => (await accepted("fine"))?.status === "True", 10_000, "fine's status");
    await waitFor(async () => (await specOf("a"))?.includes("stuck"), 10_000, "stuck rendered on a");
    const event = await waitFor(
      async () => (await warnings("VirtualIP", "stuck")).find((e) => e.reason === "WriteFailed"),
      5000,
      "a WriteFailed Event on stuck",
    );
    assert.match(event.message ?? "", /writing its status refused by the API server \(422 Invalid\): status\.nodes: Too many/);
    assert.equal((await getVip("stuck")).status, undefined);
    assert.match(await metricText(), /^floatip_controller_write_errors_total\{kind="virtualip-status",reason="Invalid"\} [1-9]/m);
    server.faults.splice(0);
    await waitFor(async () => (await accepted("stuck"))?.status === "True", 20_000, "stuck's status on a retry");
  });

  it("a refused Service status write: the other Service gets its ingress; a Warning Event on the refused one; written once allowed", async () => {
    await custom.createClusterCustomObject({
      ...POOLS,
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIPPool",
        metadata: { name: "default" },
        spec: { addresses: ["203.0.113.10-203.0.113.11"] },
      },
    });
    server.faults.push({
      match: { verb: "patch", resource: "services", subresource: "status", name: "blocked" },
      code: 500,
      reason: "InternalError",
      message: "Internal error occurred: injected",
    });
    const service = (name: string) => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: "default" },
      spec: { type: "LoadBalancer", loadBalancerClass: "floatip.io/vrrp", ports: [{ port: 80 }] },
    });
    await core.createNamespacedService({ namespace: "default", body: service("blocked") });
    await core.createNamespacedService({ namespace: "default", body: service("open") });
    const ingress = async (name: string) =>
      (await core.readNamespacedServiceStatus({ namespace: "default", name })).status?.loadBalancer?.ingress?.map((i) => i.ip);
    await waitFor(async () => (await ingress("open"))?.length === 1, 10_000, "open's ingress");
    const event = await waitFor(
      async () =>
        (await events.listNamespacedEvent({ namespace: "default" })).items.find(
          (e) => e.regarding?.name === "blocked" && e.reason === "WriteFailed",
        ),
      5000,
      "a WriteFailed Event on blocked",
    );
    assert.match(event.note ?? "", /refused by the API server \(500 InternalError\): Internal error occurred: injected/);
    assert.equal((await ingress("blocked"))?.length ?? 0, 0);
    assert.match(await metricText(), /^floatip_controller_write_errors_total\{kind="service-status",reason="InternalError"\} [1-9]/m);
    server.faults.splice(0);
    await waitFor(async () => (await ingress("blocked"))?.length === 1, 20_000, "blocked's ingress on a retry");
  });
});
