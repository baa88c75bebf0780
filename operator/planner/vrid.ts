/**
 * Virtual router IDs, unique cluster-wide per address family (the controller
 * does not know the segments, so it is conservative). A dual-stack VirtualIP
 * uses one VRID in both families.
 *
 * Candidates come oldest first. Pass 1 takes what is asked for: a spec VRID
 * is a hard claim (if an older VirtualIP holds it, this one gets vrid-taken
 * and is not rendered); a status VRID is kept when still free (if an older
 * one now holds it, this one is moved). Pass 2 gives the rest the lowest VRID
 * free in all their families and not reserved. So a VirtualIP keeping its
 * status VRID never loses it to a newer one, and VRIDs change only when
 * someone asks for them in a spec.
 */
import type { Family } from "../../agent/config/types.js";
import { VRID_MAX, VRID_MIN } from "../api/limits.js";

export interface VridCandidate {
  readonly name: string;
  readonly families: readonly Family[];
  readonly specVrid?: number | undefined;
  readonly statusVrid?: number | undefined;
}

export type VridOutcome =
  | { readonly kind: "assigned"; readonly vrid: number; readonly source: "spec" | "status" | "allocated" }
  | { readonly kind: "taken"; readonly vrid: number; readonly family: Family; readonly other: string }
  | { readonly kind: "exhausted" };

export interface VridOptions {
  /** VRIDs not handed out by pass 2 (status VRIDs of VirtualIPs that are invalid or in conflict now). */
  readonly reserved?: Iterable<number>;
}

export function allocateVrids(oldestFirst: readonly VridCandidate[], options: VridOptions = {}): Map<string, VridOutcome> {
  const holders: Record<Family, Map<number, string>> = { 4: new Map(), 6: new Map() };
  const reserved = new Set(options.reserved ?? []);
  const outcomes = new Map<string, VridOutcome>();
  const holderOf = (vrid: number, families: readonly Family[]) => {
    for (const family of families) {
      const other = holders[family].get(vrid);
      if (other !== undefined) return { family, other };
    }
    return undefined;
  };
  const claim = (c: VridCandidate, vrid: number, source: "spec" | "status" | "allocated") => {
    for (const family of c.families) holders[family].set(vrid, c.name);
    outcomes.set(c.name, { kind: "assigned", vrid, source });
  };
  const pending: VridCandidate[] = [];
  for (const c of oldestFirst) {
    if (c.specVrid !== undefined) {
      const held = holderOf(c.specVrid, c.families);
      if (held !== undefined) outcomes.set(c.name, { kind: "taken", vrid: c.specVrid, ...held });
      else claim(c, c.specVrid, "spec");
    } else if (c.statusVrid !== undefined && valid(c.statusVrid) && holderOf(c.statusVrid, c.families) === undefined) {
      claim(c, c.statusVrid, "status");
    } else {
      pending.push(c);
    }
  }
  for (const c of pending) {
    let vrid = VRID_MIN;
    while (vrid <= VRID_MAX && (reserved.has(vrid) || holderOf(vrid, c.families) !== undefined)) vrid++;
    if (vrid > VRID_MAX) outcomes.set(c.name, { kind: "exhausted" });
    else claim(c, vrid, "allocated");
  }
  return outcomes;
}

function valid(vrid: number): boolean {
  return Number.isInteger(vrid) && vrid >= VRID_MIN && vrid <= VRID_MAX;
}
