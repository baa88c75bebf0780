/**
 * One agent process: per instance a VRRP router (in the Agent), its
 * keepalived-style health tracking feeding effective priority and FAULT,
 * and its notify commands / state files fed by its transitions.
 *
 * apply(config) compares the new config with the running one by instance
 * name: unchanged instances are not touched (no transition, no re-check),
 * removed ones leave the election, new ones join, and a changed one is
 * changed in place or re-created as config/instance-changes.ts plans it
 * (docs/reload.md). In place, the router keeps its state (router.ts
 * reconfigure); changed tracking gets a new health tracker, and until its
 * checks have all reported once the router keeps the priority and FAULT
 * state it had (a restarted check must not drop a master's priority or put
 * it in FAULT for the moment it takes to run); changed notify settings get a
 * new notifier for the next transitions.
 */
import { rememberingLookup, type UserLookup } from "../health/users.js";
import { StaticRouting } from "./static-routing.js";
import { StaticAddresses } from "./static-addresses.js";
import type { AgentConfig, InstanceConfig } from "../config/types.js";
import { planInstanceChange, sliceOf, type InPlaceUpdate, type InstanceSlice } from "../config/instance-changes.js";
import { HealthTracker, type HealthTrackerDeps, type PodReadiness } from "../health/tracker.js";
import { describeHealthChange, type HealthResult } from "../health/priority.js";
import { probeSucceeded } from "../health/http-probe.js";
import { succeeded } from "../../base/process.js";
import type { HttpProber } from "../health/http-probe.js";
import { InterfaceWatch } from "../health/interface-watch.js";
import type { Spawner } from "../../base/process.js";
import { randomUUID } from "node:crypto";
import { Heartbeat } from "../notify/heartbeat.js";
import { Notifier } from "../notify/notifier.js";
import { NotifyFifos } from "../notify/notify-fifo.js";
import { notifyState } from "../notify/state-record.js";
import type { FifoOutlets } from "../os/ports.js";
import { Agent, type AgentDeps, type AgentProblem } from "./agent.js";
import type { RouterSnapshot, Transition } from "./router.js";
import { Serial } from "../../base/serial.js";
import { StartupDelay } from "./startup-delay.js";
import { SyncGroups } from "./sync-groups.js";

export interface SupervisorDeps extends Omit<AgentDeps, "onTransition"> {
  readonly spawner: Spawner;
  readonly readFile: (path: string) => Promise<string>;
  /** Reports changes in track files' directories (inotify); without it track files are polled. */
  readonly directoryWatcher?: HealthTrackerDeps["directoryWatcher"];
  readonly wallClock: () => Date;
  /** Directory of the per-instance JSON state records and the agent's heartbeat read by `floatip check`. */
  readonly stateDir?: string;
  /** How often the heartbeat is rewritten (default 10 s). */
  readonly heartbeatMs?: number;
  /** This run's token in the heartbeat and the records (default: a random UUID). */
  readonly runToken?: string;
  readonly interfacePollMs?: number;
  readonly lookupUser?: HealthTrackerDeps["lookupUser"];
  /** Runs the GETs of `httpChecks`. */
  readonly prober?: HttpProber;
  /** Lists this host's processes, for track_process (agent/os/proc-table.ts). */
  readonly listProcesses?: HealthTrackerDeps["listProcesses"];
  readonly processPollMs?: number;
  /** Ready pods on this node, for `track.pods` (agent --kubernetes). */
  readonly pods?: PodReadiness;
  /** Opens and writes the notify FIFOs (notifyFifos); needed only by configs that have some. */
  readonly fifos?: FifoOutlets;
  /** Every transition, after notify has been queued (status reporting). */
  readonly onTransition?: (change: Transition) => void;
  /**
   * An instance's effective priority or FAULT changed (status reporting); called after the router has acted.
   * The transitions it caused carry `description` as their cause (Transition.cause).
   */
  readonly onHealthChange?: (instance: string, health: HealthResult, description: string | undefined) => void;
}

/** What apply() did, per instance name. */
export interface ApplyReport {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly replaced: readonly string[];
  /** Changed in place: same router, same state. */
  readonly updated: readonly string[];
  readonly unchanged: readonly string[];
}

interface Running {
  config: InstanceConfig;
  /** The slice of the agent config this instance uses (its scripts, track files and HTTP checks). */
  slice: InstanceSlice;
  tracker: HealthTracker;
  notifier: Notifier;
  applied: HealthResult | undefined;
  live: boolean;
  /** A new tracker after a reload: its results wait until every check has reported once. */
  holdUntilReported: boolean;
}

export class AgentSupervisor {
  private readonly agent: Agent;
  private readonly running = new Map<string, Running>();
  private readonly changes = new Serial();
  /** One link poll per interface, whichever instances track it. */
  private readonly links: InterfaceWatch;
  private readonly run: string;
  private readonly heartbeat: Heartbeat;
  private readonly sync: SyncGroups;
  /** notify.user lookups, remembered across the notifiers and sync groups. */
  private readonly notifyUsers: UserLookup | undefined;
  private readonly startupDelay: StartupDelay;
  /** A config has been applied in full once. */
  private applied = false;
  /** keepalived static_routes / static_rules: with the agent, not with an instance. */
  private readonly statics: StaticRouting;
  /** keepalived static_ipaddress: with the agent, not with an instance. */
  private readonly staticAddresses: StaticAddresses;
  /** keepalived notify_fifo: a line per instance or group transition. */
  private readonly fifos: NotifyFifos | undefined;

  constructor(private readonly deps: SupervisorDeps) {
    this.run = deps.runToken ?? randomUUID();
    this.heartbeat = new Heartbeat({
      clock: deps.clock,
      wallClock: deps.wallClock,
      logger: deps.logger,
      run: this.run,
      pid: process.pid,
      ...(deps.stateDir !== undefined ? { stateDir: deps.stateDir } : {}),
      ...(deps.heartbeatMs !== undefined ? { refreshMs: deps.heartbeatMs } : {}),
    });
    this.links = new InterfaceWatch({
      clock: deps.clock,
      addresses: deps.addresses,
      logger: deps.logger,
      ...(deps.monitor !== undefined ? { monitor: deps.monitor } : {}),
      ...(deps.interfacePollMs !== undefined ? { pollMs: deps.interfacePollMs } : {}),
    });
    this.startupDelay = new StartupDelay(deps.clock, deps.clock.now());
    this.statics = new StaticRouting(deps.routes, deps.logger);
    this.staticAddresses = new StaticAddresses(deps.addresses, deps.logger);
    this.fifos =
      deps.fifos === undefined
        ? undefined
        : new NotifyFifos({ outlets: deps.fifos, logger: deps.logger, onLine: (result) => deps.metrics.notifyFifoLine(result) });
    this.notifyUsers = deps.lookupUser === undefined ? undefined : rememberingLookup(deps.lookupUser);
    this.sync = new SyncGroups({
      clock: deps.clock,
      spawner: deps.spawner,
      logger: deps.logger,
      router: (name) => this.agent.routerNamed(name),
      onGroupState: (name, state) => this.fifos?.write({ type: "GROUP", name, state }),
      ...(this.notifyUsers !== undefined ? { lookupUser: this.notifyUsers } : {}),
    });
    this.agent = new Agent({
      ...deps,
      onTransition: (t) => {
        // A group's line follows its members' (written when the group decides), except the group's first
        // BACKUP at start, which keepalived writes before its members' first lines (notify-fifo.ts).
        const line = () => this.fifos?.write({ type: "INSTANCE", name: t.instance, state: notifyState(t.to), priority: t.priority });
        if (t.from !== "initialize") line();
        this.running.get(t.instance)?.notifier.handle(t);
        this.sync.transition(t);
        if (t.from === "initialize") line();
        deps.onTransition?.(t);
      },
      onWantMaster: (name) => this.sync.wantMaster(name),
      onFaultCauses: (name) => this.sync.faultCauses(name),
    });
  }

  /** Bring the running instances in line with config; serialised with other applies and stop(). */
  apply(config: AgentConfig): Promise<ApplyReport> {
    return this.changes.run(() => this.applyNow(config));
  }

  /**
   * Leave the election; resolves once addresses are removed and STOP
   * notifications have run. Waits for an apply in progress; otherwise the
   * priority-0 adverts leave inside this call.
   */
  stop(): Promise<void> {
    return this.changes.run(() => this.stopNow());
  }

  private async stopNow(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.live = false;
    this.startupDelay.stop();
    await Promise.all([this.agent.stop(), ...all.map((r) => r.tracker.stop())]);
    await Promise.all([...all.map((r) => r.notifier.stop()), this.sync.idle()]);
    await this.statics.stop();
    await this.staticAddresses.stop();
    await this.fifos?.stop();
    await this.heartbeat.stop();
    this.running.clear();
  }

  snapshot(): RouterSnapshot[] {
    return this.agent.snapshot();
  }

  /** What keeps the agent from doing its job now (sockets, link monitor); empty when healthy. */
  health(): AgentProblem[] {
    return this.agent.health();
  }

  /** Config applied and every instance's router running. */
  ready(): boolean {
    return this.applied && [...this.running.values()].every((r) => r.live);
  }

  private async applyNow(config: AgentConfig): Promise<ApplyReport> {
    this.heartbeat.start();
    // Before the instances, whatever their state (keepalived installs them at start); addresses before routes that may use them.
    await this.staticAddresses.apply(config.staticAddresses ?? []);
    await this.statics.apply({ routes: config.staticRoutes ?? [], rules: config.staticRules ?? [] });
    if (this.fifos !== undefined) await this.fifos.configure(config.notifyFifos ?? []);
    else if ((config.notifyFifos ?? []).length > 0)
      this.deps.logger.log("error", "this agent cannot write notify FIFOs; notifyFifos ignored", {});
    this.sync.configure(config.syncGroups ?? []);
    this.startupDelay.configure(config.startupDelayMs);
    const wanted = new Map(config.instances.map((i) => [i.name, sliceOf(config, i)]));
    const report = {
      added: [] as string[],
      removed: [] as string[],
      replaced: [] as string[],
      updated: [] as string[],
      unchanged: [] as string[],
    };
    const updates: [Running, InstanceSlice, readonly InPlaceUpdate[]][] = [];
    for (const [name, running] of this.running) {
      const next = wanted.get(name);
      const change = next === undefined ? undefined : planInstanceChange(running.slice, next);
      if (change?.kind === "unchanged") {
        report.unchanged.push(name);
        continue;
      }
      if (change?.kind === "update" && this.agent.routerNamed(name) !== undefined) {
        updates.push([running, next!, change.updates]);
        continue;
      }
      if (change?.kind === "recreate")
        this.deps.logger.log("info", "re-creating the router: a change it cannot take in place", {
          instance: name,
          reasons: change.reasons,
        });
      await this.retire(name, running);
      (next === undefined ? report.removed : report.replaced).push(name);
    }
    for (const [running, next, changes] of updates) {
      await this.update(running, next, changes);
      report.updated.push(next.instance.name);
    }
    for (const [name, next] of wanted) {
      if (this.running.has(name)) continue;
      await this.launch(next);
      if (!report.replaced.includes(name)) report.added.push(name);
    }
    this.applied = true;
    return report;
  }

  private async launch(slice: InstanceSlice): Promise<void> {
    const instance = slice.instance;
    const running: Running = {
      config: instance,
      slice,
      notifier: this.newNotifier(instance),
      applied: undefined,
      live: false,
      holdUntilReported: false,
      tracker: undefined as unknown as HealthTracker, // set next: its callbacks need `running`
    };
    running.tracker = this.newTracker(running, slice);
    this.running.set(instance.name, running);
    await running.tracker.start();
    // keepalived does not let an instance go master before its weight-0 scripts reported: held from the start.
    const initial = running.tracker.evaluate(instance.name);
    await this.agent.add(instance, (router) => {
      router.setHold("pending", initial?.pending === true);
      this.sync.prepare(router);
      this.startupDelay.prepare(router);
    });
    running.live = true;
    const health = running.tracker.evaluate(instance.name);
    if (health !== undefined) this.applyHealth(running, health);
  }

  /** A reload's in-place updates: the router keeps its state (see the header). */
  private async update(running: Running, next: InstanceSlice, updates: readonly InPlaceUpdate[]): Promise<void> {
    const name = next.instance.name;
    const kinds = new Set(updates.map((u) => u.kind));
    running.config = next.instance;
    running.slice = next;
    if (kinds.has("notify")) {
      const old = running.notifier;
      running.notifier = this.newNotifier(next.instance);
      void old.stop().catch(() => undefined);
    }
    this.agent.routerNamed(name)?.reconfigure(next.instance, updates);
    if (kinds.has("tracking")) {
      const old = running.tracker;
      running.tracker = this.newTracker(running, next);
      running.holdUntilReported = true;
      await old.stop();
      this.deps.metrics.checksRemoved(name);
      await running.tracker.start();
      this.reevaluate(running);
    } else if (kinds.has("priority")) {
      running.tracker.updateInstance(next.instance);
    }
    this.deps.logger.log("info", "instance changed in place", { instance: name, changes: [...kinds] });
  }

  private newNotifier(instance: InstanceConfig): Notifier {
    return new Notifier([instance], {
      clock: this.deps.clock,
      wallClock: this.deps.wallClock,
      spawner: this.deps.spawner,
      logger: this.deps.logger,
      run: this.run,
      ...(this.deps.stateDir !== undefined ? { stateDir: this.deps.stateDir } : {}),
      ...(this.notifyUsers !== undefined ? { lookupUser: this.notifyUsers } : {}),
    });
  }

  private newTracker(running: Running, slice: InstanceSlice): HealthTracker {
    const instance = slice.instance;
    const own: AgentConfig = {
      scripts: slice.scripts,
      trackFiles: slice.files,
      httpChecks: slice.httpChecks,
      trackProcesses: slice.processes,
      instances: [instance],
    };
    const tracker: HealthTracker = new HealthTracker(own, {
      clock: this.deps.clock,
      spawner: this.deps.spawner,
      addresses: this.deps.addresses,
      links: this.links,
      readFile: this.deps.readFile,
      ...(this.deps.directoryWatcher !== undefined ? { directoryWatcher: this.deps.directoryWatcher } : {}),
      logger: this.deps.logger,
      ...(this.deps.lookupUser !== undefined ? { lookupUser: this.deps.lookupUser } : {}),
      ...(this.deps.pods !== undefined ? { pods: this.deps.pods } : {}),
      ...(this.deps.prober !== undefined ? { prober: this.deps.prober } : {}),
      ...(this.deps.listProcesses !== undefined ? { listProcesses: this.deps.listProcesses } : {}),
      ...(this.deps.processPollMs !== undefined ? { processPollMs: this.deps.processPollMs } : {}),
      // A tracker replaced by a reload says nothing any more.
      onChange: (_name, health) => {
        if (running.tracker === tracker) this.applyHealth(running, health);
      },
      onScriptRun: (script, outcome, health) => {
        this.deps.metrics.checkRan(instance.name, { kind: "script", name: script }, succeeded(outcome), health);
        if (running.tracker === tracker) this.reevaluate(running);
      },
      onHttpProbe: (check, outcome, health) => {
        this.deps.metrics.checkRan(instance.name, { kind: "http", name: check }, probeSucceeded(outcome), health);
        if (running.tracker === tracker) this.reevaluate(running);
      },
    });
    return tracker;
  }

  /** A held-back tracker (see holdUntilReported) applies its result once every check has reported. */
  private reevaluate(running: Running): void {
    if (!running.holdUntilReported) return;
    const health = running.tracker.evaluate(running.config.name);
    if (health !== undefined) this.applyHealth(running, health);
  }

  private async retire(name: string, running: Running): Promise<void> {
    running.live = false;
    await Promise.all([this.agent.remove(name), running.tracker.stop()]);
    this.deps.metrics.checksRemoved(name);
    await running.notifier.stop();
    this.running.delete(name);
  }

  private applyHealth(running: Running, health: HealthResult): void {
    if (!running.live) return;
    if (running.holdUntilReported) {
      if (!running.tracker.reported(running.config.name)) return;
      running.holdUntilReported = false;
    }
    const router = this.agent.routerNamed(running.config.name);
    if (router === undefined) return;
    const previous = running.applied;
    running.applied = health;
    const changed = previous !== undefined && (previous.effectivePriority !== health.effectivePriority || previous.fault !== health.fault);
    const description = changed ? describeHealthChange(previous, health) : undefined;
    // The router first (a FAULT's priority-0 advert leaves inside it; its transitions carry the description), then the log line and status.
    router.applyHealth(health, description);
    if (description !== undefined) this.deps.logger.log("info", description, { instance: running.config.name });
    this.deps.onHealthChange?.(running.config.name, health, description);
  }
}
