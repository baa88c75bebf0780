/**
 * Node priorities of one VirtualIP (the same for its IPv4 and IPv6 routers):
 *
 * - `priorities`: as given; selected nodes not listed follow in rendezvous
 *   order on the scale below the lowest listed value;
 * - `preferredNodes`: the n-th listed node (counting from 0) gets scale(n),
 *   i.e. 250, 240, ...; selected nodes not listed follow in rendezvous order;
 * - otherwise every selected node in rendezvous order: 250, 240, ... 10, 9 ... 1.
 *
 * Listed nodes keep their place on the scale when others are missing, so one
 * node going away does not change anyone else's priority. With
 * releaseOnCordon, unschedulable nodes get priority 1 (they lose mastership
 * to any other node when preempt is on).
 *
 * `first` (the router's master: kept from the status or placed where
 * masters are fewest, masters.ts) goes ahead of the rendezvous order, so a
 * node that joins never outranks the master and preempts it.
 */
import type { NodeSummary } from "../api/types.js";
import type { Placement } from "../api/virtualip-config.js";
import { rendezvousOrder } from "./hash.js";
import { compareNames } from "./age.js";

export const TOP_PRIORITY = 250;
const STEP = 10;
const STEPS = (TOP_PRIORITY - STEP) / STEP + 1; // 250 .. 10: 25 values

/** 250, 240, ... 10 for positions 0..24, then 9, 8, ... 1, then 1. */
export function scale(position: number): number {
  if (position < STEPS) return TOP_PRIORITY - STEP * position;
  return Math.max(1, STEP - 1 - (position - STEPS));
}

/** The first position whose scale value is below `limit` (the scale's end when none is). */
export function firstPositionBelow(limit: number): number {
  let position = 0;
  while (scale(position) >= limit && scale(position) > 1) position++;
  return position;
}

export interface PriorityOptions {
  /** The VirtualIP's name: the rendezvous key. */
  readonly key: string;
  readonly placement: Placement;
  readonly releaseOnCordon: boolean;
  /** A node to put first in the rendezvous order (ignored when not selected or placed by name). */
  readonly first?: string | undefined;
}

/** Priority of every selected node. */
export function assignPriorities(selected: readonly NodeSummary[], options: PriorityOptions): Record<string, number> {
  const names = selected.map((n) => n.name).sort(compareNames);
  const out = new Map<string, number>();
  const { placement } = options;
  let nextPosition = 0;
  if (placement.kind === "priorities") {
    for (const name of names) {
      const value = placement.priorities[name];
      if (value !== undefined) out.set(name, value);
    }
    nextPosition = firstPositionBelow(Math.min(...Object.values(placement.priorities)));
  } else if (placement.kind === "preferred") {
    placement.nodes.forEach((name, position) => {
      if (names.includes(name)) out.set(name, scale(position));
    });
    nextPosition = placement.nodes.length;
  }
  const rest = rendezvousOrder(
    options.key,
    names.filter((name) => !out.has(name)),
  );
  const first = options.first === undefined ? -1 : rest.indexOf(options.first);
  if (first > 0) rest.unshift(...rest.splice(first, 1));
  rest.forEach((name, i) => out.set(name, scale(nextPosition + i)));
  if (options.releaseOnCordon) {
    for (const node of selected) if (node.unschedulable) out.set(node.name, 1);
  }
  const record: Record<string, number> = {};
  for (const name of names) record[name] = out.get(name)!;
  return record;
}
