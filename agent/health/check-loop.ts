/**
 * The loop shared by check scripts and HTTP checks: one attempt at start,
 * then one every interval on the injected clock; never two at once (a tick
 * that finds the previous attempt still going is skipped, as keepalived
 * does); each result goes through fall/rise counting (script-state.ts) and
 * a change is logged and reported only when the counted health flips.
 * What an attempt is (a process, an HTTP request) is the owner's business.
 */
import type { Clock, TimerHandle } from "../runtime/clock.js";
import type { Logger } from "../runtime/logger.js";
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
  /** One attempt; resolves with its outcome (never rejects). */
  readonly attempt: () => Promise<O>;
  readonly succeeded: (outcome: O) => boolean;
  /** Fields logged with a change of health. */
  readonly describe: (outcome: O) => Record<string, unknown>;
  /** An outcome that arrives after stop() and is not counted. */
  readonly discardAfterStop: (outcome: O) => boolean;
  /** Ends the attempt in progress (stop()). */
  readonly cancel: () => void;
  /** Called once before the first attempt. */
  readonly onStart?: () => void;
  /** Called after every counted attempt, e.g. for metrics. */
  readonly onResult?: (outcome: O, health: ScriptHealth) => void;
  /** Called when the counted health changes (never for the initial state). */
  readonly onChange?: (from: ScriptHealth, to: ScriptHealth, outcome: O) => void;
}

export class CheckLoop<O> {
  private counter: ScriptCounter;
  private timer: TimerHandle | undefined;
  private busy: Promise<void> | undefined;
  private state: "new" | "running" | "stopped" = "new";

  constructor(private readonly options: CheckLoopOptions<O>) {
    this.counter = initialCounter(options.initFail);
  }

  get health(): ScriptHealth {
    return this.counter.health;
  }

  get stopped(): boolean {
    return this.state === "stopped";
  }

  /** First attempt at once, then every interval. */
  start(): void {
    if (this.state !== "new") throw new Error(`${this.options.kind} ${this.options.name} already started`);
    this.state = "running";
    this.options.onStart?.();
    this.tick(this.options.clock.now());
  }

  /** Stop scheduling and end an attempt in progress; resolves once it has settled. */
  async stop(): Promise<void> {
    this.state = "stopped";
    this.timer?.cancel();
    this.timer = undefined;
    this.options.cancel();
    await this.busy;
  }

  private tick(at: number): void {
    if (this.state !== "running") return;
    const { clock } = this.options;
    const next = Math.max(at + this.options.intervalMs, clock.now());
    this.timer = clock.at(next, () => this.tick(next));
    if (this.busy !== undefined) {
      this.options.log.log("debug", `previous ${this.options.attemptNoun} still going; skipping this one`);
      return;
    }
    this.busy = this.once().finally(() => (this.busy = undefined));
  }

  private async once(): Promise<void> {
    const { options } = this;
    const outcome = await options.attempt();
    if (this.state === "stopped" && options.discardAfterStop(outcome)) return;
    const before = this.counter.health;
    this.counter = countResult(this.counter, options.succeeded(outcome), options.limits);
    const after = this.counter.health;
    options.onResult?.(outcome, after);
    if (before === after) return;
    options.log.log(after === "ok" ? "info" : "warn", `${options.kind} ${after === "ok" ? "succeeded" : "failed"}`, {
      from: before,
      to: after,
      ...options.describe(outcome),
    });
    options.onChange?.(before, after, outcome);
  }
}
