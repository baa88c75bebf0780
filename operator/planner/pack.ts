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
 *           router with that VRID, full or not, else open it if the VRID
 *           is free in the group's scope; otherwise the member waits;
 *   pass 2  each waiting member: while the group has fewer routers than its
 *           `spread`, a new router on the lowest free VRID (masters spread
 *           over the nodes); else the least-loaded router with room (lowest
 *           VRID on a tie); else it overflows onto the least-loaded router;
 *           a group with no router and no free VRID: `exhausted`.
 *
 * Overflow. One advert carries at most `capacity[family]` addresses (the
 * 8-bit count, and the MTU; see ADVERT_CAPACITY). A router's addresses, in
 * member order, fill its advert up to that; the rest ride along as the
 * instance's `excludedAddresses` (keepalived's virtual_ipaddress_excluded):
 * held by the master and moved with it like the others, only not listed in
 * the adverts (splitAdvert). A full group overflows rather than take another
 * VRID: VRIDs are 255 per node and family, shared by every group that meets
 * there, and `spread` routers already give every node (up to 32) a master
 * to carry; more routers would add adverts, not balance. So one group never
 * exhausts the VRIDs, however many Services it has.
 *
 * Stability of the split: members keep their order (oldest first), so a new
 * member lands at the end of a router's list (in the advert if it has room,
 * else excluded) and moves nobody; a removed one lets the next addresses
 * move up from the excluded list into the advert of the same router. The
 * agent changes that in place: an address that moves between the two lists
 * stays on the master (agent/config/instance-changes.ts).
 */
import type { Family } from "../../agent/config/types.js";
import { VRID_MAX, VRID_MIN } from "../api/limits.js";
import { Holders, NodeIndex, valid, type Indexed, type VridReservation, type VridScope } from "./vrid.js";

/**
 * Addresses one advert carries, whatever the interface's MTU: the planner
 * does not know the MTU (a VRRPNode's status names the node's interfaces
 * only). IPv4: the count field is 8 bits (RFC 5798 §5.2.5, RFC 3768
 * §5.3.5), and 255 addresses make a 20 + 8 + 1020 byte packet (+ 8 for a
 * VRRPv2 password): any link with an MTU of 1056 or more. IPv6: 77 is what
 * fits IPv6's minimum link MTU of 1280 (1280 - 40 - 8 = 1232 bytes, 16 per
 * address), so no advert is ever fragmented; at 1500 there would be room
 * for 90, but the addresses beyond 77 lose nothing by riding excluded.
 */
export const ADVERT_CAPACITY: Readonly<Record<Family, number>> = { 4: 255, 6: 77 };

/** A router's addresses of one family, in member order: the first `capacity` go in the advert, the rest are excluded. */
export function splitAdvert<T>(addresses: readonly T[], capacity: number): { readonly advertised: T[]; readonly excluded: T[] } {
  return { advertised: addresses.slice(0, capacity), excluded: addresses.slice(capacity) };
}

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
  /** In the order their addresses fill the advert (splitAdvert): pass 1 oldest first, then pass 2 oldest first. */
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
      // Full or not: beyond the advert's room it rides excluded on the same router, and keeps its master.
      join(existing, m, source);
      continue;
    }
    const conflict = holders.conflicting(wanted, s.group.families, s.at);
    if (conflict === undefined) join(open(s, wanted, m), m, source);
    else if (m.specVrid !== undefined) outcomes.set(m.name, { kind: "taken", vrid: wanted, ...conflict });
    else waiting.push({ m, s });
  }

  const leastLoaded = (routers: Iterable<Router>) => [...routers].sort((a, b) => a.members.length - b.members.length || a.vrid - b.vrid)[0];
  for (const { m, s } of waiting) {
    const roomy = leastLoaded([...s.routers.values()].filter((r) => fits(r, s.group, m)));
    let router: Router | undefined;
    if (s.routers.size < s.group.spread) {
      const vrid = lowestFree(s);
      if (vrid !== undefined) router = open(s, vrid, m);
    }
    router ??= roomy ?? leastLoaded(s.routers.values());
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
