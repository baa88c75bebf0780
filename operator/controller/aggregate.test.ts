import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { VirtualIP, VRRPNode, VRRPNodeInstanceStatus } from "../api/types.js";
import type { VipPlan } from "../planner/index.js";
import { aggregate, masterChangeMessage } from "./aggregate.js";

const now = new Date("2026-11-25T12:00:00Z");
const vip = (extra: Partial<VirtualIP> = {}): VirtualIP => ({
  metadata: { name: "web", generation: 2 },
  spec: { addresses: ["192.0.2.5/24"] },
  ...extra,
});
const plan: VipPlan = { virtualRouterID: 7, renderedNodes: ["a", "b", "c"], priorities: { a: 250, b: 240, c: 230 }, findings: [] };
const node = (name: string, ...instances: VRRPNodeInstanceStatus[]): VRRPNode => ({
  metadata: { name },
  spec: { instances: [] } as never,
  status: { instances },
});
const inst = (state: string, extra: Partial<VRRPNodeInstanceStatus> = {}): VRRPNodeInstanceStatus => ({
  name: "web",
  state,
  priority: 100,
  effectivePriority: 100,
  ...extra,
});
const cond = (s: ReturnType<typeof aggregate>, type: string) => s.status.conditions?.find((c) => c.type === type);

describe("VirtualIP status from the agents' reports", () => {
  it("one master: Ready, not Degraded, master named, VRID from the plan", () => {
    const r = aggregate({
      vip: vip(),
      plan,
      vrrpNodes: [node("a", inst("Master")), node("b", inst("Backup")), node("c", inst("Backup"))],
      now,
    });
    assert.equal(r.status.master, "a");
    assert.equal(r.status.virtualRouterID, 7);
    assert.equal(cond(r, "Ready")?.status, "True");
    assert.equal(cond(r, "Degraded")?.status, "False");
    assert.equal(cond(r, "Conflict")?.status, "False");
    assert.deepEqual(
      r.status.nodes?.map((n) => `${n.name}:${n.state}`),
      ["a:Master", "b:Backup", "c:Backup"],
    );
    assert.equal(r.status.observedGeneration, 2);
    assert.deepEqual(r.masterChange, { from: undefined, to: "a", reason: undefined });
    assert.equal(r.status.transitions, 1);
  });

  it("two masters: Degraded with both named, not Ready, no master", () => {
    const r = aggregate({ vip: vip(), plan, vrrpNodes: [node("a", inst("Master")), node("b", inst("Master"))], now });
    assert.equal(r.status.master, undefined);
    assert.equal(cond(r, "Ready")?.status, "False");
    assert.equal(cond(r, "Degraded")?.reason, "MultipleMasters");
    assert.match(cond(r, "Degraded")!.message, /2 masters \(a, b\)/);
  });

  it("the master's report is stale: its routers Unknown, no master, Ready and Degraded Unknown; back when it reports again", () => {
    const nodes = [node("a", inst("Master")), node("b", inst("Backup")), node("c", inst("Backup"))];
    const before = aggregate({ vip: vip(), plan, vrrpNodes: nodes, now });
    const stale = new Map([["a", 3000]]);
    const r = aggregate({ vip: vip({ status: before.status }), plan, vrrpNodes: nodes, now, stale });
    assert.deepEqual(
      r.status.nodes?.map((n) => `${n.name}:${n.state}`),
      ["a:Unknown", "b:Backup", "c:Backup"],
    );
    assert.equal(r.status.master, undefined);
    assert.equal(cond(r, "Ready")?.status, "Unknown");
    assert.equal(cond(r, "Ready")?.reason, "StatusUnknown");
    assert.match(cond(r, "Ready")!.message, /web: no confirmed master, unknown: a \(no status for 3s\)/);
    assert.equal(cond(r, "Degraded")?.status, "Unknown");
    assert.equal(masterChangeMessage(r.masterChange!), "master unconfirmed: a has sent no status for 3s");
    const back = aggregate({ vip: vip({ status: r.status }), plan, vrrpNodes: nodes, now });
    assert.equal(back.status.master, "a");
    assert.equal(cond(back, "Ready")?.status, "True");
  });

  it("a stale backup does not hide a confirmed master; a stale node's conflicts age out", () => {
    const seen = { kind: "duplicate-address", address: "192.0.2.5", mac: "02:00:00:00:00:99", since: "2026-11-25T11:00:00Z" } as const;
    const nodes = [node("a", inst("Master")), node("b", inst("Master", { conflicts: [seen] }))];
    const r = aggregate({ vip: vip(), plan, vrrpNodes: nodes, now, stale: new Map([["b", 60_000]]) });
    assert.equal(r.status.master, "a");
    assert.equal(cond(r, "Ready")?.status, "True");
    assert.equal(cond(r, "Conflict")?.status, "False");
    assert.deepEqual(r.networkConflicts, []);
    const fresh = aggregate({ vip: vip(), plan, vrrpNodes: nodes, now });
    assert.equal(cond(fresh, "Conflict")?.status, "True", "the same report, fresh, counts");
  });

  it("a VRRPNode the API server refused: Accepted False NodeConfigRejected naming the node; Ready stays as the agents report; other nodes' failures do not count", () => {
    const unwritten = new Map([
      ["c", "refused by the API server (500 InternalError): etcdserver: request is too large"],
      ["z", "refused"],
    ]);
    const serving = aggregate({ vip: vip(), plan, vrrpNodes: [node("a", inst("Master")), node("b", inst("Backup"))], now, unwritten });
    assert.equal(cond(serving, "Accepted")?.status, "False");
    assert.equal(cond(serving, "Accepted")?.reason, "NodeConfigRejected");
    assert.equal(
      cond(serving, "Accepted")?.message,
      "VRRPNode c not updated, refused by the API server (500 InternalError): etcdserver: request is too large",
    );
    assert.equal(cond(serving, "Ready")?.status, "True", "a serves it; c runs its previous config");
    assert.deepEqual(serving.unwritten, [
      "VRRPNode c not updated, refused by the API server (500 InternalError): etcdserver: request is too large",
    ]);
    const nobody = aggregate({ vip: vip(), plan, vrrpNodes: [], now, unwritten });
    assert.equal(cond(nobody, "Ready")?.reason, "NodeConfigRejected");
    const elsewhere = aggregate({ vip: vip(), plan, vrrpNodes: [node("a", inst("Master"))], now, unwritten: new Map([["z", "refused"]]) });
    assert.equal(cond(elsewhere, "Accepted")?.status, "True");
  });

  it("VRRPNodes refused on hundreds of nodes: the condition names a few and counts the rest, so the status itself stays within the CRD's 32768-character message", () => {
    const names = Array.from({ length: 400 }, (_, i) => `node-${String(i).padStart(4, "0")}`);
    const wide: VipPlan = { ...plan, renderedNodes: names };
    const unwritten = new Map(names.map((n) => [n, "refused by the API server (500 InternalError): etcdserver: request is too large"]));
    const r = aggregate({ vip: vip(), plan: wide, vrrpNodes: [], now, unwritten });
    const accepted = cond(r, "Accepted")!;
    assert.equal(
      accepted.message,
      "VRRPNodes node-0000, node-0001, node-0002, node-0003, node-0004 and 395 more not updated, refused by the API server (500 InternalError): etcdserver: request is too large",
    );
    for (const c of r.status.conditions ?? []) assert.ok(c.message.length <= 32768, `${c.type}: ${c.message.length} characters`);
  });

  it("an agent refusing the instance: Accepted False naming node, field and reason; Ready says why instead of NoSingleMaster", () => {
    const refusing = (name: string): VRRPNode => ({
      metadata: { name },
      spec: { instances: [] } as never,
      status: {
        instances: [],
        configErrors: [
          {
            instance: "web",
            field: "instances[3].interface",
            message: "not given, and no interface has an address whose subnet contains 192.0.2.5",
          },
          { instance: "other", field: "instances[0].priority", message: "not this VirtualIP's" },
        ],
      },
    });
    const r = aggregate({ vip: vip(), plan, vrrpNodes: [refusing("a"), refusing("b"), node("c", inst("Backup"))], now });
    assert.equal(cond(r, "Accepted")?.status, "False");
    assert.equal(cond(r, "Accepted")?.reason, "RefusedByNode");
    assert.equal(
      cond(r, "Accepted")!.message,
      "a: interface: not given, and no interface has an address whose subnet contains 192.0.2.5; b: interface: not given, and no interface has an address whose subnet contains 192.0.2.5",
    );
    assert.equal(cond(r, "Ready")?.reason, "RefusedByNode");
    assert.match(cond(r, "Ready")!.message, /^a: interface: not given/);
    assert.deepEqual(r.refusals, [
      "a: interface: not given, and no interface has an address whose subnet contains 192.0.2.5",
      "b: interface: not given, and no interface has an address whose subnet contains 192.0.2.5",
    ]);
    const fine = aggregate({ vip: vip(), plan, vrrpNodes: [node("a", inst("Master"))], now });
    assert.equal(cond(fine, "Accepted")?.status, "True");
    assert.deepEqual(fine.refusals, []);
  });

  it("no master: Degraded NoMaster", () => {
    const r = aggregate({ vip: vip(), plan, vrrpNodes: [node("a", inst("Backup")), node("b", inst("Fault"))], now });
    assert.equal(cond(r, "Degraded")?.reason, "NoMaster");
    assert.equal(cond(r, "Ready")?.status, "False");
  });

  it("a conflict: Conflict True naming the other VirtualIP, not Ready", () => {
    const conflicted: VipPlan = {
      renderedNodes: [],
      priorities: {},
      findings: [{ kind: "address-overlap", other: "old", address: "192.0.2.5" }],
    };
    const r = aggregate({ vip: vip(), plan: conflicted, vrrpNodes: [], now });
    assert.equal(cond(r, "Conflict")?.status, "True");
    assert.match(cond(r, "Conflict")!.message, /already claimed by VirtualIP old/);
    assert.equal(cond(r, "Ready")?.status, "False");
    assert.equal(cond(r, "Degraded")?.status, "False", "not rendered, so not degraded");
  });

  it("an agent seeing another MAC for the address: Conflict True naming MAC and node; Ready still follows VRRP", () => {
    const seen = { kind: "duplicate-address", address: "192.0.2.5", mac: "02:00:00:00:00:99", since: "2026-11-25T11:00:00Z" } as const;
    const r = aggregate({
      vip: vip(),
      plan,
      vrrpNodes: [node("a", inst("Master", { conflicts: [seen] })), node("b", inst("Backup"))],
      now,
    });
    assert.equal(cond(r, "Conflict")?.status, "True");
    assert.equal(cond(r, "Conflict")?.reason, "DuplicateAddress");
    assert.equal(cond(r, "Conflict")?.message, "192.0.2.5 is also answered by 02:00:00:00:00:99 (seen by a)");
    assert.equal(cond(r, "Ready")?.status, "True");
    assert.equal(r.networkConflicts.length, 1);
  });

  it("a planner collision and a network conflict: reason Collision, both in the message", () => {
    const conflicted: VipPlan = { ...plan, findings: [{ kind: "vrid-taken", other: "old", virtualRouterID: 7, family: 4 }] };
    const stranger = { kind: "unknown-peer", source: "192.0.2.77", since: "2026-11-25T11:00:00Z" } as const;
    const r = aggregate({ vip: vip(), plan: conflicted, vrrpNodes: [node("a", inst("Master", { conflicts: [stranger] }))], now });
    assert.equal(cond(r, "Conflict")?.reason, "Collision");
    assert.match(
      cond(r, "Conflict")!.message,
      /already used by VirtualIP old; 192\.0\.2\.77 sends adverts on this VRID but is not a configured unicast peer \(seen by a\)$/,
    );
  });

  it("a master change counts a transition and keeps unchanged conditions' times", () => {
    const first = aggregate({ vip: vip(), plan, vrrpNodes: [node("a", inst("Master")), node("b", inst("Backup"))], now });
    const later = new Date("2026-11-25T12:05:00Z");
    const second = aggregate({
      vip: vip({ status: first.status }),
      plan,
      vrrpNodes: [node("a", inst("Backup", { lastChange: "master -> backup (higher-priority-advert)" })), node("b", inst("Master"))],
      now: later,
    });
    assert.equal(second.status.master, "b");
    assert.equal(second.status.transitions, 2);
    assert.equal(second.status.lastTransitionTime, later.toISOString());
    assert.equal(cond(second, "Ready")?.lastTransitionTime, now.toISOString());
    assert.equal(masterChangeMessage(second.masterChange!), "b became master; a: master -> backup (higher-priority-advert)");
    const third = aggregate({
      vip: vip({ status: second.status }),
      plan,
      vrrpNodes: [node("a", inst("Backup")), node("b", inst("Master"))],
      now: later,
    });
    assert.equal(third.masterChange, undefined);
    assert.equal(third.status.transitions, 2);
  });

  it("dual-stack: each family's router must have one master", () => {
    const dual = vip({ spec: { addresses: ["192.0.2.5/24", "2001:db8::5/64"] } });
    const v6 = (state: string) => ({ ...inst(state), name: "web-v6" });
    const ok = aggregate({
      vip: dual,
      plan,
      vrrpNodes: [node("a", inst("Master"), v6("Backup")), node("b", inst("Backup"), v6("Master"))],
      now,
    });
    assert.equal(cond(ok, "Ready")?.status, "True");
    assert.equal(ok.status.nodes?.length, 4);
    const bad = aggregate({
      vip: dual,
      plan,
      vrrpNodes: [node("a", inst("Master"), v6("Backup")), node("b", inst("Backup"), v6("Backup"))],
      now,
    });
    assert.match(cond(bad, "Degraded")!.message, /web-v6: no master/);
  });
});
