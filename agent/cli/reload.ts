/**
 * Standalone config reload on SIGHUP (as keepalived does): the file is read
 * and validated in full again; a valid config is handed to the supervisor,
 * which leaves unchanged instances alone and changes most others in place
 * (docs/reload.md); an invalid one is logged error by
 * error (each naming its field) and the running config stays as it was.
 * Reloads are serialised; a signal during a reload queues one more.
 */
import type { LoadResult } from "../config/load.js";
import type { AgentConfig } from "../config/types.js";
import type { ConfigError } from "../config/validate.js";
import type { Logger } from "../../base/logger.js";
import type { ApplyReport } from "../runtime/supervisor.js";

/** What one reload did. */
export type ReloadOutcome =
  | { readonly kind: "applied"; readonly report: ApplyReport }
  | { readonly kind: "rejected"; readonly errors: readonly ConfigError[] }
  | { readonly kind: "failed"; readonly error: unknown };

/** The part of `process` a reloader listens on. */
export interface SignalSource {
  on(signal: "SIGHUP", listener: () => void): unknown;
  off(signal: "SIGHUP", listener: () => void): unknown;
}

export interface ReloaderOptions {
  readonly signals: SignalSource;
  readonly load: () => Promise<LoadResult>;
  readonly apply: (config: AgentConfig) => Promise<ApplyReport>;
  readonly logger: Logger;
  /** Called after every reload (tests; the default does nothing). */
  readonly onReload?: (outcome: ReloadOutcome) => void;
}

export class Reloader {
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly listener = () => this.request();

  constructor(private readonly options: ReloaderOptions) {}

  /** Starts listening for SIGHUP. */
  listen(): void {
    this.options.signals.on("SIGHUP", this.listener);
  }

  /** Stops listening and waits for a reload in progress; no reload starts after this. */
  async close(): Promise<void> {
    this.closed = true;
    this.options.signals.off("SIGHUP", this.listener);
    await this.running;
  }

  /** One reload now, or right after the one in progress. */
  request(): void {
    if (this.closed) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const outcome = await this.reloadOnce();
      this.options.onReload?.(outcome);
    } while (this.again && !this.closed);
  }

  private async reloadOnce(): Promise<ReloadOutcome> {
    const { logger } = this.options;
    try {
      const loaded = await this.options.load();
      if (!loaded.ok) {
        for (const e of loaded.errors) logger.log("error", "reload rejected, running config kept", { field: e.path, error: e.message });
        return { kind: "rejected", errors: loaded.errors };
      }
      // Old field spellings (config/renamed-fields.ts): read, and said again on each reload.
      for (const w of loaded.warnings ?? []) logger.log("warn", "config warning", { field: w.path, message: w.message });
      if (this.closed) return { kind: "failed", error: new Error("stopping") };
      const report = await this.options.apply(loaded.config);
      logger.log("info", "config reloaded", {
        added: report.added,
        removed: report.removed,
        replaced: report.replaced,
        updated: report.updated,
        unchanged: report.unchanged.length,
      });
      return { kind: "applied", report };
    } catch (error) {
      logger.log("error", "reload failed", { error });
      return { kind: "failed", error };
    }
  }
}
