/**
 * Writes per change (issue 15): on a populated cluster, adding one
 * VirtualIP or one LoadBalancer Service writes only the objects it touches:
 * each VRRPNode whose spec changes once, no VRRPNode whose spec stays the
 * same, no other VirtualIP's or Service's status. The controller with the
 * real client-node against the API test server; its request log counts the
 * writes. No agents run, so nothing else changes meanwhile.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { Controller } from "../../operator/controller/controller.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { testController } from "./test-controller.js";
import type { RequestLogEntry } from "./types.js";
import { waitFor } from "./testutil.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const VIPS = { group: "floatip.io", version: "v1alpha1", plural: "virtualips" };
const NAMESPACE = "floatip-system";
const NODES = 12;
const WRITES = new Set(["create", "update", "patch", "delete"]);

describe("writes per single change on a populated cluster (API test server, real client-node)", () => {
  let server: TestApiServer;
  let controller: Controller;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  const node = (i: number) => `node-${String(i).padStart(2, "0")}`;
  const service = (name: string) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default" },
    spec: { type: "LoadBalancer", loadBalancerClass: "floatip.io/vrrp", ports: [{ port: 80 }] },
  });
  const specs = () =>
    new Map(server.store.list("vrrpnodes").map((n) => [n.metadata.name ?? "", JSON.stringify((n as { spec?: unknown }).spec)]));
  /** The controller's writes since `from` (Events aside: they are the news, not state). */
  const writesSince = (from: number): RequestLogEntry[] =>
    server.requestLog.slice(from).filter((r) => WRITES.has(r.verb) && r.resource !== "events");
  const describeWrite = (r: RequestLogEntry) =>
    `${r.verb} ${r.resource}${r.subresource !== undefined ? `/${r.subresource}` : ""} ${r.name ?? "(new)"}`;
  /** Waits until the controller has synced after the change and gone quiet. */
  const settle = async () => {
    for (let quiet = 0; quiet < 3; ) {
      const before = server.requestLog.length;
      await controller.idle();
      await new Promise((r) => setTimeout(r, 150));
      quiet = server.requestLog.length === before ? quiet + 1 : 0;
    }
  };

  before(async () => {
    server = await startTestApiServer({ crds: ["virtualip", "vrrpnode", "virtualippool"].map((c) => `${root}crds/${c}.yaml`) });
    const kc = server.kubeConfig();
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < NODES; i++) {
      server.store.put({
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name: node(i),
          labels: { "kubernetes.io/os": "linux", "example.com/rack": `r${i % 4}` },
          creationTimestamp: "2026-01-01T00:00:00Z",
        },
        status: { addresses: [{ type: "InternalIP", address: `198.51.100.${i + 1}` }], conditions: [{ type: "Ready", status: "True" }] },
      });
    }
    server.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
    // Populated: VirtualIPs on one rack each, on named nodes, on every node; a pool and Services.
    for (let i = 0; i < 24; i++) {
      const placement =
        i % 3 === 0
          ? { nodeSelector: { "example.com/rack": `r${i % 4}` } }
          : i % 3 === 1
            ? { nodeNames: [node(i % NODES), node((i + 1) % NODES)] }
            : {};
      await custom.createClusterCustomObject({
        ...VIPS,
        body: {
          apiVersion: "floatip.io/v1alpha1",
          kind: "VirtualIP",
          metadata: { name: `vip-${i}` },
          spec: { addresses: [`192.0.2.${i + 1}/32`], ...placement },
        },
      });
    }
    await custom.createClusterCustomObject({
      group: "floatip.io",
      version: "v1alpha1",
      plural: "virtualippools",
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIPPool",
        metadata: { name: "default" },
        spec: { addresses: ["203.0.113.0/28"] },
      },
    });
    for (let i = 0; i < 8; i++) await core.createNamespacedService({ namespace: "default", body: service(`svc-${i}`) });
    controller = testController(kc, NAMESPACE);
    await controller.start();
    await waitFor(() => server.store.list("vrrpnodes").length === NODES, 20_000, "every VRRPNode");
    await settle();
  });
  after(async () => {
    await controller?.stop();
    await server?.close();
  });

  /** Each written VRRPNode written once and changed; every changed one written; `allowed` the only other writes. */
  const checkWrites = (
    writes: readonly RequestLogEntry[],
    before: Map<string, string>,
    after: Map<string, string>,
    allowed: readonly string[],
  ) => {
    const changed = [...after]
      .filter(([name, spec]) => before.get(name) !== spec)
      .map(([name]) => name)
      .sort();
    const vrrpNodeWrites = writes
      .filter((w) => w.resource === "vrrpnodes")
      .map((w) => w.name ?? "(new)")
      .sort();
    assert.deepEqual(vrrpNodeWrites, changed, "VRRPNode writes: exactly the nodes whose spec changed, each once");
    assert.ok(changed.length > 0, "the change reached some node");
    const others = writes
      .filter((w) => w.resource !== "vrrpnodes")
      .map(describeWrite)
      .sort();
    assert.deepEqual(others, [...allowed].sort());
  };

  it("adding one VirtualIP: its finalizer, its status, and only the VRRPNodes that now run it", async () => {
    const before = specs();
    const from = server.requestLog.length;
    await custom.createClusterCustomObject({
      ...VIPS,
      body: {
        apiVersion: "floatip.io/v1alpha1",
        kind: "VirtualIP",
        metadata: { name: "added" },
        spec: { addresses: ["192.0.2.200/32"], nodeNames: [node(3), node(7)] },
      },
    });
    await waitFor(
      async () => ((await custom.getClusterCustomObject({ ...VIPS, name: "added" })) as { status?: object }).status,
      10_000,
      "added's status",
    );
    await settle();
    // The first write is the test's own create.
    checkWrites(writesSince(from + 1), before, specs(), ["patch virtualips added", "patch virtualips/status added"]);
  });

  it("adding one LoadBalancer Service: its VirtualIP, its status, the pool's counts, and only the VRRPNodes that now run it", async () => {
    const before = specs();
    const from = server.requestLog.length;
    await core.createNamespacedService({ namespace: "default", body: service("added") });
    await waitFor(
      async () => (await core.readNamespacedServiceStatus({ namespace: "default", name: "added" })).status?.loadBalancer?.ingress?.[0]?.ip,
      10_000,
      "added's ingress",
    );
    await settle();
    const writes = writesSince(from).filter((w) => !(w.resource === "services" && w.subresource === undefined && w.verb === "create"));
    const owned = writes.find((w) => w.resource === "virtualips" && w.verb === "create");
    assert.ok(owned !== undefined, "its VirtualIP created");
    const name = writes.find((w) => w.resource === "virtualips" && w.subresource === "status")?.name ?? "?";
    checkWrites(writes, before, specs(), [
      "create virtualips (new)",
      `patch virtualips ${name}`,
      `patch virtualips/status ${name}`,
      "patch services/status added",
      "patch virtualippools/status default",
    ]);
  });
});
