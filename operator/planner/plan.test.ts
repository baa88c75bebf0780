import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { plan } from "./plan.js";
import type { PlanResult, VipPlan } from "./types.js";
import type { AgentConfigDocument, AgentInstanceDocument, NodeSummary } from "../api/types.js";
import { expandPeerSets } from "../../agent/kube/peer-sets.js";
import { at, node, nodes, vip } from "./test-fixtures.js";

function vipPlan(result: PlanResult, name: string): VipPlan {
  const p = result.vips.get(name);
  assert.ok(p, `no plan for ${name}`);
  return p;
}

/**
 * The instance carrying VirtualIP `ref`'s addresses on a node, its unicast peers as the agent reads
 * them (peer set resolved); `web-v6` is the IPv6 router of dual-stack `web`.
 */
function instance(result: PlanResult, nodeName: string, ref: string): AgentInstanceDocument | undefined {
  const own = result.vips.get(ref);
  const plan = own ?? vipPlan(result, ref.replace(/-v6$/, ""));
  const router = own !== undefined ? plan.routers?.[0] : plan.routers?.find((r) => r.family === 6);
  const expanded = expandPeerSets(result.nodes.get(nodeName));
  assert.deepEqual(expanded.errors, []);
  return (expanded.doc as AgentConfigDocument | undefined)?.instances.find((i) => i.name === router?.instance);
}

/** A node's instances, each named by the VirtualIPs it carries (`web`, `web-v6` for dual-stack web's IPv6 router, `a+b` when shared). */
function carried(result: PlanResult, nodeName: string): string[] {
  return result.nodes.get(nodeName)!.instances.map((i) => {
    const names: string[] = [];
    for (const [name, p] of result.vips) {
      const r = p.routers?.find((x) => x.instance === i.name);
      if (r !== undefined && p.renderedNodes.includes(nodeName)) names.push(r.family === 6 && p.routers!.length > 1 ? `${name}-v6` : name);
    }
    return names.join("+");
  });
}

const serialise = (result: PlanResult) => JSON.stringify({ nodes: [...result.nodes], vips: [...result.vips] });

describe("plan", () => {
  const three = nodes(3);

  it("renders defaults: unicast between all nodes, hash priorities, VRID 1", () => {
    const result = plan({ virtualIPs: [vip("web", { addresses: ["192.0.2.5/24"] })], nodes: three });
    const web = vipPlan(result, "web");
    assert.equal(web.virtualRouterID, 1);
    assert.deepEqual(web.renderedNodes, ["node-0", "node-1", "node-2"]);
    assert.deepEqual(Object.values(web.priorities).sort(), [230, 240, 250]);
    assert.deepEqual(web.findings, []);
    assert.deepEqual(result.nodes.get("node-0"), {
      peerSets: [{ name: "p1", source: "198.51.100.1", peers: ["198.51.100.2", "198.51.100.3"] }],
      instances: [
        {
          name: "vrid-1",
          virtualRouterID: 1,
          version: 3,
          priority: web.priorities["node-0"],
          advertisementInterval: "1s",
          preempt: true,
          preemptDelay: "0s",
          addresses: ["192.0.2.5/24"],
          unicast: { peerSet: "p1" },
          garp: { repeat: 5, delay: "5s", refresh: "0s" },
        },
      ],
    });
    assert.deepEqual(instance(result, "node-2", "web")?.unicast, { source: "198.51.100.3", peers: ["198.51.100.1", "198.51.100.2"] });
  });

  it("never renders a VirtualIP at a node's own address (InternalIP or ExternalIP, any node): a finding says whose", () => {
    const withExternal = [three[0]!, three[1]!, { ...three[2]!, hostAddresses: ["198.51.100.3", "203.0.113.9", "2001:db8:f::3"] }];
    const cases: [string, string, string][] = [
      ["an InternalIP", "198.51.100.2/24", "node-1"],
      ["an ExternalIP", "203.0.113.9/24", "node-2"],
      ["an IPv6 InternalIP (other spelling)", "2001:DB8:F:0::1/64", "node-0"],
    ];
    for (const [what, address, owner] of cases) {
      const result = plan({
        virtualIPs: [vip("bad", { addresses: [address] }), vip("fine", { addresses: ["192.0.2.5/24"] })],
        nodes: withExternal,
      });
      const bad = vipPlan(result, "bad");
      assert.deepEqual(
        bad.findings.map((f) => f.kind === "node-address" && [f.address, f.node]),
        [[address.split("/")[0]!.toLowerCase().replace(":0::", "::"), owner]],
        what,
      );
      assert.deepEqual(bad.renderedNodes, [], what);
      for (const n of withExternal) assert.deepEqual(carried(result, n.name), ["fine"], what);
    }
  });

  it("writes explicit priorities, preferredNodes and the settings of the spec", () => {
    const result = plan({
      virtualIPs: [
        vip("a", {
          addresses: ["192.0.2.1/24"],
          priorities: { "node-0": 100, "node-1": 200 },
          interface: "eth0",
          preempt: false,
          preemptDelay: "1m",
          advertisementInterval: "100ms",
        }),
        vip("b", {
          addresses: ["192.0.2.2/24"],
          preferredNodes: ["node-2", "node-0"],
          garp: { repeat: 2, delay: "0s", refresh: "30s", refreshRepeat: 3 },
        }),
      ],
      nodes: three,
    });
    assert.deepEqual(vipPlan(result, "a").priorities, { "node-0": 100, "node-1": 200, "node-2": 90 });
    assert.deepEqual(vipPlan(result, "b").priorities, { "node-0": 240, "node-1": 230, "node-2": 250 });
    const a = instance(result, "node-1", "a")!;
    assert.deepEqual([a.interface, a.priority, a.preempt, a.preemptDelay, a.advertisementInterval], ["eth0", 200, false, "60s", "100ms"]);
    assert.equal(instance(result, "node-1", "b")!.interface, undefined, "no interface unless the VirtualIP names one");
    assert.deepEqual(instance(result, "node-1", "b")!.garp, { repeat: 2, delay: "0s", refresh: "30s", refreshRepeat: 3 });
    assert.deepEqual(
      result.nodes.get("node-0")!.instances.map((i) => [i.name, i.virtualRouterID]),
      [
        ["vrid-1-eth0", 1],
        ["vrid-2", 2],
      ],
    );
    assert.deepEqual(carried(result, "node-0"), ["a", "b"]);
  });

  it("dual-stack: one router per family with the same VRID and priorities", () => {
    const result = plan({ virtualIPs: [vip("web", { addresses: ["2001:db8::5/64", "192.0.2.5/24", "192.0.2.6/24"] })], nodes: three });
    const web = vipPlan(result, "web");
    const v4 = instance(result, "node-1", "web")!;
    const v6 = instance(result, "node-1", "web-v6")!;
    assert.deepEqual(v4.addresses, ["192.0.2.5/24", "192.0.2.6/24"]);
    assert.deepEqual(v6.addresses, ["2001:db8::5/64"]);
    assert.equal(v4.virtualRouterID, web.virtualRouterID);
    assert.equal(v6.virtualRouterID, web.virtualRouterID);
    assert.equal(v4.priority, v6.priority);
    assert.deepEqual(v6.unicast, { source: "2001:db8:f::2", peers: ["2001:db8:f::1", "2001:db8:f::3"] });
  });

  it("an instance is named after its router: vrid-<N>, vrid-<N>-v6, then -<interface> when named", () => {
    const result = plan({
      virtualIPs: [
        vip("six", { addresses: ["2001:db8::6/64"] }),
        vip("web", { addresses: ["192.0.2.5/24", "2001:db8::5/64"], interface: "eth1" }),
      ],
      nodes: three,
    });
    assert.deepEqual(
      result.nodes.get("node-0")!.instances.map((i) => i.name),
      ["vrid-1-v6", "vrid-2-eth1", "vrid-2-v6-eth1"],
    );
  });

  it("multicast: no unicast block, and no InternalIP needed", () => {
    const noV6 = [node("a", 0, { internalIPs: { v4: "198.51.100.1" } }), node("b", 1, { internalIPs: {} })];
    const result = plan({ virtualIPs: [vip("m", { addresses: ["2001:db8::7/64"], transport: "multicast" })], nodes: noV6 });
    assert.deepEqual(vipPlan(result, "m").renderedNodes, ["a", "b"]);
    assert.deepEqual(vipPlan(result, "m").findings, []);
    assert.equal(instance(result, "a", "m")!.unicast, undefined);
  });

  it("node selector: only matching nodes run it, and others get an empty spec", () => {
    const labelled = [
      node("a", 0, { labels: { zone: "x" } }),
      node("b", 1, { labels: { zone: "y" } }),
      node("c", 2, { labels: { zone: "x" } }),
    ];
    const result = plan({ virtualIPs: [vip("web", { nodeSelector: { zone: "x" } })], nodes: labelled });
    assert.deepEqual(vipPlan(result, "web").renderedNodes, ["a", "c"]);
    assert.deepEqual(result.nodes.get("b"), { instances: [] });
    assert.deepEqual(instance(result, "a", "web")!.unicast, { source: "198.51.100.1", peers: ["198.51.100.3"] });
  });

  it("nodeNames: only the named selected nodes run it; a lone node has no peers; [] selects none", () => {
    const labelled = [
      node("a", 0, { labels: { zone: "x" } }),
      node("b", 1, { labels: { zone: "x" } }),
      node("c", 2, { labels: { zone: "y" } }),
    ];
    const result = plan({ virtualIPs: [vip("web", { nodeSelector: { zone: "x" }, nodeNames: ["b", "c"] })], nodes: labelled });
    assert.deepEqual(vipPlan(result, "web").renderedNodes, ["b"]);
    assert.deepEqual(instance(result, "b", "web")!.unicast, { source: "198.51.100.2", peers: [] });
    const none = plan({ virtualIPs: [vip("web", { nodeNames: [] })], nodes: labelled });
    assert.deepEqual(vipPlan(none, "web").findings, [{ kind: "no-nodes" }]);
  });

  it("no selected node: a no-nodes finding, the VRID is still allocated", () => {
    const result = plan({ virtualIPs: [vip("web", { nodeSelector: { zone: "nowhere" } })], nodes: three });
    assert.deepEqual(vipPlan(result, "web"), {
      virtualRouterID: 1,
      renderedNodes: [],
      priorities: {},
      routers: [{ family: 4, instance: "vrid-1" }],
      findings: [{ kind: "no-nodes" }],
    });
  });

  it("a node without IPv6 is left out of the IPv6 router with a finding", () => {
    const mixed = [node("a", 0), node("b", 1, { internalIPs: { v4: "198.51.100.2" } }), node("c", 2)];
    const result = plan({ virtualIPs: [vip("web", { addresses: ["192.0.2.5/24", "2001:db8::5/64"] })], nodes: mixed });
    const web = vipPlan(result, "web");
    assert.deepEqual(web.findings, [{ kind: "node-missing-address-family", node: "b", family: 6 }]);
    assert.deepEqual(web.renderedNodes, ["a", "b", "c"]);
    assert.deepEqual(carried(result, "b"), ["web"]);
    assert.deepEqual(instance(result, "a", "web-v6")!.unicast, { source: "2001:db8:f::1", peers: ["2001:db8:f::3"] });
    assert.deepEqual(instance(result, "a", "web")!.unicast, { source: "198.51.100.1", peers: ["198.51.100.2", "198.51.100.3"] });
  });

  it("a lone node advertises to no peer (unicast with an empty list, not multicast)", () => {
    const result = plan({ virtualIPs: [vip("web", {})], nodes: nodes(1) });
    assert.deepEqual(instance(result, "node-0", "web")!.unicast?.peers, []);
  });

  it("VRID: spec, then status, then the lowest free; stable across plans", () => {
    const vips = [
      vip("a", { addresses: ["192.0.2.1/24"] }, { created: at(1) }),
      vip("b", { addresses: ["192.0.2.2/24"], virtualRouterID: 1 }, { created: at(2) }),
      vip("c", { addresses: ["192.0.2.3/24"] }, { created: at(3), statusVrid: 40 }),
    ];
    const first = plan({ virtualIPs: vips, nodes: three });
    assert.deepEqual(
      ["a", "b", "c"].map((n) => vipPlan(first, n).virtualRouterID),
      [2, 1, 40],
    );
    // Status written back, then "a" is deleted and "d" created: nobody else moves, "d" gets the lowest free.
    const withStatus = vips.slice(1).map((v) => ({ ...v, status: { virtualRouterID: vipPlan(first, v.metadata.name).virtualRouterID! } }));
    const second = plan({ virtualIPs: [...withStatus, vip("d", { addresses: ["192.0.2.4/24"] }, { created: at(4) })], nodes: three });
    assert.deepEqual(
      ["b", "c", "d"].map((n) => vipPlan(second, n).virtualRouterID),
      [1, 40, 2],
    );
  });

  it("VRID taken: the newer VirtualIP is not rendered, the older is untouched", () => {
    const old = vip("old", { addresses: ["192.0.2.1/24"], virtualRouterID: 7 }, { created: at(1) });
    const alone = plan({ virtualIPs: [old], nodes: three });
    const result = plan({
      virtualIPs: [vip("new", { addresses: ["192.0.2.2/24"], virtualRouterID: 7 }, { created: at(2) }), old],
      nodes: three,
    });
    assert.deepEqual(vipPlan(result, "new"), {
      renderedNodes: [],
      priorities: {},
      routers: [],
      findings: [{ kind: "vrid-taken", other: "old", virtualRouterID: 7, family: 4 }],
    });
    assert.deepEqual(vipPlan(result, "old"), vipPlan(alone, "old"));
    assert.equal(
      serialise({ ...result, vips: new Map() }),
      serialise({ ...alone, vips: new Map() }),
      "node specs as without the newer one",
    );
  });

  it("address overlap: the newer VirtualIP is not rendered, the older is untouched", () => {
    const old = vip("old", { addresses: ["192.0.2.1/24", "2001:db8::1/64"] }, { created: at(1) });
    const alone = plan({ virtualIPs: [old], nodes: three });
    const result = plan({ virtualIPs: [old, vip("aaa-new", { addresses: ["2001:db8::1/128"] }, { created: at(2) })], nodes: three });
    assert.deepEqual(vipPlan(result, "aaa-new").findings, [{ kind: "address-overlap", other: "old", address: "2001:db8::1" }]);
    assert.equal(vipPlan(result, "aaa-new").virtualRouterID, undefined);
    assert.equal(serialise({ ...result, vips: new Map() }), serialise({ ...alone, vips: new Map() }));
  });

  it("same creation time: the name decides", () => {
    const result = plan({
      virtualIPs: [vip("b", { addresses: ["192.0.2.1/24"] }), vip("a", { addresses: ["192.0.2.1/24"] })],
      nodes: three,
    });
    assert.deepEqual(vipPlan(result, "b").findings, [{ kind: "address-overlap", other: "a", address: "192.0.2.1" }]);
  });

  it("an invalid VirtualIP gets its errors and keeps its status VRID reserved", () => {
    const result = plan({
      virtualIPs: [
        vip("bad", { addresses: ["192.0.2.1/24"], virtualRouterID: 0 }, { statusVrid: 1 }),
        vip("good", { addresses: ["192.0.2.2/24"] }),
      ],
      nodes: three,
    });
    const bad = vipPlan(result, "bad");
    assert.equal(bad.findings[0]?.kind, "invalid");
    assert.deepEqual(bad.findings[0]?.kind === "invalid" && bad.findings[0].errors.map((e) => e.field), ["spec.virtualRouterID"]);
    assert.equal(vipPlan(result, "good").virtualRouterID, 2);
    assert.deepEqual(carried(result, "node-0"), ["good"]);
  });

  it("VRIDs repeat only where VirtualIPs cannot meet: disjoint nodes share one, a multicast one takes its own", () => {
    const six = nodes(6).map((n, i) => ({ ...n, labels: { ...n.labels, rack: i < 3 ? "a" : "b" } }));
    const vips = [
      vip("a1", { addresses: ["192.0.2.1/24"], nodeSelector: { rack: "a" } }, { created: at(1) }),
      vip("b1", { addresses: ["192.0.2.2/24"], nodeSelector: { rack: "b" } }, { created: at(2) }),
      vip("a2", { addresses: ["192.0.2.3/24"], nodeSelector: { rack: "a" } }, { created: at(3) }),
      vip("m", { addresses: ["192.0.2.4/24"], nodeSelector: { rack: "b" }, transport: "multicast" }, { created: at(4) }),
      vip("all", { addresses: ["192.0.2.5/24"] }, { created: at(5) }),
    ];
    const result = plan({ virtualIPs: vips, nodes: six });
    const vrid = (name: string) => vipPlan(result, name).virtualRouterID;
    assert.deepEqual(["a1", "b1", "a2", "m", "all"].map(vrid), [1, 1, 2, 3, 4]);
    for (const doc of result.nodes.values()) {
      const ids = doc.instances.map((i) => i.virtualRouterID);
      assert.equal(new Set(ids).size, ids.length, "no VRID twice on one node");
    }
    // Status written back; a new VirtualIP on rack b only, and one asking for b1's VRID on rack a.
    const withStatus = vips.map((v) => ({ ...v, status: { virtualRouterID: vrid(v.metadata.name)! } }));
    const next = plan({
      virtualIPs: [
        ...withStatus,
        vip("b2", { addresses: ["192.0.2.6/24"], nodeSelector: { rack: "b" } }, { created: at(6) }),
        vip("a3", { addresses: ["192.0.2.7/24"], nodeSelector: { rack: "a" }, virtualRouterID: 1 }, { created: at(7) }),
      ],
      nodes: six,
    });
    assert.deepEqual(
      ["a1", "b1", "a2", "m", "all", "b2"].map((n) => vipPlan(next, n).virtualRouterID),
      [1, 1, 2, 3, 4, 2],
    );
    assert.deepEqual(vipPlan(next, "a3").findings, [{ kind: "vrid-taken", other: "a1", virtualRouterID: 1, family: 4 }]);
  });

  it("a node labelled into both sets: the newer VirtualIP moves, the older keeps its VRID", () => {
    const vips = [
      vip("old", { addresses: ["192.0.2.1/24"], nodeSelector: { a: "1" } }, { created: at(1), statusVrid: 1 }),
      vip("new", { addresses: ["192.0.2.2/24"], nodeSelector: { b: "1" } }, { created: at(2), statusVrid: 1 }),
    ];
    const four = nodes(4).map((n, i): NodeSummary => ({ ...n, labels: { [i < 2 ? "a" : "b"]: "1" } }));
    const before = plan({ virtualIPs: vips, nodes: four });
    assert.deepEqual([vipPlan(before, "old").virtualRouterID, vipPlan(before, "new").virtualRouterID], [1, 1]);
    const relabelled = four.map((n) => (n.name === "node-2" ? { ...n, labels: { a: "1", b: "1" } } : n));
    const after = plan({ virtualIPs: vips, nodes: relabelled });
    assert.deepEqual([vipPlan(after, "old").virtualRouterID, vipPlan(after, "new").virtualRouterID], [1, 2]);
    assert.deepEqual(
      after.nodes.get("node-2")!.instances.map((i) => [i.name, i.virtualRouterID]),
      [
        ["vrid-1", 1],
        ["vrid-2", 2],
      ],
    );
    assert.deepEqual(carried(after, "node-2"), ["old", "new"]);
  });

  it("authentication: a secretRef in the controller's namespace by default, never a password", () => {
    const spec = { version: 2 as const, authentication: { secretRef: { name: "web-vrrp" } } };
    const result = plan(
      {
        virtualIPs: [
          vip("web", spec),
          vip("db", { ...spec, addresses: ["192.0.2.9/24"], authentication: { secretRef: { name: "db", namespace: "db", key: "pw" } } }),
        ],
        nodes: three,
      },
      { secretNamespace: "ops" },
    );
    assert.deepEqual(instance(result, "node-0", "web")!.authentication, {
      type: "pass",
      secretRef: { name: "web-vrrp", namespace: "ops", key: "password" },
    });
    assert.deepEqual(instance(result, "node-0", "db")!.authentication, {
      type: "pass",
      secretRef: { name: "db", namespace: "db", key: "pw" },
    });
    const defaulted = plan({ virtualIPs: [vip("web", spec)], nodes: three });
    assert.equal(instance(defaulted, "node-0", "web")!.authentication?.secretRef?.namespace, "floatip-system");
  });

  it("tracking: scripts and files as top-level entries named <vip>/<name>, shared by both families", () => {
    const track = {
      pods: { namespace: "web", selector: { matchLabels: { app: "web" } }, mode: "fault" as const },
      scripts: [{ name: "chk", command: "/bin/true", interval: "2s", weight: -20 }],
      interfaces: [{ name: "eth1" }],
      files: [{ name: "tf", path: "/run/tf", reverse: true }],
    };
    const result = plan({ virtualIPs: [vip("web", { addresses: ["192.0.2.5/24", "2001:db8::5/64"], track })], nodes: three });
    const doc = result.nodes.get("node-0")!;
    assert.deepEqual(doc.scripts, [
      { name: "web/chk", command: "/bin/true", interval: "2s", weight: -20, reverse: false, fall: 1, rise: 1, initFail: false },
    ]);
    assert.deepEqual(doc.trackFiles, [{ name: "web/tf", path: "/run/tf", weight: 1 }]);
    const expected = {
      scripts: [{ name: "web/chk" }],
      interfaces: [{ name: "eth1" }],
      files: [{ name: "web/tf", reverse: true }],
      pods: { namespace: "web", selector: { matchLabels: { app: "web" } }, weight: 0 },
    };
    assert.deepEqual(instance(result, "node-0", "web")!.track, expected);
    assert.deepEqual(instance(result, "node-0", "web-v6")!.track, expected);
  });

  it("tracking: HTTP checks as top-level httpChecks named <vip>/<name>, defaults spelled out, shared by both families", () => {
    const track = {
      httpChecks: [
        { name: "ready", url: "http://127.0.0.1:8080/healthz", interval: "500ms", fall: 2 },
        { name: "api", url: "https://127.0.0.1:6443/readyz", weight: -30, tls: { caFile: "/etc/ca.pem" } },
      ],
    };
    const result = plan({ virtualIPs: [vip("web", { addresses: ["192.0.2.5/24", "2001:db8::5/64"], track })], nodes: three });
    const doc = result.nodes.get("node-0")!;
    assert.deepEqual(doc.httpChecks, [
      {
        name: "web/api",
        url: "https://127.0.0.1:6443/readyz",
        interval: "1s",
        timeout: "1s",
        weight: -30,
        fall: 1,
        rise: 1,
        tls: { caFile: "/etc/ca.pem", insecureSkipVerify: false },
      },
      { name: "web/ready", url: "http://127.0.0.1:8080/healthz", interval: "500ms", timeout: "500ms", weight: 0, fall: 2, rise: 1 },
    ]);
    assert.deepEqual(instance(result, "node-0", "web")!.track, { httpChecks: [{ name: "web/ready" }, { name: "web/api" }] });
    assert.deepEqual(instance(result, "node-0", "web-v6")!.track, { httpChecks: [{ name: "web/ready" }, { name: "web/api" }] });
    assert.equal(plan({ virtualIPs: [vip("web", {})], nodes: three }).nodes.get("node-0")!.httpChecks, undefined, "none: no key");
  });

  it("releaseOnCordon: a cordoned node drops to priority 1", () => {
    const cordoned = [node("a", 0, { unschedulable: true }), node("b", 1)];
    const result = plan({ virtualIPs: [vip("web", { preferredNodes: ["a", "b"], releaseOnCordon: true })], nodes: cordoned });
    assert.deepEqual(vipPlan(result, "web").priorities, { a: 1, b: 240 });
  });

  it("instance names come from routers: a VirtualIP called web-v6 and a dual-stack web are both served", () => {
    const result = plan({
      virtualIPs: [
        vip("web", { addresses: ["192.0.2.5/24", "2001:db8::5/64"] }, { created: at(1) }),
        vip("web-v6", { addresses: ["192.0.2.6/24"] }, { created: at(2) }),
      ],
      nodes: three,
    });
    assert.deepEqual(vipPlan(result, "web-v6").findings, []);
    assert.deepEqual(vipPlan(result, "web").findings, []);
  });

  it("unchanged input gives byte-identical output, whatever the input order", () => {
    const vips = [
      vip(
        "web",
        { addresses: ["192.0.2.5/24", "2001:db8::5/64"], track: { scripts: [{ name: "chk", command: "/bin/true" }] } },
        { created: at(1) },
      ),
      vip("db", { addresses: ["192.0.2.6/24"], preferredNodes: ["node-3"] }, { created: at(2) }),
      vip("dns", { addresses: ["192.0.2.7/24"], transport: "multicast" }, { created: at(2) }),
      vip("bad", { addresses: ["x"] }, { created: at(3) }),
    ];
    const six = nodes(6);
    const a = serialise(plan({ virtualIPs: vips, nodes: six }));
    const b = serialise(plan({ virtualIPs: [...vips].reverse(), nodes: [...six].reverse() }));
    assert.equal(a, b);
    assert.equal(serialise(plan({ virtualIPs: vips, nodes: six })), a);
  });
});
