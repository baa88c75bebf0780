// Patch formats: JSON merge patch (RFC 7386), JSON patch (RFC 6902), a simple strategic merge
// patch (merge keys by path, $patch / $retainKeys / $setElementOrder / $deleteFromPrimitiveList
// directives) and a field-manager-free server-side apply merge.
import { ApiError, badRequest } from "./status.js";
import { Obj, clone, deepEqual, isObj } from "./types.js";

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function patchError(message: string): ApiError {
  return new ApiError(422, "Invalid", message);
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw patchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function resolveParent(doc: unknown, segs: string[], op: string, path: string): { parent: Obj | unknown[]; key: string } {
  let cur: unknown = doc;
  for (const s of segs.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isObj(cur)) cur = cur[s];
    else cur = undefined;
    if (cur === undefined) throw patchError(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  if (!Array.isArray(cur) && !isObj(cur)) throw patchError(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}"`);
  return { parent: cur, key: segs[segs.length - 1] ?? "" };
}

function getAt(doc: unknown, path: string, op: string): unknown {
  let cur: unknown = doc;
  for (const s of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isObj(cur)) cur = cur[s];
    else cur = undefined;
    if (cur === undefined) throw patchError(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return cur;
}

function arrayIndex(arr: unknown[], key: string, allowEnd: boolean, op: string, path: string): number {
  if (key === "-" && allowEnd) return arr.length;
  const i = Number(key);
  if (!/^\d+$/.test(key) || i > arr.length || (!allowEnd && i >= arr.length)) {
    throw patchError(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}": index out of range`);
  }
  return i;
}

function addAt(doc: unknown, path: string, value: unknown, op: string): unknown {
  const segs = pointer(path);
  if (segs.length === 0) return clone(value);
  const { parent, key } = resolveParent(doc, segs, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true, op, path), 0, clone(value));
  else parent[key] = clone(value);
  return doc;
}

function removeAt(doc: unknown, path: string, op: string): unknown {
  const segs = pointer(path);
  const { parent, key } = resolveParent(doc, segs, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false, op, path), 1);
  else {
    if (!(key in parent)) throw patchError(`jsonpatch ${op} operation does not apply: doc is missing key: ${path}: missing value`);
    delete parent[key];
  }
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let doc = clone(target);
  for (const raw of ops) {
    if (!isObj(raw)) throw badRequest("json patch operations must be objects");
    const op = String(raw.op ?? "");
    const path = String(raw.path ?? "");
    switch (op) {
      case "add":
        doc = addAt(doc, path, raw.value, op);
        break;
      case "remove":
        doc = removeAt(doc, path, op);
        break;
      case "replace":
        getAt(doc, path, op);
        doc = pointer(path).length === 0 ? clone(raw.value) : addAt(removeAt(doc, path, op), path, raw.value, op);
        break;
      case "move": {
        const v = clone(getAt(doc, String(raw.from ?? ""), op));
        doc = addAt(removeAt(doc, String(raw.from ?? ""), op), path, v, op);
        break;
      }
      case "copy":
        doc = addAt(doc, path, clone(getAt(doc, String(raw.from ?? ""), op)), op);
        break;
      case "test":
        if (!deepEqual(getAt(doc, path, op), raw.value)) throw patchError(`testing value ${path} failed: test failed`);
        break;
      default:
        throw badRequest(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}

/** Merge keys for lists by dotted path of the list (array elements contribute "[]"). */
export type MergeKeys = Record<string, string>;

function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function smpList(target: unknown, patch: unknown[], path: string, keys: MergeKeys): unknown[] {
  const mergeKey = keys[path];
  if (mergeKey === undefined) return clone(patch.filter((p) => !(isObj(p) && p.$patch !== undefined)));
  if (mergeKey === "$merge") {
    const out = Array.isArray(target) ? [...target] : [];
    for (const p of patch) if (!out.some((t) => deepEqual(t, p))) out.push(clone(p));
    return out;
  }
  if (patch.some((p) => isObj(p) && p.$patch === "replace")) {
    return clone(patch.filter((p) => !(isObj(p) && p.$patch === "replace")));
  }
  const out = Array.isArray(target) ? [...target] : [];
  for (const p of patch) {
    if (!isObj(p)) continue;
    const idx = out.findIndex((t) => isObj(t) && t[mergeKey] === p[mergeKey]);
    if (p.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = strategicMerge(out[idx], p, `${path}[]`, keys);
    else out.push(strategicMerge({}, p, `${path}[]`, keys));
  }
  return out;
}

export function strategicMerge(target: unknown, patch: unknown, path: string, keys: MergeKeys): unknown {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === "replace") {
    const { $patch: _p, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch === "delete") return undefined;
  const out: Obj = isObj(target) ? { ...target } : {};
  let retain: unknown[] | undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$retainKeys") {
      retain = Array.isArray(v) ? v : [];
      continue;
    }
    if (k === "$patch" || k.startsWith("$setElementOrder/")) continue;
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const field = k.slice("$deleteFromPrimitiveList/".length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.some((d) => deepEqual(d, x)));
      continue;
    }
    const p = childPath(path, k);
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = smpList(out[k], v, p, keys);
    else if (isObj(v)) {
      const merged = strategicMerge(out[k], v, p, keys);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

/**
 * Server-side apply without field managers: the applied configuration is merged in (maps
 * recursively, lists by their map keys when known, otherwise replaced). Fields that an earlier
 * apply set but this one omits are NOT removed.
 */
export function applyMerge(target: unknown, applied: unknown, path: string, listKeys: (path: string) => string[] | undefined): unknown {
  if (Array.isArray(applied)) {
    const keyNames = listKeys(path);
    if (!keyNames || !Array.isArray(target)) return clone(applied);
    const out = [...target];
    for (const a of applied) {
      const idx = out.findIndex((t) => isObj(t) && isObj(a) && keyNames.every((k) => t[k] === a[k]));
      if (idx >= 0) out[idx] = applyMerge(out[idx], a, `${path}[]`, listKeys);
      else out.push(clone(a));
    }
    return out;
  }
  if (!isObj(applied)) return clone(applied);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(applied)) {
    if (v === null) delete out[k];
    else out[k] = applyMerge(out[k], v, childPath(path, k), listKeys);
  }
  return out;
}
