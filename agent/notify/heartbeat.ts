/**
 * The agent's heartbeat: <stateDir>/.heartbeat rewritten every refreshMs
 * while the agent runs, so `floatip check --max-age` can tell a running
 * agent's state records (written only on transitions, carrying the same run
 * token) from those of an agent that has died. One file per refresh,
 * whatever the number of instances.
 */
import type { Clock, TimerHandle } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import { formatHeartbeat, heartbeatPath, nodeNotifyFs, writeFileAtomic, DEFAULT_STATE_DIR, type NotifyFs } from "./state-record.js";

export interface HeartbeatDeps {
  readonly clock: Clock;
  readonly wallClock: () => Date;
  readonly logger: Logger;
  /** This agent run's token (the notifiers put it in every record). */
  readonly run: string;
  readonly pid: number;
  /** Default: node:fs/promises. */
  readonly fs?: NotifyFs;
  /** Default /run/floatip (created if missing). */
  readonly stateDir?: string;
  /** Rewrite this often; default 10 000 ms. */
  readonly refreshMs?: number;
}

export const DEFAULT_HEARTBEAT_MS = 10_000;

export class Heartbeat {
  private readonly fs: NotifyFs;
  private readonly stateDir: string;
  private timer: TimerHandle | undefined;
  private running = false;
  private writing: Promise<void> = Promise.resolve();
  private writes = 0;

  constructor(private readonly deps: HeartbeatDeps) {
    this.fs = deps.fs ?? nodeNotifyFs();
    this.stateDir = deps.stateDir ?? DEFAULT_STATE_DIR;
  }

  /** Write the heartbeat now and then every refreshMs (no-op if started). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.beat();
  }

  /** Stop rewriting (the file stays and ages); resolves once a write in progress is done. */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.writing;
  }

  /** Resolves once the writes queued so far are done. */
  idle(): Promise<void> {
    return this.writing;
  }

  private beat(): void {
    if (!this.running) return;
    this.writing = this.writing.then(() => this.write());
    const { clock } = this.deps;
    this.timer = clock.at(clock.now() + (this.deps.refreshMs ?? DEFAULT_HEARTBEAT_MS), () => this.beat());
  }

  private async write(): Promise<void> {
    const path = heartbeatPath(this.stateDir);
    const content = formatHeartbeat({ pid: this.deps.pid, run: this.deps.run, updated: this.deps.wallClock().toISOString() });
    try {
      await this.fs.mkdir(this.stateDir, { recursive: true });
      await writeFileAtomic(this.fs, path, content, `tmp.${this.deps.pid}.${++this.writes}`);
    } catch (error) {
      this.deps.logger.log("error", "writing the agent heartbeat failed", { path, error });
    }
  }
}
