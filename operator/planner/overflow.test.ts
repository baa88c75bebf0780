/**
 * Overflow (pack.ts): a router's advert carries at most ADVERT_CAPACITY
 * addresses per family; the rest ride as the instance's excludedAddresses
 * on the same router, so a group never takes more than `spread` VRIDs and
 * never runs out of them. Adding or removing a VirtualIP moves no other
 * address to another router, and none out of what its master holds.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { expandPeerSets } from "../../agent/kube/peer-sets.js";
import { acceptInstances } from "../../agent/kube/spec-instances.js";
import type { VirtualIP } from "../api/types.js";
import { ADVERT_CAPACITY, splitAdvert } from "./pack.js";
import { plan } from "./plan.js";
import type { PlanResult } from "./types.js";
import { at, nodes, vip } from "./test-fixtures.js";

/** 752 distinct IPv4 documentation addresses, none a test node's InternalIP (198.51.100.1..): the i-th. */
function v4(i: number): string {
  if (i < 508) return `${i < 254 ? "192.0.2" : "203.0.113"}.${(i % 254) + 1}/32`;
  return `198.51.100.${i - 508 + 11}/32`;
}
const lbVip = (i: number) => vip(`lb-${String(i).padStart(3, "0")}`, { addresses: [v4(i)], interface: "eth0" }, { created: at(i) });

/** Statuses written back as the controller does. */
function settle(vips: readonly VirtualIP[], result: PlanResult): VirtualIP[] {
  return vips.map((v) => {
    const id = result.vips.get(v.metadata.name)?.virtualRouterID;
    return id === undefined ? v : { ...v, status: { virtualRouterID: id } };
  });
}

/** address -> "node/instance" places that hold it (advertised or excluded). */
function held(result: PlanResult): Map<string, string> {
  const out = new Map<string, string[]>();
  for (const [node, doc] of result.nodes) {
    for (const i of doc.instances) {
      for (const a of [...i.addresses, ...(i.excludedAddresses ?? [])]) out.set(a, [...(out.get(a) ?? []), `${node}/${i.name}`]);
    }
  }
  return new Map([...out].map(([a, places]) => [a, places.sort().join(" ")]));
}

describe("splitAdvert", () => {
  const rows: readonly [string, readonly string[], number, readonly string[], readonly string[]][] = [
    ["under capacity: all advertised", ["a", "b"], 3, ["a", "b"], []],
    ["at capacity: all advertised", ["a", "b", "c"], 3, ["a", "b", "c"], []],
    ["over: the rest excluded, in order", ["a", "b", "c", "d", "e"], 3, ["a", "b", "c"], ["d", "e"]],
  ];
  for (const [name, list, capacity, advertised, excluded] of rows) {
    it(name, () => assert.deepEqual(splitAdvert(list, capacity), { advertised, excluded }));
  }

  it("capacities: 255 IPv4 (the 8-bit count), 77 IPv6 (an advert within IPv6's minimum MTU of 1280)", () => {
    assert.deepEqual(ADVERT_CAPACITY, { 4: 255, 6: 77 });
    assert.ok(40 + 8 + 16 * ADVERT_CAPACITY[6] <= 1280 && 40 + 8 + 16 * (ADVERT_CAPACITY[6] + 1) > 1280);
  });
});

describe("plan: overflow rides excluded", () => {
  it("700 IPv4 VirtualIPs on one interface of 2 nodes (more than 255 × spread): all served on 2 VRIDs, the rest excluded", () => {
    const two = nodes(2);
    const result = plan({ virtualIPs: Array.from({ length: 700 }, (_, i) => lbVip(i)), nodes: two });
    assert.equal([...result.vips.values()].filter((p) => p.findings.length === 0 && p.renderedNodes.length === 2).length, 700);
    assert.deepEqual(new Set([...result.vips.values()].map((p) => p.virtualRouterID)), new Set([1, 2]));
    for (const [node, doc] of result.nodes) {
      assert.deepEqual(
        doc.instances.map((i) => [i.name, i.addresses.length, i.excludedAddresses?.length]),
        [
          ["vrid-1-eth0", 255, 95],
          ["vrid-2-eth0", 255, 95],
        ],
        node,
      );
      // As the agent reads its VRRPNode: both lists accepted.
      const accepted = acceptInstances(expandPeerSets(doc).doc, []);
      assert.equal(accepted.kind, "accepted", JSON.stringify(accepted));
      if (accepted.kind === "accepted") assert.equal(accepted.config.instances[0]?.excludedAddresses?.length, 95);
    }
    assert.equal(held(result).size, 700, "every address held by its router");
  });

  it("every candidate of a router gets the same advertised and excluded lists", () => {
    const result = plan({ virtualIPs: Array.from({ length: 600 }, (_, i) => lbVip(i)), nodes: nodes(2) });
    const lists = (n: string) => JSON.stringify(result.nodes.get(n)!.instances.map((i) => [i.name, i.addresses, i.excludedAddresses]));
    assert.equal(lists("node-0"), lists("node-1"));
  });

  it("adding or removing VirtualIPs (random sequence, statuses written back) moves no other address off its router's nodes", () => {
    const two = nodes(2);
    let live: VirtualIP[] = Array.from({ length: 600 }, (_, i) => lbVip(i));
    let result = plan({ virtualIPs: live, nodes: two });
    live = settle(live, result);
    let next = 600;
    let seed = 11;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let movedUp = 0;
    for (let step = 0; step < 60; step++) {
      const before = held(result);
      const advertisedBefore = new Set([...result.nodes.get("node-0")!.instances.flatMap((i) => i.addresses)]);
      if (random() < 0.5 && next < 752) live = [...live, lbVip(next++)];
      else live = live.filter((_, i) => i !== Math.floor(random() * live.length));
      result = plan({ virtualIPs: live, nodes: two });
      for (const [address, places] of held(result)) {
        if (before.has(address)) assert.equal(places, before.get(address), `step ${step}: ${address} moved`);
      }
      const advertised = result.nodes.get("node-0")!.instances.flatMap((i) => i.addresses);
      movedUp += advertised.filter((a) => before.has(a) && !advertisedBefore.has(a)).length;
      assert.ok(
        result.nodes.get("node-0")!.instances.every((i) => i.addresses.length <= 255),
        "no advert over 255",
      );
      live = settle(live, result);
    }
    assert.ok(movedUp > 0, "removals let excluded addresses move up into the advert (on the same router)");
    assert.ok([...result.vips.values()].every((p) => p.findings.length === 0));
  });

  it("another group still finds VRIDs: one with 700 VirtualIPs takes only its spread", () => {
    const others = Array.from({ length: 3 }, (_, i) =>
      vip(`other-${i}`, { addresses: [`2001:db8:9::${i + 1}/128`], interface: "eth1" }, { created: at(800 + i) }),
    );
    const result = plan({ virtualIPs: [...Array.from({ length: 700 }, (_, i) => lbVip(i)), ...others], nodes: nodes(2) });
    assert.ok([...result.vips.values()].every((p) => p.findings.length === 0));
  });
});
