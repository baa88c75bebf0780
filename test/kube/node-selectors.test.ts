/**
 * Node selection by LabelSelector (issue 19, part 1), on the API test server
 * with the real client-node and the controller:
 *   - an upgrade: VirtualIP and VirtualIPPool objects written with a plain
 *     label map under the old CRD schema still select the same nodes once
 *     the new CRDs are in place (the field keeps unknown keys; the controller
 *     reads a map without matchLabels/matchExpressions as matchLabels);
 *   - `DoesNotExist` on node-role.kubernetes.io/control-plane keeps the
 *     control-plane node out, for a VirtualIP and for a pool's Services;
 *   - the schema refuses a malformed requirement.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import type { VirtualIP, VRRPNode } from "../../operator/api/types.js";
import { Controller } from "../../operator/controller/controller.js";
import { LOAD_BALANCER_CLASS } from "../../operator/lb/service.js";
import { loadCrdFile } from "./crd.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { testController } from "./test-controller.js";
import { rejects, waitFor } from "./testutil.js";
import { kubectl } from "./tools.js";
import type { Obj } from "./types.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const GROUP = { group: "floatip.io", version: "v1alpha1" };
const NAMESPACE = "floatip-system";
const CONTROL_PLANE = "node-role.kubernetes.io/control-plane";
const crdFiles = ["crds/virtualip.yaml", "crds/vrrpnode.yaml", "crds/virtualippool.yaml"].map((f) => root + f);
const newCrds = crdFiles.map((f) => loadCrdFile(f)[0]!);

/** The CRD as it was before selectors: spec.nodeSelector a plain string map. */
function oldCrd(crd: Obj): Obj {
  const copy = JSON.parse(JSON.stringify(crd)) as {
    spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, unknown> } } } } }[] };
  };
  const props = copy.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties;
  if (props["nodeSelector"] !== undefined) {
    props["nodeSelector"] = {
      type: "object",
      description: "Labels a node must have (all of them).",
      maxProperties: 64,
      additionalProperties: { type: "string", maxLength: 63 },
    };
  }
  return copy as unknown as Obj;
}

describe("node selectors: old label maps after the upgrade, DoesNotExist (controller on the API test server)", () => {
  let server: TestApiServer;
  let controller: Controller | undefined;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;

  before(async () => {
    server = await startTestApiServer({ crds: newCrds.map(oldCrd) });
    const kc = server.kubeConfig();
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    const labels: Record<string, Record<string, string>> = {
      cp: { [CONTROL_PLANE]: "", disktype: "ssd" },
      w1: { disktype: "ssd" },
      w2: {},
    };
    for (const [i, name] of ["cp", "w1", "w2"].entries()) {
      server.store.put({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name, labels: { "kubernetes.io/os": "linux", ...labels[name] }, creationTimestamp: "2026-01-01T00:00:00Z" },
        status: { addresses: [{ type: "InternalIP", address: `198.51.100.${11 + i}` }], conditions: [{ type: "Ready", status: "True" }] },
      });
    }
  });
  after(async () => {
    await controller?.stop();
    await server.close();
  });

  // Routers carry many VirtualIPs' addresses (instances are vrid-N): a VirtualIP is rendered where its addresses are.
  const renderedOn = async (vip: string): Promise<string[]> => {
    const stored = (await custom.getClusterCustomObject({ ...GROUP, plural: "virtualips", name: vip }).catch(() => undefined)) as
      | VirtualIP
      | undefined;
    if (stored === undefined) return []; // not created yet (a Service's VirtualIP)
    const wanted = stored.spec.addresses.map((a) => a.split("/")[0]);
    const list = (await custom.listClusterCustomObject({ ...GROUP, plural: "vrrpnodes" })) as { items: VRRPNode[] };
    return list.items
      .filter((n) => (n.spec.instances ?? []).some((i) => (i.addresses ?? []).some((a: string) => wanted.includes(a.split("/")[0]))))
      .map((n) => n.metadata.name)
      .sort();
  };
  const waitRendered = (vip: string, nodes: string[]) =>
    waitFor(async () => JSON.stringify(await renderedOn(vip)) === JSON.stringify(nodes), 5000, `${vip} rendered on ${nodes.join(", ")}`);

  it("objects written with a label map under the old schema select the same nodes after the CRDs are replaced", async () => {
    await custom.createClusterCustomObject({
      ...GROUP,
      plural: "virtualips",
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIP",
        metadata: { name: "ssd" },
        spec: { addresses: ["192.0.2.5/24"], nodeSelector: { disktype: "ssd" } },
      },
    });
    await custom.createClusterCustomObject({
      ...GROUP,
      plural: "virtualippools",
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIPPool",
        metadata: { name: "ssd" },
        spec: { addresses: ["192.0.2.40/30"], nodeSelector: { disktype: "ssd" } },
      },
    });

    // The upgrade as a user runs it (client-node's typed CRD model would drop x-kubernetes-* keys it does not know).
    for (const file of crdFiles) {
      const out = await kubectl(server, ["replace", "-f", file]);
      assert.equal(out.code, 0, out.stderr);
    }
    controller = testController(server.kubeConfig(), NAMESPACE);
    await controller.start();

    await waitRendered("ssd", ["cp", "w1"]);
    const stored = (await custom.getClusterCustomObject({ ...GROUP, plural: "virtualips", name: "ssd" })) as VirtualIP;
    assert.deepEqual(stored.spec.nodeSelector, { disktype: "ssd" }, "the old form is kept as written (not pruned)");
    // A write through the new schema keeps the old form too (kubectl apply of an old manifest).
    await custom.createClusterCustomObject({
      ...GROUP,
      plural: "virtualips",
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIP",
        metadata: { name: "ssd-new" },
        spec: { addresses: ["192.0.2.6/24"], nodeSelector: { disktype: "ssd" } },
      },
    });
    await waitRendered("ssd-new", ["cp", "w1"]);

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
    const owned = await waitFor(
      async () => {
        const list = (await custom.listClusterCustomObject({ ...GROUP, plural: "virtualips" })) as { items: VirtualIP[] };
        return list.items.find((v) => v.metadata.name.startsWith("lb-192-0-2-4"));
      },
      5000,
      "the Service's VirtualIP",
    );
    assert.deepEqual(owned.spec.nodeSelector, { matchLabels: { disktype: "ssd" } });
    await waitRendered(owned.metadata.name, ["cp", "w1"]);
  });

  it("DoesNotExist on the control-plane role keeps the control-plane node out", async () => {
    await custom.createClusterCustomObject({
      ...GROUP,
      plural: "virtualips",
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIP",
        metadata: { name: "workers" },
        spec: { addresses: ["192.0.2.7/24"], nodeSelector: { matchExpressions: [{ key: CONTROL_PLANE, operator: "DoesNotExist" }] } },
      },
    });
    await waitRendered("workers", ["w1", "w2"]);
    await custom.createClusterCustomObject({
      ...GROUP,
      plural: "virtualips",
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIP",
        metadata: { name: "ssd-workers" },
        spec: {
          addresses: ["192.0.2.8/24"],
          nodeSelector: { matchLabels: { disktype: "ssd" }, matchExpressions: [{ key: CONTROL_PLANE, operator: "DoesNotExist" }] },
        },
      },
    });
    await waitRendered("ssd-workers", ["w1"]);

    await custom.createClusterCustomObject({
      ...GROUP,
      plural: "virtualippools",
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIPPool",
        metadata: { name: "workers" },
        spec: { addresses: ["203.0.113.16/30"], nodeSelector: { matchExpressions: [{ key: CONTROL_PLANE, operator: "DoesNotExist" }] } },
      },
    });
    await core.createNamespacedService({
      namespace: "default",
      body: {
        metadata: { name: "api", namespace: "default", annotations: { "floatip.io/loadBalancerIPs": "203.0.113.17" } },
        spec: {
          type: "LoadBalancer",
          loadBalancerClass: LOAD_BALANCER_CLASS,
          ports: [{ port: 443, protocol: "TCP" }],
          selector: { app: "api" },
        },
      },
    });
    await waitRendered("lb-203-0-113-17", ["w1", "w2"]);
  });

  it("the schema refuses a requirement without values for In, and an unknown operator", async () => {
    const body = (name: string, nodeSelector: unknown) => ({
      apiVersion: "floatip.io/v1alpha1",
      kind: "VirtualIP",
      metadata: { name },
      spec: { addresses: ["192.0.2.9/24"], nodeSelector },
    });
    const noValues = await rejects(() =>
      custom.createClusterCustomObject({
        ...GROUP,
        plural: "virtualips",
        body: body("in", { matchExpressions: [{ key: "zone", operator: "In" }] }),
      }),
    );
    assert.equal(noValues.code, 422);
    assert.match(noValues.message ?? "", /values must be non-empty for In and NotIn/);
    const operator = await rejects(() =>
      custom.createClusterCustomObject({
        ...GROUP,
        plural: "virtualips",
        body: body("op", { matchExpressions: [{ key: "zone", operator: "Near" }] }),
      }),
    );
    assert.equal(operator.code, 422);
    assert.match(operator.message ?? "", /nodeSelector\.matchExpressions\[0\]\.operator/);
    assert.deepEqual([...server.unsupportedValidations], []);
  });
});
