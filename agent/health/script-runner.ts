/**
 * Runs one check script (keepalived vrrp_script) every interval: one run at
 * a time (a tick that finds the previous run still going is skipped, as
 * keepalived does), each run limited to timeoutMs (then SIGTERM, then
 * SIGKILL). Exit status 0 is a success; any other status, a signal, a
 * timeout or a failure to start is a failure. Results go through fall/rise
 * counting (script-state.ts) and a change is reported only when the
 * counted health flips.
 */
import type { ScriptConfig } from "../config/types.js";
import type { Clock, TimerHandle } from "../runtime/clock.js";
import type { Logger } from "../runtime/logger.js";
import { parseCommandLine } from "./command-line.js";
import { DEFAULT_KILL_GRACE_MS, describeOutcome, runCommand, succeeded, type RunOutcome, type RunningCommand, type Spawner } from "./process.js";
import { countResult, initialCounter, type ScriptCounter, type ScriptHealth } from "./script-state.js";
import type { UserIds, UserLookup } from "./users.js";

export interface ScriptChange {
  readonly script: string;
  readonly from: ScriptHealth;
  readonly to: ScriptHealth;
  /** The run that tipped the count. */
  readonly outcome: RunOutcome;
}

export interface ScriptRunnerDeps {
  readonly clock: Clock;
  readonly spawner: Spawner;
  readonly logger: Logger;
  /** Needed when the script has a `user`; without it such a script always fails. */
  readonly lookupUser?: UserLookup;
  /** SIGTERM to SIGKILL; default 2000 ms (keepalived). */
  readonly killGraceMs?: number;
  /** Called when the counted health changes (never for the initial state). */
  readonly onChange?: (change: ScriptChange) => void;
  /** Called after every run, e.g. for metrics. */
  readonly onRun?: (outcome: RunOutcome, health: ScriptHealth) => void;
}

export class ScriptRunner {
  private counter: ScriptCounter;
  private readonly argv: readonly string[] | undefined;
  private readonly parseError: string | undefined;
  private readonly log: Logger;
  private timer: TimerHandle | undefined;
  private busy: Promise<void> | undefined;
  private current: RunningCommand | undefined;
  private ids: UserIds | undefined;
  private state: "new" | "running" | "stopped" = "new";

  constructor(readonly config: ScriptConfig, private readonly deps: ScriptRunnerDeps) {
    this.counter = initialCounter(config.initFail);
    const parsed = parseCommandLine(config.command);
    this.argv = parsed.ok ? parsed.argv : undefined;
    this.parseError = parsed.ok ? undefined : parsed.message;
    this.log = deps.logger.child({ script: config.name });
  }

  get health(): ScriptHealth {
    return this.counter.health;
  }

  /** First run at once, then every interval. */
  start(): void {
    if (this.state !== "new") throw new Error(`script ${this.config.name} already started`);
    this.state = "running";
    if (this.parseError !== undefined) this.log.log("error", "cannot parse script command; every run fails", { error: this.parseError });
    this.tick(this.deps.clock.now());
  }

  /** Stop scheduling and end a run in progress; resolves once it has exited. */
  async stop(): Promise<void> {
    this.state = "stopped";
    this.timer?.cancel();
    this.timer = undefined;
    this.current?.terminate();
    await this.busy;
  }

  private tick(at: number): void {
    if (this.state !== "running") return;
    const { clock } = this.deps;
    const next = Math.max(at + this.config.intervalMs, clock.now());
    this.timer = clock.at(next, () => this.tick(next));
    if (this.busy !== undefined) {
      this.log.log("debug", "previous run still going; skipping this one");
      return;
    }
    this.busy = this.runOnce().finally(() => (this.busy = undefined));
  }

  private async runOnce(): Promise<void> {
    const outcome = await this.execute();
    if (this.state === "stopped" && outcome.type === "terminated") return;
    const before = this.counter.health;
    this.counter = countResult(this.counter, succeeded(outcome), this.config);
    const after = this.counter.health;
    this.deps.onRun?.(outcome, after);
    if (before === after) return;
    this.log.log(after === "ok" ? "info" : "warn", `script ${after === "ok" ? "succeeded" : "failed"}`, {
      from: before,
      to: after,
      result: describeOutcome(outcome),
    });
    this.deps.onChange?.({ script: this.config.name, from: before, to: after, outcome });
  }

  private async execute(): Promise<RunOutcome> {
    if (this.argv === undefined) return { type: "spawn-error", message: this.parseError ?? "no command" };
    const ids = await this.userIds();
    if (!ids.ok) return { type: "spawn-error", message: ids.message };
    if (this.state === "stopped") return { type: "terminated" };
    this.current = runCommand({
      spawner: this.deps.spawner,
      clock: this.deps.clock,
      argv: this.argv,
      timeoutMs: this.config.timeoutMs,
      killGraceMs: this.deps.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      ...(ids.ids !== undefined ? { uid: ids.ids.uid, gid: ids.ids.gid } : {}),
    });
    try {
      return await this.current.done;
    } finally {
      this.current = undefined;
    }
  }

  private async userIds(): Promise<{ ok: true; ids: UserIds | undefined } | { ok: false; message: string }> {
    const user = this.config.user;
    if (user === undefined || this.ids !== undefined) return { ok: true, ids: this.ids };
    if (this.deps.lookupUser === undefined) return { ok: false, message: `no user lookup configured for user "${user}"` };
    const found = await this.deps.lookupUser(user).catch((error: unknown) => ({ ok: false as const, message: String(error) }));
    if (!found.ok) return { ok: false, message: found.message };
    this.ids = found.ids;
    return { ok: true, ids: found.ids };
  }
}
