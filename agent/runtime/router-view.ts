/**
 * A virtual router as the rest of the agent sees it besides its transitions
 * (vrrp/transition.ts): its snapshot, how a transition action becomes the
 * reported Transition and its log line, and the conditions besides the
 * protocol that move it (fault causes, hold causes, the tracked checks' last
 * change).
 */
import type { Conflict } from "../conflict/types.js";
import type { Phase, RouterAction } from "../vrrp/state-machine.js";
import { describeCause, transitionCause, type FaultCause, type Transition, type TransitionCause } from "../vrrp/transition.js";

/**
 * Why a backup may not take over by itself (the state machine's `held`):
 * `pending`: a weight-0 check has not reported yet (keepalived waits for it);
 * `sync-group`: its sync group decides when its members go master;
 * `startup-delay`: the agent's startup delay (vrrp_startup_delay) has not passed.
 */
export type HoldCause = "pending" | "sync-group" | "startup-delay";

export interface RouterSnapshot {
  readonly name: string;
  readonly phase: Phase;
  readonly priority: number;
  readonly effectivePriority: number;
  readonly masterAddress: string | undefined;
  readonly since: number;
  /** Conflicts going on now (another MAC for a held address, foreign VRRP on the VRID). */
  readonly conflicts: readonly Conflict[];
}

/** The state machine's transition action as the agent reports it; `at`: monotonic time. */
export function transitionOf(
  instance: string,
  action: Extract<RouterAction, { type: "transition" }>,
  at: { readonly priority: number; readonly at: number; readonly cause: TransitionCause | undefined },
): Transition {
  const { from, to, reason, masterAddress } = action;
  return {
    instance,
    from,
    to,
    reason,
    priority: at.priority,
    at: at.at,
    ...(masterAddress !== undefined ? { masterAddress } : {}),
    ...(at.cause !== undefined ? { cause: at.cause } : {}),
  };
}

/** The fields of a transition's log line. */
export function transitionFields(t: Transition): Record<string, unknown> {
  return {
    from: t.from,
    to: t.to,
    reason: t.reason,
    priority: t.priority,
    ...(t.masterAddress !== undefined ? { master: t.masterAddress } : {}),
    ...(t.cause !== undefined ? { cause: describeCause(t.cause) } : {}),
  };
}

/** What holds a router in FAULT or keeps it from taking over by itself, and why it got there. */
export class RouterConditions {
  private readonly faults = new Set<FaultCause>();
  private readonly holds = new Set<HoldCause>();
  /** The description of the tracked checks' last change (the cause of the transitions it led to). */
  private health: string | undefined;

  /** Whether `cause` changed. */
  setFault(cause: FaultCause, on: boolean): boolean {
    const had = this.faults.has(cause);
    if (on) this.faults.add(cause);
    else this.faults.delete(cause);
    return had !== on;
  }

  /** Any fault cause holds. */
  get inFault(): boolean {
    return this.faults.size > 0;
  }

  /** The new held state when it changed (any hold cause holds), else undefined. */
  setHold(cause: HoldCause, on: boolean): boolean | undefined {
    const before = this.holds.size > 0;
    if (on) this.holds.add(cause);
    else this.holds.delete(cause);
    const after = this.holds.size > 0;
    return before !== after ? after : undefined;
  }

  healthChanged(description: string): void {
    this.health = description;
  }

  faultCauses(): FaultCause[] {
    return [...this.faults];
  }

  /** In FAULT for a cause other than its sync group. */
  ownFault(): boolean {
    return [...this.faults].some((c) => c !== "sync-group");
  }

  /** The cause a transition to `to` carries now. */
  causeOf(to: Phase): TransitionCause | undefined {
    return transitionCause(to, [...this.faults], this.health);
  }
}
