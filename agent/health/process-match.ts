/**
 * keepalived vrrp_track_process as pure functions: which running processes
 * a tracked process matches, and whether its quorum is met once the fork /
 * terminate delays have passed.
 *
 * Matching (keepalived track_process.c): the name is compared exactly (no
 * pattern, unlike pgrep) with the process's comm, or with its argv[0] when
 * fullCommand; arguments, when given, with argv[1..]: exact, partial (these
 * first, more may follow) or initial (as partial, and the last one may be
 * longer). Zombies never count.
 */
import type { TrackProcessConfig } from "../config/types.js";
import type { ProcessInfo } from "../os/ports.js";

export type { ProcessInfo };

export function matches(t: TrackProcessConfig, p: ProcessInfo): boolean {
  if (p.zombie) return false;
  const name = t.fullCommand ? p.argv[0] : p.comm;
  if (name !== t.process) return false;
  if (t.args === undefined) return true;
  const actual = p.argv.slice(1);
  const want = t.args;
  switch (t.argsMatch) {
    case "exact":
      return actual.length === want.length && want.every((a, i) => actual[i] === a);
    case "partial":
      return actual.length >= want.length && want.every((a, i) => actual[i] === a);
    case "initial": {
      if (actual.length < want.length) return false;
      const last = want.length - 1;
      return want.every((a, i) => (i === last ? actual[i]!.startsWith(a) : actual[i] === a));
    }
  }
}

export function countMatching(t: TrackProcessConfig, processes: readonly ProcessInfo[]): number {
  let n = 0;
  for (const p of processes) if (matches(t, p)) n++;
  return n;
}

export const quorumMet = (t: TrackProcessConfig, count: number): boolean =>
  count >= t.quorum && (t.quorumMax === undefined || count <= t.quorumMax);

/** What a tracked process counts as: `up` once known; a change of the raw quorum waits out its delay in `since`. */
export interface QuorumState {
  readonly up: boolean | undefined;
  /** The raw quorum differs from `up` since then (undefined: it does not). */
  readonly changedAt: number | undefined;
}

export const UNKNOWN_QUORUM: QuorumState = { up: undefined, changedAt: undefined };

/**
 * The first observation decides at once; afterwards gaining the quorum
 * counts after forkDelay, losing it after terminateDelay (a restart within
 * the delay changes nothing).
 */
export function stepQuorum(t: TrackProcessConfig, state: QuorumState, count: number, now: number): QuorumState {
  const met = quorumMet(t, count);
  if (state.up === undefined || met === state.up) return { up: state.up ?? met, changedAt: undefined };
  const since = state.changedAt ?? now;
  const delay = met ? t.forkDelayMs : t.terminateDelayMs;
  return now - since >= delay ? { up: met, changedAt: undefined } : { up: state.up, changedAt: since };
}
