/**
 * Liveness and readiness as the agent and controller report them on
 * /healthz and /readyz: a pure judgement over plain data, plus the one
 * measurement it needs from the process, how late the event loop runs.
 *
 * Live = able to do its job: no VRRP socket erroring, the link monitor
 * working, and the event loop not stalled past a bound (a stalled loop
 * misses adverts and takes over wrongly). A Kubernetes API outage is not
 * on the list: the agent runs on its cached config, the controller waits.
 * Ready = config loaded and routers running (the controller: its election
 * loop runs), which says nothing about being master.
 */
import type { Clock, TimerHandle } from "./clock.js";

/** One reason the process cannot do its job now. */
export interface LivenessProblem {
  readonly component: string;
  readonly interface?: string;
  readonly error: string;
}

export type Liveness = { readonly ok: true } | { readonly ok: false; readonly problems: readonly LivenessProblem[] };

/** The event loop this late (worst tick in the window) is a stall: default 5 s, a router's Master_Down is rarely longer. */
export const DEFAULT_MAX_LOOP_STALL_MS = 5000;

export function assessLiveness(input: {
  readonly problems: readonly LivenessProblem[];
  /** Worst event loop lateness recently seen, ms. */
  readonly loopStallMs: number;
  readonly maxLoopStallMs?: number;
}): Liveness {
  const max = input.maxLoopStallMs ?? DEFAULT_MAX_LOOP_STALL_MS;
  const problems = [...input.problems];
  if (input.loopStallMs > max) {
    problems.push({
      component: "event-loop",
      error: `the event loop stalled for ${Math.round(input.loopStallMs)} ms (more than ${max} ms)`,
    });
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/** The body of a failing /healthz: one line per problem. */
export function describeLiveness(liveness: Liveness): string {
  if (liveness.ok) return "ok\n";
  return liveness.problems.map((p) => `${p.component}${p.interface !== undefined ? ` ${p.interface}` : ""}: ${p.error}\n`).join("");
}

/**
 * How late a timer set every tickMs fires: the worst lateness within the
 * last windowMs. A loop stalled right now also counts, from the tick that
 * is overdue.
 */
export class LoopWatch {
  private timer: TimerHandle | undefined;
  private expected = 0;
  private readonly lates: { readonly at: number; readonly late: number }[] = [];

  private readonly now: () => number;

  /** `now`: what the ticks are measured with (default clock.now; tests pass their own to stall the loop). */
  constructor(
    private readonly options: { readonly clock: Clock; readonly tickMs?: number; readonly windowMs?: number; readonly now?: () => number },
  ) {
    this.now = options.now ?? (() => options.clock.now());
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.arm(this.now());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Worst lateness in the window, ms (0 while not started). */
  stallMs(): number {
    if (this.timer === undefined) return 0;
    const now = this.now();
    const windowMs = this.options.windowMs ?? 60_000;
    while (this.lates.length > 0 && now - this.lates[0]!.at > windowMs) this.lates.shift();
    const overdue = Math.max(0, now - this.expected);
    return Math.max(overdue, ...this.lates.map((l) => l.late));
  }

  private arm(from: number): void {
    const tickMs = this.options.tickMs ?? 500;
    this.expected = from + tickMs;
    this.timer = this.options.clock.at(this.expected, () => {
      const now = this.now();
      const late = now - this.expected;
      if (late > tickMs) this.lates.push({ at: now, late });
      this.arm(now);
    });
  }
}
