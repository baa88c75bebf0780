// A small structural-schema engine for custom resources: pruning of unknown fields, defaulting
// and validation (the OpenAPI v3 subset of apiextensions.k8s.io/v1), with error causes shaped
// like the real API server's (`spec.version: Unsupported value: 4: supported values: 2, 3`).
import { cause } from "./status.js";
import { Obj, SchemaNode, StatusCause, ValidationRule, clone, deepEqual, isObj } from "./types.js";

/** Runs x-kubernetes-validations of one node; `old` is present for correlatable updates. */
export type RuleRunner = (
  rules: ValidationRule[],
  self: unknown,
  old: { value: unknown } | undefined,
  path: string,
  schema: SchemaNode,
) => StatusCause[];

const rootKeep = new Set(["apiVersion", "kind", "metadata"]);

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Drops unknown fields and non-nullable nulls, then applies defaults (mutates `value`). The paths
 * of dropped unknown fields are appended to `pruned`.
 */
export function pruneAndDefault(schema: SchemaNode, value: unknown, embedded = false, path = "", pruned: string[] = []): unknown {
  if (Array.isArray(value)) {
    if (schema.items)
      for (let i = 0; i < value.length; i++) value[i] = pruneAndDefault(schema.items, value[i], false, `${path}[${i}]`, pruned);
    return value;
  }
  if (!isObj(value)) return value;
  const props = schema.properties ?? {};
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  const isEmbedded = embedded || schema["x-kubernetes-embedded-resource"] === true;
  for (const key of Object.keys(value)) {
    const v = value[key];
    const sub = props[key] ?? (isObj(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (isEmbedded && rootKeep.has(key)) continue;
    if (!sub) {
      if (!preserve && schema.additionalProperties !== true) {
        delete value[key];
        pruned.push(join(path, key));
      }
      continue;
    }
    if (v === null && !sub.nullable) delete value[key];
  }
  for (const [key, sub] of Object.entries(props)) {
    if (value[key] === undefined && sub.default !== undefined) value[key] = clone(sub.default);
  }
  for (const key of Object.keys(value)) {
    if (isEmbedded && rootKeep.has(key)) continue;
    const sub = props[key] ?? (isObj(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (sub) value[key] = pruneAndDefault(sub, value[key], false, props[key] ? join(path, key) : `${path}[${key}]`, pruned);
  }
  return value;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "object":
      return isObj(v);
    case "array":
      return Array.isArray(v);
    default:
      return true;
  }
}

const dateTimeRe = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function formatOk(format: string, v: unknown): boolean {
  if (format === "int32") return typeof v !== "number" || (v >= -2147483648 && v <= 2147483647);
  if (format === "int64") return typeof v !== "number" || Number.isSafeInteger(v) || Math.abs(v) < 9.3e18;
  if (format === "date-time") return typeof v !== "string" || (dateTimeRe.test(v) && !Number.isNaN(Date.parse(v)));
  return true;
}

export interface ValidateOptions {
  rules?: RuleRunner;
}

/** Validates `value` against `schema`; appends causes. Returns true when this subtree had no error. */
export function validateNode(
  schema: SchemaNode,
  value: unknown,
  path: string,
  old: { value: unknown } | undefined,
  causes: StatusCause[],
  opts: ValidateOptions,
): boolean {
  const before = causes.length;
  const at = path || "<root>";
  if (value === null) {
    if (!schema.nullable) causes.push(cause.invalid(path, "null", `${at} in body must be of type ${schema.type ?? "object"}: "null"`));
    return causes.length === before;
  }
  if (schema["x-kubernetes-int-or-string"]) {
    if (!(typeof value === "string" || (typeof value === "number" && Number.isInteger(value)))) {
      causes.push(cause.invalid(path, typeName(value), `${at} in body must be of type integer,string: "${typeName(value)}"`));
      return false;
    }
  } else if (schema.type && !typeOk(schema.type, value)) {
    causes.push(cause.invalid(path, typeName(value), `${at} in body must be of type ${schema.type}: "${typeName(value)}"`));
    return false;
  }
  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value))) causes.push(cause.notSupported(path, value, schema.enum));
  if (schema.format && !formatOk(schema.format, value)) {
    causes.push(cause.invalid(path, value, `${at} in body must be of type ${schema.format}: ${JSON.stringify(value)}`));
  }
  if (typeof value === "string") validateString(schema, value, path, causes);
  if (typeof value === "number") validateNumber(schema, value, path, causes);
  if (Array.isArray(value)) validateArray(schema, value, path, old, causes, opts);
  if (isObj(value)) validateObject(schema, value, path, old, causes, opts);
  validateCombinators(schema, value, path, causes, opts);
  const rules = schema["x-kubernetes-validations"];
  if (rules && rules.length > 0 && causes.length === before && opts.rules) {
    causes.push(...opts.rules(rules, value, old, path, schema));
  }
  return causes.length === before;
}

function validateString(schema: SchemaNode, v: string, path: string, causes: StatusCause[]): void {
  const len = [...v].length;
  if (schema.maxLength !== undefined && len > schema.maxLength) causes.push(cause.tooLong(path, schema.maxLength));
  if (schema.minLength !== undefined && len < schema.minLength) {
    causes.push(cause.invalid(path, v, `${path} in body should be at least ${schema.minLength} chars long`));
  }
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(v)) {
    causes.push(cause.invalid(path, v, `${path} in body should match '${schema.pattern}'`));
  }
}

function validateNumber(schema: SchemaNode, v: number, path: string, causes: StatusCause[]): void {
  if (schema.minimum !== undefined) {
    if (schema.exclusiveMinimum ? v <= schema.minimum : v < schema.minimum) {
      const rel = schema.exclusiveMinimum ? "greater than" : "greater than or equal to";
      causes.push(cause.invalid(path, v, `${path} in body should be ${rel} ${schema.minimum}`));
    }
  }
  if (schema.maximum !== undefined) {
    if (schema.exclusiveMaximum ? v >= schema.maximum : v > schema.maximum) {
      const rel = schema.exclusiveMaximum ? "less than" : "less than or equal to";
      causes.push(cause.invalid(path, v, `${path} in body should be ${rel} ${schema.maximum}`));
    }
  }
  if (schema.multipleOf !== undefined && Math.abs(v / schema.multipleOf - Math.round(v / schema.multipleOf)) > 1e-9) {
    causes.push(cause.invalid(path, v, `${path} in body should be a multiple of ${schema.multipleOf}`));
  }
}

function listKey(item: unknown, keys: string[]): Obj {
  const k: Obj = {};
  for (const name of keys) k[name] = isObj(item) ? item[name] : undefined;
  return k;
}

function validateArray(
  schema: SchemaNode,
  v: unknown[],
  path: string,
  old: { value: unknown } | undefined,
  causes: StatusCause[],
  opts: ValidateOptions,
): void {
  if (schema.maxItems !== undefined && v.length > schema.maxItems) causes.push(cause.tooMany(path, v.length, schema.maxItems));
  if (schema.minItems !== undefined && v.length < schema.minItems) {
    causes.push(cause.invalid(path, v.length, `${path} in body should have at least ${schema.minItems} items`));
  }
  const listType = schema["x-kubernetes-list-type"];
  const mapKeys = schema["x-kubernetes-list-map-keys"] ?? [];
  if (listType === "set" || schema.uniqueItems) {
    v.forEach((item, i) => {
      if (v.slice(0, i).some((p) => deepEqual(p, item))) causes.push(cause.duplicate(`${path}[${i}]`, item));
    });
  } else if (listType === "map") {
    v.forEach((item, i) => {
      const k = listKey(item, mapKeys);
      if (v.slice(0, i).some((p) => deepEqual(listKey(p, mapKeys), k))) causes.push(cause.duplicate(`${path}[${i}]`, k));
    });
  }
  if (!schema.items) return;
  const oldList = old && Array.isArray(old.value) ? old.value : undefined;
  v.forEach((item, i) => {
    let oldItem: { value: unknown } | undefined;
    if (oldList && listType === "map") {
      const found = oldList.find((o) => deepEqual(listKey(o, mapKeys), listKey(item, mapKeys)));
      if (found !== undefined) oldItem = { value: found };
    } else if (oldList && listType === "set" && oldList.some((o) => deepEqual(o, item))) oldItem = { value: item };
    validateNode(schema.items as SchemaNode, item, `${path}[${i}]`, oldItem, causes, opts);
  });
}

function validateObject(
  schema: SchemaNode,
  v: Obj,
  path: string,
  old: { value: unknown } | undefined,
  causes: StatusCause[],
  opts: ValidateOptions,
): void {
  for (const r of schema.required ?? []) if (v[r] === undefined) causes.push(cause.required(join(path, r)));
  const n = Object.keys(v).length;
  if (schema.maxProperties !== undefined && n > schema.maxProperties) causes.push(cause.tooMany(path, n, schema.maxProperties));
  if (schema.minProperties !== undefined && n < schema.minProperties) {
    causes.push(cause.invalid(path, n, `${path} in body should have at least ${schema.minProperties} properties`));
  }
  const oldObj = old && isObj(old.value) ? old.value : undefined;
  const embedded = path === "" || schema["x-kubernetes-embedded-resource"] === true;
  for (const [key, val] of Object.entries(v)) {
    if (embedded && rootKeep.has(key)) continue;
    const prop = schema.properties?.[key];
    const sub = prop ?? (isObj(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (!sub || val === undefined) continue;
    const childPath = prop ? join(path, key) : `${path}[${key}]`;
    const oldChild = oldObj && oldObj[key] !== undefined ? { value: oldObj[key] } : undefined;
    validateNode(sub, val, childPath, oldChild, causes, opts);
  }
}

function validateCombinators(schema: SchemaNode, v: unknown, path: string, causes: StatusCause[], opts: ValidateOptions): void {
  const quiet = (s: SchemaNode): boolean => validateNode(s, v, path, undefined, [], { ...opts, rules: undefined });
  for (const s of schema.allOf ?? []) validateNode(s, v, path, undefined, causes, { ...opts, rules: undefined });
  if (schema.anyOf && !schema.anyOf.some(quiet))
    causes.push(cause.invalid(path, v, `${path} in body must validate at least one schema (anyOf)`));
  if (schema.oneOf && schema.oneOf.filter(quiet).length !== 1) {
    causes.push(cause.invalid(path, v, `${path} in body must validate one and only one schema (oneOf)`));
  }
  if (schema.not && quiet(schema.not)) causes.push(cause.invalid(path, v, `${path} in body must not validate the schema (not)`));
}

/**
 * What the real server does to a custom resource body: prune, default, validate (incl. CEL rules
 * through `opts.rules`). Root apiVersion/kind/metadata are kept; only metadata.name is checked
 * against the schema's metadata.name rules.
 */
export function applyStructuralSchema(
  schema: SchemaNode,
  obj: Obj,
  old: Obj | undefined,
  opts: ValidateOptions,
): { value: Obj; causes: StatusCause[]; pruned: string[] } {
  const pruned: string[] = [];
  const value = pruneAndDefault(schema, clone(obj), true, "", pruned) as Obj;
  const causes: StatusCause[] = [];
  validateNode(schema, value, "", old ? { value: old } : undefined, causes, opts);
  const nameSchema = schema.properties?.metadata?.properties?.name;
  const meta = value.metadata;
  if (nameSchema && isObj(meta) && typeof meta.name === "string") {
    validateNode(nameSchema, meta.name, "metadata.name", undefined, causes, {});
  }
  return { value, causes, pruned };
}
