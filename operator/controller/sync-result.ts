/**
 * What one sync of the controller did, in a file of its own so that controller.ts and metrics.ts
 * (which counts the results) both import it without importing each other.
 */
import type { WriteFailure } from "./write-failures.js";

export interface SyncCounts {
  readonly specWrites: number;
  readonly statusWrites: number;
  readonly events: number;
  readonly finalizersReleased: number;
}

/**
 * What one sync did; a typed outcome rather than log lines. `partial`: every
 * write was tried, and some objects' writes failed (each retried on its own
 * backoff, the first due in `retryInMs`); `failed`: the sync itself broke off.
 */
export type SyncResult =
  | ({ readonly kind: "synced" } & SyncCounts)
  | ({ readonly kind: "partial"; readonly failures: readonly WriteFailure[]; readonly retryInMs: number } & SyncCounts)
  | { readonly kind: "failed"; readonly error: string; readonly retryInMs: number };
