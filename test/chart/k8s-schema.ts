// Structural validation of rendered objects, offline.
//
// Built-in kinds: against the model classes that @kubernetes/client-node generates from the
// Kubernetes OpenAPI spec (v1.33 for client-node 1.3): every field must be known to the model
// (as `kubectl --validate=strict` would insist), have the model's type (string, integer, boolean,
// int-or-string, date-time, list, map, nested model), and every property the spec marks required
// must be present (read from the generated .d.ts, where required properties have no `?`).
// This is the fallback for the @kubernetes-models/* validators, which are not installed, and for
// kubectl, which cannot validate without an API server; it knows no enums, patterns or formats
// beyond the above.
//
// Prometheus Operator kinds (ServiceMonitor, PodMonitor, PrometheusRule) are not in client-node:
// they are described by hand below (monitoring.coreos.com/v1, only the fields this chart may use
// plus their close neighbours), with the operator's duration pattern and relabel actions.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as k8s from "@kubernetes/client-node";

interface Attribute {
  readonly name: string;
  readonly baseName: string;
  readonly type: string;
  readonly format: string;
}

/** A model: JSON field name -> type string (client-node's notation), and the required fields. */
interface Model {
  readonly fields: ReadonlyMap<string, { type: string; format: string }>;
  readonly required: readonly string[];
}

const generated = k8s as unknown as Record<string, { attributeTypeMap?: readonly Attribute[] } | undefined>;
const modelsDir = join(dirname(createRequire(import.meta.url).resolve("@kubernetes/client-node")), "gen", "models");
const modelCache = new Map<string, Model>();

function generatedModel(name: string): Model | undefined {
  const cached = modelCache.get(name);
  if (cached !== undefined) return cached;
  const attrs = generated[name]?.attributeTypeMap;
  if (attrs === undefined) return undefined;
  const fields = new Map(attrs.map((a) => [a.baseName, { type: a.type, format: a.format }]));
  const tsToJson = new Map(attrs.map((a) => [a.name, a.baseName]));
  const dts = readFileSync(join(modelsDir, `${name}.d.ts`), "utf8");
  const required: string[] = [];
  for (const m of dts.matchAll(/^\s+'([^']+)'(\??):/gm)) {
    if (m[2] === "") required.push(tsToJson.get(m[1]!) ?? m[1]!);
  }
  const model = { fields, required };
  modelCache.set(name, model);
  return model;
}

// ---- Prometheus Operator (monitoring.coreos.com/v1), by hand ----

const DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const RELABEL_ACTIONS = [
  "replace",
  "keep",
  "drop",
  "hashmod",
  "labelmap",
  "labeldrop",
  "labelkeep",
  "lowercase",
  "uppercase",
  "keepequal",
  "dropequal",
];

const str = { type: "string", format: "" };
const bool = { type: "boolean", format: "" };
const dur = { type: "string", format: "duration" };
function hand(fields: Record<string, string | { type: string; format: string }>, required: string[] = []): Model {
  return { fields: new Map(Object.entries(fields).map(([k, v]) => [k, typeof v === "string" ? { type: v, format: "" } : v])), required };
}
/** The scrape settings a ServiceMonitor endpoint and a PodMonitor endpoint have alike. */
const SCRAPE_ENDPOINT = {
  targetPort: "IntOrString",
  path: str,
  scheme: str,
  params: "any",
  interval: dur,
  scrapeTimeout: dur,
  honorLabels: bool,
  honorTimestamps: bool,
  trackTimestampsStaleness: bool,
  relabelings: "Array<MonitoringV1RelabelConfig>",
  metricRelabelings: "Array<MonitoringV1RelabelConfig>",
  tlsConfig: "any",
  bearerTokenSecret: "any",
  authorization: "any",
  basicAuth: "any",
  oauth2: "any",
  followRedirects: bool,
  enableHttp2: bool,
  filterRunning: bool,
  proxyUrl: str,
};
const handModels: Record<string, Model> = {
  MonitoringV1ServiceMonitor: hand({ apiVersion: str, kind: str, metadata: "V1ObjectMeta", spec: "MonitoringV1ServiceMonitorSpec" }, [
    "apiVersion",
    "kind",
    "metadata",
    "spec",
  ]),
  MonitoringV1ServiceMonitorSpec: hand(
    {
      jobLabel: str,
      targetLabels: "Array<string>",
      podTargetLabels: "Array<string>",
      endpoints: "Array<MonitoringV1Endpoint>",
      selector: "V1LabelSelector",
      namespaceSelector: "MonitoringV1NamespaceSelector",
      sampleLimit: "number",
      attachMetadata: "any",
      scrapeProtocols: "Array<string>",
      scrapeClass: str,
    },
    ["selector", "endpoints"],
  ),
  MonitoringV1Endpoint: hand({ port: str, ...SCRAPE_ENDPOINT }),
  MonitoringV1PodMonitor: hand({ apiVersion: str, kind: str, metadata: "V1ObjectMeta", spec: "MonitoringV1PodMonitorSpec" }, [
    "apiVersion",
    "kind",
    "metadata",
    "spec",
  ]),
  MonitoringV1PodMonitorSpec: hand(
    {
      jobLabel: str,
      podTargetLabels: "Array<string>",
      podMetricsEndpoints: "Array<MonitoringV1PodMetricsEndpoint>",
      selector: "V1LabelSelector",
      namespaceSelector: "MonitoringV1NamespaceSelector",
      sampleLimit: "number",
      attachMetadata: "any",
      scrapeProtocols: "Array<string>",
      scrapeClass: str,
    },
    ["selector", "podMetricsEndpoints"],
  ),
  MonitoringV1PodMetricsEndpoint: hand({ port: str, portNumber: "number", ...SCRAPE_ENDPOINT }),
  MonitoringV1NamespaceSelector: hand({ any: bool, matchNames: "Array<string>" }),
  MonitoringV1RelabelConfig: hand({
    sourceLabels: "Array<string>",
    separator: str,
    targetLabel: str,
    regex: str,
    modulus: "number",
    replacement: str,
    action: { type: "string", format: "relabel-action" },
  }),
  MonitoringV1PrometheusRule: hand({ apiVersion: str, kind: str, metadata: "V1ObjectMeta", spec: "MonitoringV1PrometheusRuleSpec" }, [
    "apiVersion",
    "kind",
    "metadata",
    "spec",
  ]),
  MonitoringV1PrometheusRuleSpec: hand({ groups: "Array<MonitoringV1RuleGroup>" }, ["groups"]),
  MonitoringV1RuleGroup: hand(
    {
      name: str,
      interval: dur,
      query_offset: dur,
      limit: "number",
      partial_response_strategy: str,
      labels: "{ [key: string]: string; }",
      rules: "Array<MonitoringV1Rule>",
    },
    ["name", "rules"],
  ),
  MonitoringV1Rule: hand(
    {
      alert: str,
      record: str,
      expr: "IntOrString",
      for: dur,
      keep_firing_for: dur,
      labels: "{ [key: string]: string; }",
      annotations: "{ [key: string]: string; }",
    },
    ["expr"],
  ),
};

function model(name: string): Model | undefined {
  return handModels[name] ?? generatedModel(name);
}

/** Root model per apiVersion + kind: the kinds this chart renders (and the CRDs it ships), and the control-plane static Pod. */
const ROOTS: Record<string, string> = {
  "v1/ServiceAccount": "V1ServiceAccount",
  "v1/Service": "V1Service",
  "v1/ConfigMap": "V1ConfigMap",
  "v1/Pod": "V1Pod",
  "apps/v1/Deployment": "V1Deployment",
  "apps/v1/DaemonSet": "V1DaemonSet",
  "policy/v1/PodDisruptionBudget": "V1PodDisruptionBudget",
  "rbac.authorization.k8s.io/v1/ClusterRole": "V1ClusterRole",
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "V1ClusterRoleBinding",
  "rbac.authorization.k8s.io/v1/Role": "V1Role",
  "rbac.authorization.k8s.io/v1/RoleBinding": "V1RoleBinding",
  "apiextensions.k8s.io/v1/CustomResourceDefinition": "V1CustomResourceDefinition",
  "monitoring.coreos.com/v1/ServiceMonitor": "MonitoringV1ServiceMonitor",
  "monitoring.coreos.com/v1/PodMonitor": "MonitoringV1PodMonitor",
  "monitoring.coreos.com/v1/PrometheusRule": "MonitoringV1PrometheusRule",
};

export const NAMESPACED_KINDS = new Set([
  "Pod",
  "ServiceAccount",
  "Service",
  "ConfigMap",
  "Deployment",
  "DaemonSet",
  "PodDisruptionBudget",
  "Role",
  "RoleBinding",
  "ServiceMonitor",
  "PodMonitor",
  "PrometheusRule",
]);

export function knownKind(apiVersion: string, kind: string): boolean {
  return ROOTS[`${apiVersion}/${kind}`] !== undefined;
}

/** Every problem found in `obj` (empty = valid), each as "path: message". */
export function validate(obj: { apiVersion?: unknown; kind?: unknown; metadata?: unknown }): string[] {
  const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const root = ROOTS[key];
  if (root === undefined) return [`no schema for ${key} (add it to ROOTS in test/chart/k8s-schema.ts)`];
  const errors: string[] = [];
  check(obj, root, "", "", errors);
  const name = (obj.metadata as { name?: unknown } | undefined)?.name;
  if (typeof name !== "string" || name === "") errors.push(".metadata.name: required");
  else if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253)
    errors.push(`.metadata.name: "${name}" is not a DNS subdomain name`);
  const ns = (obj.metadata as { namespace?: unknown } | undefined)?.namespace;
  if (NAMESPACED_KINDS.has(String(obj.kind)) && (typeof ns !== "string" || ns === ""))
    errors.push(".metadata.namespace: set it explicitly (helm template | kubectl apply)");
  if (!NAMESPACED_KINDS.has(String(obj.kind)) && ns !== undefined) errors.push(".metadata.namespace: cluster-scoped kind");
  for (const [k, v] of Object.entries((obj.metadata as { labels?: Record<string, unknown> } | undefined)?.labels ?? {})) {
    if (typeof v !== "string" || v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v))
      errors.push(`.metadata.labels.${k}: invalid label value ${JSON.stringify(v)}`);
  }
  return errors;
}

function check(value: unknown, type: string, format: string, path: string, errors: string[]): void {
  const where = path === "" ? "." : path;
  if (value === null) {
    errors.push(`${where}: null`);
    return;
  }
  if (type === "any") return;
  if (type === "string") {
    if (typeof value !== "string") errors.push(`${where}: expected string, got ${describe(value)}`);
    else if (format === "duration" && !DURATION.test(value)) errors.push(`${where}: "${value}" is not a Prometheus duration`);
    else if (format === "relabel-action" && !RELABEL_ACTIONS.includes(value.toLowerCase()))
      errors.push(`${where}: unknown relabel action "${value}"`);
    return;
  }
  if (type === "Date") {
    if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
      errors.push(`${where}: expected a date-time string, got ${describe(value)}`);
    return;
  }
  if (type === "boolean") {
    if (typeof value !== "boolean") errors.push(`${where}: expected boolean, got ${describe(value)}`);
    return;
  }
  if (type === "number") {
    if (typeof value !== "number") errors.push(`${where}: expected ${format || "number"}, got ${describe(value)}`);
    else if ((format === "int32" || format === "int64" || format === "") && !Number.isInteger(value))
      errors.push(`${where}: expected an integer, got ${value}`);
    return;
  }
  if (type === "IntOrString") {
    if (typeof value !== "string" && !(typeof value === "number" && Number.isInteger(value)))
      errors.push(`${where}: expected int-or-string, got ${describe(value)}`);
    return;
  }
  const array = /^Array<(.+)>$/.exec(type);
  if (array !== null) {
    if (!Array.isArray(value)) errors.push(`${where}: expected a list, got ${describe(value)}`);
    else value.forEach((item, i) => check(item, array[1]!, format, `${path}[${i}]`, errors));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map !== null) {
    if (!isPlainObject(value)) errors.push(`${where}: expected a map, got ${describe(value)}`);
    else for (const [k, v] of Object.entries(value)) check(v, map[1]!, format === "byte" ? "" : format, `${path}.${k}`, errors);
    return;
  }
  const m = model(type);
  if (m === undefined) {
    errors.push(`${where}: the validator does not know type "${type}"`);
    return;
  }
  if (!isPlainObject(value)) {
    errors.push(`${where}: expected an object (${type}), got ${describe(value)}`);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const field = m.fields.get(k);
    if (field === undefined) errors.push(`${path}.${k}: unknown field in ${type}`);
    else check(v, field.type, field.format, `${path}.${k}`, errors);
  }
  for (const r of m.required) if (!(r in value)) errors.push(`${path}.${r}: required by ${type}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
