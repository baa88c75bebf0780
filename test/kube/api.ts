// Resource operations with the real server's semantics (create/get/list/update/patch/delete),
// on top of the Store, in the served (external) form of a ResourceDef.
import yaml from "js-yaml";
import { crdToDefs, establishedStatus, validateCrd } from "./crd.js";
import { applyMerge, jsonPatch, mergePatch, strategicMerge } from "./patch.js";
import { Registry } from "./registry.js";
import { RuleRunner } from "./schema.js";
import { Selector } from "./selectors.js";
import { ApiError, alreadyExists, badRequest, conflict, invalid, notFound, unsupportedMediaType } from "./status.js";
import { Store } from "./store.js";
import { KubeObject, Obj, ResourceDef, SchemaNode, clone, deepEqual, isObj, nowTimestamp } from "./types.js";
import { WriteContext, checkPrecondition, decodeBody, externalize, prepareCreate, prepareUpdate } from "./write.js";

export const CRD_KEY = "customresourcedefinitions.apiextensions.k8s.io";

export interface WriteOptions {
  dryRun?: boolean;
  subresource?: string;
  /** Strict: unknown (pruned) fields are a 400; Warn (default): added to `warnings`; Ignore. */
  fieldValidation?: string;
  warnings?: string[];
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ApiOptions {
  /** "merge": strategic merge patches on custom resources act as merge patches; "reject": 415 like the real server. */
  strategicMergeForCustomResources: "merge" | "reject";
  /** Largest object (as stored, JSON bytes) a write may leave behind, like etcd's --max-request-bytes; per plural (others: etcd's default). */
  maxObjectBytes: number | Readonly<Record<string, number>>;
}

/** etcd's default request limit (--max-request-bytes, 1.5 MiB). */
export const ETCD_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

function schemaAt(schema: SchemaNode | undefined, path: string): SchemaNode | undefined {
  let cur = schema;
  for (const seg of path.split(".")) {
    if (!cur || seg === "") continue;
    const name = seg.replace(/\[\]$/g, "");
    cur = cur.properties?.[name] ?? (isObj(cur.additionalProperties) ? cur.additionalProperties : undefined);
    if (seg.endsWith("[]")) cur = cur?.items;
  }
  return cur;
}

export class Api {
  constructor(
    readonly store: Store,
    readonly registry: Registry,
    private readonly rules: RuleRunner,
    private readonly options: ApiOptions,
  ) {}

  private ctx(def: ResourceDef, namespace: string | undefined): WriteContext {
    return { def, namespace: def.namespaced ? namespace : undefined, rules: this.rules, pruned: [] };
  }

  private checkFields(ctx: WriteContext, opts: WriteOptions): void {
    if (ctx.pruned.length === 0) return;
    const unknown = ctx.pruned.map((p) => `unknown field "${p}"`);
    const mode = opts.fieldValidation ?? "Warn";
    if (mode === "Strict") throw badRequest(`strict decoding error: ${unknown.join(", ")}`);
    if (mode === "Warn") opts.warnings?.push(...unknown);
  }

  private current(def: ResourceDef, ns: string | undefined, name: string): KubeObject {
    const o = this.store.get(def.storageKey, def.namespaced ? ns : undefined, name);
    if (!o) throw notFound(def, name);
    return o;
  }

  get(def: ResourceDef, ns: string | undefined, name: string): KubeObject {
    return externalize(def, this.current(def, ns, name));
  }

  list(def: ResourceDef, ns: string | undefined, selector: Selector, limit?: number, cont?: string): ListResult {
    let items = this.store
      .list(def.storageKey, def.namespaced ? ns : undefined)
      .map((o) => externalize(def, o))
      .filter(selector);
    const rv = String(this.store.currentRv());
    if (cont) {
      let after = "";
      try {
        after = String((JSON.parse(Buffer.from(cont, "base64").toString("utf8")) as Obj).after ?? "");
      } catch {
        throw badRequest("continue key is not valid");
      }
      items = items.filter((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}` > after);
    }
    if (limit && limit > 0 && items.length > limit) {
      const page = items.slice(0, limit);
      const last = page[page.length - 1] as KubeObject;
      const after = `${last.metadata.namespace ?? ""}/${last.metadata.name ?? ""}`;
      const token = Buffer.from(JSON.stringify({ after })).toString("base64");
      return { items: page, resourceVersion: rv, continue: token, remainingItemCount: items.length - limit };
    }
    return { items, resourceVersion: rv };
  }

  create(def: ResourceDef, ns: string | undefined, body: unknown, opts: WriteOptions = {}): KubeObject {
    const ctx = this.ctx(def, ns);
    let o = prepareCreate(ctx, decodeBody(def, body));
    this.checkFields(ctx, opts);
    const name = o.metadata.name ?? "";
    if (this.store.get(def.storageKey, o.metadata.namespace, name)) throw alreadyExists(def, name);
    if (def.storageKey === CRD_KEY) o = this.crdWrite(def, o);
    if (opts.dryRun) return externalize(def, o);
    this.checkSize(def, o);
    const stored = this.store.put(def.storageKey, o);
    if (def.storageKey === CRD_KEY) this.registerCrd(stored);
    return externalize(def, stored);
  }

  /**
   * etcd refuses a request larger than its limit, and the real API server passes that on as a
   * 500 with etcd's own message (kubernetes/kubernetes#112152), nothing stored.
   */
  private checkSize(def: ResourceDef, o: KubeObject): void {
    const limits = this.options.maxObjectBytes;
    const limit = typeof limits === "number" ? limits : (limits[def.plural] ?? ETCD_MAX_REQUEST_BYTES);
    if (Buffer.byteLength(JSON.stringify(o)) > limit) throw new ApiError(500, "InternalError", "etcdserver: request is too large");
  }

  update(def: ResourceDef, ns: string | undefined, name: string, body: unknown, opts: WriteOptions = {}, isPatch = false): KubeObject {
    const incoming = decodeBody(def, body);
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
      throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    }
    const cur = this.current(def, ns, name);
    checkPrecondition(def, incoming, cur, isPatch, () => conflict(def, name));
    const ctx = this.ctx(def, ns);
    let o = prepareUpdate(ctx, incoming, cur, opts.subresource === "status" ? "status" : "update");
    this.checkFields(ctx, opts);
    if (def.storageKey === CRD_KEY) o = this.crdWrite(def, o);
    const unchanged = deepEqual(o, cur);
    if (unchanged || opts.dryRun) return externalize(def, unchanged ? cur : o);
    if (o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).length === 0) {
      return externalize(def, this.removeNow(def, o));
    }
    this.checkSize(def, o);
    const stored = this.store.put(def.storageKey, o);
    if (def.storageKey === CRD_KEY) this.registerCrd(stored);
    return externalize(def, stored);
  }

  patch(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    contentType: string,
    raw: string,
    opts: WriteOptions = {},
  ): { object: KubeObject; created: boolean } {
    const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
    const custom = def.crd !== undefined;
    const accepted =
      custom && this.options.strategicMergeForCustomResources === "reject"
        ? [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply]
        : [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply];
    if (!accepted.includes(type)) throw unsupportedMediaType(type, accepted);
    let body: unknown;
    try {
      body = type === PATCH_TYPES.apply ? yaml.load(raw) : JSON.parse(raw);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const existing = this.store.get(def.storageKey, def.namespaced ? ns : undefined, name);
    if (!existing) {
      if (type !== PATCH_TYPES.apply || opts.subresource === "status") throw notFound(def, name);
      const o = isObj(body) ? { ...body, metadata: { ...(isObj(body.metadata) ? body.metadata : {}), name } } : body;
      return { object: this.create(def, ns, o, opts), created: true };
    }
    const cur = externalize(def, existing);
    let patched: unknown;
    if (type === PATCH_TYPES.json) patched = jsonPatch(cur, body);
    else if (type === PATCH_TYPES.merge || (type === PATCH_TYPES.strategic && custom)) patched = mergePatch(cur, body);
    else if (type === PATCH_TYPES.strategic) patched = strategicMerge(cur, body, "", def.mergeKeys);
    else {
      const listKeys = (path: string): string[] | undefined => {
        if (def.schema) {
          const s = schemaAt(def.schema, path);
          return s?.["x-kubernetes-list-type"] === "map" ? (s["x-kubernetes-list-map-keys"] ?? []) : undefined;
        }
        const k = def.mergeKeys[path];
        return k && k !== "$merge" ? [k] : undefined;
      };
      patched = applyMerge(cur, body, "", listKeys);
    }
    if (!isObj(patched)) throw badRequest("patch result is not an object");
    return { object: this.update(def, ns, name, patched, opts, true), created: false };
  }

  delete(def: ResourceDef, ns: string | undefined, name: string, options: Obj = {}, dryRun = false): KubeObject {
    const cur = this.current(def, ns, name);
    const pre = isObj(options.preconditions) ? options.preconditions : {};
    if (pre.uid !== undefined && pre.uid !== cur.metadata.uid) {
      throw conflict(
        def,
        name,
        `Precondition failed: UID in precondition: ${String(pre.uid)}, UID in object meta: ${cur.metadata.uid ?? ""}`,
      );
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw conflict(
        def,
        name,
        `Precondition failed: ResourceVersion in precondition: ${String(pre.resourceVersion)}, ResourceVersion in object meta: ${cur.metadata.resourceVersion ?? ""}`,
      );
    }
    if (dryRun) return externalize(def, cur);
    if ((cur.metadata.finalizers ?? []).length > 0) {
      if (cur.metadata.deletionTimestamp) return externalize(def, cur);
      const o = clone(cur);
      o.metadata.deletionTimestamp = nowTimestamp();
      o.metadata.deletionGracePeriodSeconds = 0;
      o.metadata.generation = (o.metadata.generation ?? 1) + 1;
      return externalize(def, this.store.put(def.storageKey, o));
    }
    return externalize(def, this.removeNow(def, cur));
  }

  deleteCollection(def: ResourceDef, ns: string | undefined, selector: Selector, options: Obj = {}, dryRun = false): KubeObject[] {
    return this.list(def, ns, selector).items.map((o) => this.delete(def, ns, o.metadata.name ?? "", options, dryRun));
  }

  private removeNow(def: ResourceDef, o: KubeObject): KubeObject {
    const gone = this.store.remove(def.storageKey, o.metadata.namespace, o.metadata.name ?? "", o) ?? o;
    if (def.storageKey === CRD_KEY) this.unregisterCrd(gone);
    return gone;
  }

  /** CRD writes: validated, then "established" at once (what the apiextensions controller does). */
  private crdWrite(def: ResourceDef, o: KubeObject): KubeObject {
    const causes = validateCrd(o);
    if (causes.length > 0) throw invalid(def, o.metadata.name ?? "", causes);
    const out = clone(o);
    out.status = establishedStatus(out, out.metadata.creationTimestamp ?? nowTimestamp());
    return out;
  }

  registerCrd(crd: Obj): void {
    const name = isObj(crd.metadata) ? String(crd.metadata.name ?? "") : "";
    const causes = validateCrd(crd);
    if (causes.length > 0)
      throw new ApiError(422, "Invalid", `invalid CRD ${name}: ${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}`);
    this.registry.removeCrd(name);
    for (const d of crdToDefs(crd)) this.registry.add(d);
  }

  private unregisterCrd(crd: KubeObject): void {
    const removed = this.registry.removeCrd(crd.metadata.name ?? "");
    const keys = new Set(removed.map((d) => d.storageKey));
    for (const k of keys) if (!this.registry.all().some((d) => d.storageKey === k)) this.store.dropAll(k);
  }
}
