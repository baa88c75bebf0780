/**
 * The shell around agent/vrrp/sync-group.ts: feeds it the members'
 * transitions and want-master reports, performs its actions on the members'
 * routers and runs the group notify commands (keepalived: the state-specific
 * command, then `notify` with GROUP <name> <STATE> 0), one after another per
 * group. Members are held for the group ("sync-group") from their start.
 */
import type { Notify, SyncGroupConfig } from "../config/types.js";
import { parseCommandLine } from "../../base/command-line.js";
import { DEFAULT_KILL_GRACE_MS, describeOutcome, runCommand, succeeded, type Spawner } from "../../base/process.js";
import { stepSyncGroup, type GroupPhase, type MemberView, type SyncAction, type SyncEvent } from "../vrrp/sync-group.js";
import type { Clock } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import type { Transition, VirtualRouter } from "./router.js";
import { commandIds, type UserLookup } from "../health/users.js";

export interface SyncGroupsDeps {
  readonly clock: Clock;
  readonly spawner: Spawner;
  readonly logger: Logger;
  /** The running router of an instance, if any. */
  readonly router: (instance: string) => VirtualRouter | undefined;
  /** Every group state change, before its notify commands are queued (the notify FIFOs). */
  readonly onGroupState?: (group: string, state: "MASTER" | "BACKUP" | "FAULT" | "STOP") => void;
  /** Resolves notify.user (answers remembered by the caller); without it a command with a user is not run. */
  readonly lookupUser?: UserLookup;
}

interface Group {
  readonly config: SyncGroupConfig;
  state: GroupPhase;
  commands: Promise<void>;
}

const STOPPED: MemberView = { phase: "initialize", wantsMaster: false, ownFault: false };

export class SyncGroups {
  private readonly groups = new Map<string, Group>();
  /** Member instance name → its group's name. */
  private readonly memberOf = new Map<string, string>();

  constructor(private readonly deps: SyncGroupsDeps) {}

  /** Takes the groups of a new config; a group whose definition is unchanged keeps its state. */
  configure(groups: readonly SyncGroupConfig[]): void {
    const next = new Map<string, Group>();
    for (const config of groups) {
      const old = this.groups.get(config.name);
      next.set(
        config.name,
        old !== undefined && JSON.stringify(old.config) === JSON.stringify(config)
          ? old
          : { config, state: "initialize", commands: Promise.resolve() },
      );
    }
    this.groups.clear();
    this.memberOf.clear();
    for (const [name, group] of next) {
      this.groups.set(name, group);
      for (const member of group.config.instances) this.memberOf.set(member, name);
    }
  }

  /** A member's router, before its start: held, so that only its group sends it to master. */
  prepare(router: VirtualRouter): void {
    if (this.memberOf.has(router.config.name)) router.setHold("sync-group", true);
  }

  transition(change: Transition): void {
    this.feed(change.instance, { type: "transition", member: change.instance, from: change.from, to: change.to });
  }

  /** A member's own fault causes changed (it may stay in FAULT for the group meanwhile). */
  faultCauses(instance: string): void {
    this.feed(instance, { type: "fault-causes", member: instance });
  }

  wantMaster(instance: string): void {
    this.feed(instance, { type: "want-master", member: instance });
  }

  /** Resolves once the group notify commands queued so far have run. */
  async idle(): Promise<void> {
    await Promise.all([...this.groups.values()].map((g) => g.commands));
  }

  private feed(instance: string, event: SyncEvent): void {
    const name = this.memberOf.get(instance);
    const group = name === undefined ? undefined : this.groups.get(name);
    if (group === undefined) return;
    const members = new Map(group.config.instances.map((m) => [m, this.deps.router(m)?.memberView() ?? STOPPED] as const));
    const result = stepSyncGroup(group.state, members, event);
    const before = group.state;
    group.state = result.state;
    if (before !== result.state)
      this.deps.logger.log("info", `sync group ${group.config.name}: ${before} -> ${result.state}`, {
        syncGroup: group.config.name,
        from: before,
        to: result.state,
        member: instance,
      });
    // Each action may set off transitions of other members, which come back here re-entrantly: the state is already updated.
    for (const action of result.actions) this.perform(group, action);
  }

  private perform(group: Group, action: SyncAction): void {
    if (action.type === "notify") return this.notify(group, action.state);
    const router = this.deps.router(action.member);
    if (router === undefined) return;
    switch (action.type) {
      case "fault":
        return router.setFault("sync-group", action.on);
      case "take-over":
        return router.takeOver();
      case "yield":
        return router.yieldMaster();
    }
  }

  private notify(group: Group, state: "MASTER" | "BACKUP" | "FAULT" | "STOP"): void {
    this.deps.onGroupState?.(group.config.name, state);
    const notify = group.config.notify;
    if (notify === undefined) return;
    const specific = notify[state === "MASTER" ? "master" : state === "BACKUP" ? "backup" : state === "FAULT" ? "fault" : "stop"];
    // keepalived sends STOP to the generic notify of instances only.
    const any = state === "STOP" ? undefined : notify.any;
    group.commands = group.commands.then(async () => {
      if (specific !== undefined) await this.run(group, specific, [], notify);
      if (any !== undefined) await this.run(group, any, ["GROUP", group.config.name, state, "0"], notify);
    });
  }

  private async run(group: Group, command: string, extra: readonly string[], notify: Notify): Promise<void> {
    const parsed = parseCommandLine(command);
    if (!parsed.ok) {
      this.deps.logger.log("error", "cannot parse sync group notify command", { syncGroup: group.config.name, error: parsed.message });
      return;
    }
    const argv = [...parsed.argv, ...extra];
    const user = await commandIds(this.deps.lookupUser, notify.user);
    if (!user.ok) {
      this.deps.logger.log("error", `sync group notify not run: ${user.message}`, { syncGroup: group.config.name, command: argv });
      return;
    }
    const run = runCommand({
      spawner: this.deps.spawner,
      clock: this.deps.clock,
      argv,
      timeoutMs: notify.timeoutMs,
      killGraceMs: DEFAULT_KILL_GRACE_MS,
      ...(user.ids !== undefined ? { uid: user.ids.uid, gid: user.ids.gid } : {}),
    });
    const outcome = await run.done;
    this.deps.logger.log(succeeded(outcome) ? "debug" : "warn", `sync group notify ${describeOutcome(outcome)}`, {
      syncGroup: group.config.name,
      command: argv,
    });
  }
}
