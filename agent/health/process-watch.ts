/**
 * Tracked processes (keepalived vrrp_track_process), polled: every pollMs
 * (default 500 ms) the process list is read once for all of them and each
 * one's quorum is stepped (process-match.ts). keepalived follows the
 * kernel's process events (netlink proc connector) instead; polling needs
 * no privilege and no native code, and the poll interval bounds the extra
 * delay before a dead process counts.
 */
import type { TrackProcessConfig } from "../config/types.js";
import type { Clock } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import { PolledWatch } from "./poller.js";
import { countMatching, stepQuorum, UNKNOWN_QUORUM, type ProcessInfo, type QuorumState } from "./process-match.js";

export const DEFAULT_PROCESS_POLL_MS = 500;

export interface ProcessWatchDeps {
  readonly clock: Clock;
  readonly list: (options: { readonly argv: boolean }) => Promise<ProcessInfo[]>;
  readonly logger: Logger;
  readonly pollMs?: number;
  readonly onChange?: (name: string, up: boolean) => void;
}

export class ProcessWatch extends PolledWatch {
  private readonly states = new Map<string, QuorumState>();
  private readonly argv: boolean;
  private failed = false;

  constructor(
    private readonly tracked: readonly TrackProcessConfig[],
    private readonly deps: ProcessWatchDeps,
  ) {
    super({ clock: deps.clock, intervalMs: deps.pollMs ?? DEFAULT_PROCESS_POLL_MS, what: "process watch" });
    this.argv = tracked.some((t) => t.fullCommand || t.args !== undefined);
  }

  /** Quorum met (undefined before the first read). */
  isUp(name: string): boolean | undefined {
    return this.states.get(name)?.up;
  }

  protected get empty(): boolean {
    return this.tracked.length === 0;
  }

  protected async pollOnce(report: boolean): Promise<void> {
    if (this.tracked.length === 0) return;
    let processes: ProcessInfo[];
    try {
      processes = await this.deps.list({ argv: this.argv });
      this.failed = false;
    } catch (error) {
      if (!this.failed) this.deps.logger.log("error", "cannot list processes for track_process; keeping the last result", { error });
      this.failed = true;
      return;
    }
    const now = this.deps.clock.now();
    for (const t of this.tracked) {
      const before = this.states.get(t.name) ?? UNKNOWN_QUORUM;
      const count = countMatching(t, processes);
      const after = stepQuorum(t, before, count, now);
      this.states.set(t.name, after);
      if (before.up === after.up || before.up === undefined) continue;
      this.deps.logger.log("info", `tracked process ${t.name}: quorum ${after.up === true ? "gained" : "lost"}`, {
        trackProcess: t.name,
        count,
      });
      if (report && this.running) this.deps.onChange?.(t.name, after.up === true);
    }
  }
}
