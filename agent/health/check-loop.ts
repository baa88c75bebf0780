/**
 * The loop shared by check scripts and HTTP checks, as a base class: one
 * attempt at start, then one every interval on the injected clock; never
 * two at once (a tick that finds the previous attempt still going is
 * skipped, as keepalived does); each result goes through fall/rise counting
 * (script-state.ts) and a change is logged and reported only when the
 * counted health flips. What an attempt is (a process, an HTTP request) is
 * the subclass's business.
 */
import type { Clock, TimerHandle } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import { countResult, initialCounter, type RiseFall, type ScriptCounter, type ScriptHealth } from "./script-state.js";

export interface CheckLoopOptions<O> {
  readonly clock: Clock;
  readonly log: Logger;
  /** "script" or "HTTP check": how the check is named in messages. */
  readonly kind: string;
  readonly name: string;
  /** "run" or "probe": what one attempt is called in messages. */
  readonly attemptNoun: string;
  readonly intervalMs: number;
  readonly limits: RiseFall;
  readonly initFail: boolean;
  /** Called after every counted attempt, e.g. for metrics. */
  readonly onResult?: ((outcome: O, health: ScriptHealth) => void) | undefined;
  /** Called when the counted health changes (never for the initial state). */
  readonly onChange?: ((from: ScriptHealth, to: ScriptHealth, outcome: O) => void) | undefined;
}

export abstract class CheckLoop<O> {
  private counter: ScriptCounter;
  private timer: TimerHandle | undefined;
  private busy: Promise<void> | undefined;
  private state: "new" | "running" | "stopped" = "new";

  protected constructor(private readonly loop: CheckLoopOptions<O>) {
    this.counter = initialCounter(loop.initFail);
  }

  /** One attempt; resolves with its outcome (never rejects). */
  protected abstract attempt(): Promise<O>;
  protected abstract succeeded(outcome: O): boolean;
  /** Fields logged with a change of health. */
  protected abstract describe(outcome: O): Record<string, unknown>;
  /** An outcome that arrives after stop() and is not counted. */
  protected abstract discardAfterStop(outcome: O): boolean;
  /** Ends the attempt in progress (stop()). */
  protected abstract cancel(): void;
  /** Called once before the first attempt. */
  protected onStart(): void {}

  get health(): ScriptHealth {
    return this.counter.health;
  }

  protected get stopped(): boolean {
    return this.state === "stopped";
  }

  /** First attempt at once, then every interval. */
  start(): void {
    if (this.state !== "new") throw new Error(`${this.loop.kind} ${this.loop.name} already started`);
    this.state = "running";
    this.onStart();
    this.tick(this.loop.clock.now());
  }

  /** Stop scheduling and end an attempt in progress; resolves once it has settled. */
  async stop(): Promise<void> {
    this.state = "stopped";
    this.timer?.cancel();
    this.timer = undefined;
    this.cancel();
    await this.busy;
  }

  private tick(at: number): void {
    if (this.state !== "running") return;
    const { clock } = this.loop;
    const next = Math.max(at + this.loop.intervalMs, clock.now());
    this.timer = clock.at(next, () => this.tick(next));
    if (this.busy !== undefined) {
      this.loop.log.log("debug", `previous ${this.loop.attemptNoun} still going; skipping this one`);
      return;
    }
    this.busy = this.once().finally(() => (this.busy = undefined));
  }

  private async once(): Promise<void> {
    const { loop } = this;
    const outcome = await this.attempt();
    if (this.state === "stopped" && this.discardAfterStop(outcome)) return;
    const before = this.counter.health;
    this.counter = countResult(this.counter, this.succeeded(outcome), loop.limits);
    const after = this.counter.health;
    loop.onResult?.(outcome, after);
    if (before === after) return;
    loop.log.log(after === "ok" ? "info" : "warn", `${loop.kind} ${after === "ok" ? "succeeded" : "failed"}`, {
      from: before,
      to: after,
      ...this.describe(outcome),
    });
    loop.onChange?.(before, after, outcome);
  }
}
