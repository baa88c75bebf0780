/**
 * Deadlines with sub-millisecond precision on one native timer (a timerfd,
 * agent/native/precise_timer.c): the scheduler keeps the pending deadlines
 * in order and arms the timer for the earliest. Used by the clock for the
 * few timers whose exact moment matters (a backup's last stretch before it
 * takes over), where setTimeout's whole milliseconds are too coarse.
 */
import type { TimerHandle } from "./clock.js";

/** The native timer: fires onFire once, delayMs (fractional) after arm(); re-arming replaces the deadline. */
export interface NativePreciseTimer {
  arm(delayMs: number): void;
  disarm(): void;
  close(): void;
}

export interface PreciseSchedulerDeps {
  /** Monotonic milliseconds, the clock the deadlines are on (performance.now()). */
  readonly now: () => number;
  /** Opens the native timer (on first use: the constructor does no I/O). */
  readonly open: (onFire: () => void) => NativePreciseTimer;
}

interface Pending {
  readonly at: number;
  readonly fn: () => void;
  live: boolean;
}

export class PreciseScheduler {
  /** Live deadlines, earliest first (few at a time: only final stretches are precise). */
  private pending: Pending[] = [];
  private timer: NativePreciseTimer | undefined;
  private armedFor: number | undefined;

  constructor(private readonly deps: PreciseSchedulerDeps) {}

  /** Runs fn once now() has reached at (never before). */
  at(at: number, fn: () => void): TimerHandle {
    const entry: Pending = { at, fn, live: true };
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.at > at) i--;
    this.pending.splice(i, 0, entry);
    this.rearm();
    return {
      cancel: () => {
        if (!entry.live) return;
        entry.live = false;
        this.pending = this.pending.filter((p) => p !== entry);
        this.rearm();
      },
    };
  }

  /** Stops the native timer; pending deadlines are dropped. */
  close(): void {
    for (const p of this.pending) p.live = false;
    this.pending = [];
    this.timer?.close();
    this.timer = undefined;
    this.armedFor = undefined;
  }

  private rearm(): void {
    const next = this.pending[0];
    if (next === undefined) {
      if (this.armedFor !== undefined) this.timer?.disarm();
      this.armedFor = undefined;
      return;
    }
    if (this.armedFor === next.at) return;
    this.timer ??= this.deps.open(() => this.fire());
    this.armedFor = next.at;
    this.timer.arm(next.at - this.deps.now());
  }

  private fire(): void {
    this.armedFor = undefined;
    const now = this.deps.now();
    while (this.pending.length > 0 && this.pending[0]!.at <= now) {
      const due = this.pending.shift()!;
      due.live = false;
      due.fn();
    }
    this.rearm();
  }
}
