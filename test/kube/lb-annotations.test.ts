/**
 * Services carrying MetalLB's or kube-vip's annotations get exactly the
 * addresses they asked for, and a Service naming a missing pool gets a
 * PoolNotFound condition and Event (issue 19, part 2): the controller with
 * the real client-node against the API test server.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CoreV1Api, CustomObjectsApi, EventsV1Api } from "@kubernetes/client-node";
import { Controller } from "../../operator/controller/controller.js";
import { LOAD_BALANCER_CLASS } from "../../operator/lb/service.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { testController } from "./test-controller.js";
import { rejects, waitFor } from "./testutil.js";
import { POOL_ENTRY_MESSAGE } from "../../operator/api/limits.js";
import { validatePoolSpec } from "../../operator/api/validate-pool.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const GROUP = { group: "floatip.io", version: "v1alpha1" };
const NAMESPACE = "floatip-system";

describe("MetalLB and kube-vip annotations on Services (controller on the API test server)", () => {
  let server: TestApiServer;
  let controller: Controller;
  let core: CoreV1Api;

  before(async () => {
    server = await startTestApiServer({
      crds: ["crds/virtualip.yaml", "crds/vrrpnode.yaml", "crds/virtualippool.yaml"].map((f) => root + f),
    });
    const kc = server.kubeConfig();
    const custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    server.store.put({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n1", labels: {}, creationTimestamp: "2026-01-01T00:00:00Z" },
      status: { addresses: [{ type: "InternalIP", address: "198.51.100.11" }], conditions: [{ type: "Ready", status: "True" }] },
    });
    for (const [name, spec] of [
      ["default", { addresses: ["192.0.2.10-192.0.2.19"] }],
      ["reserved", { addresses: ["192.0.2.100/30"], autoAssign: false }],
    ] as const) {
      await custom.createClusterCustomObject({
        ...GROUP,
        plural: "virtualippools",
        body: { apiVersion: "floatip.io/v1alpha1", kind: "VirtualIPPool", metadata: { name }, spec },
      });
    }
    controller = testController(kc, NAMESPACE);
    await controller.start();
  });
  after(async () => {
    await controller.stop();
    await server.close();
  });

  const create = (name: string, annotations: Record<string, string>) =>
    core.createNamespacedService({
      namespace: "default",
      body: {
        metadata: { name, namespace: "default", annotations },
        spec: {
          type: "LoadBalancer",
          loadBalancerClass: LOAD_BALANCER_CLASS,
          ports: [{ port: 80, protocol: "TCP" }],
          selector: { app: name },
        },
      },
    });
  const ingress = async (name: string) =>
    ((await core.readNamespacedService({ namespace: "default", name })).status?.loadBalancer?.ingress ?? []).map((i) => i.ip);

  it("each Service gets exactly the address its MetalLB / kube-vip annotation asks for", async () => {
    const asked: Record<string, [Record<string, string>, string]> = {
      "metallb-ip": [{ "metallb.io/loadBalancerIPs": "192.0.2.17" }, "192.0.2.17"],
      "kube-vip-ip": [{ "kube-vip.io/loadbalancerIPs": "192.0.2.13" }, "192.0.2.13"],
      "metallb-pool": [{ "metallb.io/address-pool": "reserved" }, "192.0.2.100"],
      "metallb-pool-ip": [{ "metallb.io/address-pool": "reserved", "metallb.io/loadBalancerIPs": "192.0.2.102" }, "192.0.2.102"],
    };
    for (const [name, [annotations]] of Object.entries(asked)) await create(name, annotations);
    for (const [name, [, want]] of Object.entries(asked)) {
      await waitFor(async () => (await ingress(name)).join() === want, 5000, `${name} at ${want}`);
    }
  });

  it("a Service naming a missing pool gets a PoolNotFound condition and Warning Event", async () => {
    await create("lost", { "metallb.io/address-pool": "production" });
    const c = await waitFor(
      async () =>
        (await core.readNamespacedService({ namespace: "default", name: "lost" })).status?.conditions?.find(
          (x) => x.type === "floatip.io/AddressAllocated",
        ),
      5000,
      "AddressAllocated on lost",
    );
    assert.equal(c.status, "False");
    assert.equal(c.reason, "PoolNotFound");
    assert.match(c.message, /VirtualIPPool production .*does not exist/);
    const events = server.kubeConfig().makeApiClient(EventsV1Api);
    const e = await waitFor(
      async () =>
        (await events.listNamespacedEvent({ namespace: "default" })).items.find(
          (x) => x.regarding?.name === "lost" && x.reason === "PoolNotFound",
        ),
      5000,
      "PoolNotFound Event",
    );
    assert.equal(e.type, "Warning");
    assert.deepEqual(await ingress("lost"), []);
  });
});

describe("VirtualIPPool addresses at admission (API test server, CEL)", () => {
  let server: TestApiServer;
  before(async () => {
    server = await startTestApiServer({ crds: [root + "crds/virtualippool.yaml"] });
  });
  after(() => server.close());

  it("a malformed range is refused with the controller's message; a good pool is accepted", async () => {
    const custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    const body = (name: string, addresses: string[]) => ({
      apiVersion: "floatip.io/v1alpha1",
      kind: "VirtualIPPool",
      metadata: { name },
      spec: { addresses },
    });
    const status = await rejects(() =>
      custom.createClusterCustomObject({
        ...GROUP,
        plural: "virtualippools",
        body: body("bad", ["192.0.2.64/28", "192.0.2.10-192.0.2.300"]),
      }),
    );
    assert.equal(status.code, 422);
    const cause = status.details?.causes?.find((c) => c.field === "spec.addresses[1]");
    // The API server prefixes the rule's message with the value's type, as for every CEL rule.
    assert.equal(cause?.message, `Invalid value: "string": ${POOL_ENTRY_MESSAGE}`);
    const controller = validatePoolSpec(body("bad", ["192.0.2.64/28", "192.0.2.10-192.0.2.300"]).spec);
    assert.deepEqual(controller.ok ? [] : controller.errors, [{ field: "spec.addresses[1]", message: POOL_ENTRY_MESSAGE }]);
    await custom.createClusterCustomObject({
      ...GROUP,
      plural: "virtualippools",
      body: body("good", ["192.0.2.64/28", "192.0.2.10 - 192.0.2.20", "2001:db8::/120"]),
    });
    assert.deepEqual([...server.unsupportedValidations], [], "the test server evaluated the rule");
  });
});
