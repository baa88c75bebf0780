/** Services with spec.externalIPs that opt in (floatip.io/externalIPs: "true") get a VirtualIP per address. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { NodeSummary } from "../api/types.js";
import { planLoadBalancers, type LbPlan } from "./plan.js";
import { pool, slice, svc, type SvcOptions } from "./test-fixtures.js";

const node = (name: string, labels: Record<string, string> = {}): NodeSummary => ({
  name,
  labels,
  internalIPs: { v4: "198.51.100.1" },
  unschedulable: false,
  ready: true,
  creationTimestamp: "",
});
const POOLS = [
  pool("ingress", { addresses: ["192.0.2.48/29"], autoAssign: false, nodeSelector: { matchLabels: { lb: "yes" } } }),
  pool("general", { addresses: ["192.0.2.10-192.0.2.19"], namespaceSelector: { matchLabels: { team: "web" } } }),
];
const ext = (name: string, ips: unknown[], o: SvcOptions & { annotations?: Record<string, string> } = {}) => {
  const s = svc(name, { type: "ClusterIP", cls: null, ...o, annotations: { "floatip.io/externalIPs": "true", ...(o.annotations ?? {}) } });
  return { ...s, spec: { ...(s["spec"] as object), externalIPs: ips } };
};
function run(services: Record<string, unknown>[], slices: Record<string, unknown>[] = []): LbPlan {
  return planLoadBalancers({
    services,
    endpointSlices: slices,
    pools: POOLS,
    namespaces: new Map<string, Record<string, string>>([
      ["default", { team: "web" }],
      ["other", {}],
    ]),
    nodes: [node("a", { lb: "yes" }), node("b", { lb: "yes" }), node("c")],
    virtualIPs: [],
    defaultClass: false,
    now: new Date("2026-11-25T12:00:00Z"),
  });
}
const allocated = (plan: LbPlan, key: string) =>
  plan.services.get(key)!.status.conditions.find((c) => c.type === "floatip.io/AddressAllocated")!;

describe("Services with spec.externalIPs", () => {
  it("each external IP gets its own VirtualIP, with the pool's node selector (Cluster policy: no per-Service placement, as LoadBalancer Services)", () => {
    const plan = run([ext("router", ["192.0.2.50", "192.0.2.51"])], [slice("router", ["b"])]);
    assert.deepEqual([...plan.vips.keys()].sort(), ["lb-192-0-2-50", "lb-192-0-2-51"]);
    assert.deepEqual(plan.vips.get("lb-192-0-2-50")!.spec, { addresses: ["192.0.2.50/32"], nodeSelector: { matchLabels: { lb: "yes" } } });
    assert.deepEqual(plan.vips.get("lb-192-0-2-50")!.annotations, { "floatip.io/services": "default/router" });
    const c = allocated(plan, "default/router");
    assert.deepEqual(
      [c.status, c.reason, c.message],
      ["True", "Allocated", "spec.externalIPs floated: 192.0.2.50 (VirtualIPPool ingress), 192.0.2.51 (VirtualIPPool ingress)"],
    );
    assert.deepEqual(plan.services.get("default/router")!.status.loadBalancer, {});
  });

  it('without the annotation, or with it set to anything but "true", nothing is floated', () => {
    const plain = svc("plain", { type: "ClusterIP", cls: null });
    const no = ext("no", ["192.0.2.50"], { annotations: { "floatip.io/externalIPs": "yes" } });
    const plan = run([{ ...plain, spec: { ...(plain["spec"] as object), externalIPs: ["192.0.2.50"] } }, no]);
    assert.equal(plan.vips.size, 0);
    assert.equal(plan.services.size, 0);
  });

  it("an address outside every pool, or in a pool that does not admit the Service, is not floated; the others are", () => {
    const plan = run([ext("mixed", ["192.0.2.50", "203.0.113.5"]), ext("elsewhere", ["192.0.2.12"], { namespace: "other" })]);
    assert.deepEqual([...plan.vips.keys()], ["lb-192-0-2-50"]);
    const mixed = allocated(plan, "default/mixed");
    assert.deepEqual([mixed.status, mixed.reason], ["False", "AddressNotInPool"]);
    assert.equal(
      mixed.message,
      "the requested address 203.0.113.5 is in no usable VirtualIPPool; floated: 192.0.2.50 (VirtualIPPool ingress)",
    );
    assert.equal(allocated(plan, "other/elsewhere").reason, "PoolNotAllowed");
  });

  it("an address a LoadBalancer Service holds, or an older externalIPs Service, is in use; LoadBalancer allocation skips external IPs", () => {
    const plan = run([
      svc("lb", { ips: "192.0.2.10", ingress: ["192.0.2.10"] }),
      svc("asks", { ips: "192.0.2.13", created: "2026-01-05T00:00:00Z" }),
      ext("claims", ["192.0.2.13"], { created: "2026-01-06T00:00:00Z" }),
      ext("late", ["192.0.2.10"], { created: "2026-01-02T00:00:00Z" }),
      ext("first", ["192.0.2.11"]),
      ext("second", ["192.0.2.11"], { created: "2026-01-03T00:00:00Z" }),
      svc("auto", { created: "2026-01-04T00:00:00Z" }),
    ]);
    assert.equal(allocated(plan, "default/late").message, "the address 192.0.2.10 is in use by Service default/lb");
    assert.equal(allocated(plan, "default/second").message, "the address 192.0.2.11 is in use by Service default/first (spec.externalIPs)");
    assert.deepEqual(plan.services.get("default/auto")!.status.loadBalancer, { ingress: [{ ip: "192.0.2.12" }] });
    // A new request for an external IP waits; the Service's own addresses go first.
    assert.equal(allocated(plan, "default/asks").message, "the address 192.0.2.13 is in use by Service default/claims (spec.externalIPs)");
    assert.equal(allocated(plan, "default/claims").status, "True");
  });

  it("a malformed external IP is refused naming it; no annotation-less Service is touched", () => {
    const plan = run([ext("bad", ["192.0.2.50", "192.0.2.999"])]);
    const c = allocated(plan, "default/bad");
    assert.deepEqual([c.reason, c.message], ["InvalidAnnotation", 'spec.externalIPs[1]: "192.0.2.999" is not an IP address']);
    assert.equal(plan.vips.size, 0);
  });
});
