/**
 * A `Local` Service's endpoints move on a real cluster (test API server,
 * controller, three `--kubernetes` agents in the namespace lab): the master
 * keeps the address while it keeps an endpoint (no delete in `ip monitor
 * address`), and neither it nor the other Services' addresses move (issue 15).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AddressWatch, holders } from "./vrrp-lab.js";
import { KubeCluster } from "./kube-cluster.js";

const LOCAL = "192.0.2.242";
const STEADY = ["192.0.2.240", "192.0.2.241"];

describe("a Local Service whose endpoints move", { timeout: 180_000 }, () => {
  let cluster: KubeCluster;
  let watch: AddressWatch | undefined;
  const fail = (e: unknown): never => assert.fail(`${String(e)}\n${cluster.diag()}`);

  const service = (name: string, address: string) =>
    cluster.apply({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: "default", annotations: { "floatip.io/loadBalancerIPs": address } },
      spec: {
        type: "LoadBalancer",
        loadBalancerClass: "floatip.io/vrrp",
        externalTrafficPolicy: "Local",
        selector: { app: name },
        ports: [{ port: 8080 }],
      },
    });
  const endpoints = (name: string, nodes: readonly string[]) =>
    cluster.apply({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: `${name}-1`, namespace: "default", labels: { "kubernetes.io/service-name": name } },
      addressType: "IPv4",
      ports: [{ name: "http", port: 80, protocol: "TCP" }],
      endpoints: nodes.map((n, i) => ({ addresses: [`10.0.0.${i + 1}`], nodeName: n, conditions: { ready: true } })),
    });
  /** The one node holding address, once it has held it for a second. */
  async function holder(address: string, allowed: readonly string[]): Promise<string> {
    let candidate: string | undefined;
    let since = 0;
    return cluster.lab.waitFor(
      async () => {
        const list = await holders(cluster.lab, address);
        const one = list.length === 1 && allowed.includes(list[0]!) ? list[0] : undefined;
        if (one !== candidate) [candidate, since] = [one, Date.now()];
        return candidate !== undefined && Date.now() - since >= 1000 ? candidate : undefined;
      },
      20_000,
      `${address} held by exactly one of ${allowed.join(", ")}`,
    );
  }

  before(async () => {
    cluster = await KubeCluster.start({ nodes: 3 });
  });
  after(async () => {
    await watch?.stop();
    await cluster?.stop();
  });

  it("the master keeps its endpoint: no delete on it, no move, other Services untouched; it loses it: the running backup takes over, once", async () => {
    const nodes = cluster.lab.nodes.map((h) => h.name);
    await cluster.apply({
      apiVersion: "floatip.io/v1alpha1",
      kind: "VirtualIPPool",
      metadata: { name: "default" },
      spec: { addresses: ["192.0.2.240-192.0.2.250"], advertisementInterval: "100ms" },
    });
    // Two Services on the same endpoint nodes first: before each Local Service had a router of its own, the third shared one of theirs.
    for (const [i, address] of STEADY.entries()) {
      await service(`steady-${i}`, address);
      await endpoints(`steady-${i}`, [nodes[0]!, nodes[1]!]);
      await holder(address, [nodes[0]!, nodes[1]!]).catch(fail);
    }
    await service("local", LOCAL);
    await endpoints("local", [nodes[0]!, nodes[1]!]);
    const master = await holder(LOCAL, [nodes[0]!, nodes[1]!]).catch(fail);
    const steadyHolders = await Promise.all(STEADY.map((a) => holder(a, [nodes[0]!, nodes[1]!]).catch(fail)));
    const gone = master === nodes[0] ? nodes[1]! : nodes[0]!;
    const newcomer = nodes[2]!;

    watch = new AddressWatch(cluster.lab);
    await watch.start(cluster.lab.nodes);
    const moved = Date.now();
    await endpoints("local", [master, newcomer]);
    // The controller writes the new VRRPNodes and the agents apply them: give it time to do anything wrong.
    await cluster.lab
      .waitFor(
        async () => {
          const vip = await cluster.getJson<{ spec: { nodeNames?: string[] } }>(["get", "vip", "lb-192-0-2-242"]);
          return vip.spec.nodeNames?.join() === [master, newcomer].sort().join() ? true : undefined;
        },
        10_000,
        "nodeNames follow the endpoints",
      )
      .catch(fail);
    await new Promise((r) => setTimeout(r, 4000));
    assert.deepEqual(await holders(cluster.lab, LOCAL), [master], "the master keeps the address");
    assert.deepEqual(
      watch.since(LOCAL, moved).map((e) => `${e.host} ${e.added ? "+" : "-"}`),
      [],
      "no address event for the moved Service: no delete on the master, no add elsewhere",
    );
    for (const a of STEADY) assert.deepEqual(watch.since(a, moved), [], `${a} untouched`);
    assert.deepEqual(
      await Promise.all(STEADY.map((a) => holders(cluster.lab, a))),
      steadyHolders.map((h) => [h]),
    );

    // Now the master loses its endpoint: it hands over to the newcomer.
    const handover = Date.now();
    await endpoints("local", [gone, newcomer]);
    const next = await holder(LOCAL, [gone, newcomer]).catch(fail);
    assert.equal(next, newcomer, "the backup that was running takes over; the node that joins does not preempt it");
    const events = watch.since(LOCAL, handover);
    assert.deepEqual(
      events.filter((e) => !e.added).map((e) => e.host),
      [master],
      "deleted only on the old master",
    );
    assert.deepEqual(
      events.filter((e) => e.added).map((e) => e.host),
      [next],
      "added only on the new one",
    );
    for (const a of STEADY) assert.deepEqual(watch.since(a, moved), [], `${a} untouched`);
  });
});
