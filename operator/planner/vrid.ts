/**
 * Virtual router IDs, unique where VRRP needs them to be: per interface and
 * address family (RFC 5798 §5.2.3; a receiver tells routers apart by VRID
 * alone), and, for multicast adverts, per L2 segment. The controller knows
 * neither the interfaces the agents pick nor the segments, so it is
 * conservative only there. Two VirtualIPs sharing an address family must use
 * different VRIDs when they
 *   - may run on a common node (their selected node sets overlap), unless
 *     both name an interface and the names differ; or
 *   - either of them uses multicast: its adverts reach every router on the
 *     segment, and the segment may span every node, so its VRID is taken in
 *     the whole cluster for that family.
 * VirtualIPs on disjoint node sets (unicast) may share a VRID, so 255 per
 * family is a limit per node (and per multicast segment), not per cluster.
 * A dual-stack VirtualIP uses one VRID in both families.
 *
 * Candidates come oldest first. Pass 1 takes what is asked for: a spec VRID
 * is a hard claim (if an older conflicting VirtualIP holds it, this one gets
 * vrid-taken and is not rendered); a status VRID is kept when still free (if
 * an older conflicting one now holds it, this one is moved). Pass 2 gives the
 * rest the lowest VRID free among the VirtualIPs they conflict with and not
 * reserved for them. So a VirtualIP keeping its status VRID never loses it to
 * a newer one; a VRID changes only when a spec asks for it or when two node
 * sets come to overlap (the newer VirtualIP moves).
 */
import type { Family } from "../../agent/config/types.js";
import { VRID_MAX, VRID_MIN } from "../api/limits.js";

/** Where a VirtualIP's routers may run, as far as VRID uniqueness goes. */
export interface VridScope {
  /** Names of the nodes it may run on (its selected nodes); "all" when unknown. */
  readonly nodes: ReadonlySet<string> | "all";
  /** The interface it names, if any (unnamed: the agent picks one, so any). */
  readonly interface?: string | undefined;
  /** Multicast adverts: the VRID is taken segment-wide, i.e. in the whole cluster. */
  readonly multicast: boolean;
}

export interface VridCandidate extends VridScope {
  readonly name: string;
  readonly families: readonly Family[];
  readonly specVrid?: number | undefined;
  readonly statusVrid?: number | undefined;
}

/** A VRID held back from pass 2 (the status VRID of a VirtualIP that is invalid or in conflict now). */
export interface VridReservation extends VridScope {
  readonly vrid: number;
  readonly families: readonly Family[];
}

export type VridOutcome =
  | { readonly kind: "assigned"; readonly vrid: number; readonly source: "spec" | "status" | "allocated" }
  | { readonly kind: "taken"; readonly vrid: number; readonly family: Family; readonly other: string }
  | { readonly kind: "exhausted" };

export interface VridOptions {
  readonly reserved?: Iterable<VridReservation>;
}

/** Whether two scopes may put routers of one family and VRID where they meet. */
export function scopesConflict(a: VridScope, b: VridScope): boolean {
  if (a.multicast || b.multicast) return true;
  if (a.interface !== undefined && b.interface !== undefined && a.interface !== b.interface) return false;
  return nodesOverlap(a.nodes, b.nodes);
}

function nodesOverlap(a: ReadonlySet<string> | "all", b: ReadonlySet<string> | "all"): boolean {
  if (a === "all") return b === "all" || b.size > 0;
  if (b === "all") return a.size > 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const node of small) if (large.has(node)) return true;
  return false;
}

/**
 * A scope with its node set as a bitset over the node names of one
 * allocation (the pairwise overlap test is the inner loop: 1,000 VirtualIPs
 * meet up to a few dozen holders of each VRID they try).
 */
export interface Indexed {
  readonly scope: VridScope;
  /** undefined: every node. */
  readonly bits: Uint32Array | undefined;
}

export class NodeIndex {
  private readonly index = new Map<string, number>();
  /** By set identity: VirtualIPs with one nodeSelector share their set. */
  private readonly sets = new Map<ReadonlySet<string>, Uint32Array>();
  indexed(scope: VridScope): Indexed {
    if (scope.nodes === "all") return { scope, bits: undefined };
    let bits = this.sets.get(scope.nodes);
    if (bits === undefined) this.sets.set(scope.nodes, (bits = this.bits(scope.nodes)));
    return { scope, bits };
  }
  private bits(nodes: ReadonlySet<string>): Uint32Array {
    const positions = [...nodes].map((node) => {
      let i = this.index.get(node);
      if (i === undefined) this.index.set(node, (i = this.index.size));
      return i;
    });
    const bits = new Uint32Array((Math.max(-1, ...positions) >> 5) + 1);
    for (const i of positions) bits[i >> 5]! |= 1 << (i & 31);
    return bits;
  }
}

/** scopesConflict over indexed scopes. */
function conflict(a: Indexed, b: Indexed): boolean {
  if (a.scope.multicast || b.scope.multicast) return true;
  if (a.scope.interface !== undefined && b.scope.interface !== undefined && a.scope.interface !== b.scope.interface) return false;
  if (a.bits === undefined || b.bits === undefined) return nodesOverlap(a.scope.nodes, b.scope.nodes);
  const n = Math.min(a.bits.length, b.bits.length);
  for (let i = 0; i < n; i++) if ((a.bits[i]! & b.bits[i]!) !== 0) return true;
  return false;
}

interface Holder {
  readonly name: string;
  readonly at: Indexed;
}

/** Who holds which VRID, per family; a VRID may have several holders that do not conflict. */
export class Holders {
  private readonly byFamily: Record<Family, Map<number, Holder[]>> = { 4: new Map(), 6: new Map() };

  /** The first holder of `vrid` that conflicts with `at` in one of `families`. */
  conflicting(vrid: number, families: readonly Family[], at: Indexed): { family: Family; other: string } | undefined {
    for (const family of families) {
      for (const holder of this.byFamily[family].get(vrid) ?? []) {
        if (conflict(holder.at, at)) return { family, other: holder.name };
      }
    }
    return undefined;
  }

  add(vrid: number, families: readonly Family[], holder: Holder): void {
    for (const family of families) {
      const list = this.byFamily[family].get(vrid);
      if (list === undefined) this.byFamily[family].set(vrid, [holder]);
      else list.push(holder);
    }
  }
}

export function allocateVrids(oldestFirst: readonly VridCandidate[], options: VridOptions = {}): Map<string, VridOutcome> {
  const nodes = new NodeIndex();
  const holders = new Holders();
  const reserved = new Holders();
  for (const r of options.reserved ?? []) reserved.add(r.vrid, r.families, { name: "", at: nodes.indexed(r) });
  const outcomes = new Map<string, VridOutcome>();
  const claim = (c: VridCandidate, at: Indexed, vrid: number, source: "spec" | "status" | "allocated") => {
    holders.add(vrid, c.families, { name: c.name, at });
    outcomes.set(c.name, { kind: "assigned", vrid, source });
  };
  const pending: Array<{ c: VridCandidate; at: Indexed }> = [];
  for (const c of oldestFirst) {
    const at = nodes.indexed(c);
    if (c.specVrid !== undefined) {
      const held = holders.conflicting(c.specVrid, c.families, at);
      if (held !== undefined) outcomes.set(c.name, { kind: "taken", vrid: c.specVrid, ...held });
      else claim(c, at, c.specVrid, "spec");
    } else if (c.statusVrid !== undefined && valid(c.statusVrid) && holders.conflicting(c.statusVrid, c.families, at) === undefined) {
      claim(c, at, c.statusVrid, "status");
    } else {
      pending.push({ c, at });
    }
  }
  for (const { c, at } of pending) {
    let vrid = VRID_MIN;
    while (
      vrid <= VRID_MAX &&
      (reserved.conflicting(vrid, c.families, at) !== undefined || holders.conflicting(vrid, c.families, at) !== undefined)
    )
      vrid++;
    if (vrid > VRID_MAX) outcomes.set(c.name, { kind: "exhausted" });
    else claim(c, at, vrid, "allocated");
  }
  return outcomes;
}

export function valid(vrid: number): boolean {
  return Number.isInteger(vrid) && vrid >= VRID_MIN && vrid <= VRID_MAX;
}
