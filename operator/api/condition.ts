/**
 * The status condition helper the controller's aggregation and the load-balancer statuses
 * (lb/pool-status.ts, lb/service-status.ts) share: on the API floor beside the Condition type.
 */
import type { Condition } from "./types.js";

const MAX_MESSAGE = 32768;

/** A metav1.Condition that keeps its lastTransitionTime while its status stays the same. */
export function condition(
  previous: { readonly conditions?: readonly Condition[] } | undefined,
  now: Date,
  generation: number | undefined,
  type: string,
  isTrue: boolean | "Unknown",
  reason: string,
  message: string,
): Condition {
  const status = isTrue === "Unknown" ? "Unknown" : isTrue ? "True" : "False";
  const before = previous?.conditions?.find((c) => c.type === type);
  return {
    type,
    status,
    reason,
    // The CRD (as metav1.Condition) refuses a longer message, and with it the whole status write.
    message: message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 3)}...`,
    lastTransitionTime: before !== undefined && before.status === status ? before.lastTransitionTime : now.toISOString(),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}
