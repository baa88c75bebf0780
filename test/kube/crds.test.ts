// The project's own CRDs (crds/*.yaml) and examples (examples/*.yaml) on the test API server.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { plan } from "../../operator/planner/index.js";
import { nodes as plannerNodes, vip as plannerVip } from "../../operator/planner/test-fixtures.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { rejects } from "./testutil.js";
import { kubectl } from "./tools.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const crdFiles = ["crds/virtualip.yaml", "crds/vrrpnode.yaml", "crds/virtualippool.yaml"].map((f) => root + f);
const present = crdFiles.every((f) => existsSync(f));
const examples = existsSync(root + "examples")
  ? readdirSync(root + "examples")
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => root + "examples/" + f)
  : [];
const vips = { group: "floatip.io", version: "v1alpha1", plural: "virtualips" };

describe("project CRDs on the test API server", { skip: present ? false : "crds/*.yaml not written yet" }, () => {
  let server: TestApiServer;
  before(async () => {
    server = await startTestApiServer({ crds: crdFiles });
  });
  after(() => server.close());

  it("serves VirtualIP and VRRPNode with short names and printer columns", async () => {
    const out = await kubectl(server, ["api-resources", "--api-group", "floatip.io"]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /virtualips\s+vip\s+floatip\.io\/v1alpha1\s+false\s+VirtualIP/);
    assert.match(out.stdout, /vrrpnodes\s+.*floatip\.io\/v1alpha1\s+false\s+VRRPNode/);
  });

  it("kubectl apply -f accepts every example; kubectl get vip shows them", {
    skip: examples.length === 0 ? "no examples" : false,
  }, async () => {
    for (const f of examples) {
      const r = await kubectl(server, ["apply", "-f", f]);
      assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    }
    const get = await kubectl(server, ["get", "vip"]);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout.split("\n")[0] ?? "", /^NAME\s+ADDRESSES\s+VRID\s+MASTER\s+READY\s+AGE$/);
  });

  it("enforces the CEL rules (none unsupported by the test server's evaluator)", async () => {
    const custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    const body = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: "floatip.io/v1alpha1",
      kind: "VirtualIP",
      metadata: { name },
      spec,
    });
    const both = await rejects(() =>
      custom.createClusterCustomObject({
        ...vips,
        body: body("both", { addresses: ["192.0.2.7/24"], priorities: { a: 100 }, preferredNodes: ["a"] }),
      }),
    );
    assert.equal(both.code, 422);
    assert.ok(
      both.details?.causes?.some((c) => c.field === "spec.preferredNodes"),
      both.message,
    );
    const v2v6 = await rejects(() =>
      custom.createClusterCustomObject({ ...vips, body: body("v2v6", { addresses: ["2001:db8::7/64"], version: 2 }) }),
    );
    assert.ok(
      v2v6.details?.causes?.some((c) => c.field === "spec.version"),
      v2v6.message,
    );
    const interval = await rejects(() =>
      custom.createClusterCustomObject({ ...vips, body: body("iv", { addresses: ["192.0.2.8/24"], advertisementInterval: "15ms" }) }),
    );
    assert.ok(
      interval.details?.causes?.some((c) => c.field === "spec.advertisementInterval"),
      interval.message,
    );
    await custom.createClusterCustomObject({
      ...vips,
      body: body("fine", { addresses: ["192.0.2.9/24"], advertisementInterval: "250ms" }),
    });
    assert.deepEqual([...server.unsupportedValidations], []);
  });

  it("accepts the planner's VRRPNode specs, a lone node's empty unicast peer list included", async () => {
    const custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    const cluster = plannerNodes(3).map((n, i) => ({ ...n, labels: { rack: i < 2 ? "a" : "b" } }));
    const planned = plan({
      virtualIPs: [
        plannerVip("pair", { addresses: ["192.0.2.20/32", "2001:db8::20/128"], nodeSelector: { rack: "a" } }),
        plannerVip("lone", { addresses: ["192.0.2.21/32"], nodeSelector: { rack: "b" } }),
      ],
      nodes: cluster,
    });
    assert.deepEqual(
      planned.nodes.get("node-2")?.peerSets?.map((s) => s.peers),
      [[]],
      "node-2 runs lone by itself",
    );
    for (const [name, spec] of planned.nodes) {
      await custom.createClusterCustomObject({
        group: "floatip.io",
        version: "v1alpha1",
        plural: "vrrpnodes",
        body: { apiVersion: "floatip.io/v1alpha1", kind: "VRRPNode", metadata: { name }, spec },
      });
    }
    assert.equal(server.store.list("vrrpnodes").length, 3);
    const stored = (await custom.getClusterCustomObject({
      group: "floatip.io",
      version: "v1alpha1",
      plural: "vrrpnodes",
      name: "node-0",
    })) as { spec: unknown };
    assert.deepEqual(
      stored.spec,
      JSON.parse(JSON.stringify(planned.nodes.get("node-0"))),
      "stored as written: peerSets, peerSet references, virtualRouterID",
    );
  });

  it("keeps a VRRPNode in the old form (virtualRouterId, advertInterval, inline peers) as written; refuses a conflicting pair and peers with peerSet", async () => {
    const custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    const nodes = { group: "floatip.io", version: "v1alpha1", plural: "vrrpnodes" };
    const body = (name: string, instance: Record<string, unknown>) => ({
      apiVersion: "floatip.io/v1alpha1",
      kind: "VRRPNode",
      metadata: { name },
      spec: { instances: [{ name: "vrid-1", addresses: ["192.0.2.30/32"], ...instance }] },
    });
    const old = { virtualRouterId: 7, advertInterval: "2s", unicast: { source: "198.51.100.1", peers: ["198.51.100.2"] } };
    await custom.createClusterCustomObject({ ...nodes, body: body("old-a", old) });
    const stored = (await custom.getClusterCustomObject({ ...nodes, name: "old-a" })) as { spec: { instances: unknown[] } };
    assert.deepEqual(stored.spec.instances[0], { name: "vrid-1", addresses: ["192.0.2.30/32"], ...old }, "not pruned");
    const conflict = await rejects(() =>
      custom.createClusterCustomObject({ ...nodes, body: body("old-b", { virtualRouterID: 7, virtualRouterId: 8 }) }),
    );
    assert.equal(conflict.code, 422);
    assert.ok(
      conflict.details?.causes?.some((c) => c.field === "spec.instances[0].virtualRouterID"),
      conflict.message,
    );
    const interval = await rejects(() =>
      custom.createClusterCustomObject({
        ...nodes,
        body: body("old-c", { virtualRouterID: 7, advertisementInterval: "1s", advertInterval: "2s" }),
      }),
    );
    assert.ok(
      interval.details?.causes?.some((c) => c.field === "spec.instances[0].advertisementInterval"),
      interval.message,
    );
    const missing = await rejects(() => custom.createClusterCustomObject({ ...nodes, body: body("old-d", {}) }));
    assert.ok(
      missing.details?.causes?.some((c) => c.field === "spec.instances[0].virtualRouterID"),
      missing.message,
    );
    const both = await rejects(() =>
      custom.createClusterCustomObject({ ...nodes, body: body("old-e", { virtualRouterID: 7, unicast: { peerSet: "p1", peers: [] } }) }),
    );
    assert.ok(
      both.details?.causes?.some((c) => c.field === "spec.instances[0].unicast.peerSet"),
      both.message,
    );
    assert.deepEqual([...server.unsupportedValidations], []);
  });
});
