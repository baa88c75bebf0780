/**
 * Issue 15's lab acceptance: 300 LoadBalancer Services on three nodes with
 * real `--kubernetes` agents (test/lab/kube-cluster.ts), more addresses than
 * one VRRP router ID space has IDs. All of them answer ping; then 50 more
 * Services come and 50 others go while a client pings one that stays: its
 * master deletes no address that stays (`ip monitor address`) and no ping is
 * lost. The pool is two documentation /24s the nodes have no address in, so
 * it names the interface (`interfaces: [eth0]`) and the client routes both
 * prefixes onto its segment. The routers' masters spread over the three
 * nodes (each masters some, none more than its share + 1) and stay put
 * through the churn.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KubeCluster } from "./kube-cluster.js";
import { pingUntilAll, steadyPing } from "./ping.js";

const FIRST = 300;
const CHURN = 50;
const PREFIXES = ["198.51.100.0/24", "203.0.113.0/24"];
/** The steady ping: 20 s at 50 ms, longer than the churn takes to settle (checked). */
const PING_COUNT = 400;
const PING_INTERVAL_S = 0.05;

interface VipList {
  items: { spec: { addresses: string[] }; status?: { virtualRouterID?: number } }[];
}

interface ServiceList {
  items: { metadata: { name: string }; status?: { loadBalancer?: { ingress?: { ip: string }[] } } }[];
}

describe("300 LoadBalancer Services on three nodes, then 50 in and 50 out", { timeout: 240_000 }, () => {
  let cluster: KubeCluster;
  const fail = (e: unknown): never => assert.fail(`${String(e)}\n${cluster.diag()}`);

  const service = (i: number) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `s${i}`, namespace: "default" },
    spec: {
      type: "LoadBalancer",
      loadBalancerClass: "floatip.io/vrrp",
      externalTrafficPolicy: "Cluster",
      selector: { app: `s${i}` },
      ports: [{ port: 80 }],
    },
  });
  const create = (from: number, to: number) =>
    cluster.kubectl(["create", "-f", "-"], Array.from({ length: to - from }, (_, k) => JSON.stringify(service(from + k))).join("\n---\n"));

  /** Service name -> its ingress address, for the Services that have one. */
  async function ingress(): Promise<Map<string, string>> {
    const list = await cluster.getJson<ServiceList>(["get", "services", "-n", "default"]);
    return new Map(
      list.items.flatMap((s) => {
        const ip = s.status?.loadBalancer?.ingress?.[0]?.ip;
        return ip === undefined ? [] : [[s.metadata.name, ip] as const];
      }),
    );
  }

  /** Address -> the nodes whose eth0 carries it (the pool's addresses only). */
  async function placement(): Promise<Map<string, string[]>> {
    const where = new Map<string, string[]>();
    for (const host of cluster.lab.nodes) {
      for (const a of await cluster.lab.addresses(host.ns, host.ifname)) {
        if (a.family !== 4 || a.address === host.ipv4) continue;
        where.set(a.address, [...(where.get(a.address) ?? []), host.name]);
      }
    }
    return where;
  }

  /** Per VRRP router (VRID): the nodes whose eth0 carries its addresses, i.e. its master as the kernel shows it. */
  async function routerMasters(): Promise<Map<number, Set<string>>> {
    const vips = await cluster.getJson<VipList>(["get", "vip"]);
    const where = await placement();
    const out = new Map<number, Set<string>>();
    for (const v of vips.items) {
      const vrid = v.status?.virtualRouterID;
      if (vrid === undefined) continue;
      const nodes = out.get(vrid) ?? new Set<string>();
      for (const a of v.spec.addresses) for (const n of where.get(a.split("/")[0]!) ?? []) nodes.add(n);
      out.set(vrid, nodes);
    }
    return out;
  }

  /** Every node masters some routers, none more than its share + 1; each router has one master. */
  async function assertMastersSpread(t: { diagnostic(message: string): void }): Promise<Map<number, string>> {
    const routers = await routerMasters();
    const perNode = new Map(cluster.lab.nodes.map((h) => [h.name, [] as number[]]));
    const byRouter = new Map<number, string>();
    for (const [vrid, nodes] of routers) {
      assert.equal(nodes.size, 1, `router vrid-${vrid} has one master: ${[...nodes].join(", ")}`);
      const [master] = nodes;
      perNode.get(master!)!.push(vrid);
      byRouter.set(vrid, master!);
    }
    const summary = [...perNode].map(([n, vrids]) => `${n} vrid ${vrids.join(",")}`).join("; ");
    t.diagnostic(`router masters: ${summary}`);
    const share = Math.floor(routers.size / perNode.size);
    for (const [n, vrids] of perNode) {
      assert.ok(vrids.length > 0, `${n} masters no router: ${summary}`);
      assert.ok(vrids.length <= share + 1, `${n} masters ${vrids.length} of ${routers.size} routers: ${summary}`);
    }
    return byRouter;
  }

  /** Waits until exactly the Services in `names` have addresses and each is on exactly one node, nothing else on any node. */
  async function settled(names: readonly string[], timeoutMs: number): Promise<Map<string, string>> {
    let last = "";
    return cluster.lab
      .waitFor(
        async () => {
          const byService = await ingress();
          const missing = names.filter((n) => !byService.has(n));
          const expected = new Set(names.flatMap((n) => byService.get(n) ?? []));
          const where = await placement();
          const wrong = [...where]
            .filter(([a, nodes]) => !expected.has(a) || nodes.length !== 1)
            .map(([a, nodes]) => `${a}@${nodes.join("+")}`);
          const absent = [...expected].filter((a) => !where.has(a));
          last = `${missing.length} without ingress, ${absent.length} addresses on no node (${absent.slice(0, 8).join(" ")}), ${wrong.length} misplaced (${wrong.slice(0, 5).join(" ")})`;
          return missing.length === 0 && absent.length === 0 && wrong.length === 0 ? byService : undefined;
        },
        timeoutMs,
        "every Service's address on exactly one node",
      )
      .catch(async (e: unknown) => fail(`${String(e)}: ${last}\n${await addressDiag(last)}`));
  }

  /** For a failure message: the VirtualIP of the first address named in `text`, and what the agents said about its router. */
  async function addressDiag(text: string): Promise<string> {
    const address = /\((\d+\.\d+\.\d+\.\d+)/.exec(text)?.[1];
    if (address === undefined) return "";
    const vip = await cluster.kubectl(["get", "vip", `lb-${address.replaceAll(".", "-")}`, "-o", "json"]).catch(String);
    const vrid = /"virtualRouterID":\s*(\d+)/.exec(vip)?.[1];
    const lines = cluster.lab.nodes.flatMap((h) =>
      cluster
        .log(`agent ${h.name}`)
        .split("\n")
        .filter((l) => vrid !== undefined && l.includes(`"vrid-${vrid}-`))
        .slice(-6),
    );
    return `VirtualIP: ${vip.slice(0, 3000)}\nrouter vrid-${vrid} in the agents' logs:\n${lines.join("\n")}`;
  }

  before(async () => {
    cluster = await KubeCluster.start({ nodes: 3 });
    for (const prefix of PREFIXES)
      await cluster.lab.exec(cluster.control.ns, ["ip", "route", "add", prefix, "dev", cluster.control.ifname]);
    await cluster.apply({
      apiVersion: "floatip.io/v1alpha1",
      kind: "VirtualIPPool",
      metadata: { name: "wide" },
      spec: { addresses: ["198.51.100.1-198.51.100.254", "203.0.113.1-203.0.113.254"], interfaces: ["eth0"] },
    });
    // The pool's nodes are those that report eth0. A group opens as many routers as it has nodes then
    // (up to 32) and its Services keep them, so Services created before every agent has reported would
    // share fewer routers than there are nodes: wait, as an operator would for the agents to be up.
    await cluster.lab
      .waitFor(
        async () => {
          const list = await cluster.getJson<{ items: { status?: { interfaces?: string[] } }[] }>(["get", "vrrpnodes"]);
          return list.items.length === 3 && list.items.every((n) => n.status?.interfaces?.includes("eth0"));
        },
        30_000,
        "every agent reports eth0",
      )
      .catch(fail);
  });
  after(async () => {
    await cluster?.stop();
  });

  let first = new Map<string, string>();
  let routers = new Map<number, string>();
  it(`${FIRST} Services: every address on one node's eth0, all answer ping`, async (t) => {
    const started = Date.now();
    await create(0, FIRST);
    first = await settled(
      Array.from({ length: FIRST }, (_, i) => `s${i}`),
      90_000,
    );
    t.diagnostic(`${FIRST} Services served in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const perNode = new Map<string, number>();
    for (const [, nodes] of await placement()) perNode.set(nodes[0]!, (perNode.get(nodes[0]!) ?? 0) + 1);
    t.diagnostic(`masters: ${[...perNode].map(([n, c]) => `${n} ${c}`).join(", ")}`);
    routers = await assertMastersSpread(t);
    const pinged = Date.now();
    const silent = await pingUntilAll(cluster.lab, cluster.control, [...first.values()], 20_000);
    t.diagnostic(`ping sweep of ${FIRST} in ${((Date.now() - pinged) / 1000).toFixed(1)} s`);
    assert.deepEqual(silent, [], "every address answers ping");
  });

  it(`${CHURN} Services in, ${CHURN} out, while a client pings one that stays: no address that stays is deleted, no ping lost`, async (t) => {
    const kept = Array.from({ length: FIRST - CHURN }, (_, i) => `s${i + CHURN}`);
    const target = first.get(`s${FIRST - 1}`)!;
    const master = (await placement()).get(target)![0]!;
    const ping = steadyPing(cluster.lab, cluster.control, target, PING_COUNT, PING_INTERVAL_S);
    await new Promise((r) => setTimeout(r, 500));
    const changed = Date.now();
    await Promise.all([
      create(FIRST, FIRST + CHURN),
      cluster.kubectl(["delete", "service", "-n", "default", "--wait=false", ...Array.from({ length: CHURN }, (_, i) => `s${i}`)]),
    ]).catch(fail);
    const now = await settled([...kept, ...Array.from({ length: CHURN }, (_, i) => `s${FIRST + i}`)], 30_000);
    const settledAfter = Date.now() - changed;
    t.diagnostic(`churn settled in ${(settledAfter / 1000).toFixed(1)} s`);
    const added = Array.from({ length: CHURN }, (_, i) => now.get(`s${FIRST + i}`)!);
    assert.deepEqual(await pingUntilAll(cluster.lab, cluster.control, added, 10_000), [], "the new Services' addresses answer ping");
    const result = await ping.done;
    assert.ok(settledAfter < PING_COUNT * PING_INTERVAL_S * 1000 - 1000, `the ping outlasts the churn (${settledAfter} ms)`);
    assert.equal(result.received, result.transmitted, `no ping lost: ${result.summary}`);
    assert.equal(result.transmitted, PING_COUNT, result.summary);

    const keptAddresses = new Set(kept.map((n) => first.get(n)!));
    for (const n of kept) assert.equal(now.get(n), first.get(n), `${n} keeps its address`);
    const deleted = cluster.watch.events.filter((e) => e.at >= changed && !e.added && keptAddresses.has(e.address));
    assert.deepEqual(
      deleted.filter((e) => e.host === master).map((e) => e.address),
      [],
      `no address that stays deleted on ${master}, the pinged address's master`,
    );
    assert.deepEqual(
      deleted.map((e) => `${e.host} ${e.address}`),
      [],
      "no address that stays deleted on any node",
    );
    const after = await assertMastersSpread(t);
    for (const [vrid, master] of routers) assert.equal(after.get(vrid), master, `router vrid-${vrid} keeps its master`);
    const movedIn = cluster.watch.events.filter((e) => e.at >= changed && e.added && keptAddresses.has(e.address));
    assert.deepEqual(
      movedIn.map((e) => `${e.host} ${e.address}`),
      [],
      "no address that stays added anywhere (nothing moved)",
    );
  });
});
