/**
 * A virtual router as the rest of the agent sees it (notify, state records,
 * sync groups, the status): its transitions with their causes, its snapshot,
 * and the conditions besides the protocol that move it (fault causes, hold
 * causes, the tracked checks' last change).
 */
import type { Conflict } from "../conflict/types.js";
import type { Phase, RouterAction, TransitionReason } from "../vrrp/state-machine.js";

export interface Transition {
  readonly instance: string;
  readonly from: Phase;
  readonly to: Phase;
  readonly reason: TransitionReason;
  readonly priority: number;
  readonly masterAddress?: string;
  /** Monotonic time of the transition. */
  readonly at: number;
  /** Why, beyond the protocol's `reason`: to FAULT, its causes; to BACKUP, the health change that led there (if any). */
  readonly cause?: TransitionCause;
}

/**
 * `fault`: the causes holding as it entered FAULT, with the tracked checks'
 * change when `health` is one of them ("FAULT after interface eth1 down (FAULT)");
 * `health`: the last change of its tracked checks (priority moved, fault cleared).
 */
export type TransitionCause =
  | { readonly kind: "fault"; readonly faults: readonly FaultCause[]; readonly health?: string }
  | { readonly kind: "health"; readonly health: string };

/** The cause a transition to `to` carries, given the fault causes holding and the last health change's description. */
export function transitionCause(to: Phase, faults: readonly FaultCause[], health: string | undefined): TransitionCause | undefined {
  if (to === "fault") return { kind: "fault", faults, ...(health !== undefined && faults.includes("health") ? { health } : {}) };
  if (to === "backup" && health !== undefined) return { kind: "health", health };
  return undefined;
}

const FAULT_TEXT: Readonly<Record<FaultCause, string>> = {
  health: "a tracked check failed",
  interface: "its interface is down or gone",
  "source-address": "its source address is gone",
  address: "a virtual address could not be added again",
  "sync-group": "its sync group is in FAULT",
};

/** One line for logs, state records and Events: the health change's own words, else the fault causes. */
export function describeCause(cause: TransitionCause): string {
  if (cause.kind === "health") return cause.health;
  return cause.health ?? `FAULT: ${cause.faults.map((f) => FAULT_TEXT[f]).join(", ")}`;
}

/**
 * Why a router is in FAULT; it recovers once none is left. `health`: its
 * tracked scripts, files and interfaces (the supervisor); the others come
 * from the kernel (the Agent): its interface down or gone, the socket's
 * source address gone, a virtual address that could not be put back.
 */
export type FaultCause = "health" | "interface" | "source-address" | "address" | "sync-group";

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
