/**
 * The address allocator for LoadBalancer Services. Pure and deterministic.
 *
 * Every Service needs one address per family of spec.ipFamilies, all or
 * nothing. Services are served in three rounds, oldest first in each:
 *
 *   1. holders: Services that hold addresses (their VirtualIP, else their
 *      status) and ask for nothing else keep them, so allocations are stable
 *      across restarts; one that lost its address to an older holder goes to
 *      round 3;
 *   2. requests: Services asking for addresses (floatip.io/loadBalancerIPs or
 *      spec.loadBalancerIP) get them if a usable pool that admits them holds
 *      them and nobody else uses them (or can share them);
 *   3. the rest: a Service with a sharing key joins the oldest compatible
 *      group with that key; otherwise each family gets the lowest free address
 *      of the first pool (by name) that auto-assigns and admits the Service.
 *
 * Services that share an address form a group (one VirtualIP). They must
 * carry the same floatip.io/allowSharedIP key, the same ipFamilies and
 * externalTrafficPolicy, no common port, and with policy Local the same pod
 * selector in the same namespace. The newer Service of an incompatible pair
 * is the one left pending.
 */
import type { Family } from "../../agent/config/types.js";
import { compareAge } from "../planner/age.js";
import { addressValue, fromBigInt } from "../api/ranges.js";
import { admits, poolOf, type UsablePool } from "./pools.js";
import { serviceKey, type LbService } from "./service.js";

export interface AllocateInput {
  readonly services: readonly LbService[];
  readonly pools: readonly UsablePool[];
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Addresses each Service holds now, by "namespace/name" (from its VirtualIP, else its status). */
  readonly held: ReadonlyMap<string, readonly string[]>;
  /** Addresses of VirtualIPs no Service owns and the nodes' own addresses → who uses them ("VirtualIP x", "node n"). Never given out. */
  readonly foreign: ReadonlyMap<string, string>;
  /** Every pool's name, usable or not, to tell a Service naming a refused pool from one naming a missing pool. Default: the usable ones. */
  readonly poolNames?: ReadonlySet<string>;
}

export interface Assigned {
  readonly family: Family;
  readonly address: string;
  readonly value: bigint;
  /** The usable pool containing it; undefined when no pool does any more. */
  readonly pool: string | undefined;
}

export interface Group {
  /** Sorted by family (IPv4 first). */
  readonly addresses: readonly Assigned[];
  readonly sharingKey: string | undefined;
  /** Oldest first. */
  readonly members: readonly LbService[];
}

/** Why a Service has no address. */
export type Pending =
  | { readonly kind: "pool-exhausted"; readonly family: Family; readonly pools: readonly string[] }
  | { readonly kind: "no-pool"; readonly family: Family }
  | { readonly kind: "not-in-pool"; readonly address: string }
  | { readonly kind: "pool-not-allowed"; readonly address: string; readonly pool: string }
  | { readonly kind: "address-in-use"; readonly address: string; readonly by: string }
  | { readonly kind: "sharing-conflict"; readonly address: string; readonly with: string; readonly detail: string }
  /** The Service names a pool (floatip.io/pool or an alias) that does not exist. */
  | { readonly kind: "pool-not-found"; readonly pool: string }
  /** The Service names a pool that exists but is refused (invalid, or overlapping an older pool). */
  | { readonly kind: "pool-not-usable"; readonly pool: string }
  /** The named pool has no address of `family` (selectors: false), or its serviceSelector / namespaceSelector leaves the Service out (selectors: true). */
  | { readonly kind: "named-pool-refuses"; readonly pool: string; readonly family: Family; readonly selectors: boolean }
  /** The Service names a pool and requests an address outside it. */
  | { readonly kind: "not-in-named-pool"; readonly address: string; readonly pool: string };

export type Warning = { readonly kind: "outside-pools"; readonly address: string };

export type ServiceOutcome =
  | { readonly kind: "allocated"; readonly group: Group; readonly warnings: readonly Warning[] }
  | { readonly kind: "pending"; readonly reason: Pending };

export interface AllocateResult {
  /** Every input Service by "namespace/name". */
  readonly outcomes: ReadonlyMap<string, ServiceOutcome>;
  /** In creation order of their oldest member. */
  readonly groups: readonly Group[];
}

interface Pin {
  readonly assigned: Assigned;
  readonly source: "held" | "requested";
}

interface MutableGroup {
  addresses: Assigned[];
  sharingKey: string | undefined;
  members: LbService[];
}

const slot = (family: Family, value: bigint) => `${family}/${value}`;

export function allocate(input: AllocateInput): AllocateResult {
  const ordered = [...input.services].sort((a, b) =>
    compareAge(
      { name: serviceKey(a), creationTimestamp: a.creationTimestamp },
      { name: serviceKey(b), creationTimestamp: b.creationTimestamp },
    ),
  );
  const outcomes = new Map<string, ServiceOutcome>();
  const groups: MutableGroup[] = [];
  const claimedBy = new Map<string, MutableGroup>();
  const taken = new Set<string>();
  for (const address of input.foreign.keys()) {
    const v = addressValue(address);
    if (v !== undefined) taken.add(slot(v.family, v.value));
  }
  const heldBy = (s: LbService): Map<Family, Assigned> => {
    const out = new Map<Family, Assigned>();
    for (const text of input.held.get(serviceKey(s)) ?? []) {
      const v = addressValue(text);
      if (v === undefined || !s.families.includes(v.family) || out.has(v.family)) continue;
      const pool = poolOf(input.pools, v.family, v.value)?.name;
      if (s.pool !== undefined && pool !== s.pool) continue; // the Service now names another pool: it moves there
      out.set(v.family, { family: v.family, address: fromBigInt(v.family, v.value), value: v.value, pool });
      taken.add(slot(v.family, v.value)); // nobody else gets it by auto-assignment this round
    }
    return out;
  };
  const held = new Map(ordered.map((s) => [serviceKey(s), heldBy(s)]));
  const requestOnly = (s: LbService) =>
    [...s.requested].some(([family, address]) => held.get(serviceKey(s))!.get(family)?.address !== address);
  const holders = ordered.filter((s) => held.get(serviceKey(s))!.size > 0 && !requestOnly(s));
  const requesters = ordered.filter((s) => s.requested.size > 0 && requestOnly(s));
  const rest = ordered.filter((s) => !holders.includes(s) && !requesters.includes(s));

  const nsLabels = (s: LbService) => input.namespaceLabels.get(s.namespace);
  const cursor = new Map<object, bigint>();
  const allocateFresh = (s: LbService, family: Family): { ok: true; assigned: Assigned } | { ok: false; reason: Pending } => {
    // A named pool is used whether it auto-assigns or not (as MetalLB's address-pool annotation).
    const allowed = input.pools.filter(
      (p) =>
        (s.pool === undefined ? p.config.autoAssign : p.name === s.pool) &&
        p.config.families.includes(family) &&
        admits(p.config, s, nsLabels(s)),
    );
    if (allowed.length === 0) {
      if (s.pool === undefined) return { ok: false, reason: { kind: "no-pool", family } };
      const named = input.pools.find((p) => p.name === s.pool)!;
      return { ok: false, reason: { kind: "named-pool-refuses", pool: s.pool, family, selectors: named.config.families.includes(family) } };
    }
    for (const pool of allowed) {
      for (const range of pool.config.ranges) {
        if (range.family !== family) continue;
        // Nothing is freed during one allocation, so every value below the cursor stays taken:
        // resuming there keeps "lowest free" without rescanning (5,000 Services were quadratic).
        for (let v = cursor.get(range) ?? range.first; v <= range.last; v++) {
          cursor.set(range, v);
          if (!taken.has(slot(family, v)))
            return { ok: true, assigned: { family, address: fromBigInt(family, v), value: v, pool: pool.name } };
        }
        cursor.set(range, range.last + 1n);
      }
    }
    return { ok: false, reason: { kind: "pool-exhausted", family, pools: allowed.map((p) => p.name) } };
  };

  const commit = (s: LbService, group: MutableGroup, isNew: boolean): ServiceOutcome => {
    if (isNew) {
      groups.push(group);
      for (const a of group.addresses) {
        claimedBy.set(slot(a.family, a.value), group);
        taken.add(slot(a.family, a.value));
      }
    }
    group.members.push(s);
    const warnings: Warning[] = group.addresses
      .filter((a) => a.pool === undefined)
      .map((a) => ({ kind: "outside-pools", address: a.address }));
    return { kind: "allocated", group, warnings };
  };

  const resolve = (s: LbService, pins: ReadonlyMap<Family, Pin>): ServiceOutcome => {
    if (s.pool !== undefined && !input.pools.some((p) => p.name === s.pool)) {
      return pending(
        (input.poolNames ?? new Set()).has(s.pool) ? { kind: "pool-not-usable", pool: s.pool } : { kind: "pool-not-found", pool: s.pool },
      );
    }
    const hit = [...pins.values()].map((p) => ({ pin: p, group: claimedBy.get(slot(p.assigned.family, p.assigned.value)) }));
    const groupsHit = [...new Set(hit.map((h) => h.group).filter((g): g is MutableGroup => g !== undefined))];
    if (groupsHit.length > 0) {
      const group = groupsHit[0]!;
      const address = hit.find((h) => h.group === group)!.pin.assigned.address;
      if (groupsHit.length > 1)
        return pending({
          kind: "address-in-use",
          address: hit.find((h) => h.group === groupsHit[1])!.pin.assigned.address,
          by: describeGroup(groupsHit[1]!),
        });
      const problem = sharingProblem(s, group);
      if (problem !== undefined)
        return pending(
          problem.kind === "in-use"
            ? { kind: "address-in-use", address, by: describeGroup(group) }
            : { kind: "sharing-conflict", address, with: problem.with, detail: problem.detail },
        );
      const stray = [...pins.values()].find((p) => !group.addresses.some((a) => a.address === p.assigned.address));
      if (stray !== undefined)
        return pending({
          kind: "sharing-conflict",
          address,
          with: describeGroup(group),
          detail: `the shared addresses are ${group.addresses.map((a) => a.address).join(", ")}, not ${stray.assigned.address}`,
        });
      return commit(s, group, false);
    }
    for (const pin of pins.values()) {
      if (pin.source !== "requested") continue;
      const { family, value, address } = pin.assigned;
      const user = input.foreign.get(address);
      if (user !== undefined) return pending({ kind: "address-in-use", address, by: user });
      const pool = poolOf(input.pools, family, value);
      if (s.pool !== undefined && pool?.name !== s.pool) return pending({ kind: "not-in-named-pool", address, pool: s.pool });
      if (pool === undefined) return pending({ kind: "not-in-pool", address });
      if (!admits(pool.config, s, nsLabels(s))) return pending({ kind: "pool-not-allowed", address, pool: pool.name });
    }
    if (pins.size === 0 && s.sharingKey !== undefined) {
      const join = groups.find(
        (g) =>
          g.sharingKey === s.sharingKey &&
          sharingProblem(s, g) === undefined &&
          (s.pool === undefined || g.addresses.every((a) => a.pool === s.pool)),
      );
      if (join !== undefined) return commit(s, join, false);
    }
    const addresses: Assigned[] = [];
    for (const family of [...s.families].sort()) {
      const pin = pins.get(family);
      if (pin !== undefined) {
        addresses.push(pin.assigned);
        continue;
      }
      const fresh = allocateFresh(s, family);
      if (!fresh.ok) return pending(fresh.reason);
      addresses.push(fresh.assigned);
    }
    return commit(s, { addresses, sharingKey: s.sharingKey, members: [] }, true);
  };

  const retry: LbService[] = [];
  for (const s of holders) {
    const pins = new Map([...held.get(serviceKey(s))!].map(([f, a]) => [f, { assigned: a, source: "held" as const }]));
    const outcome = resolve(s, pins);
    if (outcome.kind === "allocated") outcomes.set(serviceKey(s), outcome);
    else retry.push(s);
  }
  for (const s of requesters) {
    const pins = new Map<Family, Pin>();
    for (const [family, a] of held.get(serviceKey(s))!) if (!s.requested.has(family)) pins.set(family, { assigned: a, source: "held" });
    for (const [family, address] of s.requested) {
      const value = addressValue(address)!.value;
      pins.set(family, { assigned: { family, address, value, pool: poolOf(input.pools, family, value)?.name }, source: "requested" });
    }
    outcomes.set(serviceKey(s), resolve(s, pins));
  }
  for (const s of [...retry, ...rest]) outcomes.set(serviceKey(s), resolve(s, new Map()));
  return { outcomes: new Map([...ordered].map((s) => [serviceKey(s), outcomes.get(serviceKey(s))!])), groups };
}

function pending(reason: Pending): ServiceOutcome {
  return { kind: "pending", reason };
}

function describeGroup(group: MutableGroup): string {
  return group.members.map((m) => `Service ${serviceKey(m)}`).join(", ");
}

type SharingProblem = { readonly kind: "in-use" } | { readonly kind: "conflict"; readonly with: string; readonly detail: string };

/** Why `s` cannot join `group`; undefined when it can. */
export function sharingProblem(
  s: LbService,
  group: { readonly sharingKey: string | undefined; readonly members: readonly LbService[] },
): SharingProblem | undefined {
  if (s.sharingKey === undefined || group.sharingKey === undefined || s.sharingKey !== group.sharingKey) return { kind: "in-use" };
  for (const m of group.members) {
    const other = `Service ${serviceKey(m)}`;
    const conflict = (detail: string): SharingProblem => ({ kind: "conflict", with: other, detail });
    if ([...m.families].sort().join() !== [...s.families].sort().join()) return conflict("their spec.ipFamilies differ");
    const port = s.ports.find((p) => m.ports.some((q) => q.port === p.port && q.protocol === p.protocol));
    if (port !== undefined) return conflict(`both use port ${port.protocol}/${port.port}`);
    if (m.policy !== s.policy) return conflict(`their externalTrafficPolicy differs (${m.policy} and ${s.policy})`);
    if (
      s.policy === "Local" &&
      (m.namespace !== s.namespace || JSON.stringify(sorted(m.selector)) !== JSON.stringify(sorted(s.selector)))
    ) {
      return conflict(
        "with externalTrafficPolicy Local, Services sharing an address must select the same pods (same namespace and spec.selector)",
      );
    }
  }
  return undefined;
}

const sorted = (labels: Readonly<Record<string, string>>) => Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
