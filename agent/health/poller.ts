/**
 * A periodic poll on the injected clock, as a base class for the interface
 * and track-file watches: one poll at start (awaited, not reported), then
 * one every interval; never two at once; stop() waits for a poll in progress.
 */
import type { Clock, TimerHandle } from "../../base/clock.js";

export interface PollerOptions {
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly what: string;
}

export abstract class PolledWatch {
  private timer: TimerHandle | undefined;
  private polling: Promise<void> | undefined;
  private active = false;

  protected constructor(private readonly pollerOptions: PollerOptions) {}

  /** One round of polling; `report` is false for the silent first round. */
  protected abstract pollOnce(report: boolean): Promise<void>;
  /** Nothing to poll: no timer is armed. */
  protected abstract get empty(): boolean;

  protected get running(): boolean {
    return this.active;
  }

  async start(): Promise<void> {
    if (this.active) throw new Error(`${this.pollerOptions.what} already started`);
    this.active = true;
    await this.poll(false);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.active = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.polling;
  }

  /** Poll now (also used by tests); joins a poll already in progress. */
  poll(report = true): Promise<void> {
    if (this.polling !== undefined) return this.polling;
    this.polling = this.pollOnce(report).finally(() => (this.polling = undefined));
    return this.polling;
  }

  private schedule(): void {
    if (!this.active || this.empty) return;
    const { clock, intervalMs } = this.pollerOptions;
    this.timer = clock.at(clock.now() + intervalMs, () => {
      void this.poll().then(() => this.schedule());
    });
  }
}
