/**
 * Foreign VRRP speakers on our VRID (pure): adverts the receive checks drop
 * because their address list, version, password or interval differ from
 * ours (another group or cluster on the segment), or because they come from
 * an address outside the configured unicast peers.
 *
 * One entry per source address. A source becomes a conflict once its
 * adverts have kept coming for `settleMs` (a config rollout, where nodes
 * switch address lists or peer lists a moment apart, is not one), and stops
 * being one after `holdMs` without an advert. At most `maxSources` sources
 * are tracked, so spoofed floods cannot grow memory.
 */
import type { Conflict, ForeignMismatch } from "./types.js";

export interface ForeignParams {
  /** Our own advert interval (to size settle and hold times). */
  readonly ownIntervalMs: number;
  readonly maxSources: number;
}

export interface ForeignAdvert {
  readonly source: string;
  readonly why: "unknown-peer" | ForeignMismatch;
  /** The addresses and interval the advert carries. */
  readonly addresses: readonly string[];
  readonly intervalMs: number;
}

interface Entry {
  readonly advert: ForeignAdvert;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly holdMs: number;
  readonly settleMs: number;
  /** Set once it counts as a conflict. */
  readonly conflict?: Conflict;
}

export type ForeignState = ReadonlyMap<string, Entry>;
export const NO_FOREIGN: ForeignState = new Map();

export interface ForeignStep {
  readonly state: ForeignState;
  readonly started: readonly Conflict[];
  readonly ended: readonly Conflict[];
  /** When the next entry expires; undefined = none tracked. */
  readonly wakeAt: number | undefined;
}

/** Settle and hold times from the larger of the two intervals (the foreign one may be anything). */
export function timesFor(params: ForeignParams, theirIntervalMs: number): { settleMs: number; holdMs: number } {
  const gap = Math.max(params.ownIntervalMs, theirIntervalMs, 10);
  return { settleMs: Math.max(3000, 2 * gap), holdMs: 3 * gap + 1000 };
}

export function noteForeignAdvert(params: ForeignParams, state: ForeignState, advert: ForeignAdvert, now: number): ForeignStep {
  const expired = expireForeign(state, now);
  const map = new Map(expired.state);
  const before = map.get(advert.source);
  if (before === undefined && map.size >= params.maxSources) return { ...expired, started: [] };
  const times = timesFor(params, advert.intervalMs);
  const entry: Entry =
    before === undefined ? { advert, firstSeen: now, lastSeen: now, ...times } : { ...before, advert, lastSeen: now, ...times };
  const started: Conflict[] = [];
  let next = entry;
  if (entry.conflict === undefined && now - entry.firstSeen >= entry.settleMs) {
    const conflict = toConflict(advert, entry.firstSeen);
    started.push(conflict);
    next = { ...entry, conflict };
  }
  map.set(advert.source, next);
  return { state: map, started, ended: expired.ended, wakeAt: earliest(map) };
}

/** Drops sources not heard from for their hold time. */
export function expireForeign(state: ForeignState, now: number): ForeignStep {
  let map: Map<string, Entry> | undefined;
  const ended: Conflict[] = [];
  for (const [source, entry] of state) {
    if (now - entry.lastSeen < entry.holdMs) continue;
    map ??= new Map(state);
    map.delete(source);
    if (entry.conflict !== undefined) ended.push(entry.conflict);
  }
  const result = map ?? state;
  return { state: result, started: [], ended, wakeAt: earliest(result) };
}

export function foreignConflicts(state: ForeignState): Conflict[] {
  return [...state.values()].flatMap((e) => (e.conflict !== undefined ? [e.conflict] : []));
}

function toConflict(advert: ForeignAdvert, since: number): Conflict {
  return advert.why === "unknown-peer"
    ? { kind: "unknown-peer", source: advert.source, since }
    : { kind: "foreign-vrrp", source: advert.source, mismatch: advert.why, addresses: advert.addresses, since };
}

function earliest(state: ForeignState): number | undefined {
  let at: number | undefined;
  for (const e of state.values()) at = at === undefined ? e.lastSeen + e.holdMs : Math.min(at, e.lastSeen + e.holdMs);
  return at;
}
