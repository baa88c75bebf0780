/**
 * The pools the allocator may use: valid specs, and of two pools that share
 * addresses the older one (creationTimestamp, then name) keeps them while the
 * newer one is refused as a whole (like VirtualIP collisions). Addresses of
 * VirtualIPs the load balancer does not own, and the nodes' own addresses
 * (InternalIP, ExternalIP), are never given out; a pool that contains some
 * is reported. Pure.
 */
import type { Family } from "../../agent/config/types.js";
import type { PoolConfig } from "../api/pool.js";
import { validatePoolSpec } from "../api/validate-pool.js";
import type { LabelSelector } from "../api/types.js";
import type { FieldError } from "../api/virtualip-config.js";
import { matchesSelector as matchesLabelSelector } from "../../agent/config/label-selector.js";
import { compareAge, compareNames } from "../planner/age.js";
import { contains, overlaps, type AddressRange } from "../api/ranges.js";

export interface PoolInput {
  readonly name: string;
  readonly creationTimestamp?: string;
  readonly spec: unknown;
}

/** An address some VirtualIP (not owned by a Service) floats, or a node's own address. */
export type ForeignAddress = {
  readonly family: Family;
  readonly value: bigint;
  readonly address: string;
} & ({ readonly vip: string } | { readonly node: string });

/** Who uses a foreign address, for messages: "VirtualIP gateway", "node n1". */
export function foreignUser(f: ForeignAddress): string {
  return "vip" in f ? `VirtualIP ${f.vip}` : `node ${f.node}`;
}

export type PoolState =
  | { readonly kind: "usable"; readonly config: PoolConfig; readonly foreign: readonly ForeignAddress[] }
  | { readonly kind: "invalid"; readonly errors: readonly FieldError[] }
  | { readonly kind: "overlap"; readonly config: PoolConfig; readonly other: string; readonly range: string; readonly otherRange: string };

export interface UsablePool {
  readonly name: string;
  readonly config: PoolConfig;
}

export interface ResolvedPools {
  /** Every input pool by name. */
  readonly states: ReadonlyMap<string, PoolState>;
  /** Usable pools sorted by name: the order the allocator tries them in. */
  readonly usable: readonly UsablePool[];
}

export function resolvePools(pools: readonly PoolInput[], foreign: readonly ForeignAddress[]): ResolvedPools {
  const states = new Map<string, PoolState>();
  const kept: { name: string; range: AddressRange }[] = [];
  for (const pool of [...pools].sort(compareAge)) {
    const result = validatePoolSpec(pool.spec);
    if (!result.ok) {
      states.set(pool.name, { kind: "invalid", errors: result.errors });
      continue;
    }
    let clash: PoolState | undefined;
    for (const range of result.config.ranges) {
      const other = kept.find((k) => overlaps(k.range, range));
      if (other !== undefined) {
        clash = { kind: "overlap", config: result.config, other: other.name, range: range.text, otherRange: other.range.text };
        break;
      }
    }
    if (clash !== undefined) {
      states.set(pool.name, clash);
      continue;
    }
    for (const range of result.config.ranges) kept.push({ name: pool.name, range });
    const inside = foreign.filter((f) => result.config.ranges.some((r) => contains(r, f.family, f.value)));
    states.set(pool.name, { kind: "usable", config: result.config, foreign: inside });
  }
  const usable = [...states]
    .filter((e): e is [string, Extract<PoolState, { kind: "usable" }>] => e[1].kind === "usable")
    .map(([name, state]) => ({ name, config: state.config }))
    .sort((a, b) => compareNames(a.name, b.name));
  return { states, usable };
}

/** The usable pool holding an address, if any. */
export function poolOf(pools: readonly UsablePool[], family: Family, value: bigint): UsablePool | undefined {
  return pools.find((p) => p.config.ranges.some((r) => contains(r, family, value)));
}

/** Whether a pool's service and namespace selectors admit a Service. */
export function admits(
  pool: PoolConfig,
  service: { readonly labels: Readonly<Record<string, string>> },
  namespaceLabels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (pool.serviceSelector !== undefined && !matches(service.labels, pool.serviceSelector)) return false;
  if (pool.namespaceSelector !== undefined && !matches(namespaceLabels ?? {}, pool.namespaceSelector)) return false;
  return true;
}

function matches(labels: Readonly<Record<string, string>>, selector: LabelSelector): boolean {
  return matchesLabelSelector(labels, selector);
}
