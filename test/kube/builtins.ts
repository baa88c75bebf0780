// Built-in resource types served by the test API server.
import { KubeObject, Obj, PrinterColumn, ResourceDef, isObj } from "./types.js";

const allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const commonKeys: Record<string, string> = { "metadata.ownerReferences": "uid", "metadata.finalizers": "$merge" };

export interface BuiltinSpec {
  group?: string;
  version?: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  singular?: string;
  shortNames?: string[];
  categories?: string[];
  statusSubresource?: boolean;
  columns?: PrinterColumn[];
  statusOnCreate?: "keep" | "reset";
  initialStatus?: Obj;
  mergeKeys?: Record<string, string>;
  storageKey?: string;
  toExternal?: (o: KubeObject) => KubeObject;
  toInternal?: (o: KubeObject) => KubeObject;
  normalize?: (o: KubeObject) => void;
}

export function builtin(s: BuiltinSpec): ResourceDef {
  const group = s.group ?? "";
  return {
    group,
    version: s.version ?? "v1",
    plural: s.plural,
    singular: s.singular ?? s.kind.toLowerCase(),
    kind: s.kind,
    listKind: `${s.kind}List`,
    namespaced: s.namespaced,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    verbs: allVerbs,
    statusSubresource: s.statusSubresource ?? false,
    columns: s.columns ?? [],
    storageKey: s.storageKey ?? (group ? `${s.plural}.${group}` : s.plural),
    statusOnCreate: s.statusOnCreate ?? "keep",
    initialStatus: s.initialStatus,
    allowUnconditionalUpdate: true,
    mergeKeys: { ...commonKeys, ...(s.mergeKeys ?? {}) },
    toExternal: s.toExternal,
    toInternal: s.toInternal,
    normalize: s.normalize,
  };
}

const col = (name: string, jsonPath: string, type = "string", priority = 0): PrinterColumn => ({ name, type, jsonPath, priority });

/** Secret: stringData is merged into data (base64) and dropped; type defaults to Opaque. */
function normalizeSecret(o: KubeObject): void {
  if (isObj(o.stringData)) {
    const data: Obj = isObj(o.data) ? { ...o.data } : {};
    for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v)).toString("base64");
    o.data = data;
  }
  delete o.stringData;
  if (o.type === undefined) o.type = "Opaque";
}

const eventRenames: Array<[string, string]> = [
  ["involvedObject", "regarding"],
  ["message", "note"],
  ["source", "deprecatedSource"],
  ["firstTimestamp", "deprecatedFirstTimestamp"],
  ["lastTimestamp", "deprecatedLastTimestamp"],
  ["count", "deprecatedCount"],
  ["reportingComponent", "reportingController"],
];

function renameFields(o: KubeObject, pairs: Array<[string, string]>, apiVersion: string): KubeObject {
  const out: KubeObject = { ...o, apiVersion };
  for (const [from, to] of pairs) {
    delete out[from];
    if (o[from] !== undefined) out[to] = o[from];
  }
  return out;
}

const coreEventToV1 = (o: KubeObject): KubeObject => renameFields(o, eventRenames, "events.k8s.io/v1");
const v1EventToCore = (o: KubeObject): KubeObject =>
  renameFields(
    o,
    eventRenames.map(([a, b]) => [b, a] as [string, string]),
    "v1",
  );

/** Pod spec merge keys under a prefix ("spec" for pods, "spec.template.spec" for workloads). */
function podSpecKeys(prefix: string): Record<string, string> {
  return {
    [`${prefix}.containers`]: "name",
    [`${prefix}.initContainers`]: "name",
    [`${prefix}.volumes`]: "name",
    [`${prefix}.imagePullSecrets`]: "name",
    [`${prefix}.containers[].env`]: "name",
    [`${prefix}.containers[].ports`]: "containerPort",
    [`${prefix}.containers[].volumeMounts`]: "mountPath",
  };
}

function workload(plural: string, kind: string, shortNames: string[]): ResourceDef {
  return builtin({
    group: "apps",
    plural,
    kind,
    namespaced: true,
    shortNames,
    categories: ["all"],
    statusSubresource: true,
    statusOnCreate: "reset",
    columns: [col("Ready", ".status.readyReplicas", "integer")],
    mergeKeys: { ...podSpecKeys("spec.template.spec"), "status.conditions": "type" },
  });
}

const rbac = (plural: string, kind: string, namespaced: boolean): ResourceDef =>
  builtin({ group: "rbac.authorization.k8s.io", plural, kind, namespaced });

export function builtinResources(): ResourceDef[] {
  return [
    builtin({
      plural: "nodes",
      kind: "Node",
      namespaced: false,
      shortNames: ["no"],
      statusSubresource: true,
      columns: [col("Ready", '.status.conditions[?(@.type=="Ready")].status'), col("Unschedulable", ".spec.unschedulable", "boolean", 1)],
      mergeKeys: { "status.conditions": "type", "status.addresses": "type" },
    }),
    builtin({
      plural: "pods",
      kind: "Pod",
      namespaced: true,
      shortNames: ["po"],
      categories: ["all"],
      statusSubresource: true,
      statusOnCreate: "reset",
      initialStatus: { phase: "Pending" },
      columns: [col("Status", ".status.phase"), col("Node", ".spec.nodeName"), col("IP", ".status.podIP", "string", 1)],
      mergeKeys: { ...podSpecKeys("spec"), "status.conditions": "type" },
    }),
    builtin({ plural: "secrets", kind: "Secret", namespaced: true, columns: [col("Type", ".type")], normalize: normalizeSecret }),
    builtin({ plural: "configmaps", kind: "ConfigMap", namespaced: true, shortNames: ["cm"] }),
    builtin({
      plural: "namespaces",
      kind: "Namespace",
      namespaced: false,
      shortNames: ["ns"],
      statusSubresource: true,
      statusOnCreate: "reset",
      initialStatus: { phase: "Active" },
      columns: [col("Status", ".status.phase")],
    }),
    builtin({
      plural: "events",
      kind: "Event",
      namespaced: true,
      shortNames: ["ev"],
      columns: [col("Type", ".type"), col("Reason", ".reason"), col("Object", ".involvedObject.name"), col("Message", ".message")],
    }),
    builtin({
      group: "events.k8s.io",
      plural: "events",
      kind: "Event",
      namespaced: true,
      shortNames: ["ev"],
      storageKey: "events",
      toExternal: coreEventToV1,
      toInternal: v1EventToCore,
      columns: [col("Type", ".type"), col("Reason", ".reason"), col("Object", ".regarding.name"), col("Note", ".note")],
    }),
    builtin({
      plural: "services",
      kind: "Service",
      namespaced: true,
      shortNames: ["svc"],
      categories: ["all"],
      statusSubresource: true,
      statusOnCreate: "reset",
      initialStatus: { loadBalancer: {} },
      columns: [col("Type", ".spec.type"), col("Cluster-IP", ".spec.clusterIP")],
      mergeKeys: { "spec.ports": "port" },
    }),
    builtin({ plural: "endpoints", singular: "endpoints", kind: "Endpoints", namespaced: true, shortNames: ["ep"] }),
    builtin({
      group: "discovery.k8s.io",
      plural: "endpointslices",
      kind: "EndpointSlice",
      namespaced: true,
      columns: [col("AddressType", ".addressType")],
    }),
    builtin({
      group: "coordination.k8s.io",
      plural: "leases",
      kind: "Lease",
      namespaced: true,
      columns: [col("Holder", ".spec.holderIdentity")],
    }),
    builtin({ plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true, shortNames: ["sa"] }),
    workload("deployments", "Deployment", ["deploy"]),
    workload("daemonsets", "DaemonSet", ["ds"]),
    workload("statefulsets", "StatefulSet", ["sts"]),
    rbac("clusterroles", "ClusterRole", false),
    rbac("clusterrolebindings", "ClusterRoleBinding", false),
    rbac("roles", "Role", true),
    rbac("rolebindings", "RoleBinding", true),
    builtin({
      group: "apiextensions.k8s.io",
      plural: "customresourcedefinitions",
      kind: "CustomResourceDefinition",
      namespaced: false,
      shortNames: ["crd", "crds"],
      categories: ["api-extensions"],
      statusSubresource: true,
      columns: [col("Created At", ".metadata.creationTimestamp", "date")],
    }),
  ];
}
