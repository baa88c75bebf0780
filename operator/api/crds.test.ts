/**
 * crds/*.yaml against the code: names and columns, descriptions everywhere,
 * bounds and defaults equal to limits.ts, CEL rules with message and
 * fieldPath, and no field the code writes missing from a schema (the API
 * server would silently prune it). No API server needed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import type { NodeStatus } from "../../agent/kube/node-status.js";
import { CONFLICT_KINDS, FOREIGN_REASONS } from "../../agent/conflict/types.js";
import * as limits from "./limits.js";
import type { VirtualIPSpec, VirtualIPStatus } from "./types.js";
import { validateVirtualIPSpec } from "./validate-virtualip.js";
import { validatePoolSpec } from "./validate-pool.js";
import { POOL_MAX_ENTRIES } from "./pool.js";
import { planLoadBalancers } from "../lb/plan.js";
import { plan } from "../planner/plan.js";
import { at, nodes, vip } from "../planner/test-fixtures.js";

type Schema = {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-validations"?: { rule: string; message?: string; fieldPath?: string }[];
};
type Crd = {
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; shortNames?: string[]; categories?: string[] };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: object };
      additionalPrinterColumns?: { name: string; jsonPath: string }[];
      schema: { openAPIV3Schema: Schema };
    }[];
  };
};

const load = (file: string): Crd => yaml.load(readFileSync(new URL(`../../../crds/${file}`, import.meta.url), "utf8")) as Crd;
const virtualip = load("virtualip.yaml");
const vrrpnode = load("vrrpnode.yaml");
const virtualippool = load("virtualippool.yaml");
const schemaOf = (crd: Crd) => crd.spec.versions[0]!.schema.openAPIV3Schema;
const at_ = (schema: Schema, path: string): Schema =>
  path.split(".").reduce((s, key) => {
    const next = key === "items" ? s.items : s.properties?.[key];
    assert.ok(next, `no ${key} in schema at ${path}`);
    return next;
  }, schema);

/** Paths in `value` the schema does not declare (which the API server would prune), and type mismatches. */
function undeclared(schema: Schema, value: unknown, path: string): string[] {
  if (schema["x-kubernetes-preserve-unknown-fields"] === true) return [];
  if (Array.isArray(value)) {
    if (schema.type !== "array") return [`${path}: array where the schema says ${schema.type}`];
    return value.flatMap((item, i) => (schema.items ? undeclared(schema.items, item, `${path}[${i}]`) : []));
  }
  if (value !== null && typeof value === "object") {
    if (schema.type !== "object") return [`${path}: object where the schema says ${schema.type}`];
    return Object.entries(value).flatMap(([key, v]) => {
      const sub = schema.properties?.[key] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
      return sub === undefined ? [`${path}.${key}`] : undeclared(sub, v, `${path}.${key}`);
    });
  }
  const type = typeof value === "number" ? (Number.isInteger(value) ? "integer" : "number") : typeof value;
  return schema.type === type ? [] : [`${path}: ${type} where the schema says ${schema.type}`];
}

function walk(schema: Schema, path: string, visit: (s: Schema, path: string) => void): void {
  visit(schema, path);
  for (const [key, sub] of Object.entries(schema.properties ?? {})) walk(sub, `${path}.${key}`, visit);
  if (typeof schema.additionalProperties === "object") walk(schema.additionalProperties, `${path}.*`, visit);
  if (schema.items) walk(schema.items, `${path}[]`, visit);
}

describe("CRDs", () => {
  for (const [crd, kind, plural] of [
    [virtualip, "VirtualIP", "virtualips"],
    [vrrpnode, "VRRPNode", "vrrpnodes"],
    [virtualippool, "VirtualIPPool", "virtualippools"],
  ] as const) {
    it(`${kind}: floatip.io/v1alpha1, cluster-scoped, status subresource, described fields`, () => {
      assert.equal(crd.metadata.name, `${plural}.floatip.io`);
      assert.equal(crd.spec.group, "floatip.io");
      assert.equal(crd.spec.scope, "Cluster");
      assert.equal(crd.spec.names.kind, kind);
      assert.deepEqual(crd.spec.names.categories, ["floatip"]);
      assert.equal(crd.spec.versions.length, 1);
      const version = crd.spec.versions[0]!;
      assert.deepEqual([version.name, version.served, version.storage], ["v1alpha1", true, true]);
      assert.deepEqual(version.subresources?.status, {});
      walk(schemaOf(crd), "", (s, path) => {
        if (/^\.(apiVersion|kind|metadata)$/.test(path)) return;
        assert.ok(s.type !== undefined || s["x-kubernetes-preserve-unknown-fields"], `${path} has no type`);
        const scalarMember = /(\[\]|\.\*)$/.test(path) && s.type !== "object";
        assert.ok(
          scalarMember || (typeof s.description === "string" && s.description.length > 0),
          `${path || "<root>"} has no description`,
        );
        for (const rule of s["x-kubernetes-validations"] ?? []) {
          assert.ok(rule.message, `${path}: rule without message: ${rule.rule}`);
          // A rule on a scalar already points at its value; on an object it names the field it is about.
          if (s.type !== "object" && rule.fieldPath === undefined) continue;
          assert.ok(
            rule.fieldPath && s.properties?.[rule.fieldPath.replace(/^\./, "")],
            `${path}: fieldPath ${rule.fieldPath} is not a field there`,
          );
        }
      });
    });
  }

  it("VirtualIP: short name, printer columns", () => {
    assert.deepEqual(virtualip.spec.names.shortNames, ["vip"]);
    assert.deepEqual(
      virtualip.spec.versions[0]!.additionalPrinterColumns?.map((c) => [c.name.toUpperCase(), c.jsonPath]),
      [
        ["ADDRESSES", ".spec.addresses"],
        ["VRID", ".status.virtualRouterID"],
        ["MASTER", ".status.master"],
        ["READY", '.status.conditions[?(@.type=="Ready")].status'],
        ["AGE", ".metadata.creationTimestamp"],
      ],
    );
  });

  it("VirtualIP: bounds, patterns and defaults are those of limits.ts", () => {
    const spec = at_(schemaOf(virtualip), "spec");
    const p = (path: string) => at_(spec, path);
    assert.deepEqual([p("addresses").minItems, p("addresses").maxItems], [1, limits.MAX_ADDRESSES]);
    assert.deepEqual([p("virtualRouterID").minimum, p("virtualRouterID").maximum], [limits.VRID_MIN, limits.VRID_MAX]);
    const priority = p("priorities").additionalProperties as Schema;
    assert.deepEqual([priority.minimum, priority.maximum], [limits.PRIORITY_MIN, limits.PRIORITY_MAX]);
    assert.deepEqual(
      [p("track.pods.weight").minimum, p("track.pods.weight").maximum],
      [limits.TRACK_PODS_WEIGHT_MIN, limits.TRACK_PODS_WEIGHT_MAX],
    );
    assert.deepEqual(
      [p("track.scripts.items.weight").minimum, p("track.scripts.items.weight").maximum],
      [limits.SCRIPT_WEIGHT_MIN, limits.SCRIPT_WEIGHT_MAX],
    );
    assert.deepEqual(
      [p("track.files.items.weight").minimum, p("track.files.items.weight").maximum],
      [limits.FILE_WEIGHT_MIN, limits.FILE_WEIGHT_MAX],
    );
    assert.equal(p("track.scripts").maxItems, limits.TRACK_LIST_MAX);
    assert.equal(p("garp.repeat").maximum, limits.GARP_REPEAT_MAX);
    for (const path of [
      "advertisementInterval",
      "preemptDelay",
      "garp.delay",
      "garp.refresh",
      "garp.interval",
      "garp.lowerPriorityDelay",
      "track.scripts.items.interval",
    ]) {
      assert.equal(p(path).pattern, limits.DURATION_PATTERN.source, path);
    }
    assert.equal(p("interface").pattern, limits.INTERFACE_NAME_PATTERN.source);
    assert.equal(p("track.scripts.items.name").pattern, limits.TRACK_NAME_PATTERN.source);
    assert.equal(p("authentication.secretRef.name").pattern, limits.DNS_SUBDOMAIN.source);
    for (const path of ["nodeSelector.matchLabels", "track.pods.selector.matchLabels"]) {
      assert.equal((p(path).additionalProperties as Schema).pattern, limits.LABEL_VALUE_PATTERN.source, path);
    }
    assert.equal(p("track.pods.selector.matchExpressions.items.values.items").pattern, limits.LABEL_VALUE_PATTERN.source);
    // (RegExp.source writes "/" as "\/"; the CRD need not)
    assert.equal(new RegExp(p("track.pods.selector.matchExpressions.items.key").pattern!).source, limits.LABEL_KEY_PATTERN.source);
    assert.deepEqual(p("version").enum, [2, 3]);
    assert.deepEqual(p("transport").enum, ["unicast", "multicast"]);
    const { garp, secretKey, ...top } = limits.DEFAULTS;
    for (const [key, value] of Object.entries(top)) assert.deepEqual(p(key).default, value, key);
    assert.deepEqual(p("garp").default, {});
    for (const [key, value] of Object.entries(garp)) assert.deepEqual(p(`garp.${key}`).default, value, `garp.${key}`);
    assert.equal(p("authentication.secretRef.key").default, secretKey);
  });

  it("VirtualIP: a full spec (and what floatip convert writes) is declared, and status too", () => {
    const spec: VirtualIPSpec = {
      addresses: ["192.0.2.5/24", "2001:db8::5/64"],
      interface: "eth0",
      virtualRouterID: 51,
      version: 3,
      advertisementInterval: "1s",
      nodeSelector: { "kubernetes.io/os": "linux" },
      nodeNames: ["node-a", "node-b"],
      preferredNodes: ["node-a"],
      preempt: true,
      preemptDelay: "0s",
      transport: "unicast",
      track: {
        pods: {
          namespace: "default",
          selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a"] }] },
          weight: 50,
        },
        scripts: [
          {
            name: "chk",
            command: "/bin/true",
            interval: "2s",
            timeout: "1s",
            weight: -20,
            reverse: false,
            fall: 2,
            rise: 1,
            initFail: false,
            user: "nobody",
          },
        ],
        interfaces: [{ name: "eth1", weight: 0, reverse: false }],
        files: [{ name: "tf", path: "/run/tf", weight: 1, reverse: false }],
      },
      garp: { repeat: 5, delay: "5s", refresh: "0s", refreshRepeat: 2, interval: "10ms" },
      releaseOnCordon: false,
    };
    assert.ok(validateVirtualIPSpec(spec).ok);
    const v2 = {
      addresses: ["192.0.2.5/24"],
      version: 2,
      priorities: { a: 100 },
      authentication: { secretRef: { name: "s", namespace: "n", key: "k" } },
    };
    assert.ok(validateVirtualIPSpec(v2).ok);
    const status: Required<VirtualIPStatus> = {
      master: "node-a",
      virtualRouterID: 51,
      nodes: [
        { name: "node-a", instance: "web-v6", state: "Master", priority: 250, effectivePriority: 250, since: "2026-11-25T21:00:00Z" },
      ],
      transitions: 3,
      lastTransitionTime: "2026-11-25T21:00:00Z",
      observedGeneration: 2,
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "OneMaster",
          message: "node-a is master",
          lastTransitionTime: "2026-11-25T21:00:00Z",
          observedGeneration: 2,
        },
      ],
    };
    const schema = schemaOf(virtualip);
    assert.deepEqual(
      [...undeclared(schema, { spec }, ""), ...undeclared(schema, { spec: v2 }, ""), ...undeclared(schema, { status }, "")],
      [],
    );
  });

  it("VRRPNode: what the planner renders is declared, and nothing is defaulted into it", () => {
    const result = plan({
      virtualIPs: [
        vip(
          "web",
          {
            addresses: ["192.0.2.5/24", "2001:db8::5/64"],
            interface: "eth0",
            track: {
              pods: { namespace: "web", selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] }, weight: 50 },
              scripts: [{ name: "chk", command: "/bin/true", timeout: "1s", user: "nobody" }],
              interfaces: [{ name: "eth1", weight: -10, reverse: true }],
              files: [{ name: "tf", path: "/run/tf", reverse: true }],
            },
            garp: { refreshRepeat: 2, interval: "10ms" },
          },
          { created: at(1) },
        ),
        vip("legacy", { addresses: ["192.0.2.6/24"], version: 2, authentication: { secretRef: { name: "s" } } }, { created: at(2) }),
      ],
      nodes: nodes(3),
    });
    const schema = schemaOf(vrrpnode);
    for (const [name, spec] of result.nodes) assert.deepEqual(undeclared(schema, { spec }, ""), [], name);
    walk(at_(schema, "spec"), "spec", (s, path) => assert.equal(s.default, undefined, `${path} has a default`));
    assert.equal(
      at_(schema, "spec.instances.items.unicast.peers").minItems,
      undefined,
      "a node running a router alone has no peers (and must be accepted)",
    );
  });

  it("VirtualIPPool: columns, bounds, and what the load-balancer planner writes is declared", () => {
    assert.deepEqual(
      virtualippool.spec.versions[0]!.additionalPrinterColumns?.map((c) => c.name.toUpperCase()),
      ["ADDRESSES", "AUTO", "ALLOCATED", "FREE", "READY", "AGE"],
    );
    assert.deepEqual(
      [at_(schemaOf(virtualippool), "spec.addresses").minItems, at_(schemaOf(virtualippool), "spec.addresses").maxItems],
      [1, POOL_MAX_ENTRIES],
    );
    assert.equal(at_(schemaOf(virtualip), "spec.nodeNames").maxItems, limits.NODE_NAMES_MAX);
    const spec = {
      addresses: ["192.0.2.64/28", "192.0.2.100-192.0.2.110", "2001:db8::/120"],
      autoAssign: false,
      nodeSelector: { lb: "yes" },
      advertisementInterval: "100ms",
      transport: "multicast" as const,
      serviceSelector: { matchLabels: { a: "b" }, matchExpressions: [{ key: "t", operator: "In" as const, values: ["x"] }] },
      namespaceSelector: { matchLabels: { team: "x" } },
    };
    assert.ok(validatePoolSpec(spec).ok);
    const pools = [{ metadata: { name: "p", creationTimestamp: at(1), generation: 1 }, spec: { ...spec, autoAssign: true } }];
    const service = {
      metadata: { name: "s", namespace: "default", creationTimestamp: at(1) },
      spec: { type: "LoadBalancer", loadBalancerClass: "floatip.io/vrrp", ipFamilies: ["IPv4", "IPv6"], ports: [] },
    };
    const planned = planLoadBalancers({
      services: [service],
      endpointSlices: [],
      pools,
      namespaces: new Map(),
      nodes: nodes(2),
      virtualIPs: [],
      defaultClass: false,
      now: new Date(at(2)),
    });
    const status = planned.pools.get("p")!;
    assert.ok(status.ipv4 !== undefined && status.ipv6 !== undefined && (status.conditions ?? []).length === 3);
    assert.deepEqual([...undeclared(schemaOf(virtualippool), { spec }, ""), ...undeclared(schemaOf(virtualippool), { status }, "")], []);
    for (const vip of planned.vips.values()) {
      assert.deepEqual(undeclared(schemaOf(virtualip), { spec: vip.spec }, ""), []);
      assert.ok(validateVirtualIPSpec(vip.spec).ok);
    }
  });

  it("VRRPNode: the status the agent writes is declared", () => {
    const status: NodeStatus = {
      observedGeneration: 4,
      updated: "2026-11-25T21:00:00.000Z",
      instances: [
        {
          name: "web",
          state: "Backup",
          priority: 200,
          effectivePriority: 150,
          since: "2026-11-25T21:00:00.000Z",
          master: "192.0.2.11",
          transitions: 3,
          lastChange: "x",
        },
        {
          name: "db",
          state: "Master",
          priority: 200,
          effectivePriority: 200,
          since: "2026-11-25T21:00:00.000Z",
          transitions: 1,
          conflicts: [
            { kind: "duplicate-address", address: "192.0.2.5", mac: "02:00:00:00:00:99", since: "2026-11-25T21:00:01.000Z" },
            {
              kind: "foreign-vrrp",
              source: "192.0.2.66",
              mismatch: "address-mismatch",
              addresses: ["192.0.2.99"],
              since: "2026-11-25T21:00:01.000Z",
            },
            { kind: "unknown-peer", source: "192.0.2.77", since: "2026-11-25T21:00:01.000Z" },
          ],
        },
      ],
      configErrors: [{ field: "instances[0].priority", message: "must be between 1 and 255" }],
    };
    assert.deepEqual(undeclared(schemaOf(vrrpnode), { status }, ""), []);
    assert.deepEqual(at_(schemaOf(vrrpnode), "status.instances.items.state").enum, ["Initialize", "Backup", "Master", "Fault"]);
    assert.deepEqual(at_(schemaOf(vrrpnode), "status.instances.items.conflicts.items.kind").enum, [...CONFLICT_KINDS]);
    assert.deepEqual(at_(schemaOf(vrrpnode), "status.instances.items.conflicts.items.mismatch").enum, [...FOREIGN_REASONS]);
  });
});
