/**
 * Runs one HTTP check every interval, like a check script (the loop,
 * skipping and fall/rise counting are check-loop.ts): each probe limited to
 * timeoutMs on the injected clock (then aborted and counted as a failure).
 */
import type { HttpCheckConfig } from "../config/types.js";
import type { Clock } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import { CheckLoop } from "./check-loop.js";
import { describeProbe, probeSucceeded, type HttpProbeOutcome, type HttpProber } from "./http-probe.js";
import type { ScriptHealth } from "./script-state.js";

export interface HttpCheckRunnerDeps {
  readonly clock: Clock;
  readonly prober: HttpProber;
  readonly logger: Logger;
  /** Called when the counted health changes (never for the initial state). */
  readonly onChange?: (from: ScriptHealth, to: ScriptHealth, outcome: HttpProbeOutcome) => void;
  /** Called after every probe, e.g. for metrics. */
  readonly onProbe?: (outcome: HttpProbeOutcome, health: ScriptHealth) => void;
}

export class HttpCheckRunner extends CheckLoop<HttpProbeOutcome> {
  private current: AbortController | undefined;

  constructor(
    readonly config: HttpCheckConfig,
    private readonly deps: HttpCheckRunnerDeps,
  ) {
    super({
      clock: deps.clock,
      log: deps.logger.child({ httpCheck: config.name }),
      kind: "HTTP check",
      name: config.name,
      attemptNoun: "probe",
      intervalMs: config.intervalMs,
      limits: config,
      initFail: false,
      onResult: deps.onProbe,
      onChange: deps.onChange,
    });
  }

  protected attempt(): Promise<HttpProbeOutcome> {
    return this.probe();
  }

  protected succeeded(outcome: HttpProbeOutcome): boolean {
    return probeSucceeded(outcome);
  }

  protected describe(outcome: HttpProbeOutcome): Record<string, unknown> {
    return { url: this.config.url, result: describeProbe(outcome) };
  }

  /** A probe still going at stop() is aborted: its outcome says nothing. */
  protected discardAfterStop(): boolean {
    return true;
  }

  protected cancel(): void {
    this.current?.abort();
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
