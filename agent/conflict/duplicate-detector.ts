/**
 * Duplicate-address detection for the addresses a master holds (pure).
 *
 * Probes (an RFC 5227 §2.1.1 ARP probe: sender IP 0.0.0.0; an RFC 4862
 * §5.4.2 neighbour solicitation from :: to the solicited-node group) go out
 * at takeover, in parallel with taking the address (failover never waits for
 * them), and every `probeIntervalMs` while master. A *claim* is an ARP
 * packet or neighbour advertisement that says another MAC has the address.
 *
 * A claim alone is only a suspicion: right after a takeover the old master
 * may still answer for a few milliseconds, and a peer that preempts us sends
 * its gratuitous ARP around the advert that makes us backup. So a suspicion
 * is confirmed by a second probe `confirmDelayMs` later (longer than a VRRP
 * peer needs to yield); a claim after that probe makes it a conflict. A
 * conflict ends when a later probe draws no claim within `answerWindowMs`,
 * or when we stop being master (we no longer hold the address).
 *
 *   not master ──became-master──▶ watching (probe every address)
 *   watching ──claim──▶ suspect ──confirmAt: probe──▶ suspect(probed)
 *   suspect(probed) ──claim──▶ conflict (detected)   ──window, no claim──▶ watching
 *   conflict ──probe, window without claim──▶ watching (resolved)
 *   any ──left-master──▶ not master (conflicts resolved)
 */

export interface DuplicateParams {
  /** Period of probes while master; 0 = only at takeover (and to confirm). */
  readonly probeIntervalMs: number;
  /** Delay from a first claim to the probe that confirms it. */
  readonly confirmDelayMs: number;
  /** How long after a probe an answer still counts. */
  readonly answerWindowMs: number;
}

interface Suspect {
  readonly mac: string;
  readonly confirmAt: number;
  /** Set once the confirming probe went out. */
  readonly probedAt?: number;
}

interface Held {
  readonly mac: string;
  readonly since: number;
  readonly lastSeen: number;
  /** A probe is checking whether it still answers. */
  readonly probedAt?: number;
}

interface AddressState {
  readonly suspect?: Suspect;
  readonly conflict?: Held;
}

export type DuplicateState =
  | { readonly master: false }
  | { readonly master: true; readonly nextProbeAt: number | undefined; readonly addresses: ReadonlyMap<string, AddressState> };

export type DuplicateEvent =
  | { readonly type: "became-master" }
  | { readonly type: "left-master" }
  /** Another MAC said it has `address` (our own MAC is filtered out before). */
  | { readonly type: "claim"; readonly address: string; readonly mac: string }
  /** A wake-up asked for by an earlier step. */
  | { readonly type: "tick" };

export type DuplicateAction =
  | { readonly type: "probe"; readonly address: string }
  | { readonly type: "suspected"; readonly address: string; readonly mac: string }
  | { readonly type: "detected"; readonly address: string; readonly mac: string; readonly since: number }
  | { readonly type: "resolved"; readonly address: string; readonly mac: string; readonly why: "no-answer" | "not-master" };

export interface DuplicateStep {
  readonly state: DuplicateState;
  readonly actions: readonly DuplicateAction[];
  /** When to deliver the next tick; undefined = nothing scheduled. */
  readonly wakeAt: number | undefined;
}

export const NOT_MASTER: DuplicateState = { master: false };

/** Current conflicts, for status and /state. */
export function duplicateConflicts(state: DuplicateState): { address: string; mac: string; since: number }[] {
  if (!state.master) return [];
  return [...state.addresses]
    .filter(([, s]) => s.conflict !== undefined)
    .map(([address, s]) => ({ address, mac: s.conflict!.mac, since: s.conflict!.since }));
}

export function stepDuplicate(
  params: DuplicateParams,
  addresses: readonly string[],
  state: DuplicateState,
  event: DuplicateEvent,
  now: number,
): DuplicateStep {
  switch (event.type) {
    case "became-master": {
      const next: DuplicateState = { master: true, nextProbeAt: periodic(params, now), addresses: new Map() };
      return finish(
        params,
        next,
        addresses.map((address) => ({ type: "probe", address })),
      );
    }
    case "left-master": {
      const actions: DuplicateAction[] = [];
      if (state.master) {
        for (const [address, s] of state.addresses) {
          if (s.conflict !== undefined) actions.push({ type: "resolved", address, mac: s.conflict.mac, why: "not-master" });
        }
      }
      return { state: NOT_MASTER, actions, wakeAt: undefined };
    }
    case "claim": {
      if (!state.master || !addresses.includes(event.address)) return finish(params, state, []);
      const map = new Map(state.addresses);
      const before = map.get(event.address) ?? {};
      const actions: DuplicateAction[] = [];
      let after: AddressState;
      if (before.conflict !== undefined) {
        after = { conflict: { ...before.conflict, mac: event.mac, lastSeen: now } };
      } else if (before.suspect?.probedAt !== undefined && now >= before.suspect.probedAt) {
        after = { conflict: { mac: event.mac, since: now, lastSeen: now } };
        actions.push({ type: "detected", address: event.address, mac: event.mac, since: now });
      } else if (before.suspect !== undefined) {
        after = { suspect: { ...before.suspect, mac: event.mac } };
      } else {
        after = { suspect: { mac: event.mac, confirmAt: now + params.confirmDelayMs } };
        actions.push({ type: "suspected", address: event.address, mac: event.mac });
      }
      map.set(event.address, after);
      return finish(params, { ...state, addresses: map }, actions);
    }
    case "tick":
      return state.master ? tick(params, addresses, state, now) : { state, actions: [], wakeAt: undefined };
  }
}

function tick(
  params: DuplicateParams,
  addresses: readonly string[],
  state: Extract<DuplicateState, { master: true }>,
  now: number,
): DuplicateStep {
  const actions: DuplicateAction[] = [];
  const probed = new Set<string>();
  const probe = (address: string) => {
    if (probed.has(address)) return;
    probed.add(address);
    actions.push({ type: "probe", address });
  };
  const map = new Map<string, AddressState>();
  for (const [address, s] of state.addresses) {
    let next: AddressState = s;
    const suspect = s.suspect;
    if (suspect !== undefined && suspect.probedAt === undefined && suspect.confirmAt <= now) {
      probe(address);
      next = { suspect: { ...suspect, probedAt: now } };
    } else if (suspect?.probedAt !== undefined && suspect.probedAt + params.answerWindowMs <= now) {
      next = {}; // the confirming probe drew no claim: the suspicion goes
    }
    const held = s.conflict;
    if (held?.probedAt !== undefined && held.probedAt + params.answerWindowMs <= now) {
      if (held.lastSeen < held.probedAt) {
        actions.push({ type: "resolved", address, mac: held.mac, why: "no-answer" });
        next = {};
      } else {
        const { probedAt: _done, ...rest } = held;
        next = { conflict: rest };
      }
    }
    if (next.suspect !== undefined || next.conflict !== undefined) map.set(address, next);
  }
  let nextProbeAt = state.nextProbeAt;
  if (nextProbeAt !== undefined && nextProbeAt <= now) {
    for (const address of addresses) {
      probe(address);
      const held = map.get(address)?.conflict;
      if (held !== undefined && held.probedAt === undefined) map.set(address, { conflict: { ...held, probedAt: now } });
    }
    nextProbeAt = periodic(params, now);
  }
  return finish(params, { master: true, nextProbeAt, addresses: map }, actions);
}

function periodic(params: DuplicateParams, now: number): number | undefined {
  return params.probeIntervalMs > 0 ? now + params.probeIntervalMs : undefined;
}

function finish(params: DuplicateParams, state: DuplicateState, actions: readonly DuplicateAction[]): DuplicateStep {
  if (!state.master) return { state, actions, wakeAt: undefined };
  let wakeAt = state.nextProbeAt;
  const consider = (at: number) => (wakeAt = wakeAt === undefined ? at : Math.min(wakeAt, at));
  for (const s of state.addresses.values()) {
    if (s.suspect !== undefined)
      consider(s.suspect.probedAt === undefined ? s.suspect.confirmAt : s.suspect.probedAt + params.answerWindowMs);
    if (s.conflict?.probedAt !== undefined) consider(s.conflict.probedAt + params.answerWindowMs);
  }
  return { state, actions, wakeAt };
}
