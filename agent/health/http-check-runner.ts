/**
 * Runs one HTTP check every interval, like a check script: one probe at a
 * time (a tick that finds the previous probe still going is skipped), each
 * probe limited to timeoutMs on the injected clock (then aborted and
 * counted as a failure). Results go through the same fall/rise counting as
 * scripts (script-state.ts); a change is reported only when the counted
 * health flips.
 */
import type { HttpCheckConfig } from "../config/types.js";
import type { Clock, TimerHandle } from "../runtime/clock.js";
import type { Logger } from "../runtime/logger.js";
import { describeProbe, probeSucceeded, type HttpProbeOutcome, type HttpProber } from "./http-probe.js";
import { countResult, initialCounter, type ScriptCounter, type ScriptHealth } from "./script-state.js";

export interface HttpCheckRunnerDeps {
  readonly clock: Clock;
  readonly prober: HttpProber;
  readonly logger: Logger;
  /** Called when the counted health changes (never for the initial state). */
  readonly onChange?: (from: ScriptHealth, to: ScriptHealth, outcome: HttpProbeOutcome) => void;
  /** Called after every probe, e.g. for metrics. */
  readonly onProbe?: (outcome: HttpProbeOutcome, health: ScriptHealth) => void;
}

export class HttpCheckRunner {
  private counter: ScriptCounter = initialCounter(false);
  private readonly log: Logger;
  private timer: TimerHandle | undefined;
  private busy: Promise<void> | undefined;
  private current: AbortController | undefined;
  private state: "new" | "running" | "stopped" = "new";

  constructor(readonly config: HttpCheckConfig, private readonly deps: HttpCheckRunnerDeps) {
    this.log = deps.logger.child({ httpCheck: config.name });
  }

  get health(): ScriptHealth {
    return this.counter.health;
  }

  /** First probe at once, then every interval. */
  start(): void {
    if (this.state !== "new") throw new Error(`HTTP check ${this.config.name} already started`);
    this.state = "running";
    this.tick(this.deps.clock.now());
  }

  /** Stop scheduling and abort a probe in progress; resolves once it has settled. */
  async stop(): Promise<void> {
    this.state = "stopped";
    this.timer?.cancel();
    this.timer = undefined;
    this.current?.abort();
    await this.busy;
  }

  private tick(at: number): void {
    if (this.state !== "running") return;
    const { clock } = this.deps;
    const next = Math.max(at + this.config.intervalMs, clock.now());
    this.timer = clock.at(next, () => this.tick(next));
    if (this.busy !== undefined) {
      this.log.log("debug", "previous probe still going; skipping this one");
      return;
    }
    this.busy = this.probeOnce().finally(() => (this.busy = undefined));
  }

  private async probeOnce(): Promise<void> {
    const outcome = await this.probe();
    if (this.state === "stopped") return;
    const before = this.counter.health;
    this.counter = countResult(this.counter, probeSucceeded(outcome), this.config);
    const after = this.counter.health;
    this.deps.onProbe?.(outcome, after);
    if (before === after) return;
    this.log.log(after === "ok" ? "info" : "warn", `HTTP check ${after === "ok" ? "succeeded" : "failed"}`, {
      from: before,
      to: after,
      url: this.config.url,
      result: describeProbe(outcome),
    });
    this.deps.onChange?.(before, after, outcome);
  }

  private async probe(): Promise<HttpProbeOutcome> {
    const controller = new AbortController();
    this.current = controller;
    let timedOut = false;
    const timeout = this.deps.clock.at(this.deps.clock.now() + this.config.timeoutMs, () => {
      timedOut = true;
      controller.abort();
    });
    try {
      const outcome = await this.deps.prober
        .get({ url: this.config.url, signal: controller.signal, ...(this.config.tls !== undefined ? { tls: this.config.tls } : {}) })
        .catch((error: unknown): HttpProbeOutcome => ({ type: "error", message: error instanceof Error ? error.message : String(error) }));
      return timedOut ? { type: "timeout", afterMs: this.config.timeoutMs } : outcome;
    } finally {
      timeout.cancel();
      this.current = undefined;
    }
  }
}
