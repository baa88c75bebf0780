/**
 * Packing: which VRRP router (VRID) carries each VirtualIP's addresses
 * (pure). Routers carry many addresses, as a keepalived instance carries a
 * virtual_ipaddress list; VirtualIPs share a router only within a group
 * (same eligible nodes, interface, families, VRRP settings, tracking; see
 * group.ts), and VRIDs stay unique where VRRP needs it (vrid.ts scopes).
 *
 * Placement is sticky, so adding or removing a VirtualIP moves no other
 * address. Members come oldest first:
 *   pass 1  a spec VRID is a hard claim (held by an older conflicting
 *           router: `taken`); a status VRID is kept: join the group's
 *           router with that VRID if it has room, else open it if the VRID
 *           is free in the group's scope; otherwise the member waits;
 *   pass 2  each waiting member: while the group has fewer routers than its
 *           `spread`, a new router on the lowest free VRID (masters spread
 *           over the nodes); else the least-loaded router with room (lowest
 *           VRID on a tie); else a new router; none possible: `exhausted`.
 * A router holds at most `capacity[family]` addresses of each family: what
 * one advert carries (8-bit count, and the MTU; see ADVERT_CAPACITY).
 */
import type { Family } from "../../agent/config/types.js";
import { VRID_MAX, VRID_MIN } from "../api/limits.js";
import { Holders, NodeIndex, valid, type Indexed, type VridReservation, type VridScope } from "./vrid.js";

/**
 * Addresses one advert carries at an MTU of 1500: the count field is 8 bits
 * (RFC 5798 §5.2.5), and 1500 - 20 (IPv4) - 8 (VRRP header) leaves room for
 * 368 IPv4 addresses, 1500 - 40 (IPv6) - 8 for 90 IPv6 addresses.
 */
export const ADVERT_CAPACITY: Readonly<Record<Family, number>> = { 4: 255, 6: 90 };

export interface PackGroup {
  readonly key: string;
  readonly families: readonly Family[];
  readonly scope: VridScope;
  /** Routers opened before new members pack into existing ones. */
  readonly spread: number;
  readonly capacity: Readonly<Record<Family, number>>;
}

export interface PackMember {
  readonly name: string;
  readonly group: string;
  /** Addresses per family. */
  readonly counts: Readonly<Partial<Record<Family, number>>>;
  readonly specVrid?: number | undefined;
  readonly statusVrid?: number | undefined;
}

export type PackOutcome =
  | { readonly kind: "assigned"; readonly vrid: number; readonly source: "spec" | "status" | "allocated" }
  | { readonly kind: "taken"; readonly vrid: number; readonly family: Family; readonly other: string }
  | { readonly kind: "exhausted" };

export interface PackedRouter {
  readonly group: string;
  readonly vrid: number;
  /** Oldest first. */
  readonly members: readonly string[];
}

export interface PackResult {
  readonly outcomes: ReadonlyMap<string, PackOutcome>;
  /** By group, then VRID. */
  readonly routers: readonly PackedRouter[];
}

interface Router {
  readonly vrid: number;
  readonly members: string[];
  readonly load: Record<Family, number>;
}

interface GroupState {
  readonly group: PackGroup;
  readonly at: Indexed;
  readonly routers: Map<number, Router>;
}

export function pack(
  oldestFirst: readonly PackMember[],
  groups: readonly PackGroup[],
  reserved: Iterable<VridReservation> = [],
): PackResult {
  const index = new NodeIndex();
  const holders = new Holders();
  const held = new Holders();
  for (const r of reserved) held.add(r.vrid, r.families, { name: "", at: index.indexed(r) });
  const states = new Map<string, GroupState>(groups.map((g) => [g.key, { group: g, at: index.indexed(g.scope), routers: new Map() }]));
  const outcomes = new Map<string, PackOutcome>();

  const fits = (router: Router, g: PackGroup, m: PackMember) =>
    g.families.every((f) => router.load[f] + (m.counts[f] ?? 0) <= g.capacity[f]);
  const join = (router: Router, m: PackMember, source: "spec" | "status" | "allocated") => {
    router.members.push(m.name);
    for (const f of [4, 6] as const) router.load[f] += m.counts[f] ?? 0;
    outcomes.set(m.name, { kind: "assigned", vrid: router.vrid, source });
  };
  const open = (s: GroupState, vrid: number, m: PackMember): Router => {
    holders.add(vrid, s.group.families, { name: m.name, at: s.at });
    const router: Router = { vrid, members: [], load: { 4: 0, 6: 0 } };
    s.routers.set(vrid, router);
    return router;
  };
  const free = (s: GroupState, vrid: number) =>
    held.conflicting(vrid, s.group.families, s.at) === undefined && holders.conflicting(vrid, s.group.families, s.at) === undefined;
  const lowestFree = (s: GroupState): number | undefined => {
    for (let vrid = VRID_MIN; vrid <= VRID_MAX; vrid++) if (free(s, vrid)) return vrid;
    return undefined;
  };

  const waiting: Array<{ m: PackMember; s: GroupState }> = [];
  for (const m of oldestFirst) {
    const s = states.get(m.group);
    if (s === undefined) throw new Error(`member ${m.name} names unknown group ${m.group}`);
    const wanted = m.specVrid ?? (m.statusVrid !== undefined && valid(m.statusVrid) ? m.statusVrid : undefined);
    if (wanted === undefined) {
      waiting.push({ m, s });
      continue;
    }
    const source = m.specVrid !== undefined ? "spec" : "status";
    const existing = s.routers.get(wanted);
    if (existing !== undefined) {
      if (fits(existing, s.group, m)) join(existing, m, source);
      else waiting.push({ m, s });
      continue;
    }
    const conflict = holders.conflicting(wanted, s.group.families, s.at);
    if (conflict === undefined) join(open(s, wanted, m), m, source);
    else if (m.specVrid !== undefined) outcomes.set(m.name, { kind: "taken", vrid: wanted, ...conflict });
    else waiting.push({ m, s });
  }

  for (const { m, s } of waiting) {
    const roomy = [...s.routers.values()].filter((r) => fits(r, s.group, m));
    const leastLoaded = roomy.sort((a, b) => a.members.length - b.members.length || a.vrid - b.vrid)[0];
    let router: Router | undefined;
    if (s.routers.size < s.group.spread || leastLoaded === undefined) {
      const vrid = lowestFree(s);
      router = vrid !== undefined ? open(s, vrid, m) : leastLoaded;
    } else router = leastLoaded;
    if (router === undefined) outcomes.set(m.name, { kind: "exhausted" });
    else join(router, m, "allocated");
  }

  const routers: PackedRouter[] = [];
  for (const s of [...states.values()].sort((a, b) => (a.group.key < b.group.key ? -1 : a.group.key > b.group.key ? 1 : 0))) {
    for (const r of [...s.routers.values()].sort((a, b) => a.vrid - b.vrid)) {
      if (r.members.length > 0) routers.push({ group: s.group.key, vrid: r.vrid, members: r.members });
    }
  }
  return { outcomes, routers };
}
