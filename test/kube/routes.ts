// URL routing of the test API server.

export interface ResourceRoute {
  kind: "resource";
  group: string;
  version: string;
  namespace?: string;
  plural: string;
  name?: string;
  subresource?: string;
  /** /api/v1/watch/... (deprecated watch paths). */
  legacyWatch: boolean;
}

export interface DiscoveryRoute {
  kind: "discovery";
  /** "version" | "api" | "apis" | "group" | "resources" | "health" | "openapi" | "unknown" */
  doc: string;
  group?: string;
  version?: string;
}

export type Route = ResourceRoute | DiscoveryRoute;

/**
 * `isNamespaced(group, version, plural)` tells whether `/namespaces/<x>/<plural>` names a
 * namespaced collection (otherwise `<plural>` is a subresource of the namespace `<x>`).
 */
export function parseRoute(pathname: string, isNamespaced: (g: string, v: string, plural: string) => boolean): Route {
  const segs = pathname
    .split("/")
    .filter((s) => s !== "")
    .map((s) => decodeURIComponent(s));
  const first = segs[0];
  if (first === "version") return { kind: "discovery", doc: "version" };
  if (first === "healthz" || first === "readyz" || first === "livez") return { kind: "discovery", doc: "health" };
  if (first === "openapi" || first === "swagger.json") return { kind: "discovery", doc: "openapi" };
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (first === "api") {
    if (segs.length === 1) return { kind: "discovery", doc: "api" };
    group = "";
    version = segs[1];
    rest = segs.slice(2);
  } else if (first === "apis") {
    if (segs.length === 1) return { kind: "discovery", doc: "apis" };
    group = segs[1] ?? "";
    if (segs.length === 2) return { kind: "discovery", doc: "group", group };
    version = segs[2];
    rest = segs.slice(3);
  } else return { kind: "discovery", doc: "unknown" };
  if (version === undefined) return { kind: "discovery", doc: "unknown" };
  if (rest.length === 0) return { kind: "discovery", doc: "resources", group, version };
  let legacyWatch = false;
  if (rest[0] === "watch") {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  const base = { kind: "resource" as const, group, version, legacyWatch };
  if (rest[0] === "namespaces" && rest.length >= 3 && isNamespaced(group, version, rest[2] ?? "")) {
    const [, namespace, plural, name, subresource] = rest;
    if (rest.length > 5) return { kind: "discovery", doc: "unknown" };
    return { ...base, namespace, plural: plural ?? "", name, subresource };
  }
  if (rest.length > 3) return { kind: "discovery", doc: "unknown" };
  const [plural, name, subresource] = rest;
  return { ...base, plural: plural ?? "", name, subresource };
}
