/**
 * One agent process: per instance a VRRP router (in the Agent), its
 * keepalived-style health tracking feeding effective priority and FAULT,
 * and its notify commands / state files fed by its transitions.
 *
 * apply(config) compares the new config with the running one by instance
 * name: unchanged instances are not touched (no transition, no re-check),
 * removed ones leave the election, changed ones are replaced, new ones join.
 */
import type { AgentConfig, InstanceConfig } from "../config/types.js";
import { HealthTracker, type HealthTrackerDeps, type PodReadiness } from "../health/tracker.js";
import { describeHealthChange, type HealthResult } from "../health/priority.js";
import { probeSucceeded } from "../health/http-probe.js";
import { succeeded } from "../health/process.js";
import type { HttpProber } from "../health/http-probe.js";
import { InterfaceWatch } from "../health/interface-watch.js";
import type { Spawner } from "../health/process.js";
import { randomUUID } from "node:crypto";
import { Heartbeat } from "../notify/heartbeat.js";
import { Notifier } from "../notify/notifier.js";
import { Agent, type AgentDeps, type AgentProblem } from "./agent.js";
import type { RouterSnapshot, Transition } from "./router.js";
import { Serial } from "./serial.js";
import { SyncGroups } from "./sync-groups.js";

export interface SupervisorDeps extends Omit<AgentDeps, "onTransition"> {
  readonly spawner: Spawner;
  readonly readFile: (path: string) => Promise<string>;
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
  /** Ready pods on this node, for `track.pods` (agent --kubernetes). */
  readonly pods?: PodReadiness;
  /** Lists this host's processes, for track_process (agent/os/proc-table.ts). */
  readonly listProcesses?: HealthTrackerDeps["listProcesses"];
  readonly processPollMs?: number;
  /** Every transition, after notify has been queued (status reporting). */
  readonly onTransition?: (change: Transition) => void;
  /** An instance's effective priority or FAULT changed (status reporting). */
  readonly onHealthChange?: (instance: string, health: HealthResult, description: string | undefined) => void;
}

/** What apply() did, per instance name. */
export interface ApplyReport {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly replaced: readonly string[];
  readonly unchanged: readonly string[];
}

interface Running {
  readonly config: InstanceConfig;
  /** The slice of the agent config this instance uses (its scripts and track files). */
  readonly slice: string;
  readonly tracker: HealthTracker;
  readonly notifier: Notifier;
  applied: HealthResult | undefined;
  live: boolean;
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
  /** A config has been applied in full once. */
  private applied = false;

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
    this.sync = new SyncGroups({ clock: deps.clock, spawner: deps.spawner, logger: deps.logger, router: (name) => this.agent.routerNamed(name) });
    this.agent = new Agent({
      ...deps,
      onTransition: (t) => {
        this.running.get(t.instance)?.notifier.handle(t);
        deps.onTransition?.(t);
        this.sync.transition(t);
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
    await Promise.all([this.agent.stop(), ...all.map((r) => r.tracker.stop())]);
    await Promise.all([...all.map((r) => r.notifier.stop()), this.sync.idle()]);
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
    this.sync.configure(config.syncGroups ?? []);
    const wanted = new Map(config.instances.map((i) => [i.name, { config: i, slice: sliceOf(config, i) }]));
    const report = { added: [] as string[], removed: [] as string[], replaced: [] as string[], unchanged: [] as string[] };
    for (const [name, running] of this.running) {
      const next = wanted.get(name);
      if (next !== undefined && next.slice === running.slice) {
        report.unchanged.push(name);
        continue;
      }
      await this.retire(name, running);
      (next === undefined ? report.removed : report.replaced).push(name);
    }
    for (const [name, next] of wanted) {
      if (this.running.has(name)) continue;
      await this.launch(config, next.config, next.slice);
      if (!report.replaced.includes(name)) report.added.push(name);
    }
    this.applied = true;
    return report;
  }

  private async launch(config: AgentConfig, instance: InstanceConfig, slice: string): Promise<void> {
    const scripts = new Set(instance.track.scripts.map((s) => s.name));
    const files = new Set(instance.track.files.map((f) => f.name));
    const own: AgentConfig = {
      scripts: config.scripts.filter((s) => scripts.has(s.name)),
      trackFiles: config.trackFiles.filter((f) => files.has(f.name)),
      httpChecks: httpChecksOf(config, instance),
      trackProcesses: processesOf(config, instance),
      instances: [instance],
    };
    const notifier = new Notifier([instance], {
      clock: this.deps.clock,
      wallClock: this.deps.wallClock,
      spawner: this.deps.spawner,
      logger: this.deps.logger,
      run: this.run,
      ...(this.deps.stateDir !== undefined ? { stateDir: this.deps.stateDir } : {}),
    });
    const running: Running = {
      config: instance,
      slice,
      notifier,
      applied: undefined,
      live: false,
      tracker: new HealthTracker(own, {
        clock: this.deps.clock,
        spawner: this.deps.spawner,
        addresses: this.deps.addresses,
        links: this.links,
        readFile: this.deps.readFile,
        logger: this.deps.logger,
        ...(this.deps.lookupUser !== undefined ? { lookupUser: this.deps.lookupUser } : {}),
        ...(this.deps.pods !== undefined ? { pods: this.deps.pods } : {}),
        ...(this.deps.prober !== undefined ? { prober: this.deps.prober } : {}),
        ...(this.deps.listProcesses !== undefined ? { listProcesses: this.deps.listProcesses } : {}),
        ...(this.deps.processPollMs !== undefined ? { processPollMs: this.deps.processPollMs } : {}),
        onChange: (_name, health) => this.applyHealth(running, health),
        onScriptRun: (script, outcome, health) => this.deps.metrics.checkRan(instance.name, { kind: "script", name: script }, succeeded(outcome), health),
        onHttpProbe: (check, outcome, health) => this.deps.metrics.checkRan(instance.name, { kind: "http", name: check }, probeSucceeded(outcome), health),
      }),
    };
    this.running.set(instance.name, running);
    await running.tracker.start();
    // keepalived does not let an instance go master before its weight-0 scripts reported: held from the start.
    const initial = running.tracker.evaluate(instance.name);
    await this.agent.add(instance, (router) => {
      router.setHold("pending", initial?.pending === true);
      this.sync.prepare(router);
    });
    running.live = true;
    const health = running.tracker.evaluate(instance.name);
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
    const router = this.agent.routerNamed(running.config.name);
    if (router === undefined) return;
    const previous = running.applied;
    running.applied = health;
    const changed = previous !== undefined && (previous.effectivePriority !== health.effectivePriority || previous.fault !== health.fault);
    const description = changed ? describeHealthChange(previous, health) : undefined;
    if (description !== undefined) this.deps.logger.log("info", description, { instance: running.config.name });
    this.deps.onHealthChange?.(running.config.name, health, description);
    router.setEffectivePriority(health.effectivePriority);
    // keepalived 2.2.7 waits as backup while a weight-0 script has not reported yet (FAULT only once it fails).
    router.setHold("pending", health.pending);
    if (health.fault) router.fault();
    else router.recovered();
  }
}

/** Canonical text of everything an instance depends on, to tell changed from unchanged. */
function sliceOf(config: AgentConfig, instance: InstanceConfig): string {
  const scripts = config.scripts.filter((s) => instance.track.scripts.some((t) => t.name === s.name));
  const files = config.trackFiles.filter((f) => instance.track.files.some((t) => t.name === f.name));
  const group = config.syncGroups?.find((g) => g.name === instance.syncGroup);
  return JSON.stringify({ instance, scripts, files, httpChecks: httpChecksOf(config, instance), processes: processesOf(config, instance), group });
}

function processesOf(config: AgentConfig, instance: InstanceConfig): AgentConfig["trackProcesses"] {
  const names = new Set((instance.track.processes ?? []).map((p) => p.name));
  return (config.trackProcesses ?? []).filter((t) => names.has(t.name));
}

function httpChecksOf(config: AgentConfig, instance: InstanceConfig): AgentConfig["httpChecks"] {
  const names = new Set((instance.track.httpChecks ?? []).map((c) => c.name));
  return (config.httpChecks ?? []).filter((c) => names.has(c.name));
}
