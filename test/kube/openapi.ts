// Minimal OpenAPI v3 documents: enough for kubectl to learn that the server validates fields
// itself (the fieldValidation query parameter on PATCH), so `kubectl apply` works with its default
// --validate=strict and sends fieldValidation=Strict. No schemas are published: kubectl falls back
// to its built-in types for strategic merge patches and to JSON merge patches for custom resources.
import { createHash } from "node:crypto";
import { Registry } from "./registry.js";
import { Obj, ResourceDef } from "./types.js";

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const queryParams = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"].map((name) => ({
  name,
  in: "query",
  schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true },
}));

function resourcePaths(d: ResourceDef): Record<string, Obj> {
  const gvk = { group: d.group, version: d.version, kind: d.kind };
  const base = `/${gvPath(d.group, d.version)}${d.namespaced ? "/namespaces/{namespace}" : ""}/${d.plural}`;
  const op = (action: string): Obj => ({
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
    parameters: queryParams,
    responses: { "200": { description: "OK" } },
  });
  const out: Record<string, Obj> = {
    [`${base}/{name}`]: { get: op("get"), put: op("put"), patch: op("patch"), delete: op("delete") },
    [base]: { get: op("list"), post: op("post") },
  };
  if (d.statusSubresource) out[`${base}/{name}/status`] = { get: op("get"), put: op("put"), patch: op("patch") };
  return out;
}

function gvDoc(registry: Registry, group: string, version: string): Obj | undefined {
  const defs = registry.inGroupVersion(group, version);
  if (defs.length === 0) return undefined;
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.34.0" },
    paths: Object.assign({}, ...defs.map(resourcePaths)),
    components: { schemas: {} },
  };
}

/** The document for /openapi/v3[/api/v1|/apis/<g>/<v>], or undefined (404). */
export function openApiV3(registry: Registry, pathname: string): Obj | undefined {
  const rest = pathname.replace(/^\/openapi\/v3\/?/, "");
  if (rest === "") {
    const paths: Obj = {};
    for (const [group, versions] of registry.groups()) {
      for (const v of versions) {
        const doc = gvDoc(registry, group, v);
        const hash = createHash("sha256").update(JSON.stringify(doc)).digest("hex").slice(0, 32).toUpperCase();
        paths[gvPath(group, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, v)}?hash=${hash}` };
      }
    }
    return { paths };
  }
  const segs = rest.split("/");
  if (segs[0] === "api" && segs.length === 2) return gvDoc(registry, "", segs[1] ?? "");
  if (segs[0] === "apis" && segs.length === 3) return gvDoc(registry, segs[1] ?? "", segs[2] ?? "");
  return undefined;
}
