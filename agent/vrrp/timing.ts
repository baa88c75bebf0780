/**
 * VRRP timer arithmetic (pure). All values in milliseconds.
 *
 *   v2, RFC 3768 §6.1:  Skew_Time = (256 - Priority) / 256 s
 *                       Master_Down_Interval = 3 × Advertisement_Interval + Skew_Time
 *   v3, RFC 5798 §6.1:  Skew_Time = ((256 - Priority) × Master_Adver_Interval) / 256
 *                       Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time
 *
 * In v3 Master_Adver_Interval is learnt from the master's adverts while
 * backup (RFC 5798 §6.4.2); in v2 it is always our own interval.
 */
import type { VrrpVersion } from "./packet.js";

export interface TimingInput {
  readonly version: VrrpVersion;
  readonly priority: number;
  /** v3: the learnt Master_Adver_Interval; v2: our own Advertisement_Interval. */
  readonly masterAdvertIntervalMs: number;
}

export function skewTimeMs(input: TimingInput): number {
  const weight = 256 - input.priority;
  if (input.version === 2) return (weight * 1000) / 256;
  return (weight * input.masterAdvertIntervalMs) / 256;
}

export function masterDownIntervalMs(input: TimingInput): number {
  return 3 * input.masterAdvertIntervalMs + skewTimeMs(input);
}

/** Smallest and largest intervals each version can put on the wire. */
export const INTERVAL_LIMITS = {
  2: { minMs: 1000, maxMs: 255_000, stepMs: 1000 },
  3: { minMs: 10, maxMs: 40_950, stepMs: 10 },
} as const;
