import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pack, type PackGroup, type PackMember } from "./pack.js";
import { plan } from "./plan.js";
import type { PlanResult } from "./types.js";
import type { VirtualIP } from "../api/types.js";
import { at, nodes, vip } from "./test-fixtures.js";

const all = new Set(["a", "b", "c"]);
const group = (key: string, extra: Partial<PackGroup> = {}): PackGroup => ({
  key,
  families: [4],
  scope: { nodes: all, multicast: false },
  spread: 2,
  capacity: { 4: 3, 6: 2 },
  ...extra,
});
const member = (name: string, g = "g", extra: Partial<PackMember> = {}): PackMember => ({ name, group: g, counts: { 4: 1 }, ...extra });
const vridOf = (r: ReturnType<typeof pack>) =>
  Object.fromEntries([...r.outcomes].map(([n, o]) => [n, o.kind === "assigned" ? o.vrid : o.kind]));

describe("pack", () => {
  it("opens `spread` routers, then fills the least loaded, then overflows onto the least loaded instead of opening more", () => {
    const r = pack(
      ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"].map((n) => member(n)),
      [group("g")],
    );
    assert.deepEqual(vridOf(r), { m1: 1, m2: 2, m3: 1, m4: 2, m5: 1, m6: 2, m7: 1, m8: 2 });
    assert.deepEqual(
      r.routers.map((x) => [x.vrid, x.members]),
      [
        [1, ["m1", "m3", "m5", "m7"]],
        [2, ["m2", "m4", "m6", "m8"]],
      ],
    );
  });

  it("keeps status VRIDs: a member joins its router or reopens it; one over capacity stays (it rides excluded there)", () => {
    const r = pack(
      [
        member("m1", "g", { statusVrid: 9 }),
        member("m2", "g", { statusVrid: 9 }),
        member("m3", "g", { statusVrid: 9 }),
        member("m4", "g", { statusVrid: 9 }),
        member("m5"),
      ],
      [group("g")],
    );
    assert.deepEqual(vridOf(r), { m1: 9, m2: 9, m3: 9, m4: 9, m5: 1 });
    assert.deepEqual(r.routers.find((x) => x.vrid === 9)?.members, ["m1", "m2", "m3", "m4"]);
  });

  it("counts addresses per family: a dual-stack group fills on its smaller capacity", () => {
    const g = group("g", { families: [4, 6], spread: 2 });
    const r = pack(
      [
        member("m1", "g", { counts: { 4: 1, 6: 2 } }),
        member("m2", "g", { counts: { 4: 1, 6: 1 } }),
        member("m3", "g", { counts: { 4: 1, 6: 1 } }),
      ],
      [g],
    );
    // Router 1's IPv4 has room (1 of 3) but its IPv6 is full (2 of 2): m3 goes to router 2.
    assert.deepEqual(vridOf(r), { m1: 1, m2: 2, m3: 2 });
  });

  it("groups whose nodes may meet never share a VRID; disjoint ones may", () => {
    const other = group("h", { scope: { nodes: new Set(["c", "d"]), multicast: false }, spread: 1 });
    const apart = group("k", { scope: { nodes: new Set(["x"]), multicast: false }, spread: 1 });
    const r = pack([member("m1"), member("n1", "h"), member("k1", "k")], [group("g", { spread: 1 }), other, apart]);
    assert.deepEqual(vridOf(r), { m1: 1, n1: 2, k1: 1 });
  });

  it("a spec VRID held by an older router of another group is taken; a group with no router and no free VRID is exhausted", () => {
    const r = pack([member("m1", "g", { statusVrid: 5 }), member("s", "own", { specVrid: 5 })], [group("g"), group("own", { spread: 1 })]);
    assert.deepEqual(r.outcomes.get("s"), { kind: "taken", vrid: 5, family: 4, other: "m1" });
    const full = pack(
      Array.from({ length: 255 * 3 + 1 }, (_, i) => member(`m${i}`)),
      [group("g", { spread: 255 })],
    );
    assert.equal([...full.outcomes.values()].filter((o) => o.kind === "exhausted").length, 0, "full routers overflow");
    assert.equal(full.routers.length, 255);
    const everyVrid = Array.from({ length: 255 }, (_, i) => ({ vrid: i + 1, families: [4 as const], nodes: all, multicast: false }));
    const none = pack([member("m1")], [group("g")], everyVrid);
    assert.deepEqual(none.outcomes.get("m1"), { kind: "exhausted" });
  });
});

/** Statuses written back as the controller does: the VRID, and the master and backups the agents report (masters.ts keeps them). */
function settle(vips: readonly VirtualIP[], result: PlanResult): VirtualIP[] {
  return vips.map((v) => {
    const p = result.vips.get(v.metadata.name);
    if (p?.virtualRouterID === undefined) return v;
    const ranked = Object.entries(p.priorities).sort((a, b) => b[1] - a[1]);
    const nodes = ranked.map(([name, priority], i) => ({ name, state: i === 0 ? "Master" : "Backup", priority }));
    return { ...v, status: { virtualRouterID: p.virtualRouterID, master: ranked[0]?.[0], nodes } };
  });
}

/** Per VirtualIP: its router and the nodes (with priorities) that run it. */
function placement(result: PlanResult): Map<string, string> {
  return new Map([...result.vips].map(([name, p]) => [name, JSON.stringify([p.routers, p.priorities])]));
}

describe("plan: packing and stability", () => {
  const lbVip = (i: number) => vip(`lb-${i}`, { addresses: [`2001:db8:1::${(i + 1).toString(16)}/128`] }, { created: at(i) });

  it("300 VirtualIPs on 3 nodes: all served in 3 routers (masters spread), 77 IPv6 addresses in each advert, the rest excluded", () => {
    const three = nodes(3);
    const result = plan({ virtualIPs: Array.from({ length: 300 }, (_, i) => lbVip(i)), nodes: three });
    assert.equal([...result.vips.values()].filter((p) => p.renderedNodes.length === 3 && p.findings.length === 0).length, 300);
    const routers = result.nodes.get("node-0")!.instances;
    assert.deepEqual(
      routers.map((i) => [i.name, i.addresses.length, i.excludedAddresses?.length]),
      [
        ["vrid-1-v6", 77, 23],
        ["vrid-2-v6", 77, 23],
        ["vrid-3-v6", 77, 23],
      ],
    );
    assert.deepEqual(
      routers.map((i) =>
        i.unicast?.peerSet === undefined
          ? undefined
          : result.nodes.get("node-0")!.peerSets!.find((s) => s.name === i.unicast!.peerSet)!.peers.length,
      ),
      [2, 2, 2],
    );
  });

  it("adding or removing one VirtualIP moves no other address (random sequence, statuses written back)", () => {
    const cluster = nodes(12);
    let live: VirtualIP[] = Array.from({ length: 200 }, (_, i) => lbVip(i));
    let result = plan({ virtualIPs: live, nodes: cluster });
    live = settle(live, result);
    let next = 200;
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let step = 0; step < 60; step++) {
      const before = placement(result);
      if (random() < 0.5) live = [...live, lbVip(next++)];
      else live = live.filter((_, i) => i !== Math.floor(random() * live.length));
      result = plan({ virtualIPs: live, nodes: cluster });
      for (const [name, where] of placement(result)) {
        if (before.has(name)) assert.equal(where, before.get(name), `step ${step}: ${name} moved`);
      }
      live = settle(live, result);
    }
    assert.ok([...result.vips.values()].every((p) => p.findings.length === 0));
  });

  it("a node leaving moves only the routers it was a candidate of; those keep their other candidates in the same order", () => {
    const cluster = nodes(20);
    let live = Array.from({ length: 100 }, (_, i) => lbVip(i));
    const before = plan({ virtualIPs: live, nodes: cluster });
    live = settle(live, before);
    const after = plan({ virtualIPs: live, nodes: cluster.filter((n) => n.name !== "node-7") });
    for (const [name, p] of after.vips) {
      const old = before.vips.get(name)!;
      assert.equal(p.virtualRouterID, old.virtualRouterID, `${name} keeps its router`);
      const order = (ps: Readonly<Record<string, number>>) =>
        Object.keys(ps)
          .filter((n) => n !== "node-7" && n in old.priorities)
          .sort((x, y) => ps[y]! - ps[x]!);
      assert.deepEqual(order(p.priorities), order(old.priorities), `${name}: the other candidates stay, in the same order`);
      if (!("node-7" in old.priorities)) assert.deepEqual(p.priorities, old.priorities, `${name}: not a candidate there, nothing changes`);
      assert.equal(Object.keys(p.priorities).length, 3);
    }
  });
});

describe("plan: what never shares a router", () => {
  it("VirtualIPs in different subnets (no interface named) get routers of their own: the agent picks the interface from the first address", () => {
    const result = plan({
      virtualIPs: [
        vip("a", { addresses: ["192.0.2.5/24"] }),
        vip("b", { addresses: ["198.51.100.77/24"] }),
        vip("c", { addresses: ["192.0.2.6/24"] }),
      ],
      nodes: nodes(1),
    });
    const router = (n: string) => result.vips.get(n)!.routers![0]!.instance;
    assert.notEqual(router("a"), router("b"));
    assert.equal(router("a"), router("c"), "one node: one router per group (spread 1), a and c share it");
    const hosts = plan({
      virtualIPs: [
        vip("h1", { addresses: ["192.0.2.5/32"] }),
        vip("h2", { addresses: ["192.0.2.200/32"] }),
        vip("h3", { addresses: ["198.51.100.5/32"] }),
      ],
      nodes: nodes(1),
    });
    const hostRouter = (n: string) => hosts.vips.get(n)!.routers![0]!.instance;
    assert.equal(hostRouter("h1"), hostRouter("h2"), "host addresses of one /24 share");
    assert.notEqual(hostRouter("h1"), hostRouter("h3"));
  });
});
