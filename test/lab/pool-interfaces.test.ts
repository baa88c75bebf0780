/**
 * VirtualIPPool `spec.interfaces` with real agents (issue 19): three nodes
 * with two interfaces each, eth0 on the first segment (192.0.2.0/24) and eth1
 * on a second one (198.51.100.0/24, test/lab/segment.ts). A Service of a pool
 * limited to eth1 gets its address on the master's eth1 only, answers ping
 * from the client's end of the second segment, and never appears on any eth0
 * (`ip monitor address` from the start); a Service of a pool without
 * `interfaces` lands on eth0, the interface whose subnet holds its address.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KubeCluster } from "./kube-cluster.js";
import { SEGMENT_IFNAME } from "./segment.js";

const SECOND = "198.51.100.200";
const FIRST = "192.0.2.240";

interface ServiceJson {
  status?: { loadBalancer?: { ingress?: { ip: string }[] } };
}

describe("pool interfaces in the lab: two interfaces per node", { timeout: 120_000 }, () => {
  let cluster: KubeCluster;
  const fail = (e: unknown): never => assert.fail(`${String(e)}\n${cluster.diag()}`);

  const service = (name: string, pool: string) =>
    cluster.apply({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: "default", annotations: { "floatip.io/pool": pool } },
      spec: {
        type: "LoadBalancer",
        loadBalancerClass: "floatip.io/vrrp",
        externalTrafficPolicy: "Cluster",
        selector: { app: name },
        ports: [{ port: 80 }],
      },
    });
  const ingress = async (name: string) =>
    (await cluster.getJson<ServiceJson>(["get", "service", name, "-n", "default"])).status?.loadBalancer?.ingress?.map((i) => i.ip) ?? [];

  /** "node:interface" for every node interface that carries address now. */
  async function where(address: string): Promise<string[]> {
    const out: string[] = [];
    for (const host of cluster.lab.nodes) {
      for (const ifname of [host.ifname, SEGMENT_IFNAME]) {
        if ((await cluster.lab.addresses(host.ns, ifname)).some((a) => a.address === address)) out.push(`${host.name}:${ifname}`);
      }
    }
    return out;
  }

  /** The one "node:interface" holding address, once it has for a second, and on `ifname`. */
  async function heldOn(address: string, ifname: string): Promise<string> {
    let candidate: string | undefined;
    let since = 0;
    let last: string[] = [];
    return cluster.lab
      .waitFor(
        async () => {
          last = await where(address);
          const one = last.length === 1 && last[0]!.endsWith(`:${ifname}`) ? last[0] : undefined;
          if (one !== candidate) [candidate, since] = [one, Date.now()];
          return candidate !== undefined && Date.now() - since >= 1000 ? candidate : undefined;
        },
        20_000,
        `${address} on exactly one node's ${ifname}`,
      )
      .catch((e: unknown) => fail(`${String(e)}; now on [${last.join(", ")}]`));
  }

  before(async () => {
    cluster = await KubeCluster.start({ nodes: 3, secondSegment: true });
    await cluster.apply({
      apiVersion: "floatip.io/v1alpha1",
      kind: "VirtualIPPool",
      metadata: { name: "second" },
      spec: { addresses: [`${SECOND}-198.51.100.209`], interfaces: [SEGMENT_IFNAME], advertisementInterval: "100ms" },
    });
    await cluster.apply({
      apiVersion: "floatip.io/v1alpha1",
      kind: "VirtualIPPool",
      metadata: { name: "first" },
      spec: { addresses: [`${FIRST}-192.0.2.250`], advertisementInterval: "100ms" },
    });
  });
  after(async () => {
    await cluster?.stop();
  });

  it("a Service of a pool with interfaces [eth1]: on the master's eth1 only, never on an eth0, answers ping on the second segment", async () => {
    await service("second", "second");
    await cluster.lab.waitFor(async () => (await ingress("second")).join() === SECOND, 20_000, "the Service's ingress").catch(fail);
    const held = await heldOn(SECOND, SEGMENT_IFNAME);
    const client = cluster.segment.find((h) => h.name === "client")!;
    await cluster.lab.exec(client.ns, ["ping", "-n", "-c", "1", "-W", "2", "-I", client.ifname, SECOND]).catch(fail);
    const vrrpNode = await cluster.getJson<{ spec: { instances?: { interface?: string; addresses: string[] }[] } }>([
      "get",
      "vrrpnode",
      held.split(":")[0]!,
    ]);
    const instance = vrrpNode.spec.instances?.find((i) => i.addresses.includes(`${SECOND}/32`));
    assert.equal(instance?.interface, SEGMENT_IFNAME, "its VRRPNode names eth1");
    await new Promise((r) => setTimeout(r, 2000));
    assert.deepEqual(await where(SECOND), [held], "still only there");
    const events = cluster.watch.events.filter((e) => e.address === SECOND);
    assert.ok(events.length > 0, "ip monitor saw it added");
    assert.deepEqual(
      events.filter((e) => e.ifname !== SEGMENT_IFNAME).map((e) => `${e.host}:${e.ifname} ${e.added ? "+" : "-"}`),
      [],
      "never on another interface",
    );
  });

  it("a Service of a pool without interfaces: on the default interface (eth0, whose subnet holds it), answers ping", async () => {
    await service("first", "first");
    await cluster.lab.waitFor(async () => (await ingress("first")).join() === FIRST, 20_000, "the Service's ingress").catch(fail);
    await heldOn(FIRST, "eth0");
    await cluster.lab.exec(cluster.control.ns, ["ping", "-n", "-c", "1", "-W", "2", "-I", "eth0", FIRST]).catch(fail);
    const events = cluster.watch.events.filter((e) => e.address === FIRST);
    assert.deepEqual(
      events.filter((e) => e.ifname !== "eth0").map((e) => `${e.host}:${e.ifname} ${e.added ? "+" : "-"}`),
      [],
      "never on eth1",
    );
    assert.deepEqual(
      cluster.watch.events.filter((e) => e.address === SECOND && e.ifname !== SEGMENT_IFNAME),
      [],
      "the eth1 pool's address still never on an eth0",
    );
  });
});
