/**
 * Coalesced status writes: however fast things change, at most one write
 * per interval, always of the latest status; a failed write (API server
 * away) is retried with backoff, again with whatever is latest by then.
 */
import type { Clock, TimerHandle } from "../../base/clock.js";

export interface StatusWriterOptions<T> {
  readonly clock: Clock;
  readonly write: (status: T) => Promise<void>;
  /** Minimum gap between writes, ms (default 500: no more than 2 writes/s). */
  readonly minIntervalMs?: number;
  readonly maxBackoffMs?: number;
  readonly onError?: (error: unknown) => void;
}

export class StatusWriter<T> {
  private latest: T | undefined;
  private dirty = false;
  private inFlight = false;
  private lastWrite = Number.NEGATIVE_INFINITY;
  private backoffMs = 0;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: StatusWriterOptions<T>) {}

  update(status: T): void {
    if (this.stopped) return;
    this.latest = status;
    this.dirty = true;
    this.schedule();
  }

  /**
   * The API server answers again (a watch re-listed): a write waiting out its
   * backoff goes at the normal interval instead of up to maxBackoffMs later.
   */
  retryNow(): void {
    if (this.stopped || this.backoffMs === 0) return;
    this.backoffMs = 0;
    if (this.timer === undefined) return;
    this.timer.cancel();
    this.timer = undefined;
    this.schedule();
  }

  /** Resolves when the latest status has been written (or the writer is stopped). */
  idle(): Promise<void> {
    if (!this.dirty && !this.inFlight) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private schedule(): void {
    if (this.inFlight || this.timer !== undefined || !this.dirty) return;
    const gap = Math.max(this.options.minIntervalMs ?? 500, this.backoffMs);
    const at = Math.max(this.options.clock.now(), this.lastWrite + gap);
    this.timer = this.options.clock.at(at, () => {
      this.timer = undefined;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.stopped || !this.dirty || this.latest === undefined) return;
    const status = this.latest;
    this.dirty = false;
    this.inFlight = true;
    this.lastWrite = this.options.clock.now();
    try {
      await this.options.write(status);
      this.backoffMs = 0;
    } catch (error) {
      this.options.onError?.(error);
      if (!this.dirty) {
        this.latest = status;
        this.dirty = true;
      }
      this.backoffMs = Math.min(this.options.maxBackoffMs ?? 30_000, Math.max(1000, this.backoffMs * 2));
    } finally {
      this.inFlight = false;
    }
    if (this.dirty) this.schedule();
    else for (const w of this.idleWaiters.splice(0)) w();
  }
}
