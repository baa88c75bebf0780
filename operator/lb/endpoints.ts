/**
 * Which nodes run a ready endpoint of a Service, from its EndpointSlices
 * (discovery.k8s.io/v1, linked by the label kubernetes.io/service-name).
 * An endpoint whose conditions.ready is unset counts as ready, as the API
 * documents for consumers. Pure.
 */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Ready endpoint nodes per Service ("namespace/name"), from every EndpointSlice. */
export function readyNodesByService(slices: Iterable<unknown>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const slice of slices) {
    const metadata = obj(obj(slice)["metadata"]);
    const service = obj(metadata["labels"])[SERVICE_NAME_LABEL];
    const namespace = metadata["namespace"];
    if (typeof service !== "string" || typeof namespace !== "string") continue;
    const key = `${namespace}/${service}`;
    const nodes = out.get(key) ?? new Set<string>();
    out.set(key, nodes);
    for (const endpoint of list(obj(slice)["endpoints"])) {
      const e = obj(endpoint);
      if (obj(e["conditions"])["ready"] === false) continue;
      if (typeof e["nodeName"] === "string" && e["nodeName"] !== "") nodes.add(e["nodeName"]);
    }
  }
  return out;
}
