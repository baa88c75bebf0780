/**
 * HTTP checks on VirtualIPs (issue 14 item 5), against the Kubernetes API
 * test server with the real client-node: a VirtualIP with
 * spec.track.httpChecks passes the CRD's schema, the controller renders it
 * into every selected node's VRRPNode (the CRD keeps the fields: nothing
 * pruned), and the agent's validator accepts the stored spec as is (peer sets resolved).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { validateAgentConfig } from "../../agent/config/validate.js";
import { expandPeerSets } from "../../agent/kube/peer-sets.js";
import { Controller } from "../../operator/controller/controller.js";
import { startTestApiServer, type TestApiServer } from "./server.js";
import { testController } from "./test-controller.js";

const group = "floatip.io";
const version = "v1alpha1";

describe("a VirtualIP with an HTTP check", { timeout: 30_000 }, () => {
  let server: TestApiServer;
  let controller: Controller;

  before(async () => {
    server = await startTestApiServer({ crds: ["crds/virtualip.yaml", "crds/vrrpnode.yaml"] });
    for (const [name, ip] of [
      ["a", "198.51.100.1"],
      ["b", "198.51.100.2"],
    ] as const) {
      server.store.put({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name, labels: {} },
        status: { addresses: [{ type: "InternalIP", address: ip }], conditions: [{ type: "Ready", status: "True" }] },
      });
    }
    controller = testController(server.kubeConfig(), "floatip-system", { loadBalancers: false });
    await controller.start();
  });

  after(async () => {
    await controller?.stop();
    await server?.close();
  });

  it("renders into every node's VRRPNode, which the agent accepts", async () => {
    const custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    await custom.createClusterCustomObject({
      group,
      version,
      plural: "virtualips",
      body: {
        apiVersion: `${group}/${version}`,
        kind: "VirtualIP",
        metadata: { name: "web" },
        spec: {
          addresses: ["192.0.2.5/24"],
          track: {
            httpChecks: [
              { name: "ready", url: "http://127.0.0.1:8080/healthz", interval: "200ms", timeout: "100ms", fall: 2 },
              { name: "api", url: "https://127.0.0.1:6443/readyz", weight: -50, tls: { caFile: "/etc/kubernetes/pki/ca.crt" } },
            ],
          },
        },
      },
    });
    const end = Date.now() + 10_000;
    let specs: unknown[] = [];
    while (Date.now() < end) {
      const list = (await custom.listClusterCustomObject({ group, version, plural: "vrrpnodes" })) as {
        items: { metadata: { name: string }; spec: { httpChecks?: unknown[] } }[];
      };
      specs = list.items.filter((n) => n.spec.httpChecks !== undefined).map((n) => n.spec);
      if (specs.length === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(specs.length, 2, "both nodes' VRRPNodes carry the checks");
    for (const spec of specs) {
      const doc = spec as { httpChecks: unknown[]; instances: { track?: { httpChecks?: unknown[] } }[] };
      assert.deepEqual(doc.httpChecks, [
        {
          name: "web/api",
          url: "https://127.0.0.1:6443/readyz",
          interval: "1s",
          timeout: "1s",
          weight: -50,
          fall: 1,
          rise: 1,
          tls: { caFile: "/etc/kubernetes/pki/ca.crt", insecureSkipVerify: false },
        },
        { name: "web/ready", url: "http://127.0.0.1:8080/healthz", interval: "200ms", timeout: "100ms", weight: 0, fall: 2, rise: 1 },
      ]);
      assert.deepEqual(doc.instances[0]!.track?.httpChecks, [{ name: "web/ready" }, { name: "web/api" }]);
      // As the agent reads it: peer sets resolved first (agent/kube/peer-sets.ts).
      const expanded = expandPeerSets(doc);
      assert.deepEqual(expanded.errors, []);
      const read = expanded.doc as typeof doc;
      const agent = validateAgentConfig(
        { ...read, instances: read.instances.map((i) => ({ ...i, interface: "eth0" })) },
        { kubernetes: true },
      );
      assert.ok(agent.ok, JSON.stringify(agent));
      assert.deepEqual(
        agent.config.instances[0]!.track.httpChecks?.map((c) => c.name),
        ["web/ready", "web/api"],
      );
    }
  });

  it("the CRD refuses a check without a URL or with a non-HTTP one, naming the field", async () => {
    const custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    for (const [check, field] of [
      [{ name: "x" }, /httpChecks\[0\]\.url|url/],
      [{ name: "x", url: "ftp://127.0.0.1/" }, /httpChecks\[0\]\.url/],
    ] as const) {
      const error = await custom
        .createClusterCustomObject({
          group,
          version,
          plural: "virtualips",
          body: {
            apiVersion: `${group}/${version}`,
            kind: "VirtualIP",
            metadata: { name: "bad" },
            spec: { addresses: ["192.0.2.9/24"], track: { httpChecks: [check] } },
          },
        })
        .then(
          () => undefined,
          (e: unknown) => e as { code?: number; body?: string },
        );
      assert.equal(error?.code, 422, JSON.stringify(check));
      assert.match(String(error?.body), field);
    }
  });
});
