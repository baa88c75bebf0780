/**
 * A periodic poll on the injected clock: one poll at start (awaited, not
 * reported), then one every interval; never two at once; stop() waits for
 * a poll in progress. Shared by the interface and track-file watches.
 */
import type { Clock, TimerHandle } from "../runtime/clock.js";

export interface PollerOptions {
  readonly clock: Clock;
  readonly intervalMs: number;
  /** Nothing to poll: no timer is armed. */
  readonly empty: boolean;
  readonly what: string;
  readonly pollOnce: (report: boolean) => Promise<void>;
}

export class Poller {
  private timer: TimerHandle | undefined;
  private polling: Promise<void> | undefined;
  private active = false;

  constructor(private readonly options: PollerOptions) {}

  get running(): boolean {
    return this.active;
  }

  async start(): Promise<void> {
    if (this.active) throw new Error(`${this.options.what} already started`);
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
    this.polling = this.options.pollOnce(report).finally(() => (this.polling = undefined));
    return this.polling;
  }

  private schedule(): void {
    if (!this.active || this.options.empty) return;
    const { clock } = this.options;
    this.timer = clock.at(clock.now() + this.options.intervalMs, () => {
      void this.poll().then(() => this.schedule());
    });
  }
}
