/**
 * Measured times of the fault cases: printed as `# timing ...` diagnostic
 * lines and, when FLOATIP_FAULT_TIMINGS names a file, appended to it as JSON
 * lines (docs/failure-modes.md's "Faults, measured" table is made from such runs).
 */
import { appendFileSync } from "node:fs";

export interface Timing {
  /** The fault case, e.g. "master kill -9". */
  readonly fault: string;
  /** What was measured, e.g. "VIP on the backup after the kill". */
  readonly what: string;
  readonly ms: number;
  /** The protocol bound it is compared with, when there is one. */
  readonly boundMs?: number;
}

export function recordTiming(timing: Timing): void {
  const bound = timing.boundMs === undefined ? "" : ` (bound ${timing.boundMs.toFixed(1)} ms)`;
  console.log(`# timing: ${timing.fault}: ${timing.what}: ${timing.ms.toFixed(0)} ms${bound}`);
  const file = process.env["FLOATIP_FAULT_TIMINGS"];
  if (file !== undefined && file !== "") appendFileSync(file, `${JSON.stringify({ ...timing, at: new Date().toISOString() })}\n`);
}

/** Master_Down_Interval and Skew_Time of a VRRPv3 backup (RFC 5798 §6.1), ms. */
export const skewTime = (priority: number, intervalMs: number): number => ((256 - priority) * intervalMs) / 256;
export const masterDownInterval = (priority: number, intervalMs: number): number => 3 * intervalMs + skewTime(priority, intervalMs);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
