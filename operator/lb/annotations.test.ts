/**
 * Services written for MetalLB or kube-vip keep what they asked for: their
 * annotations are aliases of floatip's, a pool can be named per Service, and
 * conflicting aliases or a missing pool are reported, not guessed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { NodeSummary } from "../api/types.js";
import { planLoadBalancers, type LbPlan } from "./plan.js";
import { pool, svc, type SvcOptions } from "./test-fixtures.js";

const node = (name: string): NodeSummary => ({
  name,
  labels: {},
  internalIPs: { v4: "198.51.100.1" },
  unschedulable: false,
  ready: true,
  creationTimestamp: "",
});
const POOLS = [
  pool("default", { addresses: ["192.0.2.10-192.0.2.19", "2001:db8::10/124"] }),
  pool("reserved", { addresses: ["192.0.2.100-192.0.2.109"], autoAssign: false }),
];

function run(services: Record<string, unknown>[], pools = POOLS): LbPlan {
  return planLoadBalancers({
    services,
    endpointSlices: [],
    pools,
    namespaces: new Map(),
    nodes: [node("a")],
    virtualIPs: [],
    defaultClass: false,
    now: new Date("2026-11-25T12:00:00Z"),
  });
}
const allocated = (plan: LbPlan, key: string) =>
  plan.services.get(key)!.status.conditions.find((c) => c.type === "floatip.io/AddressAllocated")!;
const got = (plan: LbPlan, key: string): string => {
  const c = allocated(plan, key);
  return c.status === "True"
    ? (plan.services.get(key)!.status.loadBalancer.ingress ?? []).map((i) => i.ip).join(",")
    : `pending:${c.reason}`;
};
const s = (name: string, annotations: Record<string, string>, o: SvcOptions = {}) => svc(name, { ...o, annotations });

describe("MetalLB and kube-vip annotations", () => {
  it("Services get exactly the addresses they asked MetalLB or kube-vip for", () => {
    const plan = run([
      s("metallb", { "metallb.io/loadBalancerIPs": "192.0.2.15" }),
      s("metallb-dual", { "metallb.io/loadBalancerIPs": "192.0.2.16, 2001:db8::1a" }, { families: ["IPv4", "IPv6"] }),
      s("metallb-old-prefix", { "metallb.universe.tf/loadBalancerIPs": "192.0.2.17" }),
      s("kube-vip", { "kube-vip.io/loadbalancerIPs": "192.0.2.18" }),
      s("reserved", { "metallb.io/loadBalancerIPs": "192.0.2.105" }),
      s("plain", {}),
    ]);
    assert.deepEqual(
      ["metallb", "metallb-dual", "metallb-old-prefix", "kube-vip", "reserved", "plain"].map((n) => got(plan, `default/${n}`)),
      ["192.0.2.15", "192.0.2.16,2001:db8::1a", "192.0.2.17", "192.0.2.18", "192.0.2.105", "192.0.2.10"],
    );
  });

  it("metallb.io/allow-shared-ip shares an address like floatip.io/allowSharedIP", () => {
    const plan = run([
      s("dns-tcp", { "metallb.io/loadBalancerIPs": "192.0.2.12", "metallb.io/allow-shared-ip": "dns" }, { ports: [["TCP", 53]] }),
      s(
        "dns-udp",
        { "metallb.io/loadBalancerIPs": "192.0.2.12", "metallb.io/allow-shared-ip": "dns" },
        { ports: [["UDP", 53]], created: "2026-01-02T00:00:00Z" },
      ),
    ]);
    assert.deepEqual([got(plan, "default/dns-tcp"), got(plan, "default/dns-udp")], ["192.0.2.12", "192.0.2.12"]);
    assert.equal(plan.vips.size, 1);
  });

  it("floatip.io/pool and metallb.io/address-pool pick the pool, autoAssign false included", () => {
    const plan = run([
      s("a", { "floatip.io/pool": "reserved" }),
      s("b", { "metallb.io/address-pool": "reserved" }, { created: "2026-01-02T00:00:00Z" }),
    ]);
    assert.deepEqual([got(plan, "default/a"), got(plan, "default/b")], ["192.0.2.100", "192.0.2.101"]);
    assert.match(allocated(plan, "default/a").message, /from VirtualIPPool reserved/);
  });

  it("equal values under two names are fine; different values are refused naming both annotations", () => {
    const same = run([s("a", { "floatip.io/loadBalancerIPs": "192.0.2.15", "metallb.io/loadBalancerIPs": " 192.0.2.15" })]);
    assert.equal(got(same, "default/a"), "192.0.2.15");
    const plan = run([
      s("ips", { "floatip.io/loadBalancerIPs": "192.0.2.15", "metallb.io/loadBalancerIPs": "192.0.2.16" }),
      s("pool", { "floatip.io/pool": "default", "metallb.io/address-pool": "reserved" }),
      s("share", { "metallb.io/allow-shared-ip": "a", "floatip.io/allowSharedIP": "b" }),
    ]);
    assert.equal(got(plan, "default/ips"), "pending:InvalidAnnotation");
    assert.equal(
      allocated(plan, "default/ips").message,
      'metadata.annotations["metallb.io/loadBalancerIPs"]: "192.0.2.16" differs from floatip.io/loadBalancerIPs "192.0.2.15": the two annotations name the same setting; remove one or make them equal',
    );
    assert.match(allocated(plan, "default/pool").message, /metallb\.io\/address-pool.*"reserved" differs from floatip\.io\/pool "default"/);
    assert.match(allocated(plan, "default/share").message, /metallb\.io\/allow-shared-ip.*"a" differs from floatip\.io\/allowSharedIP "b"/);
  });

  it("a Service naming a missing pool gets PoolNotFound; a refused pool PoolNotReady; an address outside its pool AddressNotInPool", () => {
    const broken = pool("broken", { addresses: ["192.0.2.300/32"] });
    const plan = run(
      [
        s("missing", { "metallb.io/address-pool": "production" }),
        s("refused", { "floatip.io/pool": "broken" }),
        s("outside", { "floatip.io/pool": "reserved", "metallb.io/loadBalancerIPs": "192.0.2.15" }),
        s("no-v6", { "floatip.io/pool": "reserved" }, { families: ["IPv6"] }),
      ],
      [...POOLS, broken],
    );
    assert.deepEqual(
      ["missing", "refused", "outside", "no-v6"].map((n) => got(plan, `default/${n}`)),
      ["pending:PoolNotFound", "pending:PoolNotReady", "pending:AddressNotInPool", "pending:PoolNotAllowed"],
    );
    assert.match(allocated(plan, "default/missing").message, /VirtualIPPool production .* does not exist/);
    assert.match(allocated(plan, "default/outside").message, /192\.0\.2\.15 is not in VirtualIPPool reserved/);
    assert.match(allocated(plan, "default/no-v6").message, /reserved, which the Service asks for, has no IPv6 addresses/);
  });

  it("a Service that changes its pool moves to an address of the new pool", () => {
    const first = run([s("a", {})]);
    assert.equal(got(first, "default/a"), "192.0.2.10");
    const moved = planLoadBalancers({
      services: [s("a", { "floatip.io/pool": "reserved" }, { ingress: ["192.0.2.10"] })],
      endpointSlices: [],
      pools: POOLS,
      namespaces: new Map(),
      nodes: [node("a")],
      virtualIPs: [],
      defaultClass: false,
      now: new Date("2026-11-25T12:00:00Z"),
    });
    assert.equal(got(moved, "default/a"), "192.0.2.100");
  });
});
