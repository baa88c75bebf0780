/**
 * One timer of a virtual router (protocol or garp). A backup moves its
 * Master_Down deadline later on every advert: instead of a new system timer
 * each time, the deadline armed stays and, when it fires before the
 * deadline it now serves, is set again once (a reusable clock.deadline(),
 * no allocation).
 *
 * A Master_Down_Timer (finalStretch() true when armed) is armed 2 ms short
 * of its deadline: most of the time an advert has moved the deadline by
 * then. Otherwise the last stretch is timed precisely and, once it is over,
 * adverts already waiting on the socket are read first (one may still move
 * the deadline) before the timer expires: at once if the socket can be read
 * from here (readWaiting), else on the next loop turn.
 *
 * The coarse check of a Master_Down_Timer only looks whether the deadline
 * moved, so it may come early: it rides along with another router's
 * wake-up up to an eighth of its wait ahead (clock.deadline's `earliest`).
 * Hundreds of backups then share a few wake-ups instead of one each; an
 * early check that finds the deadline unmoved starts the precise final
 * stretch sooner, which still ends at the deadline, never before.
 */
import type { Clock, Deadline, TimerHandle } from "../../base/clock.js";

/** How long before a Master_Down deadline the precise final timer takes over (the coarse one may fire ~1 ms late). */
export const MASTER_DOWN_APPROACH_MS = 2;
/** How much of its wait a coarse Master_Down check may come early by, to share a wake-up with other routers' checks. */
export const COARSE_EARLY_FRACTION = 1 / 8;

export interface RouterTimerOptions {
  readonly clock: Clock;
  /** Asked at each arming: time the last stretch precisely and read waiting I/O first (a backup's Master_Down_Timer). */
  readonly finalStretch: () => boolean;
  /** The deadline has passed (and no later set() moved it). */
  readonly expire: () => void;
  /**
   * Reads the packets already waiting on the socket now (synchronously, so
   * one that moves the deadline is seen before it expires); without it the
   * final stretch waits a loop turn for them (clock.afterIo).
   */
  readonly readWaiting?: () => void;
}

export class RouterTimer {
  private readonly coarse: Deadline;
  /** When the timer should expire; undefined: not set. */
  private due: number | undefined;
  /** The deadline the current arming serves (due may have moved past it since). */
  private armedAt = 0;
  private masterDown = false;
  /** The precise last stretch, then the loop turn that reads waiting I/O. */
  private final: TimerHandle | undefined;

  constructor(private readonly options: RouterTimerOptions) {
    this.coarse = options.clock.deadline(() => this.coarseFired());
  }

  /** Expire at `due`: a later deadline than the one armed only moves it, an earlier one re-arms. */
  set(due: number): void {
    if (this.due !== undefined && this.armedAt <= due) {
      this.due = due; // fires at armedAt, then re-arms for the rest
      return;
    }
    this.cancel();
    this.arm(due);
  }

  cancel(): void {
    this.due = undefined;
    this.coarse.cancel();
    this.final?.cancel();
    this.final = undefined;
  }

  private arm(due: number): void {
    this.due = due;
    this.armedAt = due;
    this.masterDown = this.options.finalStretch();
    if (!this.masterDown) return this.coarse.set(due);
    const at = due - MASTER_DOWN_APPROACH_MS;
    const wait = at - this.options.clock.now();
    this.coarse.set(at, wait > 0 ? at - wait * COARSE_EARLY_FRACTION : at);
  }

  private coarseFired(): void {
    if (this.due === undefined) return;
    if (this.due > this.armedAt) return this.arm(this.due);
    if (!this.masterDown) return this.expire();
    const { clock, readWaiting } = this.options;
    this.final = clock.at(
      this.armedAt,
      () => {
        if (readWaiting === undefined) return void (this.final = clock.afterIo(() => this.finalFired()));
        readWaiting();
        this.finalFired();
      },
      { precise: true },
    );
  }

  private finalFired(): void {
    this.final = undefined;
    if (this.due === undefined) return;
    if (this.due > this.armedAt) return this.arm(this.due);
    this.expire();
  }

  private expire(): void {
    this.due = undefined;
    this.options.expire();
  }
}
