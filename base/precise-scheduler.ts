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
  /**
   * Wake this much before a deadline and wait out the rest on the CPU
   * (default 0): the wake-up itself takes tens of microseconds, and a
   * deadline that matters is worth a short spin. Never runs a deadline early.
   */
  readonly earlyMs?: number;
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
    this.timer.arm(next.at - this.deps.now() - (this.deps.earlyMs ?? 0));
  }

  private fire(): void {
    this.armedFor = undefined;
    const early = this.deps.earlyMs ?? 0;
    for (;;) {
      const next = this.pending[0];
      if (next === undefined || next.at > this.deps.now() + early) break;
      while (this.deps.now() < next.at) {
        // woken up to earlyMs ahead: the rest of the wait on the CPU
      }
      this.pending.shift();
      next.live = false;
      next.fn();
    }
    this.rearm();
  }
}
