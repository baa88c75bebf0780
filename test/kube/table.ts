// meta.k8s.io/v1 Table responses (kubectl get) from printer columns, and metadata-only forms.
import { jsonPathResults } from "./jsonpath.js";
import { KubeObject, Obj, PrinterColumn, ResourceDef } from "./types.js";

export interface AcceptedForm {
  as: "Table" | "PartialObjectMetadata" | "PartialObjectMetadataList" | undefined;
  version: string;
}

/** Picks the first meta.k8s.io form in an Accept header that we serve (v1 and v1beta1). */
export function acceptedForm(accept: string | undefined): AcceptedForm {
  for (const part of (accept ?? "").split(",")) {
    const params = Object.fromEntries(
      part
        .split(";")
        .slice(1)
        .map((p) => {
          const [k, v] = p.split("=");
          return [(k ?? "").trim(), (v ?? "").trim()];
        }),
    );
    if (params.g === "meta.k8s.io" && (params.v === "v1" || params.v === "v1beta1")) {
      if (params.as === "Table" || params.as === "PartialObjectMetadata" || params.as === "PartialObjectMetadataList") {
        return { as: params.as, version: params.v };
      }
    }
    if (part.trim().startsWith("application/json") && !params.as) return { as: undefined, version: "v1" };
  }
  return { as: undefined, version: "v1" };
}

export function partialObjectMetadata(o: KubeObject, version = "v1"): Obj {
  return { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata };
}

function cell(col: PrinterColumn, o: KubeObject): unknown {
  let results: unknown[];
  try {
    results = jsonPathResults(col.jsonPath, o);
  } catch {
    return null;
  }
  if (results.length === 0) return null;
  const v = results[0];
  if (col.type === "string") return typeof v === "string" ? v : JSON.stringify(v);
  if (col.type === "integer") return typeof v === "number" ? Math.trunc(v) : null;
  if (col.type === "number") return typeof v === "number" ? v : null;
  if (col.type === "boolean") return typeof v === "boolean" ? v : null;
  if (col.type === "date") return typeof v === "string" && !Number.isNaN(Date.parse(v)) ? humanDuration(Date.now() - Date.parse(v)) : null;
  return v;
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration: what AGE columns show ("5s", "3m20s", "4h"). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const withRest = (big: number, bigUnit: string, small: number, smallUnit: string): string =>
    small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${small}${smallUnit}`;
  if (minutes < 10) return withRest(minutes, "m", seconds % 60, "s");
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(hours, "h", minutes % 60, "m");
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return withRest(Math.floor(hours / 24), "d", hours % 24, "h");
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) return withRest(Math.floor(hours / 24 / 365), "y", Math.floor(hours / 24) % 365, "d");
  return `${Math.floor(hours / 24 / 365)}y`;
}

function columns(def: ResourceDef): PrinterColumn[] {
  const name: PrinterColumn = {
    name: "Name",
    type: "string",
    format: "name",
    jsonPath: ".metadata.name",
    priority: 0,
    description: "Name must be unique within a namespace.",
  };
  const age: PrinterColumn = {
    name: "Age",
    type: "date",
    jsonPath: ".metadata.creationTimestamp",
    priority: 0,
    description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
  };
  const cols = [name, ...def.columns];
  if (!def.columns.some((c) => c.jsonPath === ".metadata.creationTimestamp")) cols.push(age);
  return cols;
}

/** A Table of the objects; `includeObject`: None | Metadata (default) | Object. */
export function toTable(def: ResourceDef, objects: KubeObject[], listMeta: Obj, includeObject: string, version: string): Obj {
  const cols = columns(def);
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: listMeta,
    columnDefinitions: cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? "",
      description: c.description ?? "",
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => {
      const row: Obj = { cells: cols.map((c) => cell(c, o)) };
      if (includeObject === "Object") row.object = o;
      else if (includeObject !== "None") row.object = partialObjectMetadata(o, version);
      return row;
    }),
  };
}
