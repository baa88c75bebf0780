// Shared types of the Kubernetes API test server (test/kube/server.ts).
import { isDeepStrictEqual } from "node:util";

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Obj[];
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** A structural schema node (the subset of OpenAPI v3 that CRDs use). */
export interface SchemaNode {
  type?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  format?: string;
  nullable?: boolean;
  default?: unknown;
  allOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  not?: SchemaNode;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: string;
  "x-kubernetes-validations"?: ValidationRule[];
}

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** How a resource type behaves; one per served group/version/resource. */
export interface ResourceDef {
  group: string; // "" for the core group
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  statusSubresource: boolean;
  columns: PrinterColumn[];
  /** Objects of all versions of one group/resource share this storage key. */
  storageKey: string;
  /** CRD schema of this version (validation, defaults, pruning); builtins have none. */
  schema?: SchemaNode;
  /** Name of the CRD that defines it; undefined for builtins. */
  crd?: string;
  /** "reset": status dropped (or set to initialStatus) on create, like pods; "keep": like nodes. */
  statusOnCreate: "keep" | "reset";
  initialStatus?: Obj;
  /** Custom resources need metadata.resourceVersion on PUT; most builtins do not. */
  allowUnconditionalUpdate: boolean;
  /** Strategic-merge-patch list merge keys by dotted path ("spec.containers" -> "name"); "$merge" = primitive set. */
  mergeKeys: Record<string, string>;
  /** Converts the stored form to this version and back (events.k8s.io/v1 shares core events). */
  toExternal?: (o: KubeObject) => KubeObject;
  toInternal?: (o: KubeObject) => KubeObject;
  /** Extra server-side normalisation on writes (Secret stringData -> data, ...). */
  normalize?: (o: KubeObject) => void;
}

export function groupVersion(def: { group: string; version: string }): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** "virtualips.floatip.io" / "pods": how the real server names a resource in messages. */
export function qualifiedResource(def: ResourceDef): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

/** "VirtualIP.floatip.io" / "Pod": how the real server names a kind in Invalid messages. */
export function qualifiedKind(def: ResourceDef): string {
  return def.group ? `${def.kind}.${def.group}` : def.kind;
}

export type WatchType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoredEvent {
  rv: number;
  storageKey: string;
  type: WatchType;
  object: KubeObject;
  /** The object before a MODIFIED (for selector transitions). */
  previous?: KubeObject;
}

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  verb: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  contentType?: string;
  accept?: string;
  /** HTTP status, set when the response is sent (watches: when the stream starts). */
  status?: number;
}

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}
