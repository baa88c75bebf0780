/**
 * VirtualIPPool (crds/virtualippool.yaml) as plain JSON types, and the
 * validated form the load-balancer planner works on.
 */
import type { Family } from "../../agent/config/types.js";
import type { AddressRange } from "./ranges.js";
import type { Condition, LabelSelector, NodeSelectorSpec, ObjectMeta, Transport } from "./types.js";

/** The bound lives in limits.ts with the rest of the contract. */
export { POOL_ENTRIES_MAX as POOL_MAX_ENTRIES } from "./limits.js";

export interface VirtualIPPoolSpec {
  readonly addresses: readonly string[];
  readonly autoAssign?: boolean;
  readonly advertisementInterval?: string;
  readonly transport?: Transport;
  /** Candidate nodes per router of its Services' VirtualIPs (VirtualIP spec.maxCandidates). */
  readonly maxCandidates?: number;
  readonly nodeSelector?: NodeSelectorSpec;
  /** Announce only on these interfaces (MetalLB's L2Advertisement.interfaces); a node with none of them is not a candidate. */
  readonly interfaces?: readonly string[];
  readonly serviceSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
}

export interface PoolFamilyCounts {
  readonly total: number;
  readonly allocated: number;
  readonly free: number;
}

export interface VirtualIPPoolStatus {
  readonly allocated?: number;
  readonly free?: number;
  readonly ipv4?: PoolFamilyCounts;
  readonly ipv6?: PoolFamilyCounts;
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition[];
}

export interface VirtualIPPool {
  readonly apiVersion?: string;
  readonly kind?: "VirtualIPPool";
  readonly metadata: ObjectMeta;
  readonly spec: VirtualIPPoolSpec;
  readonly status?: VirtualIPPoolStatus;
}

/** A pool spec after validation. */
export interface PoolConfig {
  readonly ranges: readonly AddressRange[];
  readonly families: readonly Family[];
  readonly autoAssign: boolean;
  /** As written (validated for VRRP version 3); undefined: the VirtualIP default. */
  readonly advertisementInterval?: string;
  readonly transport?: Transport;
  /** undefined: the controller's default. */
  readonly maxCandidates?: number;
  /** Normalised; {} selects every node. */
  readonly nodeSelector: LabelSelector;
  /** In the order written; undefined: any interface (the agent picks it from the address). */
  readonly interfaces?: readonly string[];
  /** Undefined: every Service / namespace. */
  readonly serviceSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
}
