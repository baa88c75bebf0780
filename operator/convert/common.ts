/**
 * Shared pieces of the converters from other projects' resources to
 * VirtualIPPools (metallb.ts, keepalived-operator.ts, kube-vip.ts): reading
 * untrusted YAML documents, and building pools that the controller's own
 * validator accepts. Pure: documents in, manifests and messages out.
 */
import { validatePoolSpec } from "../api/validate-pool.js";
import type { LabelSelector } from "../api/types.js";

export type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** A manifest with comment lines to print above it (the shape of agent/keepalived/virtualip.ts). */
export interface Manifest {
  readonly comments: readonly string[];
  readonly object: Obj;
}

/** What a converter produced: manifests only when there are no errors. */
export interface Conversion {
  readonly manifests: readonly Manifest[];
  /** Settings with no floatip equivalent, or converted approximately: "Kind ns/name: message". */
  readonly warnings: readonly string[];
  /** Input that cannot be converted: "Kind ns/name: field: message". */
  readonly errors: readonly string[];
}

/** Documents of a multi-document file, `kind: List` flattened (kubectl get -o yaml), empty documents dropped. */
export function flatten(docs: readonly unknown[]): Obj[] {
  return docs.flatMap((d) => {
    const o = obj(d);
    if (Object.keys(o).length === 0) return [];
    return o["kind"] === "List" || (str(o["kind"])?.endsWith("List") === true && Array.isArray(o["items"]))
      ? flatten(list(o["items"]))
      : [o];
  });
}

export function kindOf(doc: Obj): string {
  return str(doc["kind"]) ?? "(no kind)";
}

/** "Kind namespace/name" or "Kind name", for messages. */
export function describeDoc(doc: Obj): string {
  const m = obj(doc["metadata"]);
  const ns = str(m["namespace"]);
  return `${kindOf(doc)} ${ns !== undefined ? `${ns}/` : ""}${str(m["name"]) ?? "(no name)"}`;
}

export const nameOf = (doc: Obj): string => str(obj(doc["metadata"])["name"]) ?? "";
export const namespaceOf = (doc: Obj): string | undefined => str(obj(doc["metadata"])["namespace"]);

/** A label selector as given (matchLabels, matchExpressions), or undefined when it selects everything. */
export function selectorOf(v: unknown): LabelSelector | undefined {
  const o = obj(v);
  const matchLabels = obj(o["matchLabels"]) as Record<string, string>;
  const matchExpressions = list(o["matchExpressions"]) as NonNullable<LabelSelector["matchExpressions"]>;
  if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0) return undefined;
  return { ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}), ...(matchExpressions.length > 0 ? { matchExpressions } : {}) };
}

/** The namespaces a list of names selects, as a selector on the label every namespace carries. */
export function namespacesSelector(names: readonly string[], operator: "In" | "NotIn" = "In"): LabelSelector {
  return { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator, values: [...names].sort() }] };
}

export interface PoolDraft {
  readonly name: string;
  readonly comments: readonly string[];
  readonly spec: Obj;
}

/** Pools as manifests, each checked by the controller's validator; its errors name the source. */
export function finishPools(drafts: readonly PoolDraft[], warnings: readonly string[], errors: readonly string[]): Conversion {
  const allErrors = [...errors];
  const seen = new Set<string>();
  for (const d of drafts) {
    if (seen.has(d.name)) allErrors.push(`VirtualIPPool ${d.name}: two sources give this name; rename one`);
    seen.add(d.name);
    const result = validatePoolSpec(d.spec);
    if (!result.ok)
      for (const e of result.errors) allErrors.push(`VirtualIPPool ${d.name} (${d.comments[0] ?? "converted"}): ${e.field}: ${e.message}`);
  }
  if (allErrors.length > 0) return { manifests: [], warnings, errors: allErrors };
  return {
    manifests: drafts.map((d) => ({
      comments: d.comments,
      object: { apiVersion: "floatip.io/v1alpha1", kind: "VirtualIPPool", metadata: { name: d.name }, spec: d.spec },
    })),
    warnings,
    errors: [],
  };
}

/** Address entries as the pool takes them: trimmed, spaces around "-" removed. */
export function entries(values: readonly unknown[]): string[] {
  return values
    .filter((v): v is string => typeof v === "string")
    .map((v) => v.trim().replace(/\s*-\s*/, "-"))
    .filter((v) => v !== "");
}
