/** Builders of Services, EndpointSlices and pools for the load-balancer tables. */
import type { VirtualIPPool } from "../api/pool.js";
import { LOAD_BALANCER_CLASS } from "./service.js";

export interface SvcOptions {
  readonly namespace?: string;
  readonly created?: string;
  readonly ports?: readonly (number | [string, number])[];
  readonly families?: readonly ("IPv4" | "IPv6")[];
  readonly ips?: string;
  readonly loadBalancerIP?: string;
  readonly share?: string;
  readonly policy?: "Cluster" | "Local";
  readonly labels?: Record<string, string>;
  readonly selector?: Record<string, string>;
  readonly ingress?: readonly string[];
  readonly cls?: string | null;
  readonly type?: string;
  /** Further annotations (MetalLB's, kube-vip's, floatip.io/pool). */
  readonly annotations?: Record<string, string>;
}

let counter = 0;

export function svc(name: string, o: SvcOptions = {}): Record<string, unknown> {
  const annotations: Record<string, string> = {};
  if (o.ips !== undefined) annotations["floatip.io/loadBalancerIPs"] = o.ips;
  if (o.share !== undefined) annotations["floatip.io/allowSharedIP"] = o.share;
  Object.assign(annotations, o.annotations ?? {});
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name,
      namespace: o.namespace ?? "default",
      uid: `uid-${name}-${counter++}`,
      creationTimestamp: o.created ?? "2026-01-01T00:00:00Z",
      labels: o.labels ?? {},
      annotations,
    },
    spec: {
      type: o.type ?? "LoadBalancer",
      ...(o.cls === null ? {} : { loadBalancerClass: o.cls ?? LOAD_BALANCER_CLASS }),
      ipFamilies: o.families ?? ["IPv4"],
      ports: (o.ports ?? [80]).map((p) => (typeof p === "number" ? { port: p, protocol: "TCP" } : { protocol: p[0], port: p[1] })),
      externalTrafficPolicy: o.policy ?? "Cluster",
      selector: o.selector ?? { app: name },
      ...(o.loadBalancerIP !== undefined ? { loadBalancerIP: o.loadBalancerIP } : {}),
    },
    status: { loadBalancer: o.ingress === undefined ? {} : { ingress: o.ingress.map((ip) => ({ ip })) } },
  };
}

export function pool(name: string, spec: Record<string, unknown>, created = "2026-01-01T00:00:00Z"): VirtualIPPool {
  return { metadata: { name, creationTimestamp: created, generation: 1 }, spec: spec as unknown as VirtualIPPool["spec"] };
}

/** An EndpointSlice of a Service: endpoints on nodes, ready unless listed in `unready`. */
export function slice(
  service: string,
  nodes: readonly string[],
  unready: readonly string[] = [],
  namespace = "default",
): Record<string, unknown> {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: `${service}-abc`, namespace, labels: { "kubernetes.io/service-name": service } },
    addressType: "IPv4",
    endpoints: nodes.map((n, i) => ({ addresses: [`198.51.100.${i + 1}`], nodeName: n, conditions: { ready: !unready.includes(n) } })),
  };
}
