/**
 * Tables for the load-balancer planner: allocation, requested addresses,
 * exhaustion, sharing, stability, pool deletion, dual-stack, node eligibility.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { VirtualIPPool } from "../api/pool.js";
import type { Condition, NodeSummary, VirtualIP } from "../api/types.js";
import { plan as planNodes } from "../planner/plan.js";
import { planLoadBalancers, type LbPlan } from "./plan.js";
import { pool, slice, svc } from "./test-fixtures.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const node = (name: string, labels: Record<string, string> = {}): NodeSummary => ({
  name,
  labels,
  internalIPs: { v4: "198.51.100.1" },
  unschedulable: false,
  ready: true,
  creationTimestamp: "",
});

interface Run {
  services: Record<string, unknown>[];
  pools?: VirtualIPPool[];
  vips?: VirtualIP[];
  slices?: Record<string, unknown>[];
  nodes?: NodeSummary[];
  namespaces?: Map<string, Record<string, string>>;
  defaultClass?: boolean;
}

const DEFAULT_POOL = pool("default", { addresses: ["192.0.2.10-192.0.2.12", "2001:db8::10/127"] });

function run(r: Run): LbPlan {
  return planLoadBalancers({
    services: r.services,
    endpointSlices: r.slices ?? [],
    pools: r.pools ?? [DEFAULT_POOL],
    namespaces: r.namespaces ?? new Map(),
    nodes: r.nodes ?? [node("a"), node("b"), node("c")],
    virtualIPs: r.vips ?? [],
    defaultClass: r.defaultClass ?? false,
    now: NOW,
  });
}

/** "default/web" → "192.0.2.10" or "pending:PoolExhausted". */
function summary(plan: LbPlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, p] of plan.services) {
    const allocated = p.status.conditions.find((c) => c.type === "floatip.io/AddressAllocated")!;
    out[key] =
      allocated.status === "True" ? (p.status.loadBalancer.ingress ?? []).map((i) => i.ip).join(",") : `pending:${allocated.reason}`;
  }
  return out;
}
const message = (plan: LbPlan, key: string) =>
  plan.services.get(key)!.status.conditions.find((c) => c.type === "floatip.io/AddressAllocated")!.message;

/** The VirtualIPs a plan wants, as the API server would store them (for the next round). */
function stored(plan: LbPlan, status: Record<string, string> = {}): VirtualIP[] {
  return [...plan.vips.values()].map((v) => ({
    metadata: { name: v.name, labels: v.labels, annotations: v.annotations, creationTimestamp: "2026-01-02T00:00:00Z" },
    spec: v.spec,
    ...(status[v.name] !== undefined ? { status: { master: status[v.name] } } : {}),
  }));
}
const userVip = (name: string, addresses: string[]): VirtualIP => ({
  metadata: { name, creationTimestamp: "2026-01-01T00:00:00Z" },
  spec: { addresses },
});

describe("allocation from pools", () => {
  const cases: { name: string; run: Run; want: Record<string, string> }[] = [
    {
      name: "lowest free address, oldest Service first",
      run: { services: [svc("b", { created: "2026-01-02T00:00:00Z" }), svc("a")] },
      want: { "default/a": "192.0.2.10", "default/b": "192.0.2.11" },
    },
    {
      name: "pools are tried by name; autoAssign false is skipped",
      run: {
        services: [svc("web")],
        pools: [pool("b-pool", { addresses: ["198.51.100.0/30"] }), pool("a-pool", { addresses: ["203.0.113.0/30"], autoAssign: false })],
      },
      want: { "default/web": "198.51.100.0" },
    },
    {
      name: "serviceSelector and namespaceSelector choose the pool",
      run: {
        services: [svc("web", { labels: { tier: "edge" } }), svc("db", { namespace: "data" }), svc("other")],
        pools: [
          pool("edge", { addresses: ["203.0.113.1"], serviceSelector: { matchLabels: { tier: "edge" } } }),
          pool("team", {
            addresses: ["198.51.100.9"],
            namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["data"] }] },
          }),
        ],
        namespaces: new Map<string, Record<string, string>>([
          ["data", { team: "data" }],
          ["default", {}],
        ]),
      },
      want: { "default/web": "203.0.113.1", "data/db": "198.51.100.9", "default/other": "pending:NoMatchingPool" },
    },
    {
      name: "a Service of another class, of another type, or without class is not floatip's",
      run: {
        services: [
          svc("other", { cls: "example.com/lb" }),
          svc("nodeport", { type: "NodePort" }),
          svc("noclass", { cls: null }),
          svc("ours"),
        ],
      },
      want: { "default/ours": "192.0.2.10" },
    },
    {
      name: "with --default-load-balancer-class, Services without a class are floatip's",
      run: { services: [svc("noclass", { cls: null }), svc("other", { cls: "example.com/lb" })], defaultClass: true },
      want: { "default/noclass": "192.0.2.10" },
    },
    {
      name: "dual-stack: one address per family, ingress in spec.ipFamilies order",
      run: {
        services: [svc("v6first", { families: ["IPv6", "IPv4"] }), svc("v6only", { families: ["IPv6"], created: "2026-01-03T00:00:00Z" })],
      },
      want: { "default/v6first": "2001:db8::10,192.0.2.10", "default/v6only": "2001:db8::11" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(summary(run(c.run)), c.want));
  }
});

describe("requested addresses", () => {
  const pools = [
    DEFAULT_POOL,
    pool("reserved", { addresses: ["203.0.113.0/29"], autoAssign: false, serviceSelector: { matchLabels: { reserved: "yes" } } }),
  ];
  const cases: { name: string; run: Run; want: Record<string, string>; says?: [string, RegExp] }[] = [
    { name: "the annotation", run: { services: [svc("web", { ips: "192.0.2.12" })], pools }, want: { "default/web": "192.0.2.12" } },
    {
      name: "spec.loadBalancerIP",
      run: { services: [svc("web", { loadBalancerIP: "192.0.2.11" })], pools },
      want: { "default/web": "192.0.2.11" },
    },
    {
      name: "from a pool that does not auto-assign",
      run: { services: [svc("web", { ips: "203.0.113.3", labels: { reserved: "yes" } })], pools },
      want: { "default/web": "203.0.113.3" },
    },
    {
      name: "a dual-stack request; an unrequested family still comes from a pool",
      run: {
        services: [
          svc("both", { families: ["IPv4", "IPv6"], ips: "2001:db8::11, 192.0.2.11" }),
          svc("half", { families: ["IPv4", "IPv6"], ips: "192.0.2.12", created: "2026-01-02T00:00:00Z" }),
        ],
        pools,
      },
      want: { "default/both": "192.0.2.11,2001:db8::11", "default/half": "192.0.2.12,2001:db8::10" },
    },
    {
      name: "in no pool",
      run: { services: [svc("web", { ips: "198.51.100.7" })], pools },
      want: { "default/web": "pending:AddressNotInPool" },
      says: ["default/web", /198\.51\.100\.7 is in no usable VirtualIPPool/],
    },
    {
      name: "in a pool whose serviceSelector excludes the Service",
      run: { services: [svc("web", { ips: "203.0.113.3" })], pools },
      want: { "default/web": "pending:PoolNotAllowed" },
      says: ["default/web", /VirtualIPPool reserved/],
    },
    {
      name: "requests are served before auto-assignment: an older Service that holds nothing yet gets the next address",
      run: { services: [svc("old"), svc("new", { ips: "192.0.2.10", created: "2026-01-02T00:00:00Z" })], pools },
      want: { "default/old": "192.0.2.11", "default/new": "192.0.2.10" },
    },
    {
      name: "held by an older Service that does not share",
      run: { services: [svc("old", { ips: "192.0.2.11" }), svc("new", { ips: "192.0.2.11", created: "2026-01-02T00:00:00Z" })], pools },
      want: { "default/old": "192.0.2.11", "default/new": "pending:AddressInUse" },
      says: ["default/new", /in use by Service default\/old/],
    },
    {
      name: "floated by a VirtualIP",
      run: { services: [svc("web", { ips: "192.0.2.10" })], pools, vips: [userVip("gateway", ["192.0.2.10/24"])] },
      want: { "default/web": "pending:AddressInUse" },
      says: ["default/web", /in use by VirtualIP gateway/],
    },
    {
      name: "not an address: the condition names the annotation",
      run: { services: [svc("web", { ips: "192.0.2.300" })], pools },
      want: { "default/web": "pending:InvalidAnnotation" },
      says: ["default/web", /metadata\.annotations\["floatip\.io\/loadBalancerIPs"\]: "192\.0\.2\.300" is not an IP address/],
    },
    {
      name: "two addresses of one family",
      run: { services: [svc("web", { ips: "192.0.2.10,192.0.2.11" })], pools },
      want: { "default/web": "pending:InvalidAnnotation" },
      says: ["default/web", /loadBalancerIPs"\]\[1\]: asks for a second IPv4 address/],
    },
    {
      name: "a family the Service does not have",
      run: { services: [svc("web", { ips: "2001:db8::10" })], pools },
      want: { "default/web": "pending:InvalidAnnotation" },
      says: ["default/web", /2001:db8::10 is IPv6, but spec\.ipFamilies is \[IPv4\]/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = run(c.run);
      assert.deepEqual(summary(plan), c.want);
      if (c.says) assert.match(message(plan, c.says[0]), c.says[1]);
    });
  }
});

describe("invalid annotations are not applied", () => {
  it("a Service holding an address keeps it while its annotation is invalid, and says so", () => {
    const first = run({ services: [svc("web")] });
    const plan = run({ services: [svc("web", { ips: "192.0.2.999" })], vips: stored(first) });
    assert.deepEqual(summary(plan), { "default/web": "pending:InvalidAnnotation" });
    assert.deepEqual(plan.services.get("default/web")!.status.loadBalancer.ingress, [{ ip: "192.0.2.10" }]);
    assert.match(
      message(plan, "default/web"),
      /"192\.0\.2\.999" is not an IP address .*; keeping 192\.0\.2\.10 until the annotations are fixed/,
    );
    assert.deepEqual([...plan.vips.keys()], ["lb-192-0-2-10"]);
    assert.deepEqual(plan.released, []);
  });
});

describe("exhaustion: nothing half-done", () => {
  it("the Service after the last free address is pending with a clear message, and gets no VirtualIP", () => {
    const plan = run({ services: ["a", "b", "c", "d"].map((n, i) => svc(n, { created: `2026-01-0${i + 1}T00:00:00Z` })) });
    assert.deepEqual(summary(plan), {
      "default/a": "192.0.2.10",
      "default/b": "192.0.2.11",
      "default/c": "192.0.2.12",
      "default/d": "pending:PoolExhausted",
    });
    assert.match(message(plan, "default/d"), /no free IPv4 address in pool default; nothing was allocated/);
    assert.deepEqual([...plan.vips.keys()].sort(), ["lb-192-0-2-10", "lb-192-0-2-11", "lb-192-0-2-12"]);
    const status = plan.pools.get("default")!;
    assert.deepEqual(
      [status.allocated, status.free, status.ipv4, status.ipv6],
      [3, 2, { total: 3, allocated: 3, free: 0 }, { total: 2, allocated: 0, free: 2 }],
    );
    assert.equal(status.conditions!.find((c) => c.type === "Exhausted")!.status, "True");
  });
  it("a dual-stack Service whose second family is exhausted takes no address of the first either", () => {
    const pools = [pool("p", { addresses: ["192.0.2.10-192.0.2.11", "2001:db8::10"] })];
    const plan = run({
      services: [
        svc("v6", { families: ["IPv6"] }),
        svc("dual", { families: ["IPv4", "IPv6"], created: "2026-01-02T00:00:00Z" }),
        svc("v4", { created: "2026-01-03T00:00:00Z" }),
      ],
      pools,
    });
    assert.deepEqual(summary(plan), { "default/v6": "2001:db8::10", "default/dual": "pending:PoolExhausted", "default/v4": "192.0.2.10" });
    assert.equal(plan.services.get("default/dual")!.status.loadBalancer.ingress, undefined);
    assert.equal(plan.pools.get("p")!.ipv4!.allocated, 1);
  });
});

describe("sharing an address", () => {
  const share = (name: string, ports: (number | [string, number])[], o: Parameters<typeof svc>[1] = {}) =>
    svc(name, { share: "key", ports, ...o });
  const cases: { name: string; services: Record<string, unknown>[]; want: Record<string, string>; says?: [string, RegExp] }[] = [
    {
      name: "same key, distinct ports: one address",
      services: [
        share("http", [80, 443]),
        share(
          "dns",
          [
            ["UDP", 53],
            ["TCP", 53],
          ],
          { created: "2026-01-02T00:00:00Z" },
        ),
      ],
      want: { "default/http": "192.0.2.10", "default/dns": "192.0.2.10" },
    },
    {
      name: "the same port number over another protocol is distinct",
      services: [share("tcp", [["TCP", 53]]), share("udp", [["UDP", 53]], { created: "2026-01-02T00:00:00Z" })],
      want: { "default/tcp": "192.0.2.10", "default/udp": "192.0.2.10" },
    },
    {
      name: "overlapping ports: the newer one, asking for the held address, is pending",
      services: [
        share("a", [80], { ingress: ["192.0.2.10"] }),
        share("b", [80, 8080], { ips: "192.0.2.10", created: "2026-01-02T00:00:00Z" }),
      ],
      want: { "default/a": "192.0.2.10", "default/b": "pending:SharingConflict" },
      says: ["default/b", /cannot share 192\.0\.2\.10 with Service default\/a: both use port TCP\/80/],
    },
    {
      name: "overlapping ports without a request: the newer one gets its own address",
      services: [share("a", [80]), share("b", [80], { created: "2026-01-02T00:00:00Z" })],
      want: { "default/a": "192.0.2.10", "default/b": "192.0.2.11" },
    },
    {
      name: "different keys do not share",
      services: [
        share("a", [80], { ingress: ["192.0.2.10"] }),
        svc("b", { share: "other", ports: [81], ips: "192.0.2.10", created: "2026-01-02T00:00:00Z" }),
      ],
      want: { "default/a": "192.0.2.10", "default/b": "pending:AddressInUse" },
    },
    {
      name: "externalTrafficPolicy must match",
      services: [
        share("a", [80], { ingress: ["192.0.2.10"] }),
        share("b", [81], { policy: "Local", ips: "192.0.2.10", created: "2026-01-02T00:00:00Z" }),
      ],
      want: { "default/a": "192.0.2.10", "default/b": "pending:SharingConflict" },
      says: ["default/b", /externalTrafficPolicy differs \(Cluster and Local\)/],
    },
    {
      name: "Local Services share only when they select the same pods",
      services: [
        share("a", [80], { policy: "Local", selector: { app: "x" }, ingress: ["192.0.2.10"] }),
        share("b", [81], { policy: "Local", selector: { app: "x" }, created: "2026-01-02T00:00:00Z" }),
        share("c", [82], { policy: "Local", selector: { app: "y" }, ips: "192.0.2.10", created: "2026-01-03T00:00:00Z" }),
      ],
      want: { "default/a": "192.0.2.10", "default/b": "192.0.2.10", "default/c": "pending:SharingConflict" },
      says: ["default/c", /must select the same pods/],
    },
    {
      name: "Services in different namespaces share with the same key",
      services: [share("a", [80]), share("b", [81], { namespace: "other", created: "2026-01-02T00:00:00Z" })],
      want: { "default/a": "192.0.2.10", "other/b": "192.0.2.10" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = run({ services: c.services });
      assert.deepEqual(summary(plan), c.want);
      if (c.says) assert.match(message(plan, c.says[0]), c.says[1]);
    });
  }
  it("a shared address is one VirtualIP naming every Service", () => {
    const plan = run({ services: [share("http", [80]), share("dns", [["UDP", 53]], { created: "2026-01-02T00:00:00Z" })] });
    assert.deepEqual(
      [...plan.vips.values()].map((v) => [v.name, v.annotations["floatip.io/services"], v.spec.addresses]),
      [["lb-192-0-2-10", "default/http,default/dns", ["192.0.2.10/32"]]],
    );
    assert.match(message(plan, "default/dns"), /shared with default\/http/);
  });
});

describe("stability across restarts", () => {
  it("a Service keeps the address of its VirtualIP though a lower one is free", () => {
    const first = run({ services: [svc("a"), svc("b", { created: "2026-01-02T00:00:00Z" })] });
    const again = run({ services: [svc("b", { created: "2026-01-02T00:00:00Z" })], vips: stored(first) });
    assert.deepEqual(summary(again), { "default/b": "192.0.2.11" });
  });
  it("an older Service created later does not take a held address; the status counts when there is no VirtualIP", () => {
    const plan = run({ services: [svc("new", { created: "2026-01-05T00:00:00Z", ingress: ["192.0.2.10"] }), svc("old")] });
    assert.deepEqual(summary(plan), { "default/old": "192.0.2.11", "default/new": "192.0.2.10" });
  });
  it("the plan is a fixed point: fed its own VirtualIPs and statuses, it wants the same", () => {
    const services = [
      svc("a", { share: "k", ports: [80] }),
      svc("b", { share: "k", ports: [81], created: "2026-01-02T00:00:00Z" }),
      svc("c", { families: ["IPv4", "IPv6"], created: "2026-01-03T00:00:00Z" }),
    ];
    const first = run({ services });
    const withStatus = services.map((s) => ({
      ...s,
      status: first.services.get(`default/${(s["metadata"] as { name: string }).name}`)!.status,
    }));
    const second = run({ services: withStatus, vips: stored(first) });
    assert.deepEqual(summary(second), summary(first));
    assert.deepEqual([...second.vips.values()], [...first.vips.values()]);
  });
  it("a new request moves the Service to the requested address", () => {
    const first = run({ services: [svc("a")] });
    const moved = run({ services: [svc("a", { ips: "192.0.2.12" })], vips: stored(first) });
    assert.deepEqual(summary(moved), { "default/a": "192.0.2.12" });
    assert.deepEqual([...moved.vips.keys()], ["lb-192-0-2-12"]);
  });
});

describe("pools deleted, changed or overlapping", () => {
  it("deleted while in use: the Service keeps its address with a warning; no new allocation", () => {
    const first = run({ services: [svc("a")] });
    const after = run({ services: [svc("a"), svc("b", { created: "2026-01-02T00:00:00Z" })], pools: [], vips: stored(first) });
    assert.deepEqual(summary(after), { "default/a": "192.0.2.10", "default/b": "pending:NoMatchingPool" });
    const allocated = after.services.get("default/a")!.status.conditions.find((c) => c.type === "floatip.io/AddressAllocated")!;
    assert.equal(allocated.reason, "OutsidePools");
    assert.match(allocated.message, /192\.0\.2\.10 is in no usable VirtualIPPool any more/);
    assert.ok(after.vips.has("lb-192-0-2-10"));
  });
  it("of two overlapping pools the newer is refused; the older gives out its addresses", () => {
    const pools = [
      pool("new", { addresses: ["192.0.2.0/30"] }, "2026-01-02T00:00:00Z"),
      pool("old", { addresses: ["192.0.2.2-192.0.2.5"] }),
    ];
    const plan = run({ services: [svc("a")], pools });
    assert.deepEqual(summary(plan), { "default/a": "192.0.2.2" });
    const refused = plan.pools.get("new")!;
    const ready = refused.conditions!.find((c) => c.type === "Ready")!;
    assert.deepEqual([ready.status, ready.reason], ["False", "Overlap"]);
    assert.match(ready.message, /"192\.0\.2\.0\/30" overlaps "192\.0\.2\.2-192\.0\.2\.5" of the older VirtualIPPool old/);
    assert.equal(refused.free, 0);
    assert.deepEqual(plan.pools.get("old")!.ipv4, { total: 4, allocated: 1, free: 3 });
  });
  it("addresses a VirtualIP floats are never given out and the pool says so", () => {
    const plan = run({ services: [svc("a")], vips: [userVip("gateway", ["192.0.2.10/24"])] });
    assert.deepEqual(summary(plan), { "default/a": "192.0.2.11" });
    const overlap = plan.pools.get("default")!.conditions!.find((c) => c.type === "Overlap")!;
    assert.deepEqual([overlap.status, overlap.reason], ["True", "VirtualIPOverlap"]);
    assert.match(overlap.message, /192\.0\.2\.10 \(VirtualIP gateway\)/);
    assert.deepEqual(plan.pools.get("default")!.ipv4, { total: 3, allocated: 1, free: 1 });
  });
  it("node addresses (InternalIP, ExternalIP) are never given out; a pool whose only free addresses are node addresses is exhausted and says why", () => {
    const nodes: NodeSummary[] = [
      { ...node("n1"), internalIPs: { v4: "192.0.2.11" }, hostAddresses: ["192.0.2.11"] },
      { ...node("n2"), internalIPs: { v4: "198.51.100.2" }, hostAddresses: ["192.0.2.13", "198.51.100.2"] },
    ];
    const pools = [pool("lab", { addresses: ["192.0.2.10-192.0.2.14"] })];
    const plan = run({ services: [svc("a"), svc("b"), svc("c"), svc("d")], pools, nodes });
    assert.deepEqual(summary(plan), {
      "default/a": "192.0.2.10",
      "default/b": "192.0.2.12",
      "default/c": "192.0.2.14",
      "default/d": "pending:PoolExhausted",
    });
    const status = plan.pools.get("lab")!;
    assert.deepEqual(status.ipv4, { total: 5, allocated: 3, free: 0 });
    const overlap = status.conditions!.find((c) => c.type === "Overlap")!;
    assert.deepEqual([overlap.status, overlap.reason], ["True", "NodeAddressOverlap"]);
    assert.match(overlap.message, /192\.0\.2\.11 \(node n1\), 192\.0\.2\.13 \(node n2\) are node addresses and never given out/);
    const exhausted = status.conditions!.find((c) => c.type === "Exhausted")!;
    assert.deepEqual([exhausted.status, exhausted.reason], ["True", "NoFreeAddress"]);
    assert.match(exhausted.message, /no free IPv4 address \(2 node addresses in the pool are never given out\)/);
  });
  it("a Service asking for a node address is pending, naming the node; one holding a node address from before moves off it", () => {
    const nodes: NodeSummary[] = [{ ...node("n1"), internalIPs: { v4: "192.0.2.11" }, hostAddresses: ["192.0.2.11"] }];
    const asks = run({ services: [svc("web", { ips: "192.0.2.11" })], nodes });
    assert.deepEqual(summary(asks), { "default/web": "pending:AddressInUse" });
    assert.match(message(asks, "default/web"), /192\.0\.2\.11 is in use by node n1/);
    const holds = run({ services: [svc("web", { ingress: ["192.0.2.11"] })], nodes });
    assert.deepEqual(summary(holds), { "default/web": "192.0.2.10" });
  });
  it("an invalid pool is reported with the field and not used", () => {
    const plan = run({ services: [svc("a")], pools: [pool("bad", { addresses: ["192.0.2.20-192.0.2.10"] })] });
    assert.deepEqual(summary(plan), { "default/a": "pending:NoMatchingPool" });
    assert.match(
      plan.pools.get("bad")!.conditions!.find((c) => c.type === "Ready")!.message,
      /^spec\.addresses\[0\]: .*first address is after the last/,
    );
  });
});

describe("node eligibility follows ready endpoints", () => {
  const nodes = [node("a", { lb: "yes" }), node("b", { lb: "yes" }), node("c", { lb: "yes" }), node("d")];
  const pools = [pool("p", { addresses: ["192.0.2.10/31"], nodeSelector: { lb: "yes" } })];
  it("Local: only selected nodes with a ready endpoint", () => {
    const plan = run({ services: [svc("web", { policy: "Local" })], pools, nodes, slices: [slice("web", ["a", "b", "d"], ["b"])] });
    const vip = plan.vips.get("lb-192-0-2-10")!;
    assert.deepEqual(vip.spec, { addresses: ["192.0.2.10/32"], nodeSelector: { matchLabels: { lb: "yes" } }, nodeNames: ["a"] });
  });
  it("Local without a ready endpoint: no node, and the Service says so", () => {
    const plan = run({ services: [svc("web", { policy: "Local" })], pools, nodes, slices: [slice("web", ["a"], ["a"])] });
    assert.deepEqual(plan.vips.get("lb-192-0-2-10")!.spec.nodeNames, []);
    const announced = plan.services.get("default/web")!.status.conditions.find((c) => c.type === "floatip.io/Announced")!;
    assert.deepEqual([announced.status, announced.reason], ["False", "NoReadyEndpoint"]);
  });
  it("Cluster: every selected node, no per-Service placement (Services of a pool pack into shared routers)", () => {
    const plan = run({ services: [svc("web")], pools, nodes, slices: [slice("web", ["b", "c", "d"], ["c"])] });
    assert.deepEqual(plan.vips.get("lb-192-0-2-10")!.spec, { addresses: ["192.0.2.10/32"], nodeSelector: { matchLabels: { lb: "yes" } } });
    const none = run({ services: [svc("web")], pools, nodes, slices: [] });
    assert.deepEqual(none.vips.get("lb-192-0-2-10")!.spec, { addresses: ["192.0.2.10/32"], nodeSelector: { matchLabels: { lb: "yes" } } });
  });
  it("two Cluster Services of a pool get VirtualIPs alike but for the address; the pool's maxCandidates is theirs", () => {
    const services = ["s1", "s2"].map((n) => svc(n));
    const plan = run({ services, pools, nodes, slices: [slice("s1", ["a"]), slice("s2", ["b", "c"])] });
    const specs = [...plan.vips.values()].map((v) => ({ ...v.spec, addresses: [] }));
    assert.deepEqual(specs[0], specs[1]);
    const bounded = run({ services, pools: pools.map((p) => ({ ...p, spec: { ...p.spec, maxCandidates: 2 } })), nodes });
    assert.deepEqual(
      [...bounded.vips.values()].map((v) => v.spec.maxCandidates),
      [2, 2],
    );
  });
  it("Announced names the master from the VirtualIP's status", () => {
    const first = run({ services: [svc("web")], pools, nodes });
    const plan = run({ services: [svc("web")], pools, nodes, vips: stored(first, { "lb-192-0-2-10": "b" }) });
    const announced = plan.services.get("default/web")!.status.conditions.find((c) => c.type === "floatip.io/Announced")!;
    assert.deepEqual([announced.status, announced.reason, announced.message], ["True", "Announced", "b announces 192.0.2.10"]);
  });
  it("a VirtualIP that cannot be served (no free VRID, a conflict) gives its reason to Announced, not 'no master yet'", () => {
    const first = run({ services: [svc("web")], pools, nodes });
    const ready: Condition = {
      type: "Ready",
      status: "False",
      reason: "Conflict",
      message: "no free virtualRouterID for IPv4",
      lastTransitionTime: "2026-01-02T00:00:00Z",
    };
    const vips = stored(first).map((v) => ({ ...v, status: { conditions: [ready] } }));
    const plan = run({ services: [svc("web")], pools, nodes, vips });
    const announced = plan.services.get("default/web")!.status.conditions.find((c) => c.type === "floatip.io/Announced")!;
    assert.deepEqual(
      [announced.status, announced.reason, announced.message],
      ["False", "Conflict", "VirtualIP lb-192-0-2-10: no free virtualRouterID for IPv4"],
    );
  });
});

describe("pool interfaces: announce only on the named interfaces", () => {
  const withIfaces = (name: string, interfaces?: string[]): NodeSummary => ({
    ...node(name),
    ...(interfaces !== undefined ? { interfaces } : {}),
  });
  const nodes = [withIfaces("a", ["lo", "eth0", "eth1"]), withIfaces("b", ["lo", "eth0"])];
  const pools = [pool("p", { addresses: ["192.0.2.10/31"], interfaces: ["eth1"] })];
  it("only the node with eth1 is eligible, and the VirtualIP names eth1", () => {
    const plan = run({ services: [svc("web")], pools, nodes });
    assert.deepEqual(plan.vips.get("lb-192-0-2-10")!.spec, { addresses: ["192.0.2.10/32"], interface: "eth1", nodeNames: ["a"] });
  });
  it("rendered: node a holds the address on eth1, node b runs nothing", () => {
    const lb = run({ services: [svc("web")], pools, nodes });
    const rendered = planNodes({ virtualIPs: stored(lb), nodes });
    const a = rendered.nodes.get("a")!.instances;
    assert.deepEqual(
      a.map((i) => [i.interface, i.addresses]),
      [["eth1", ["192.0.2.10/32"]]],
    );
    assert.deepEqual(rendered.nodes.get("b")!.instances, []);
  });
  it("the first listed interface any selected node has; Local narrows to ready nodes that have it", () => {
    const four = [withIfaces("a", ["eth0"]), withIfaces("b", ["bond0"]), withIfaces("c", ["bond0", "eth1"]), withIfaces("d")];
    const p = [pool("p", { addresses: ["192.0.2.10/31"], interfaces: ["eth9", "bond0", "eth1"] })];
    assert.deepEqual(run({ services: [svc("web")], pools: p, nodes: four }).vips.get("lb-192-0-2-10")!.spec, {
      addresses: ["192.0.2.10/32"],
      interface: "bond0",
      nodeNames: ["b", "c"],
    });
    const local = run({
      services: [svc("web", { policy: "Local" })],
      pools: p,
      nodes: four,
      slices: [slice("web", ["a", "b", "c", "d"], ["b"])],
    });
    assert.deepEqual(local.vips.get("lb-192-0-2-10")!.spec, { addresses: ["192.0.2.10/32"], interface: "bond0", nodeNames: ["c"] });
  });
  it("nodes whose agent has not reported interfaces are not eligible", () => {
    const plan = run({ services: [svc("web")], pools, nodes: [withIfaces("a"), withIfaces("b")] });
    assert.deepEqual(plan.vips.get("lb-192-0-2-10")!.spec, { addresses: ["192.0.2.10/32"], interface: "eth1", nodeNames: [] });
  });
  it("a pool without interfaces behaves as before (interfaces reported or not)", () => {
    const plan = run({ services: [svc("web")], pools: [pool("p", { addresses: ["192.0.2.10/31"] })], nodes });
    assert.deepEqual(plan.vips.get("lb-192-0-2-10")!.spec, { addresses: ["192.0.2.10/32"] });
  });
});

describe("Services floatip stops serving", () => {
  it("a Service named by an owned VirtualIP that changed type or was deleted is released", () => {
    const first = run({ services: [svc("a"), svc("b", { created: "2026-01-02T00:00:00Z" })] });
    const plan = run({ services: [svc("a", { type: "ClusterIP" })], vips: stored(first) });
    assert.deepEqual(plan.released, ["default/a", "default/b"]);
    assert.equal(plan.vips.size, 0);
  });
});
