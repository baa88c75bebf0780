import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { expandPeerSets } from "./peer-sets.js";
import { acceptInstances } from "./spec-instances.js";

const inst = (name: string, vrid: number, unicast: Record<string, unknown>) => ({
  name,
  interface: "eth0",
  virtualRouterID: vrid,
  addresses: [`192.0.2.${vrid}/24`],
  unicast,
});
const p1 = { name: "p1", source: "198.51.100.1", peers: ["198.51.100.2", "198.51.100.3"] };

describe("expandPeerSets: the compact VRRPNode form read back into inline unicast peers", () => {
  const cases: readonly { name: string; spec: unknown; instances?: unknown; errors: readonly [string, RegExp][] }[] = [
    {
      name: "no peerSets: unchanged",
      spec: { instances: [inst("a", 1, { source: "198.51.100.1", peers: ["198.51.100.2"] })] },
      instances: [inst("a", 1, { source: "198.51.100.1", peers: ["198.51.100.2"] })],
      errors: [],
    },
    {
      name: "references resolved, the set's source used",
      spec: { peerSets: [p1], instances: [inst("a", 1, { peerSet: "p1" }), inst("b", 2, { peerSet: "p1" })] },
      instances: [inst("a", 1, { source: "198.51.100.1", peers: p1.peers }), inst("b", 2, { source: "198.51.100.1", peers: p1.peers })],
      errors: [],
    },
    {
      name: "an instance's own source wins over the set's",
      spec: { peerSets: [p1], instances: [inst("a", 1, { source: "198.51.100.9", peerSet: "p1" })] },
      instances: [inst("a", 1, { source: "198.51.100.9", peers: p1.peers })],
      errors: [],
    },
    {
      name: "inline and referencing instances side by side (an upgrade in between)",
      spec: {
        peerSets: [p1],
        instances: [inst("a", 1, { peerSet: "p1" }), inst("b", 2, { source: "198.51.100.1", peers: ["198.51.100.4"] })],
      },
      instances: [
        inst("a", 1, { source: "198.51.100.1", peers: p1.peers }),
        inst("b", 2, { source: "198.51.100.1", peers: ["198.51.100.4"] }),
      ],
      errors: [],
    },
    {
      name: "a dangling reference refuses that instance only",
      spec: { peerSets: [p1], instances: [inst("a", 1, { peerSet: "p9" }), inst("b", 2, { peerSet: "p1" })] },
      errors: [["instances[0].unicast.peerSet", /^no peer set "p9" in peerSets$/]],
    },
    {
      name: "a reference with no peerSets at all",
      spec: { peerSets: [], instances: [inst("a", 1, { peerSet: "p1" })] },
      errors: [["instances[0].unicast.peerSet", /no peer set "p1"/]],
    },
    {
      name: "a reference that is not a name",
      spec: { peerSets: [p1], instances: [inst("a", 1, { peerSet: 1 })] },
      errors: [["instances[0].unicast.peerSet", /no peer set 1 in peerSets/]],
    },
    {
      name: "peers and peerSet both",
      spec: { peerSets: [p1], instances: [inst("a", 1, { peerSet: "p1", peers: [] })] },
      errors: [["instances[0].unicast.peerSet", /peers or peerSet, not both/]],
    },
    {
      name: "a broken set refuses the instances that use it, saying where",
      spec: {
        peerSets: [p1, { name: "p2", peers: ["198.51.100.2", "nope"] }],
        instances: [inst("a", 1, { peerSet: "p2" }), inst("b", 2, { peerSet: "p1" })],
      },
      errors: [["instances[0].unicast.peerSet", /^peer set "p2" is invalid: peerSets\[1\]\.peers\[1\]: "nope" is not an IP address$/]],
    },
    {
      name: "a set without peers",
      spec: { peerSets: [{ name: "p1" }], instances: [inst("a", 1, { peerSet: "p1" })] },
      errors: [["instances[0].unicast.peerSet", /peerSets\[0\]\.peers: must be a list/]],
    },
    {
      name: "a set with an unknown field",
      spec: { peerSets: [{ ...p1, zzz: 1 }], instances: [inst("a", 1, { peerSet: "p1" })] },
      errors: [["instances[0].unicast.peerSet", /peerSets\[0\]\.zzz: unknown field/]],
    },
    {
      name: "a set with a bad source",
      spec: { peerSets: [{ ...p1, source: "x" }], instances: [inst("a", 1, { peerSet: "p1" })] },
      errors: [["instances[0].unicast.peerSet", /peerSets\[0\]\.source: "x" is not an IP address/]],
    },
    {
      name: "a name defined twice",
      spec: { peerSets: [p1, p1], instances: [inst("a", 1, { peerSet: "p1" })] },
      errors: [["instances[0].unicast.peerSet", /peer set "p1" is defined twice/]],
    },
    { name: "peerSets not a list: the whole spec", spec: { peerSets: {}, instances: [] }, errors: [["peerSets", /must be a list/]] },
    {
      name: "an unnamed set: the whole spec",
      spec: { peerSets: [{ peers: [] }], instances: [] },
      errors: [["peerSets[0].name", /non-empty string/]],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = expandPeerSets(c.spec);
      assert.deepEqual(
        out.errors.map((e) => e.path),
        c.errors.map(([path]) => path),
      );
      c.errors.forEach(([, message], i) => assert.match(out.errors[i]!.message, message));
      if (c.instances !== undefined) assert.deepEqual((out.doc as { instances: unknown }).instances, c.instances);
      assert.equal((out.doc as Record<string, unknown>)["peerSets"], undefined, "taken out: the validator does not know it");
    });
  }

  it("the compact and the inline form run the same instances", () => {
    const inline = acceptInstances(
      { instances: [inst("a", 1, { source: "198.51.100.1", peers: p1.peers }), inst("b", 2, { source: "198.51.100.1", peers: p1.peers })] },
      [],
    );
    const compact = expandPeerSets({ peerSets: [p1], instances: [inst("a", 1, { peerSet: "p1" }), inst("b", 2, { peerSet: "p1" })] });
    assert.deepEqual(acceptInstances(compact.doc, compact.errors), inline);
  });

  it("with a dangling reference, the other instances still run and the refused one is named (as the agent applies it)", () => {
    const out = expandPeerSets({ peerSets: [p1], instances: [inst("a", 1, { peerSet: "gone" }), inst("b", 2, { peerSet: "p1" })] });
    const outcome = acceptInstances(out.doc, out.errors);
    assert.equal(outcome.kind, "accepted");
    if (outcome.kind !== "accepted") return;
    assert.deepEqual(
      outcome.config.instances.map((i) => [i.name, i.unicast?.peers]),
      [["b", p1.peers]],
    );
    assert.deepEqual(
      outcome.refused.map((r) => [r.instance, r.errors.map((e) => e.path)]),
      [["a", ["instances[0].unicast.peerSet"]]],
    );
  });

  it("a peerSets that is not a list refuses the whole spec", () => {
    const out = expandPeerSets({ peerSets: "p1", instances: [inst("a", 1, { peerSet: "p1" })] });
    assert.equal(acceptInstances(out.doc, out.errors).kind, "refused");
  });
});
