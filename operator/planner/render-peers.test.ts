/**
 * Compact VRRPNode specs (issue 15): each node's distinct unicast peer
 * lists are written once, in `peerSets`, and instances name one. Resolved
 * the way the agent resolves them (agent/kube/peer-sets.ts), every instance
 * still gets the other candidates' InternalIPs as peers.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { expandPeerSets } from "../../agent/kube/peer-sets.js";
import type { AgentConfigDocument, AgentInstanceDocument } from "../api/types.js";
import { plan } from "./plan.js";
import type { PlanResult } from "./types.js";
import { node, nodes, vip } from "./test-fixtures.js";

/** Every peer list a spec writes (peer sets and inline instance peers) repeats none. */
function assertNoRepeatedPeerList(doc: AgentConfigDocument, where: string): void {
  const lists = [
    ...(doc.peerSets ?? []).map((s) => `${s.source} ${s.peers.join(",")}`),
    ...doc.instances.flatMap((i) => (i.unicast?.peers !== undefined ? [`${i.unicast.source} ${i.unicast.peers.join(",")}`] : [])),
  ];
  assert.equal(new Set(lists).size, lists.length, `${where} writes a peer list twice`);
  assert.ok(
    doc.instances.every((i) => i.unicast?.peers === undefined),
    `${where}: no inline peers`,
  );
}

/** The instances as the agent reads them (peer sets resolved). */
function resolved(doc: AgentConfigDocument): readonly AgentInstanceDocument[] {
  const out = expandPeerSets(doc);
  assert.deepEqual(out.errors, []);
  return (out.doc as AgentConfigDocument).instances;
}

/** For each router and node: the peers the node should advertise to, from the plan's router membership. */
function expectedPeers(result: PlanResult, family: 4 | 6): Map<string, string> {
  const out = new Map<string, string>();
  const ip = (n: string) => cluster.find((c) => c.name === n)!.internalIPs[family === 4 ? "v4" : "v6"]!;
  for (const p of result.vips.values()) {
    for (const router of p.routers ?? []) {
      if (router.family !== family) continue;
      const members = [...result.nodes]
        .filter(([, doc]) => doc.instances.some((i) => i.name === router.instance))
        .map(([n]) => n)
        .sort();
      for (const self of members)
        out.set(`${self}/${router.instance}`, JSON.stringify({ source: ip(self), peers: members.filter((m) => m !== self).map(ip) }));
    }
  }
  return out;
}

const cluster = nodes(8);
const many = (count: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: count }, (_, i) => vip(`v${i}`, { addresses: [`2001:db8:1::${(i + 1).toString(16)}/128`], ...extra }));

const cases: readonly { name: string; input: Parameters<typeof plan>[0]; options?: Parameters<typeof plan>[1]; family: 4 | 6 }[] = [
  { name: "300 VirtualIPs, 3 candidates each, 8 nodes", input: { virtualIPs: many(300), nodes: cluster }, family: 6 },
  {
    name: "300 VirtualIPs on every node (maxCandidates 0)",
    input: { virtualIPs: many(300), nodes: cluster },
    options: { maxCandidates: 0 },
    family: 6,
  },
  {
    name: "IPv4 VirtualIPs on node subsets",
    input: {
      virtualIPs: Array.from({ length: 40 }, (_, i) =>
        vip(`a${i}`, { addresses: [`192.0.2.${i + 1}/24`], nodeNames: [`node-${i % 8}`, `node-${(i + 3) % 8}`] }),
      ),
      nodes: cluster,
    },
    family: 4,
  },
];

describe("render: peer sets", () => {
  for (const c of cases) {
    it(`${c.name}: each peer list once per node, and each instance resolves to its router's other members`, () => {
      const result = plan(c.input, c.options);
      const expected = expectedPeers(result, c.family);
      assert.ok(expected.size > 0);
      for (const [name, doc] of result.nodes) {
        assertNoRepeatedPeerList(doc, name);
        for (const i of resolved(doc)) assert.equal(JSON.stringify(i.unicast), expected.get(`${name}/${i.name}`), `${name} ${i.name}`);
      }
    });
  }

  it("peer sets are named p1, p2, ... in the order the sorted instances use them", () => {
    const result = plan({
      virtualIPs: [
        vip("b", { nodeNames: ["node-0", "node-2"] }),
        vip("a", { nodeNames: ["node-0", "node-1"], addresses: ["192.0.2.6/24"] }),
      ],
      nodes: cluster,
    });
    const doc = result.nodes.get("node-0")!;
    assert.deepEqual(
      doc.instances.map((i) => [i.name, i.unicast]),
      [
        ["vrid-1", { peerSet: "p1" }],
        ["vrid-2", { peerSet: "p2" }],
      ],
    );
    assert.deepEqual(
      doc.peerSets!.map((s) => s.name),
      ["p1", "p2"],
    );
    assert.notDeepEqual(doc.peerSets![0]!.peers, doc.peerSets![1]!.peers);
  });

  it("IPv4 and IPv6 routers on the same nodes get a set each (their source differs)", () => {
    const result = plan({ virtualIPs: [vip("web", { addresses: ["192.0.2.5/24", "2001:db8::5/64"] })], nodes: nodes(3) });
    const doc = result.nodes.get("node-0")!;
    assert.deepEqual(
      doc.peerSets!.map((s) => s.source),
      ["198.51.100.1", "2001:db8:f::1"],
    );
  });

  it("a lone node's set has no peers; multicast routers have no set", () => {
    const lone = plan({ virtualIPs: [vip("web", { nodeNames: ["node-0"] })], nodes: cluster });
    assert.deepEqual(lone.nodes.get("node-0")!.peerSets, [{ name: "p1", source: "198.51.100.1", peers: [] }]);
    const multicast = plan({ virtualIPs: [vip("m", { transport: "multicast" })], nodes: [node("a", 0), node("b", 1)] });
    assert.equal(multicast.nodes.get("a")!.peerSets, undefined);
  });

  it("a VRRPNode grows with its routers, not with routers x nodes: every router on 200 nodes stays under 64 KiB", () => {
    const big = nodes(200);
    const result = plan({ virtualIPs: many(1000), nodes: big }, { maxCandidates: 0 });
    const largest = Math.max(...[...result.nodes.values()].map((d) => Buffer.byteLength(JSON.stringify(d))));
    const instances = result.nodes.get("node-0")!.instances.length;
    assert.ok(instances >= 10, `${instances} routers on node-0`);
    assert.ok(largest < 64 * 1024, `largest spec ${largest} bytes`);
  });
});
