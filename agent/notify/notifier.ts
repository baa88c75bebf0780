/**
 * What happens on each transition of an instance, keepalived style:
 *
 *  1. files, at once: the instance's stateFile (if set) gets
 *     "INSTANCE <name> is in <STATE> state\n", and its JSON state record
 *     under stateDir is rewritten (both atomically: temp file + rename);
 *  2. commands, strictly one after another per instance: first the
 *     state-specific one (notify.master / backup / fault / stop) with only
 *     its own arguments, then notify.any with "INSTANCE <name> <STATE>
 *     <priority>" appended; keepalived runs them in that order and passes
 *     the four extra arguments to the generic `notify` only.
 *
 * STATE is MASTER, BACKUP, FAULT, or STOP for a transition to initialize
 * (the agent stopping). Commands are split like check scripts (no shell),
 * run as notify.user if set (keepalived script_user; a user that cannot be
 * resolved: the command is not run, logged) and limited to notify.timeoutMs, then SIGTERM, then SIGKILL (to the
 * command's process group). So a hung command holds the ones queued behind
 * it for at most notify.timeout + the kill grace (2 s), never for good.
 * Files and commands each keep their own per-instance queue, so a slow
 * command never delays the state record.
 *
 * Stopping: stop() waits stopGraceMs (2 s) for the commands queued so far;
 * then the running ones are ended (SIGTERM, SIGKILL after the kill grace)
 * and those still queued are dropped, each logged. The agent's exit never
 * waits on a hung notify command. Records are written on transitions only and
 * carry the agent's run token: the agent's heartbeat (heartbeat.ts) shows it
 * is still alive (`floatip check --max-age`).
 */
import type { InstanceConfig, Notify } from "../config/types.js";
import { parseCommandLine } from "../../base/command-line.js";
import { DEFAULT_KILL_GRACE_MS, describeOutcome, runCommand, succeeded, type RunOutcome, type Spawner } from "../../base/process.js";
import type { Clock } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import { describeCause, type Transition } from "../vrrp/transition.js";
import {
  DEFAULT_STATE_DIR,
  formatStateRecord,
  nodeNotifyFs,
  notifyState,
  stateFileLine,
  stateRecordPath,
  writeFileAtomic,
  type NotifyFs,
  type NotifyState,
  type StateRecord,
} from "./state-record.js";

export interface NotifierDeps {
  readonly clock: Clock;
  readonly wallClock: () => Date;
  readonly spawner: Spawner;
  readonly logger: Logger;
  /** Default: node:fs/promises. */
  readonly fs?: NotifyFs;
  /** Directory of the JSON state records; default /run/floatip (created if missing). */
  readonly stateDir?: string;
  /** The agent run's token, written into every record (see Heartbeat); none: records without one. */
  readonly run?: string;
  /** SIGTERM to SIGKILL for notify commands; default 2000 ms. */
  readonly killGraceMs?: number;
  /** How long stop() waits for queued and running notify commands; default 2000 ms. */
  readonly stopGraceMs?: number;
  /** Called after each notify command has ended. */
  readonly onCommand?: (report: CommandReport) => void;
  /** Resolves notify.user (agent/health/users.ts); without it a command with a user is not run. */
  readonly lookupUser?: NotifyUserLookup;
}

/** A user spec ("name", "uid", "name:group") to the ids a command runs with, or why not. */
export type NotifyUserLookup = (
  spec: string,
) => Promise<
  { readonly ok: true; readonly ids: { readonly uid: number; readonly gid: number } } | { readonly ok: false; readonly message: string }
>;

export interface CommandReport {
  readonly instance: string;
  readonly kind: "any" | "master" | "backup" | "fault" | "stop";
  readonly argv: readonly string[];
  readonly outcome: RunOutcome;
}

interface InstanceQueue {
  readonly config: InstanceConfig;
  files: Promise<void>;
  commands: Promise<void>;
}

/** How long a stopping agent waits for notify commands before it ends them. */
export const DEFAULT_STOP_GRACE_MS = 2000;

export class Notifier {
  private readonly queues = new Map<string, InstanceQueue>();
  private readonly fs: NotifyFs;
  private readonly stateDir: string;
  private dirReady: Promise<void> | undefined;
  private writes = 0;
  /** Commands running now (ended when a stop runs out of patience). */
  private readonly runningCommands = new Set<{ terminate(): void }>();
  /** Set once stop() stopped waiting: queued commands are dropped. */
  private dropping = false;

  constructor(
    instances: readonly InstanceConfig[],
    private readonly deps: NotifierDeps,
  ) {
    for (const config of instances) this.queues.set(config.name, { config, files: Promise.resolve(), commands: Promise.resolve() });
    this.fs = deps.fs ?? nodeNotifyFs();
    this.stateDir = deps.stateDir ?? DEFAULT_STATE_DIR;
  }

  /** Wait for every queued write and command, commands at most stopGraceMs (then they are ended or dropped). */
  async stop(): Promise<void> {
    const graceMs = this.deps.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    let timer: { cancel(): void } | undefined;
    const patience = new Promise<"late">((resolve) => (timer = this.deps.clock.at(this.deps.clock.now() + graceMs, () => resolve("late"))));
    const idle = this.idle();
    const first = await Promise.race([idle.then(() => "done" as const), patience]);
    timer?.cancel();
    if (first === "late") {
      this.dropping = true;
      for (const command of this.runningCommands) command.terminate();
    }
    await idle;
  }

  /** Resolves once everything queued so far is done. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()].flatMap((q) => [q.files, q.commands]));
  }

  /** Queue the files and commands of one transition (pass as the routers' onTransition). */
  handle(change: Transition): void {
    const queue = this.queues.get(change.instance);
    if (queue === undefined) {
      this.deps.logger.log("warn", "transition of an unknown instance; not notifying", { instance: change.instance });
      return;
    }
    const state = notifyState(change.to);
    // Wall time of the transition itself, even if this handler runs a little later.
    const wall = this.deps.wallClock().getTime();
    const since = new Date(wall - Math.max(0, this.deps.clock.now() - change.at)).toISOString();
    const run = this.deps.run;
    const cause = change.cause !== undefined ? { cause: describeCause(change.cause) } : {};
    const record: StateRecord = {
      instance: change.instance,
      state,
      priority: change.priority,
      since,
      updated: since,
      ...(run !== undefined ? { run } : {}),
      ...cause,
    };
    this.queueFiles(queue, record);
    const notify = queue.config.notify;
    if (notify === undefined) return;
    const kind = state === "MASTER" ? "master" : state === "BACKUP" ? "backup" : state === "FAULT" ? "fault" : "stop";
    const specific = notify[kind];
    const extra = ["INSTANCE", change.instance, state, String(change.priority)];
    queue.commands = queue.commands.then(async () => {
      if (specific !== undefined) await this.runNotify(queue, kind, specific, [], notify);
      if (notify.any !== undefined) await this.runNotify(queue, "any", notify.any, extra, notify);
    });
  }

  private queueFiles(queue: InstanceQueue, record: StateRecord): void {
    const stateFile = queue.config.stateFile;
    queue.files = queue.files.then(async () => {
      if (stateFile !== undefined) await this.write(stateFile, stateFileLine(record.instance, record.state), queue);
      await this.writeRecord(queue, record);
    });
  }

  private async writeRecord(queue: InstanceQueue, record: StateRecord): Promise<void> {
    const updated = { ...record, updated: this.deps.wallClock().toISOString() };
    this.dirReady ??= this.fs.mkdir(this.stateDir, { recursive: true }).then(
      () => undefined,
      (error: unknown) => {
        this.dirReady = undefined; // try again next time
        throw error;
      },
    );
    try {
      await this.dirReady;
    } catch (error) {
      this.deps.logger.log("error", "cannot create the state directory", { directory: this.stateDir, error });
      return;
    }
    await this.write(stateRecordPath(this.stateDir, record.instance), formatStateRecord(updated), queue);
  }

  private async write(path: string, content: string, queue: InstanceQueue): Promise<void> {
    try {
      await writeFileAtomic(this.fs, path, content, `tmp.${process.pid}.${++this.writes}`);
    } catch (error) {
      this.deps.logger.log("error", "writing state failed", { instance: queue.config.name, path, error });
    }
  }

  private async runNotify(
    queue: InstanceQueue,
    kind: CommandReport["kind"],
    command: string,
    extra: readonly string[],
    notify: Notify,
  ): Promise<void> {
    const instance = queue.config.name;
    const parsed = parseCommandLine(command);
    if (!parsed.ok) {
      this.deps.logger.log("error", `cannot parse notify ${kind} command`, { instance, error: parsed.message });
      return;
    }
    const argv = [...parsed.argv, ...extra];
    if (this.dropping) {
      this.deps.logger.log("warn", `notify ${kind} not run: the agent is stopping and earlier notify commands ran too long`, {
        instance,
        command: argv,
      });
      return;
    }
    const user = await this.userIds(notify.user);
    if (!user.ok) {
      this.deps.logger.log("error", `notify ${kind} not run: ${user.message}`, { instance, command: argv });
      this.deps.onCommand?.({ instance, kind, argv, outcome: { type: "spawn-error", message: user.message } });
      return;
    }
    const run = runCommand({
      spawner: this.deps.spawner,
      clock: this.deps.clock,
      argv,
      timeoutMs: notify.timeoutMs,
      killGraceMs: this.deps.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      ...(user.ids !== undefined ? { uid: user.ids.uid, gid: user.ids.gid } : {}),
    });
    this.runningCommands.add(run);
    const outcome = await run.done.finally(() => this.runningCommands.delete(run));
    const level = succeeded(outcome) ? "debug" : "warn";
    this.deps.logger.log(level, `notify ${kind} ${describeOutcome(outcome)}`, { instance, command: argv });
    this.deps.onCommand?.({ instance, kind, argv, outcome });
  }

  private async userIds(
    user: string | undefined,
  ): Promise<
    { readonly ok: true; readonly ids?: { readonly uid: number; readonly gid: number } } | { readonly ok: false; readonly message: string }
  > {
    if (user === undefined) return { ok: true };
    if (this.deps.lookupUser === undefined) return { ok: false, message: `no user lookup configured for user "${user}"` };
    return this.deps.lookupUser(user).catch((error: unknown) => ({ ok: false as const, message: String(error) }));
  }
}

export type { NotifyState, StateRecord };
