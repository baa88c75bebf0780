/**
 * A virtual router's change of state as the router reports it (router.ts onTransition) to the
 * notifier, the sync groups, the supervisor and the Kubernetes status: plain data on the core's
 * floor, so the notifier need not import the router.
 */
import type { Phase, TransitionReason } from "./state-machine.js";

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
