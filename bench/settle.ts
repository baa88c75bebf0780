/**
 * When a benchmark may inject its fault: once the speakers have left their
 * start-up work behind. A process just started (Node compiling and tiering
 * its code, keepalived forking its children) competes for the machine's two
 * cores with the command that injects the fault and with the kernel's own
 * work; a fault on a router that has run for a while is what production
 * sees. The rule is the same for every implementation: the speakers' summed
 * CPU over one window of `windowMs` at or below `maxPercent` of one core.
 */

export interface SettleRule {
  readonly windowMs: number;
  /** Summed CPU of all speakers over one window, % of one core. */
  readonly maxPercent: number;
  /** Give up (and say so) after this long. */
  readonly timeoutMs: number;
}

/** The rule the failover bench uses (CPU is read in clock ticks, 10 ms each: a 500 ms window resolves 2 %). */
export const SETTLE: SettleRule = { windowMs: 500, maxPercent: 10, timeoutMs: 10_000 };

export type SettleOutcome =
  | { readonly kind: "settled"; readonly afterMs: number; readonly lastPercent: number }
  | { readonly kind: "timed-out"; readonly afterMs: number; readonly lastPercent: number };

/** Whether one window's CPU meets the rule. */
export function quiet(rule: SettleRule, percent: number): boolean {
  return percent <= rule.maxPercent;
}

/**
 * Measures windows with `windowCpu` (returns the % of one core the speakers
 * used over the next window) until one is quiet or the time is up.
 */
export async function settle(
  rule: SettleRule,
  windowCpu: (windowMs: number) => Promise<number>,
  now: () => number,
): Promise<SettleOutcome> {
  const start = now();
  for (;;) {
    const percent = await windowCpu(rule.windowMs);
    const afterMs = now() - start;
    if (quiet(rule, percent)) return { kind: "settled", afterMs, lastPercent: percent };
    if (afterMs >= rule.timeoutMs) return { kind: "timed-out", afterMs, lastPercent: percent };
  }
}
