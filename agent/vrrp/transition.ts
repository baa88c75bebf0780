/**
 * A virtual router's change of state as the router reports it (router.ts onTransition) to the
 * notifier, the sync groups, the supervisor and the Kubernetes status: plain data on the core's
 * floor, so the notifier need not import the router. A transition carries its cause (what
 * moved it besides the protocol), so each reader says why in the same words.
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
