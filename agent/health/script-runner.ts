/**
 * Runs one check script (keepalived vrrp_script) every interval: one run at
 * a time (a tick that finds the previous run still going is skipped, as
 * keepalived does), each run limited to timeoutMs (then SIGTERM, then
 * SIGKILL). Exit status 0 is a success; any other status, a signal, a
 * timeout or a failure to start is a failure. The loop, skipping and
 * fall/rise counting are check-loop.ts.
 */
import type { ScriptConfig } from "../config/types.js";
import type { Clock } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import { CheckLoop } from "./check-loop.js";
import { parseCommandLine } from "../../base/command-line.js";
import {
  DEFAULT_KILL_GRACE_MS,
  describeOutcome,
  runCommand,
  succeeded,
  type RunOutcome,
  type RunningCommand,
  type Spawner,
} from "../../base/process.js";
import type { ScriptHealth } from "./script-state.js";
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

export class ScriptRunner extends CheckLoop<RunOutcome> {
  private readonly argv: readonly string[] | undefined;
  private readonly parseError: string | undefined;
  private readonly log: Logger;
  private current: RunningCommand | undefined;
  private ids: UserIds | undefined;

  constructor(
    readonly config: ScriptConfig,
    private readonly deps: ScriptRunnerDeps,
  ) {
    const log = deps.logger.child({ script: config.name });
    const onChange = deps.onChange;
    super({
      clock: deps.clock,
      log,
      kind: "script",
      name: config.name,
      attemptNoun: "run",
      intervalMs: config.intervalMs,
      limits: config,
      initFail: config.initFail,
      onResult: deps.onRun,
      onChange: onChange && ((from, to, outcome) => onChange({ script: config.name, from, to, outcome })),
    });
    this.log = log;
    const parsed = parseCommandLine(config.command);
    this.argv = parsed.ok ? parsed.argv : undefined;
    this.parseError = parsed.ok ? undefined : parsed.message;
  }

  protected override onStart(): void {
    if (this.parseError !== undefined) this.log.log("error", "cannot parse script command; every run fails", { error: this.parseError });
  }

  protected attempt(): Promise<RunOutcome> {
    return this.execute();
  }

  protected succeeded(outcome: RunOutcome): boolean {
    return succeeded(outcome);
  }

  protected describe(outcome: RunOutcome): Record<string, unknown> {
    return { result: describeOutcome(outcome) };
  }

  /** A run ended by stop() says nothing about the script's health; one that ended on its own still counts. */
  protected discardAfterStop(outcome: RunOutcome): boolean {
    return outcome.type === "terminated";
  }

  protected cancel(): void {
    this.current?.terminate();
  }

  private async execute(): Promise<RunOutcome> {
    if (this.argv === undefined) return { type: "spawn-error", message: this.parseError ?? "no command" };
    const ids = await this.userIds();
    if (!ids.ok) return { type: "spawn-error", message: ids.message };
    if (this.stopped) return { type: "terminated" };
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
