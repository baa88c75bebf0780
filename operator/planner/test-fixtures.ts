/** Builders for the planner's tests. */
import type { NodeSummary, VirtualIP, VirtualIPSpec } from "../api/types.js";

export function node(name: string, index: number, extra: Partial<NodeSummary> = {}): NodeSummary {
  return {
    name,
    labels: { "kubernetes.io/hostname": name },
    internalIPs: {
      v4: index < 250 ? `198.51.100.${index + 1}` : `203.0.113.${(index % 250) + 1}`,
      v6: `2001:db8:f::${(index + 1).toString(16)}`,
    },
    unschedulable: false,
    ready: true,
    creationTimestamp: "2026-01-01T00:00:00Z",
    ...extra,
  };
}

/** node-0 .. node-(count-1) with distinct addresses. */
export function nodes(count: number, prefix = "node-"): NodeSummary[] {
  return Array.from({ length: count }, (_, i) => node(`${prefix}${i}`, i));
}

export interface VipOptions {
  readonly created?: string;
  readonly statusVrid?: number;
}

export function vip(name: string, spec: Partial<VirtualIPSpec> & Record<string, unknown>, options: VipOptions = {}): VirtualIP {
  return {
    apiVersion: "floatip.io/v1alpha1",
    kind: "VirtualIP",
    metadata: { name, creationTimestamp: options.created ?? "2026-01-01T00:00:00Z" },
    spec: { addresses: ["192.0.2.5/24"], ...spec } as VirtualIPSpec,
    ...(options.statusVrid !== undefined ? { status: { virtualRouterID: options.statusVrid } } : {}),
  };
}

/** Minute `m` of 2026-01-01, for creation order. */
export function at(m: number): string {
  return new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString().replace(".000Z", "Z");
}
