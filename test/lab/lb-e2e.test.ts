/**
 * LoadBalancer Services end to end: the test API server, the controller and
 * three `--kubernetes` agents in the namespace lab (test/lab/kube-cluster.ts).
 * There is no endpoint controller, so the tests write the EndpointSlices
 * themselves, as kube-controller-manager would.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { holders } from "./vrrp-lab.js";
import { KubeCluster, REPO } from "./kube-cluster.js";

const ADDRESS = "192.0.2.240"; // the first address of examples/loadbalancer-nginx.yaml's pool
const SHARED = "192.0.2.250"; // examples/loadbalancer-shared-ip.yaml
const LOCAL = "192.0.2.245";

interface ServiceJson {
  metadata: { uid: string };
  status?: {
    loadBalancer?: { ingress?: { ip: string }[] };
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}
interface EventsJson {
  items: { reason: string; note?: string; regarding?: { name: string; kind: string } }[];
}

describe("LoadBalancer Services on a cluster", { timeout: 300_000 }, () => {
  let cluster: KubeCluster;
  const fail = (e: unknown): never => assert.fail(`${String(e)}\n${cluster.diag()}`);

  /** The EndpointSlice of Service `service`: one endpoint per node, ready unless listed in unready. */
  const endpoints = (service: string, nodes: readonly string[], unready: readonly string[] = []) =>
    cluster.apply({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: `${service}-1`, namespace: "default", labels: { "kubernetes.io/service-name": service } },
      addressType: "IPv4",
      ports: [{ name: "http", port: 80, protocol: "TCP" }],
      endpoints: nodes.map((n, i) => ({ addresses: [`10.0.0.${i + 1}`], nodeName: n, conditions: { ready: !unready.includes(n) } })),
    });

  /** Waits until exactly one node holds the address, it is one of `allowed`, and it stays so for a second. */
  async function holderAmong(address: string, allowed: readonly string[], timeoutMs: number): Promise<string> {
    let candidate: string | undefined;
    let since = 0;
    return cluster.lab.waitFor(
      async () => {
        const list = await holders(cluster.lab, address);
        const one = list.length === 1 && allowed.includes(list[0]!) ? list[0] : undefined;
        if (one !== candidate) [candidate, since] = [one, Date.now()];
        return candidate !== undefined && Date.now() - since >= 1000 ? candidate : undefined;
      },
      timeoutMs,
      `${address} held by exactly one of ${allowed.join(", ")}`,
    );
  }

  const ingress = async (name: string) =>
    (await cluster.getJson<ServiceJson>(["get", "service", name, "-n", "default"])).status?.loadBalancer?.ingress?.map((i) => i.ip) ?? [];
  const serviceEvent = (name: string, reason: string, text: string) =>
    cluster.lab.waitFor(
      async () => {
        const events = await cluster.getJson<EventsJson>(["get", "events.events.k8s.io", "-n", "default"]);
        return events.items.find(
          (e) => e.regarding?.kind === "Service" && e.regarding.name === name && e.reason === reason && (e.note ?? "").includes(text),
        );
      },
      10_000,
      `Event ${reason} on Service ${name} saying "${text}"`,
    );

  let nodes: string[] = [];
  before(async () => {
    cluster = await KubeCluster.start({ nodes: 3 });
    nodes = cluster.lab.nodes.map((h) => h.name);
  });
  after(async () => {
    await cluster?.stop();
  });

  let first = "";
  it("a LoadBalancer Service (Cluster policy): the address lands on one node and the status shows it", async () => {
    await cluster.kubectl(["apply", "-f", join(REPO, "examples/loadbalancer-nginx.yaml")]);
    await endpoints("web", [nodes[0]!, nodes[1]!]);
    first = await holderAmong(ADDRESS, nodes, 20_000).catch(fail);
    await cluster.lab.waitFor(async () => (await ingress("web")).join() === ADDRESS, 10_000, "status.loadBalancer.ingress").catch(fail);
    const service = await cluster.getJson<ServiceJson>(["get", "service", "web", "-n", "default"]);
    const announced = service.status?.conditions?.find((c) => c.type === "floatip.io/Announced");
    await serviceEvent("web", "Announced", `${first} announces ${ADDRESS}`).catch(fail);
    const pool = await cluster.kubectl(["get", "virtualippool"]);
    assert.match(pool, /NAME\s+ADDRESSES\s+AUTO\s+ALLOCATED\s+FREE\s+READY\s+AGE/);
    assert.match(pool, /default\s+.*true\s+1\s+26\s+True/, pool); // 11 IPv4 + 16 IPv6, one given out
    assert.ok(announced === undefined || announced.status === "True" || announced.reason === "NoMaster", JSON.stringify(announced));
  });

  it("an endpoint turns unready: a Cluster Service's address stays where it is (kube-proxy forwards from any node)", async () => {
    await endpoints("web", [nodes[0]!, nodes[1]!], [nodes[0]!]);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await holderAmong(ADDRESS, [first], 5_000).catch(fail), first);
    assert.deepEqual(await ingress("web"), [ADDRESS], "the address stays the Service's");
  });

  it("two Services sharing one address (the shared-IP example): one VirtualIP, one holder, both statuses", async () => {
    await cluster.kubectl(["apply", "-f", join(REPO, "examples/loadbalancer-shared-ip.yaml")]);
    await holderAmong(SHARED, nodes, 20_000).catch(fail);
    await cluster.lab
      .waitFor(
        async () => (await ingress("dns-tcp")).join() === SHARED && (await ingress("dns-udp")).join() === SHARED,
        10_000,
        "both ingress",
      )
      .catch(fail);
    const vips = await cluster.getJson<{ items: { metadata: { name: string; annotations?: Record<string, string> } }[] }>(["get", "vip"]);
    const shared = vips.items.filter((v) => v.metadata.name === "lb-192-0-2-250");
    assert.equal(shared.length, 1);
    assert.equal(shared[0]!.metadata.annotations?.["floatip.io/services"], "default/dns-tcp,default/dns-udp");
  });

  it("externalTrafficPolicy Local: only the node with a ready endpoint holds the address; none when it turns unready", async () => {
    const local = nodes[2]!;
    await cluster.apply({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "local", namespace: "default", annotations: { "floatip.io/loadBalancerIPs": LOCAL } },
      spec: {
        type: "LoadBalancer",
        loadBalancerClass: "floatip.io/vrrp",
        externalTrafficPolicy: "Local",
        selector: { app: "local" },
        ports: [{ port: 8080 }],
      },
    });
    await endpoints("local", [local]);
    assert.equal(await holderAmong(LOCAL, [local], 20_000).catch(fail), local);
    await endpoints("local", [local], [local]);
    await cluster.lab
      .waitFor(async () => (await holders(cluster.lab, LOCAL)).length === 0, 10_000, "released with no ready endpoint")
      .catch(fail);
    const service = await cluster.getJson<ServiceJson>(["get", "service", "local", "-n", "default"]);
    assert.deepEqual(
      service.status?.loadBalancer?.ingress?.map((i) => i.ip),
      [LOCAL],
      "still allocated",
    );
    const announced = await cluster.lab
      .waitFor(
        async () =>
          (await cluster.getJson<ServiceJson>(["get", "service", "local", "-n", "default"])).status?.conditions?.find(
            (c) => c.type === "floatip.io/Announced" && c.reason === "NoReadyEndpoint",
          ),
        10_000,
        "Announced False",
      )
      .catch(fail);
    assert.equal(announced.status, "False");
  });

  it("delete the Services: the addresses are released from every interface and their VirtualIPs go", async () => {
    await cluster.kubectl(["delete", "service", "web", "dns-tcp", "dns-udp", "local", "-n", "default"]);
    await cluster.kubectl(["delete", "endpointslice", "web-1", "local-1", "-n", "default"]);
    await cluster.lab
      .waitFor(
        async () => (await holders(cluster.lab, ADDRESS)).length === 0 && (await holders(cluster.lab, SHARED)).length === 0,
        15_000,
        "addresses released everywhere",
      )
      .catch(fail);
    await cluster.lab
      .waitFor(
        async () => {
          const vips = await cluster.getJson<{ items: { metadata: { name: string } }[] }>(["get", "vip"]);
          return vips.items.every((v) => !v.metadata.name.startsWith("lb-"));
        },
        15_000,
        "owned VirtualIPs deleted",
      )
      .catch(fail);
    await cluster.lab
      .waitFor(
        async () => /default\s+.*true\s+0\s+27\s+True/.test(await cluster.kubectl(["get", "virtualippool"])),
        10_000,
        "pool: 0 allocated, 27 free",
      )
      .catch(fail);
  });
});
