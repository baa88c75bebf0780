/**
 * Node addresses never become floating addresses (issue 13 finding 3): the
 * controller with the real client-node against the API test server, three
 * nodes at 192.0.2.11-13 (one also with an ExternalIP). A VirtualIP at a
 * node's address is rendered on no node and says whose address it is; a
 * pool overlapping node addresses gives Services only the other addresses,
 * and once only node addresses are left it is exhausted and says why.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import type { Condition, VirtualIP, VRRPNode } from "../../operator/api/types.js";
import { Controller } from "../../operator/controller/controller.js";
import { LOAD_BALANCER_CLASS } from "../../operator/lb/service.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { testController } from "./test-controller.js";
import { waitFor } from "./testutil.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const GROUP = { group: "floatip.io", version: "v1alpha1" };
const NAMESPACE = "floatip-system";

describe("node addresses never float (controller on the API test server, real client-node)", () => {
  let server: TestApiServer;
  let controller: Controller;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;

  before(async () => {
    server = await startTestApiServer({
      crds: ["crds/virtualip.yaml", "crds/vrrpnode.yaml", "crds/virtualippool.yaml"].map((f) => root + f),
    });
    const kc = server.kubeConfig();
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    for (const [i, name] of ["n1", "n2", "n3"].entries()) {
      const addresses = [
        { type: "InternalIP", address: `192.0.2.${11 + i}` },
        ...(name === "n3" ? [{ type: "ExternalIP", address: "203.0.113.30" }] : []),
      ];
      server.store.put({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name, labels: { "kubernetes.io/os": "linux" }, creationTimestamp: "2026-01-01T00:00:00Z" },
        status: { addresses, conditions: [{ type: "Ready", status: "True" }] },
      });
    }
    controller = testController(kc, NAMESPACE);
    await controller.start();
  });
  after(async () => {
    await controller.stop();
    await server.close();
  });

  const vipCondition = async (name: string, type: string): Promise<Condition | undefined> =>
    ((await custom.getClusterCustomObject({ ...GROUP, plural: "virtualips", name })) as VirtualIP).status?.conditions?.find(
      (c) => c.type === type,
    );
  const renderedAnywhere = async (instance: string) => {
    const list = (await custom.listClusterCustomObject({ ...GROUP, plural: "vrrpnodes" })) as { items: VRRPNode[] };
    return list.items.some((n) => (n.spec.instances ?? []).some((i) => i.name === instance));
  };

  for (const [what, name, address, owner] of [
    ["an InternalIP", "at-n2", "192.0.2.12/24", "n2"],
    ["an ExternalIP", "at-n3", "203.0.113.30/24", "n3"],
  ] as const) {
    it(`a VirtualIP at ${what} of a node is rendered nowhere, and its Conflict condition names the node`, async () => {
      await custom.createClusterCustomObject({
        ...GROUP,
        plural: "virtualips",
        body: { apiVersion: "floatip.io/v1alpha1", kind: "VirtualIP", metadata: { name }, spec: { addresses: [address] } },
      });
      const conflict = await waitFor(
        async () => {
          const c = await vipCondition(name, "Conflict");
          return c?.status === "True" ? c : undefined;
        },
        5000,
        `${name} Conflict=True`,
      );
      assert.match(conflict.message, new RegExp(`${address.split("/")[0]!.replace(/\./g, "\\.")} is node ${owner}'s own address`));
      assert.equal((await vipCondition(name, "Ready"))?.status, "False");
      assert.equal(await renderedAnywhere(name), false);
    });
  }

  it("a pool overlapping node addresses gives Services only the others, then is exhausted and says why", async () => {
    await custom.createClusterCustomObject({
      ...GROUP,
      plural: "virtualippools",
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIPPool",
        metadata: { name: "lab" },
        spec: { addresses: ["192.0.2.10-192.0.2.14"] },
      },
    });
    for (const [i, name] of ["s1", "s2", "s3"].entries()) {
      await core.createNamespacedService({
        namespace: "default",
        body: {
          metadata: { name, namespace: "default", creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, i)) },
          spec: {
            type: "LoadBalancer",
            loadBalancerClass: LOAD_BALANCER_CLASS,
            ports: [{ port: 80, protocol: "TCP" }],
            selector: { app: name },
          },
        },
      });
    }
    const ips = await waitFor(
      async () => {
        const list = await core.listNamespacedService({ namespace: "default" });
        const got = list.items.flatMap((s) => (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? ""));
        return got.length === 2 ? got.sort() : undefined;
      },
      5000,
      "two Services with addresses",
    );
    assert.deepEqual(ips, ["192.0.2.10", "192.0.2.14"]);
    const pool = await waitFor(
      async () => {
        const p = (await custom.getClusterCustomObject({ ...GROUP, plural: "virtualippools", name: "lab" })) as {
          status?: { free?: number; conditions?: Condition[] };
        };
        return p.status?.free === 0 ? p.status : undefined;
      },
      5000,
      "pool status with 0 free",
    );
    const exhausted = pool.conditions?.find((c) => c.type === "Exhausted");
    assert.equal(exhausted?.status, "True");
    assert.match(exhausted!.message, /3 node addresses in the pool are never given out/);
    assert.match(
      pool.conditions?.find((c) => c.type === "Overlap")?.message ?? "",
      /192\.0\.2\.11 \(node n1\), 192\.0\.2\.12 \(node n2\), 192\.0\.2\.13 \(node n3\) are node addresses/,
    );
    const pending = await core.readNamespacedService({ namespace: "default", name: "s3" });
    assert.deepEqual(pending.status?.loadBalancer?.ingress ?? [], []);
  });
});
