/**
 * Time as the runtime sees it: a monotonic clock in milliseconds and timers
 * that fire at an absolute time on it. Injected so tests can drive time.
 */
import { performance } from "node:perf_hooks";
import { DeadlineQueue, type Deadline } from "./deadline-queue.js";

export type { Deadline };

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds (never jumps with the wall clock). */
  now(): number;
  /**
   * Run `fn` once `now()` has reached `at` (never before). A timer fires
   * up to about a millisecond late; a precise one finishes a sub-millisecond
   * remainder on loop turns instead, which costs CPU: use it only for a
   * deadline that is about to matter (a backup taking over).
   */
  at(at: number, fn: () => void, options?: { readonly precise?: boolean }): TimerHandle;
  /**
   * Run `fn` after the I/O already waiting has been handled (the next loop
   * turn): a Master_Down_Timer that expires while an advert sits unread on
   * the socket must see that advert first.
   */
  afterIo(fn: () => void): TimerHandle;
  /**
   * A reusable timer for a deadline that is set again and again (a
   * backup's Master_Down check): fires `fn` once `now()` has reached the
   * time last set, up to about a millisecond late, like at(); setting it
   * allocates nothing, and deadlines due together share one wake-up. Set
   * with an `earliest`, it may fire from then on, with a wake-up another
   * deadline asked for (fewer wake-ups for checks that may come early).
   */
  deadline(fn: () => void): Deadline;
}

export interface SystemClockOptions {
  /**
   * Where precise timers go (a timerfd: base/precise-scheduler.ts);
   * without it they finish their last millisecond on loop turns, which is
   * precise only while this process has a core to itself.
   */
  readonly precise?: { at(at: number, fn: () => void): TimerHandle };
}

/** The real clock over performance.now() and setTimeout. */
export function systemClock(clockOptions: SystemClockOptions = {}): Clock {
  const precise = clockOptions.precise;
  let wake: NodeJS.Timeout | undefined;
  let wakeNow: NodeJS.Immediate | undefined;
  const deadlines = new DeadlineQueue({
    now: () => performance.now(),
    wakeAt(at) {
      clearTimeout(wake);
      if (wakeNow !== undefined) clearImmediate(wakeNow);
      wake = wakeNow = undefined;
      if (at === undefined) return;
      // Whole milliseconds rounded up (run() re-arms if libuv fires a fraction early); already due: the next loop turn.
      const wait = at - performance.now();
      if (wait > 0) wake = setTimeout(fired, Math.ceil(wait));
      else wakeNow = setImmediate(fired);
    },
  });
  const fired = () => {
    wake = wakeNow = undefined;
    deadlines.run();
  };
  return {
    now: () => performance.now(),
    at(at, fn, options = {}) {
      if (options.precise === true && precise !== undefined) return precise.at(at, fn);
      // setTimeout has millisecond resolution and libuv often fires a fraction
      // of a millisecond early: re-arm until the deadline has passed (never
      // early), then run fn in the timer phase. (A caller that must first
      // read adverts already waiting uses afterIo from fn.)
      let timeout: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      let cancelled = false;
      const schedule = (due: () => void) => {
        const wait = at - performance.now();
        if (options.precise === true) {
          // Whole milliseconds rounded down by setTimeout, the remainder on loop turns.
          if (wait >= 1) timeout = setTimeout(arm, Math.floor(wait));
          else if (wait > 0) immediate = setImmediate(arm);
          else due();
        } else if (wait > 0) timeout = setTimeout(arm, Math.ceil(wait));
        else due();
      };
      const arm = () => {
        if (!cancelled) schedule(fn);
      };
      // Already due: the next loop turn (setTimeout(0) would wait a whole millisecond).
      schedule(() => (immediate = setImmediate(() => !cancelled && fn())));
      return {
        cancel: () => {
          cancelled = true;
          clearTimeout(timeout);
          if (immediate !== undefined) clearImmediate(immediate);
        },
      };
    },
    afterIo(fn) {
      const immediate = setImmediate(fn);
      return { cancel: () => clearImmediate(immediate) };
    },
    deadline: (fn) => deadlines.deadline(fn),
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

  /** Runs at the current time, on the next advanceTo. */
  afterIo(fn: () => void): TimerHandle {
    return this.at(this.current, fn);
  }

  /** Fires at the earliest moment it may (its `earliest`), so tests see early checks at their worst. */
  deadline(fn: () => void): Deadline {
    let handle: TimerHandle | undefined;
    const cancel = () => {
      handle?.cancel();
      handle = undefined;
    };
    return {
      set: (at, earliest = at) => {
        cancel();
        handle = this.at(Math.min(at, earliest), fn);
      },
      cancel,
    };
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
