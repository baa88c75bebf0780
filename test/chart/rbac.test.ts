// Least privilege, checked against the code: every Kubernetes call in agent/kube/api.ts and
// operator/controller/kube-api.ts is extracted from the source (client-node API methods through a
// table kept here, plus a `watch` for every ListWatch path) and compared with the RBAC rules the
// chart renders for that component's ServiceAccount. A call without a rule fails, and so does a
// rule that no call uses.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { at, byKind, NAMESPACE, render, REPO, type KubeObject } from "./helm.js";

type Scope = "cluster" | "release-namespace";

/** One API request kind the code makes. */
export interface Call {
  readonly file: string;
  readonly line: number;
  readonly via: string;
  readonly group: string;
  readonly resource: string; // "resource" or "resource/subresource"
  readonly verb: string;
  /** cluster: a cluster-scoped resource or a request across all namespaces; release-namespace: a namespaced request in the release namespace. */
  readonly scope: Scope;
}

interface Grant {
  readonly role: string;
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  /** "cluster" for a ClusterRole bound by a ClusterRoleBinding, else the RoleBinding's namespace. */
  readonly where: string;
  readonly resourceNames: readonly string[];
}

/** Which API class each client-node method belongs to, and what it asks the API server for. */
interface MethodSpec {
  readonly api: "CustomObjectsApi" | "CoreV1Api" | "CoordinationV1Api" | "DiscoveryV1Api" | "EventsV1Api";
  readonly verb: string;
  /** For CustomObjectsApi the resource is the call's `plural`, group its `group`. */
  readonly group?: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly scope: Scope;
}

// The table: add a row when the code starts using another client-node method.
const METHODS: Readonly<Record<string, MethodSpec>> = {
  // CustomObjectsApi, cluster-scoped custom resources
  listClusterCustomObject: { api: "CustomObjectsApi", verb: "list", scope: "cluster" },
  getClusterCustomObject: { api: "CustomObjectsApi", verb: "get", scope: "cluster" },
  createClusterCustomObject: { api: "CustomObjectsApi", verb: "create", scope: "cluster" },
  patchClusterCustomObject: { api: "CustomObjectsApi", verb: "patch", scope: "cluster" },
  replaceClusterCustomObject: { api: "CustomObjectsApi", verb: "update", scope: "cluster" },
  deleteClusterCustomObject: { api: "CustomObjectsApi", verb: "delete", scope: "cluster" },
  getClusterCustomObjectStatus: { api: "CustomObjectsApi", verb: "get", subresource: "status", scope: "cluster" },
  patchClusterCustomObjectStatus: { api: "CustomObjectsApi", verb: "patch", subresource: "status", scope: "cluster" },
  replaceClusterCustomObjectStatus: { api: "CustomObjectsApi", verb: "update", subresource: "status", scope: "cluster" },
  // CoreV1Api
  listNode: { api: "CoreV1Api", verb: "list", group: "", resource: "nodes", scope: "cluster" },
  readNode: { api: "CoreV1Api", verb: "get", group: "", resource: "nodes", scope: "cluster" },
  listPodForAllNamespaces: { api: "CoreV1Api", verb: "list", group: "", resource: "pods", scope: "cluster" },
  listNamespacedPod: { api: "CoreV1Api", verb: "list", group: "", resource: "pods", scope: "release-namespace" },
  readNamespacedSecret: { api: "CoreV1Api", verb: "get", group: "", resource: "secrets", scope: "release-namespace" },
  createNamespacedEvent: { api: "CoreV1Api", verb: "create", group: "", resource: "events", scope: "release-namespace" },
  patchNamespacedEvent: { api: "CoreV1Api", verb: "patch", group: "", resource: "events", scope: "release-namespace" },
  listServiceForAllNamespaces: { api: "CoreV1Api", verb: "list", group: "", resource: "services", scope: "cluster" },
  patchNamespacedServiceStatus: {
    api: "CoreV1Api",
    verb: "patch",
    group: "",
    resource: "services",
    subresource: "status",
    scope: "cluster",
  },
  listNamespace: { api: "CoreV1Api", verb: "list", group: "", resource: "namespaces", scope: "cluster" },
  // DiscoveryV1Api, EventsV1Api (a method name another API class also has is keyed "Api.method")
  listEndpointSliceForAllNamespaces: {
    api: "DiscoveryV1Api",
    verb: "list",
    group: "discovery.k8s.io",
    resource: "endpointslices",
    scope: "cluster",
  },
  "EventsV1Api.createNamespacedEvent": { api: "EventsV1Api", verb: "create", group: "events.k8s.io", resource: "events", scope: "cluster" },
  // CoordinationV1Api
  readNamespacedLease: {
    api: "CoordinationV1Api",
    verb: "get",
    group: "coordination.k8s.io",
    resource: "leases",
    scope: "release-namespace",
  },
  createNamespacedLease: {
    api: "CoordinationV1Api",
    verb: "create",
    group: "coordination.k8s.io",
    resource: "leases",
    scope: "release-namespace",
  },
  replaceNamespacedLease: {
    api: "CoordinationV1Api",
    verb: "update",
    group: "coordination.k8s.io",
    resource: "leases",
    scope: "release-namespace",
  },
  patchNamespacedLease: {
    api: "CoordinationV1Api",
    verb: "patch",
    group: "coordination.k8s.io",
    resource: "leases",
    scope: "release-namespace",
  },
};

const AGENT_API = "agent/kube/api.ts";
const CONTROLLER_API = "operator/controller/kube-api.ts";
/** Files that define string constants the two API files use (GROUP, VERSION, plurals). */
const CONSTANT_FILES = [AGENT_API, CONTROLLER_API, "operator/api/types.ts"];

function read(file: string): string {
  return readFileSync(join(REPO, file), "utf8");
}

/** `const NAME = "value"` across the constant files. */
function constants(extra?: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const text of [...CONSTANT_FILES.map(read), extra ?? ""]) {
    for (const m of text.matchAll(/\bconst\s+([A-Z][A-Z0-9_]*)\s*=\s*"([^"]*)"/g)) {
      const prev = out.get(m[1]!);
      if (prev !== undefined && prev !== m[2]) throw new Error(`constant ${m[1]} is "${prev}" in one file and "${m[2]}" in another`);
      out.set(m[1]!, m[2]!);
    }
  }
  return out;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

/** The text of the call's argument list starting at the "(" at `open`. */
function argumentsAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error(`unbalanced call at ${open}`);
}

function constant(consts: Map<string, string>, name: string, where: string): string {
  const v = consts.get(name);
  if (v === undefined) throw new Error(`${where}: cannot resolve constant ${name}`);
  return v;
}

/** Every Kubernetes request kind made by the code in `text` (the contents of `file`). */
export function extractCalls(file: string, text: string): Call[] {
  const consts = constants(text);
  const calls: Call[] = [];
  // API clients: const x = kc.makeApiClient(SomeApi)
  const clients = new Map<string, string>();
  for (const m of text.matchAll(/\bconst\s+(\w+)\s*=\s*\w+\.makeApiClient\((\w+)\)/g)) clients.set(m[1]!, m[2]!);
  const madeClients = [...text.matchAll(/makeApiClient\(/g)].length;
  if (madeClients !== clients.size)
    throw new Error(`${file}: ${madeClients} makeApiClient calls but ${clients.size} understood (assign each to a const)`);
  for (const [variable, api] of clients) {
    for (const m of text.matchAll(new RegExp(`\\b${variable}\\.(\\w+)\\(`, "g"))) {
      const method = m[1]!;
      const where = `${file}:${lineOf(text, m.index)}`;
      const spec = METHODS[`${api}.${method}`] ?? METHODS[method];
      if (spec === undefined)
        throw new Error(
          `${where}: ${api}.${method} is not in the RBAC test's METHODS table (test/chart/rbac.test.ts); add it with its verb and resource`,
        );
      if (spec.api !== api) throw new Error(`${where}: ${method} is a ${spec.api} method, called on a ${api}`);
      let group = spec.group;
      let resource = spec.resource;
      if (spec.api === "CustomObjectsApi") {
        const args = argumentsAt(text, m.index + m[0].length - 1);
        const plural = /\bplural:\s*([A-Z][A-Z0-9_]*|"[^"]*")/.exec(args)?.[1] ?? /\bcrd\(\s*([A-Z][A-Z0-9_]*)\s*\)/.exec(args)?.[1];
        if (plural === undefined) throw new Error(`${where}: cannot find the plural of ${method}(${args.slice(0, 80)})`);
        resource = plural.startsWith('"') ? plural.slice(1, -1) : constant(consts, plural, where);
        group = constant(consts, "GROUP", where);
      }
      calls.push({
        file,
        line: lineOf(text, m.index),
        via: `${api}.${method}`,
        group: group!,
        resource: spec.subresource !== undefined ? `${resource}/${spec.subresource}` : resource!,
        verb: spec.verb,
        scope: spec.scope,
      });
    }
  }
  // ListWatch paths: each is a watch (its list goes through the `list` function, a client call above).
  const watchLists = [...text.matchAll(/\bwatchList\s*(<[^>]*>)?\s*\(/g)].length;
  const paths = [...text.matchAll(/\bpath:\s*(`[^`]*`|"[^"]*")/g)];
  if (paths.length !== watchLists) throw new Error(`${file}: ${watchLists} watchList calls but ${paths.length} path: literals`);
  for (const m of paths) {
    const where = `${file}:${lineOf(text, m.index)}`;
    const path = m[1]!.slice(1, -1).replace(/\$\{\s*([A-Z][A-Z0-9_]*)\s*\}/g, (_, name: string) => constant(consts, name, where));
    if (path.includes("${")) throw new Error(`${where}: cannot resolve the watch path ${path}`);
    const core = /^\/api\/v1\/(?:namespaces\/[^/]+\/)?([a-z0-9-]+)$/.exec(path);
    const grouped = /^\/apis\/([^/]+)\/[^/]+\/(?:namespaces\/[^/]+\/)?([a-z0-9-]+)$/.exec(path);
    if (core === null && grouped === null) throw new Error(`${where}: unrecognised watch path ${path}`);
    calls.push({
      file,
      line: lineOf(text, m.index),
      via: `ListWatch ${path}`,
      group: core !== null ? "" : grouped![1]!,
      resource: core !== null ? core[1]! : grouped![2]!,
      verb: "watch",
      scope: path.includes("/namespaces/") ? "release-namespace" : "cluster",
    });
  }
  for (const pattern of [/\bnew\s+ListWatch\b/, /\bnew\s+Watch\b/, /\bmakeInformer\b/, /\bKubernetesObjectApi\b/, /\bfetch\(/]) {
    if (pattern.test(text))
      throw new Error(`${file}: uses ${pattern.source}, which this test does not understand; extend test/chart/rbac.test.ts`);
  }
  return calls;
}

/** Rules granted to ServiceAccount `name` in the release namespace by the rendered objects. */
function grantsFor(objects: readonly KubeObject[], name: string): Grant[] {
  const grants: Grant[] = [];
  const bindings = [...byKind(objects, "ClusterRoleBinding"), ...byKind(objects, "RoleBinding")];
  for (const b of bindings) {
    const subjects = (b["subjects"] ?? []) as Array<{ kind: string; name: string; namespace?: string }>;
    if (!subjects.some((s) => s.kind === "ServiceAccount" && s.name === name && s.namespace === NAMESPACE)) continue;
    const ref = b["roleRef"] as { kind: string; name: string };
    const role = objects.find(
      (o) =>
        o.kind === ref.kind &&
        o.metadata.name === ref.name &&
        (ref.kind === "ClusterRole" || o.metadata.namespace === b.metadata.namespace),
    );
    assert.ok(role, `${b.kind} ${b.metadata.name} refers to a rendered ${ref.kind} ${ref.name}`);
    const where = b.kind === "ClusterRoleBinding" ? "cluster" : b.metadata.namespace!;
    for (const rule of (role["rules"] ?? []) as Array<{
      apiGroups?: string[];
      resources?: string[];
      verbs: string[];
      resourceNames?: string[];
      nonResourceURLs?: string[];
    }>) {
      assert.equal(rule.nonResourceURLs, undefined, `${role.kind} ${role.metadata.name}: no nonResourceURLs`);
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const verb of rule.verbs) {
            grants.push({
              role: `${role.kind} ${role.metadata.name}`,
              group,
              resource,
              verb,
              where,
              resourceNames: rule.resourceNames ?? [],
            });
          }
        }
      }
    }
  }
  return grants;
}

function covers(g: Grant, c: Call): boolean {
  if (g.group !== c.group || g.resource !== c.resource || g.verb !== c.verb) return false;
  return g.where === "cluster" || (c.scope === "release-namespace" && g.where === NAMESPACE);
}

const describeCall = (c: Call) =>
  `${c.verb} ${c.group === "" ? "" : c.group + "/"}${c.resource} (${c.scope}; ${c.via} at ${c.file}:${c.line})`;
const describeGrant = (g: Grant) => `${g.verb} ${g.group === "" ? "" : g.group + "/"}${g.resource} in ${g.where} (${g.role})`;

/** Calls without a covering rule, and rules no call uses. */
export function compare(calls: readonly Call[], grants: readonly Grant[]): { missing: string[]; unused: string[]; wildcards: string[] } {
  return {
    missing: calls.filter((c) => !grants.some((g) => covers(g, c))).map(describeCall),
    unused: grants.filter((g) => !calls.some((c) => covers(g, c))).map(describeGrant),
    wildcards: grants
      .filter((g) => g.group === "*" || g.resource === "*" || g.verb === "*" || g.resource.endsWith("/*"))
      .map(describeGrant),
  };
}

/** Non-test TypeScript files under agent/ and operator/. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(REPO, dir))) {
    const path = join(dir, entry);
    if (statSync(join(REPO, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith(".ts") && !path.endsWith(".test.ts") && !path.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const COMPONENTS = [
  { name: "agent", file: AGENT_API, serviceAccount: "floatip-agent" },
  { name: "controller", file: CONTROLLER_API, serviceAccount: "floatip-controller" },
] as const;

describe("RBAC matches the code's Kubernetes calls", () => {
  test("the two API files are the code's whole Kubernetes surface", () => {
    const offenders: string[] = [];
    for (const file of [...sourceFiles("base"), ...sourceFiles("agent"), ...sourceFiles("operator"), ...sourceFiles("cli")]) {
      const rel = relative(REPO, join(REPO, file));
      if (rel === AGENT_API || rel === CONTROLLER_API) continue;
      const text = read(rel);
      if (/makeApiClient\(|\bKubernetesObjectApi\b|\bmakeInformer\b/.test(text)) offenders.push(`${rel}: makes its own API client`);
      if (/\bnew\s+(ListWatch|Watch)\b/.test(text) && rel !== "base/watch-list.ts") offenders.push(`${rel}: watches on its own`);
    }
    assert.deepEqual(
      offenders,
      [],
      "move Kubernetes calls into agent/kube/api.ts or operator/controller/kube-api.ts (the RBAC test reads only those)",
    );
  });

  for (const component of COMPONENTS) {
    test(`${component.name}: every call has a rule and every rule has a call (${component.file})`, async (t) => {
      const calls = extractCalls(component.file, read(component.file));
      assert.ok(calls.length > 0);
      t.diagnostic(`${component.name} calls:\n  ${[...new Set(calls.map(describeCall))].join("\n  ")}`);
      const objects = await render();
      const grants = grantsFor(objects, component.serviceAccount);
      const { missing, unused, wildcards } = compare(calls, grants);
      assert.deepEqual(wildcards, [], "no wildcards");
      assert.deepEqual(missing, [], `calls the ${component.name}'s RBAC does not allow`);
      assert.deepEqual(unused, [], `rules no ${component.name} call needs`);
    });
  }

  test("the expected call sets (a change in the code shows up here first)", () => {
    const summary = (file: string) =>
      [...new Set(extractCalls(file, read(file)).map((c) => `${c.verb} ${c.resource}${c.scope === "cluster" ? "" : " (ns)"}`))].sort();
    assert.deepEqual(summary(AGENT_API), [
      "get secrets (ns)",
      "list pods",
      "list vrrpnodes",
      "patch vrrpnodes/status",
      "watch pods",
      "watch vrrpnodes",
    ]);
    assert.deepEqual(summary(CONTROLLER_API), [
      "create events",
      "create events (ns)",
      "create leases (ns)",
      "create virtualips",
      "create vrrpnodes",
      "delete virtualips",
      "delete vrrpnodes",
      "get leases (ns)",
      "list endpointslices",
      "list namespaces",
      "list nodes",
      "list services",
      "list virtualippools",
      "list virtualips",
      "list vrrpnodes",
      "patch services/status",
      "patch virtualippools/status",
      "patch virtualips",
      "patch virtualips/status",
      "patch vrrpnodes",
      "update leases (ns)",
      "watch endpointslices",
      "watch namespaces",
      "watch nodes",
      "watch services",
      "watch virtualippools",
      "watch virtualips",
      "watch vrrpnodes",
    ]);
  });

  test("the agent reads Secrets only through Roles, in the release namespace or the listed ones", async () => {
    const defaults = await render();
    const agentCluster = grantsFor(defaults, "floatip-agent").filter((g) => g.where === "cluster");
    assert.ok(!agentCluster.some((g) => g.resource === "secrets"), "no cluster-wide Secret access");
    const listed = await render({ setJson: ['agent.secretNamespaces=["floatip-system","network"]', 'agent.secretNames=["gateway-vrrp"]'] });
    const roles = byKind(listed, "Role").filter((r) => r.metadata.name === "floatip-agent-secrets");
    assert.deepEqual(roles.map((r) => r.metadata.namespace).sort(), ["floatip-system", "network"]);
    for (const r of roles)
      assert.deepEqual(r["rules"], [{ apiGroups: [""], resources: ["secrets"], resourceNames: ["gateway-vrrp"], verbs: ["get"] }]);
    const bindings = byKind(listed, "RoleBinding").filter((b) => b.metadata.name === "floatip-agent-secrets");
    assert.deepEqual(bindings.map((b) => b.metadata.namespace).sort(), ["floatip-system", "network"]);
  });

  test("the Lease rule names the Lease the controller is told to use", async () => {
    for (const options of [{}, { setJson: ['controller.leaderElection.leaseName="floatip-leader"'] }]) {
      const objects = await render(options);
      const deployment = byKind(objects, "Deployment")[0]!;
      const args = at(deployment, "spec", "template", "spec", "containers", 0, "args") as string[];
      const lease = args.find((a) => a.startsWith("--lease-name="))!.slice("--lease-name=".length);
      const named = grantsFor(objects, "floatip-controller").filter((g) => g.resource === "leases" && g.resourceNames.length > 0);
      assert.ok(named.length > 0);
      for (const g of named) assert.deepEqual(g.resourceNames, [lease]);
    }
  });

  test("the extractor is not vacuous: an unknown method fails, an extra rule is reported unused", () => {
    const code = `const core = kc.makeApiClient(CoreV1Api);\nawait core.deleteCollectionNamespacedPod({ namespace });`;
    assert.throws(() => extractCalls("synthetic.ts", code), /deleteCollectionNamespacedPod is not in the RBAC test's METHODS table/);
    const calls = extractCalls(
      "synthetic.ts",
      `const core = kc.makeApiClient(CoreV1Api);\nawait core.listNode();\nwatchList({ path: "/api/v1/nodes", list });`,
    );
    const grant = (verb: string): Grant => ({
      role: "ClusterRole x",
      group: "",
      resource: "nodes",
      verb,
      where: "cluster",
      resourceNames: [],
    });
    assert.deepEqual(compare(calls, [grant("list"), grant("watch"), grant("get")]).unused, ["get nodes in cluster (ClusterRole x)"]);
    assert.equal(compare(calls, [grant("list")]).missing.length, 1);
    const namespaced = extractCalls(
      "synthetic.ts",
      `const core = kc.makeApiClient(CoreV1Api);\nawait core.readNamespacedSecret({ namespace, name });`,
    );
    assert.equal(
      compare(namespaced, [{ role: "Role y", group: "", resource: "secrets", verb: "get", where: "elsewhere", resourceNames: [] }]).missing
        .length,
      1,
    );
  });
});
