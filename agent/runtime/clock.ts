/**
 * Time as the runtime sees it: a monotonic clock in milliseconds and timers
 * that fire at an absolute time on it. Injected so tests can drive time.
 */
import { performance } from "node:perf_hooks";

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds (never jumps with the wall clock). */
  now(): number;
  /** Run `fn` once `now()` has reached `at`. */
  at(at: number, fn: () => void): TimerHandle;
}

/** The real clock over performance.now() and setTimeout. */
export function systemClock(): Clock {
  return {
    now: () => performance.now(),
    at(at, fn) {
      // setTimeout has millisecond resolution and fires up to a millisecond
      // late; aim a millisecond early, then finish on setImmediate turns so a
      // Master_Down_Timer fires within a fraction of a millisecond.
      let timeout: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      let cancelled = false;
      const arm = () => {
        if (cancelled) return;
        const wait = at - performance.now();
        if (wait <= 0) fn();
        else if (wait < 1.5) immediate = setImmediate(arm);
        else timeout = setTimeout(arm, Math.floor(wait - 1));
      };
      // Never fire from inside at() itself: callers may be mid-way through an action list.
      if (at - performance.now() < 1.5) immediate = setImmediate(arm);
      else arm();
      return {
        cancel: () => {
          cancelled = true;
          clearTimeout(timeout);
          if (immediate !== undefined) clearImmediate(immediate);
        },
      };
    },
  };
}

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  private current: number;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  at(at: number, fn: () => void): TimerHandle {
    const timer = { at, fn, live: true };
    this.timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }

  /** Advance to `to`, firing due timers in deadline order. */
  advanceTo(to: number): void {
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.at <= to).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      due.live = false;
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.timers = this.timers.filter((t) => t.live);
    this.current = Math.max(this.current, to);
  }
}
