/**
 * A virtual router's transitions as the rest of the agent sees them (notify,
 * state records, sync groups, the status), and the conditions that move it
 * besides the protocol: fault causes and hold causes.
 */
import type { Phase, TransitionReason } from "../vrrp/state-machine.js";

export interface Transition {
  readonly instance: string;
  readonly from: Phase;
  readonly to: Phase;
  readonly reason: TransitionReason;
  readonly priority: number;
  readonly masterAddress?: string;
  /** Monotonic time of the transition. */
  readonly at: number;
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
