// CustomResourceDefinitions: loading from files and turning them into served resource types.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { cause } from "./status.js";
import { Obj, PrinterColumn, ResourceDef, SchemaNode, StatusCause, isObj } from "./types.js";

const allVerbs = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"];

/** Reads every CustomResourceDefinition document of a (multi-document) YAML or JSON file. */
export function loadCrdFile(path: string): Obj[] {
  const docs = yaml.loadAll(readFileSync(path, "utf8"));
  return docs.filter((d): d is Obj => isObj(d) && d.kind === "CustomResourceDefinition");
}

function strs(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** Field errors of a CRD (the checks a test needs, not all of the real server's). */
export function validateCrd(crd: Obj): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = isObj(crd.spec) ? crd.spec : {};
  const names = isObj(spec.names) ? spec.names : {};
  const meta = isObj(crd.metadata) ? crd.metadata : {};
  if (typeof spec.group !== "string" || !spec.group) causes.push(cause.required("spec.group"));
  if (typeof names.plural !== "string" || !names.plural) causes.push(cause.required("spec.names.plural"));
  if (typeof names.kind !== "string" || !names.kind) causes.push(cause.required("spec.names.kind"));
  if (spec.scope !== "Namespaced" && spec.scope !== "Cluster")
    causes.push(cause.notSupported("spec.scope", spec.scope ?? "", ["Cluster", "Namespaced"]));
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObj) : [];
  if (versions.length === 0) causes.push(cause.required("spec.versions"));
  else if (versions.filter((v) => v.storage === true).length !== 1) {
    causes.push(cause.invalid("spec.versions", versions.length, "must have exactly one version marked as storage version"));
  }
  const expected = `${String(names.plural)}.${String(spec.group)}`;
  if (typeof meta.name === "string" && causes.length === 0 && meta.name !== expected) {
    causes.push(cause.invalid("metadata.name", meta.name, `must be spec.names.plural+"."+spec.group`));
  }
  return causes;
}

/** One ResourceDef per served version of a (valid) CRD. */
export function crdToDefs(crd: Obj): ResourceDef[] {
  const spec = crd.spec as Obj;
  const names = spec.names as Obj;
  const group = String(spec.group);
  const plural = String(names.plural);
  const kind = String(names.kind);
  const meta = isObj(crd.metadata) ? crd.metadata : {};
  const defs: ResourceDef[] = [];
  for (const v of (spec.versions as unknown[]).filter(isObj)) {
    if (v.served === false) continue;
    const sub = isObj(v.subresources) ? v.subresources : {};
    const schema = isObj(v.schema) && isObj(v.schema.openAPIV3Schema) ? (v.schema.openAPIV3Schema as SchemaNode) : undefined;
    const columns = (Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns : []).filter(isObj).map(
      (c): PrinterColumn => ({
        name: String(c.name),
        type: String(c.type ?? "string"),
        jsonPath: String(c.jsonPath),
        description: typeof c.description === "string" ? c.description : undefined,
        priority: typeof c.priority === "number" ? c.priority : 0,
        format: typeof c.format === "string" ? c.format : undefined,
      }),
    );
    defs.push({
      group,
      version: String(v.name),
      plural,
      singular: typeof names.singular === "string" ? names.singular : kind.toLowerCase(),
      kind,
      listKind: typeof names.listKind === "string" ? names.listKind : `${kind}List`,
      namespaced: spec.scope === "Namespaced",
      shortNames: strs(names.shortNames),
      categories: strs(names.categories),
      verbs: allVerbs,
      statusSubresource: isObj(sub.status),
      columns,
      storageKey: `${plural}.${group}`,
      schema,
      crd: String(meta.name ?? `${plural}.${group}`),
      statusOnCreate: "reset",
      allowUnconditionalUpdate: false,
      mergeKeys: {},
    });
  }
  return defs;
}

/** The status a CRD gets once "established" (what the apiextensions controller writes). */
export function establishedStatus(crd: Obj, now: string): Obj {
  const spec = crd.spec as Obj;
  const storage = (spec.versions as unknown[]).filter(isObj).find((v) => v.storage === true);
  const cond = (type: string, reason: string, message: string): Obj => ({ type, status: "True", lastTransitionTime: now, reason, message });
  return {
    conditions: [
      cond("NamesAccepted", "NoConflicts", "no conflicts found"),
      cond("Established", "InitialNamesAccepted", "the initial names have been accepted"),
    ],
    acceptedNames: spec.names,
    storedVersions: storage ? [String(storage.name)] : [],
  };
}
