// What the real server does to an object before it is stored: metadata rules, the status
// subresource split, CRD schema (prune, default, validate, CEL), generation.
import { randomUUID } from "node:crypto";
import { RuleRunner, applyStructuralSchema } from "./schema.js";
import { ApiError, badRequest, cause, invalid } from "./status.js";
import { KubeObject, ObjectMeta, ResourceDef, StatusCause, clone, deepEqual, groupVersion, isObj, nowTimestamp } from "./types.js";

const subdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const nameChars = "bcdfghjklmnpqrstvwxz2456789";

export type WriteKind = "create" | "update" | "status";

export interface WriteContext {
  def: ResourceDef;
  namespace: string | undefined;
  rules: RuleRunner;
  /** Unknown fields dropped by the schema (for fieldValidation Strict/Warn). */
  pruned: string[];
}

/** Checks the body's apiVersion/kind and gives the stored (internal) form. */
export function decodeBody(def: ResourceDef, body: unknown): KubeObject {
  if (!isObj(body)) throw badRequest("Object 'Kind' is missing in the request body");
  const gv = groupVersion(def);
  if (body.apiVersion !== undefined && body.apiVersion !== gv) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`);
  }
  if (body.kind !== undefined && body.kind !== def.kind) {
    throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${def.kind})`);
  }
  const meta = body.metadata === undefined ? {} : body.metadata;
  if (!isObj(meta)) throw badRequest("metadata must be an object");
  const o = { ...clone(body), apiVersion: gv, kind: def.kind, metadata: clone(meta) as ObjectMeta };
  return def.toInternal ? def.toInternal(o) : o;
}

/** The form served for a resource version (apiVersion rewritten, events converted). */
export function externalize(def: ResourceDef, o: KubeObject): KubeObject {
  if (def.toExternal) return def.toExternal(o);
  return { ...o, apiVersion: groupVersion(def), kind: def.kind };
}

function checkNamespace(ctx: WriteContext, meta: ObjectMeta): void {
  if (!ctx.def.namespaced) {
    delete meta.namespace;
    return;
  }
  if (meta.namespace !== undefined && meta.namespace !== "" && meta.namespace !== ctx.namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  meta.namespace = ctx.namespace;
}

/** ObjectMeta is a typed struct even for custom resources: empty collections are omitted. */
function dropEmptyMeta(meta: ObjectMeta): void {
  for (const k of ["labels", "annotations", "finalizers", "ownerReferences", "managedFields"]) {
    const v = meta[k];
    if (v === null || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0)) delete meta[k];
  }
}

function metaCauses(meta: ObjectMeta): StatusCause[] {
  dropEmptyMeta(meta);
  const causes: StatusCause[] = [];
  const name = meta.name ?? "";
  if (!subdomainRe.test(name) || name.length > 253) {
    causes.push(
      cause.invalid(
        "metadata.name",
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    );
  }
  for (const field of ["labels", "annotations"] as const) {
    const m = meta[field];
    if (m === undefined) continue;
    if (!isObj(m) || Object.values(m).some((v) => typeof v !== "string")) {
      throw badRequest(`json: cannot unmarshal into Go struct field ObjectMeta.metadata.${field} of type string`);
    }
  }
  return causes;
}

function withoutMetaAndStatus(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

/** Generation: 1 on create, +1 when anything but metadata and status changed. */
function nextGeneration(def: ResourceDef, next: KubeObject, old: KubeObject): number {
  const gen = old.metadata.generation ?? 1;
  const strip = (o: KubeObject): unknown => (def.statusSubresource ? withoutMetaAndStatus(o) : { ...o, metadata: undefined });
  return deepEqual(strip(next), strip(old)) ? gen : gen + 1;
}

function runSchema(ctx: WriteContext, o: KubeObject, old: KubeObject | undefined): KubeObject {
  if (!ctx.def.schema) return o;
  const { value, causes, pruned } = applyStructuralSchema(ctx.def.schema, o, old, { rules: ctx.rules });
  ctx.pruned.push(...pruned);
  if (causes.length > 0) throw invalid(ctx.def, o.metadata.name ?? "", causes);
  return value as KubeObject;
}

/** Prepares a create: returns the object to store (without resourceVersion). */
export function prepareCreate(ctx: WriteContext, obj: KubeObject): KubeObject {
  const o = clone(obj);
  const meta = o.metadata;
  checkNamespace(ctx, meta);
  if (!meta.name && meta.generateName) {
    meta.name = meta.generateName + Array.from({ length: 5 }, () => nameChars[Math.floor(Math.random() * nameChars.length)]).join("");
  }
  if (!meta.name)
    throw invalid(ctx.def, "", [
      { reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" },
    ]);
  const causes = metaCauses(meta);
  if (causes.length > 0) throw invalid(ctx.def, meta.name, causes);
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp();
  meta.generation = 1;
  for (const k of ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink"]) delete meta[k];
  if (ctx.def.statusSubresource && ctx.def.statusOnCreate === "reset") {
    if (ctx.def.initialStatus) o.status = clone(ctx.def.initialStatus);
    else delete o.status;
  }
  ctx.def.normalize?.(o);
  return runSchema(ctx, o, undefined);
}

/**
 * Prepares an update (PUT, patch result, or /status write) of `old`. Throws 409/422/400 as the
 * real server; the caller checks resourceVersion preconditions first.
 */
export function prepareUpdate(ctx: WriteContext, obj: KubeObject, old: KubeObject, kind: WriteKind): KubeObject {
  let o = clone(obj);
  if (o.metadata.name !== undefined && o.metadata.name !== old.metadata.name) {
    throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${old.metadata.name ?? ""})`);
  }
  checkNamespace(ctx, o.metadata);
  if (kind === "status") {
    const status = o.status;
    o = clone(old);
    if (status === undefined) delete o.status;
    else o.status = status;
  } else if (ctx.def.statusSubresource) {
    if (old.status === undefined) delete o.status;
    else o.status = clone(old.status);
  }
  const meta = o.metadata;
  meta.name = old.metadata.name;
  const causes = metaCauses(meta);
  if (causes.length > 0) throw invalid(ctx.def, meta.name ?? "", causes);
  for (const k of ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"] as const) {
    if (old.metadata[k] === undefined) delete meta[k];
    else meta[k] = old.metadata[k] as never;
  }
  delete meta.managedFields;
  if (old.metadata.deletionTimestamp) {
    const added = (meta.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
    if (added.length > 0) {
      throw invalid(ctx.def, meta.name ?? "", [
        cause.forbidden(
          "metadata.finalizers",
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(", ")}}`,
        ),
      ]);
    }
  }
  ctx.def.normalize?.(o);
  o = runSchema(ctx, o, old);
  o.metadata.generation = nextGeneration(ctx.def, o, old);
  o.metadata.resourceVersion = old.metadata.resourceVersion;
  return o;
}

/** resourceVersion precondition of an update body against the stored object. */
export function checkPrecondition(
  def: ResourceDef,
  body: KubeObject,
  current: KubeObject,
  isPatch: boolean,
  conflict: () => ApiError,
): void {
  const rv = body.metadata.resourceVersion;
  if (rv === undefined || rv === "") {
    if (!isPatch && !def.allowUnconditionalUpdate) {
      throw invalid(def, current.metadata.name ?? "", [
        cause.invalid("metadata.resourceVersion", "0x0", "must be specified for an update"),
      ]);
    }
    return;
  }
  if (rv !== current.metadata.resourceVersion) throw conflict();
}
