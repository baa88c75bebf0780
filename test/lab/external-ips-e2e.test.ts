/**
 * A Service with spec.externalIPs that opts in (floatip.io/externalIPs:
 * "true") is served end to end (issue 19, part 5), as keepalived-operator
 * users run it: the test API server, the controller and two `--kubernetes`
 * agents in the namespace lab (test/lab/kube-cluster.ts, as lb-e2e.test.ts).
 * The address lands on one node's interface (Cluster policy: any selected
 * node, as for LoadBalancer Services packed into shared routers), answers ping from the client namespace, and goes when the Service goes.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { holders } from "./vrrp-lab.js";
import { KubeCluster } from "./kube-cluster.js";

const ADDRESS = "192.0.2.231";

describe("a Service with spec.externalIPs on a cluster", { timeout: 120_000 }, () => {
  let cluster: KubeCluster;
  let nodes: string[] = [];
  const fail = (e: unknown): never => assert.fail(`${String(e)}\n${cluster.diag()}`);

  before(async () => {
    cluster = await KubeCluster.start({ nodes: 2 });
    nodes = cluster.lab.nodes.map((h) => h.name);
  });
  after(async () => {
    await cluster?.stop();
  });

  it("the external IP is on the endpoint node's interface and answers ping; deleting the Service releases it", async () => {
    await cluster.apply({
      apiVersion: "floatip.io/v1alpha1",
      kind: "VirtualIPPool",
      metadata: { name: "external" },
      spec: { addresses: ["192.0.2.230-192.0.2.235"], autoAssign: false },
    });
    await cluster.apply({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "router", namespace: "default", annotations: { "floatip.io/externalIPs": "true" } },
      spec: { type: "ClusterIP", externalIPs: [ADDRESS], selector: { app: "router" }, ports: [{ port: 80 }] },
    });
    await cluster.apply({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "router-1", namespace: "default", labels: { "kubernetes.io/service-name": "router" } },
      addressType: "IPv4",
      ports: [{ name: "http", port: 80, protocol: "TCP" }],
      endpoints: [{ addresses: ["10.0.0.1"], nodeName: nodes[1]!, conditions: { ready: true } }],
    });
    // Cluster policy: every selected node is a candidate; exactly one holds the address.
    await cluster.lab
      .waitFor(
        async () => {
          const list = await holders(cluster.lab, ADDRESS);
          return list.length === 1 && nodes.includes(list[0]!) ? true : undefined;
        },
        30_000,
        `${ADDRESS} held by exactly one node`,
      )
      .catch(fail);
    await cluster.lab.exec(cluster.lab.client!.ns, ["ping", "-c", "1", "-W", "2", ADDRESS]).catch(fail);
    const allocated = await cluster.lab
      .waitFor(
        async () => {
          const s = await cluster.getJson<{ status?: { conditions?: { type: string; status: string; message: string }[] } }>([
            "get",
            "service",
            "router",
            "-n",
            "default",
          ]);
          return s.status?.conditions?.find((c) => c.type === "floatip.io/AddressAllocated" && c.status === "True");
        },
        10_000,
        "AddressAllocated True",
      )
      .catch(fail);
    assert.equal(allocated.message, `spec.externalIPs floated: ${ADDRESS} (VirtualIPPool external)`);

    await cluster.kubectl(["delete", "service", "router", "-n", "default"]);
    await cluster.lab
      .waitFor(async () => ((await holders(cluster.lab, ADDRESS)).length === 0 ? true : undefined), 15_000, "released everywhere")
      .catch(fail);
  });
});
