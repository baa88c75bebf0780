/**
 * Health tracking for every instance of an AgentConfig: one ScriptRunner
 * per script and one HttpCheckRunner per HTTP check that some instance
 * tracks (shared between instances), a subscription per tracked
 * interface on an InterfaceWatch (shared with the other trackers of the
 * agent when injected: one poll per interface), one TrackFileWatch over every
 * tracked file (read again when its directory reports a change). On any change, each instance's HealthResult is recomputed
 * (priority.ts) and reported through onChange when it differs from the last
 * one reported. Before anything is reported an instance counts as its base
 * priority with no fault (what a VirtualRouter starts with).
 *
 * Like keepalived (unless dont_track_primary), an instance also tracks its
 * own interface with weight 0 (FAULT while down), unless it lists that
 * interface under track.interfaces itself, trackPrimaryInterface is false, or
 * the instance says trackInterface: false (keepalived dont_track_primary).
 */
import type {
  AgentConfig,
  HttpCheckConfig,
  InstanceConfig,
  LabelSelector,
  ScriptConfig,
  TrackFileConfig,
  TrackProcessConfig,
} from "../config/types.js";
import type { AddressTable, DirectoryWatcher } from "../os/ports.js";
import type { Clock } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import { HttpCheckRunner } from "./http-check-runner.js";
import type { HttpProbeOutcome, HttpProber } from "./http-probe.js";
import { InterfaceWatch, type LinkSubscription } from "./interface-watch.js";
import { computeHealth, describeHealthChange, neutralHealth, sameHealth, type HealthResult, type TrackedStatus } from "./priority.js";
import type { RunOutcome, Spawner } from "../../base/process.js";
import { ScriptRunner } from "./script-runner.js";
import type { ScriptHealth } from "./script-state.js";
import { TrackFileWatch } from "./track-file.js";
import { ProcessWatch } from "./process-watch.js";
import type { ProcessInfo } from "./process-match.js";
import type { UserLookup } from "./users.js";

export interface HealthTrackerDeps {
  readonly clock: Clock;
  readonly spawner: Spawner;
  readonly addresses: Pick<AddressTable, "linkState">;
  /** Reads a whole file as text (track files); rejects when it cannot. */
  readonly readFile: (path: string) => Promise<string>;
  /** Reports changes in track files' directories (inotify); without it track files are polled every trackFilePollMs. */
  readonly directoryWatcher?: DirectoryWatcher;
  readonly logger: Logger;
  /** Resolves script `user`s to uid/gid. */
  readonly lookupUser?: UserLookup;
  /** Called with an instance's new result whenever it differs from the last one reported. */
  readonly onChange: (instance: string, health: HealthResult) => void;
  /** Called after every script run (metrics). */
  readonly onScriptRun?: (script: string, outcome: RunOutcome, health: ScriptHealth) => void;
  /** Runs the GETs of HTTP checks; without it an HTTP check fails every probe. */
  readonly prober?: HttpProber;
  /** Called after every HTTP probe (metrics). */
  readonly onHttpProbe?: (check: string, outcome: HttpProbeOutcome, health: ScriptHealth) => void;
  /**
   * Link polls shared with the other trackers of the agent (one poll per
   * interface); default: a watch of this tracker's own over `addresses`
   * polling every interfacePollMs.
   */
  readonly links?: InterfaceWatch;
  readonly interfacePollMs?: number;
  readonly trackFilePollMs?: number;
  /** SIGTERM to SIGKILL for scripts; default 2000 ms. */
  readonly killGraceMs?: number;
  /** Track each instance's own interface with weight 0 (default true, like keepalived). */
  readonly trackPrimaryInterface?: boolean;
  /** Ready pods on this node (agent --kubernetes), for `track.pods`. */
  readonly pods?: PodReadiness;
  /** Lists this host's processes (track_process); without it no tracked process is ever running. */
  readonly listProcesses?: (options: { readonly argv: boolean }) => Promise<ProcessInfo[]>;
  readonly processPollMs?: number;
}

interface InstanceTracking {
  readonly config: InstanceConfig;
  readonly scripts: readonly { readonly script: ScriptConfig; readonly weight: number; readonly reverse: boolean }[];
  readonly httpChecks: readonly { readonly check: HttpCheckConfig; readonly weight: number; readonly reverse: boolean }[];
  readonly interfaces: readonly { readonly name: string; readonly weight: number; readonly reverse: boolean }[];
  readonly files: readonly { readonly file: TrackFileConfig; readonly weight: number; readonly reverse: boolean }[];
  readonly processes: readonly { readonly tracked: TrackProcessConfig; readonly weight: number; readonly reverse: boolean }[];
  last: HealthResult;
}

/** Counts ready pods on this node; undefined until the first list has arrived. */
export interface PodReadiness {
  readyCount(namespace: string, selector: LabelSelector): number | undefined;
  /** Calls listener after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** "default/app=web" for logs and reasons. */
export function selectorText(namespace: string, selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values ? ` (${e.values.join(",")})` : ""}`);
  return `${namespace}/${[...labels, ...expressions].join(",")}`;
}

interface KnownTrackables {
  readonly scripts: ReadonlyMap<string, ScriptConfig>;
  readonly files: ReadonlyMap<string, TrackFileConfig>;
  readonly http: ReadonlyMap<string, HttpCheckConfig>;
  readonly processes: ReadonlyMap<string, TrackProcessConfig>;
}

/** Used when no prober was injected: every probe fails, saying why. */
const missingProber: HttpProber = {
  get: async () => ({ type: "error", message: "no HTTP prober configured in this agent" }),
};

export class HealthTracker {
  private unsubscribePods: (() => void) | undefined;
  private readonly instances: InstanceTracking[];
  private readonly runners = new Map<string, ScriptRunner>();
  private readonly httpRunners = new Map<string, HttpCheckRunner>();
  private readonly links: InterfaceWatch;
  /** One per tracked interface name, from start() on. */
  private linkSubscriptions: Promise<LinkSubscription>[] = [];
  private readonly files: TrackFileWatch;
  private readonly processes: ProcessWatch;
  private state: "new" | "starting" | "running" | "stopped" = "new";
  /** Config problems found while planning, logged by start() (constructors do no I/O). */
  private readonly problems: { readonly instance: string; readonly message: string }[] = [];

  constructor(
    config: AgentConfig,
    private readonly deps: HealthTrackerDeps,
  ) {
    const scriptsByName = new Map(config.scripts.map((s) => [s.name, s]));
    const filesByName = new Map(config.trackFiles.map((f) => [f.name, f]));
    const httpByName = new Map((config.httpChecks ?? []).map((c) => [c.name, c]));
    const processesByName = new Map((config.trackProcesses ?? []).map((t) => [t.name, t]));
    this.instances = config.instances.map((inst) =>
      this.plan(
        inst,
        { scripts: scriptsByName, files: filesByName, http: httpByName, processes: processesByName },
        deps.trackPrimaryInterface ?? true,
      ),
    );

    const usedScripts = new Map(this.instances.flatMap((i) => i.scripts.map((s) => [s.script.name, s.script] as const)));
    for (const script of usedScripts.values()) {
      this.runners.set(
        script.name,
        new ScriptRunner(script, {
          clock: deps.clock,
          spawner: deps.spawner,
          logger: deps.logger,
          ...(deps.lookupUser !== undefined ? { lookupUser: deps.lookupUser } : {}),
          ...(deps.killGraceMs !== undefined ? { killGraceMs: deps.killGraceMs } : {}),
          onChange: () => this.recompute(),
          ...(deps.onScriptRun !== undefined ? { onRun: (outcome, health) => deps.onScriptRun?.(script.name, outcome, health) } : {}),
        }),
      );
    }
    const usedHttp = new Map(this.instances.flatMap((i) => i.httpChecks.map((c) => [c.check.name, c.check] as const)));
    const prober = deps.prober ?? missingProber;
    for (const check of usedHttp.values()) {
      this.httpRunners.set(
        check.name,
        new HttpCheckRunner(check, {
          clock: deps.clock,
          prober,
          logger: deps.logger,
          onChange: () => this.recompute(),
          ...(deps.onHttpProbe !== undefined ? { onProbe: (outcome, health) => deps.onHttpProbe?.(check.name, outcome, health) } : {}),
        }),
      );
    }
    this.links =
      deps.links ??
      new InterfaceWatch({
        clock: deps.clock,
        addresses: deps.addresses,
        logger: deps.logger,
        ...(deps.interfacePollMs !== undefined ? { pollMs: deps.interfacePollMs } : {}),
      });
    const usedFiles = new Map(this.instances.flatMap((i) => i.files.map((f) => [f.file.name, f.file] as const)));
    this.files = new TrackFileWatch([...usedFiles.values()], {
      clock: deps.clock,
      readFile: deps.readFile,
      logger: deps.logger,
      ...(deps.directoryWatcher !== undefined ? { watcher: deps.directoryWatcher } : {}),
      ...(deps.trackFilePollMs !== undefined ? { pollMs: deps.trackFilePollMs } : {}),
      onChange: () => this.recompute(),
    });
    const usedProcesses = new Map(this.instances.flatMap((i) => i.processes.map((p) => [p.tracked.name, p.tracked] as const)));
    this.processes = new ProcessWatch([...usedProcesses.values()], {
      clock: deps.clock,
      list: deps.listProcesses ?? (async () => []),
      logger: deps.logger,
      ...(deps.processPollMs !== undefined ? { pollMs: deps.processPollMs } : {}),
      onChange: () => this.recompute(),
    });
  }

  /**
   * Reads interfaces and track files once, reports any instance whose
   * result differs from neutral, then starts the scripts (first runs at
   * once) and the polling.
   */
  async start(): Promise<void> {
    if (this.state !== "new") throw new Error("health tracker already started");
    this.state = "starting";
    for (const p of this.problems) this.deps.logger.log("error", p.message, { instance: p.instance });
    const interfaces = new Set(this.instances.flatMap((i) => i.interfaces.map((t) => t.name)));
    this.linkSubscriptions = [...interfaces].map((name) => this.links.subscribe(name, () => this.recompute()));
    await Promise.all([...this.linkSubscriptions, this.files.start(), this.processes.start()]);
    if (this.state !== "starting") return; // stopped meanwhile
    this.state = "running";
    this.unsubscribePods = this.deps.pods?.subscribe(() => this.recompute());
    this.recompute();
    for (const runner of this.runners.values()) runner.start();
    for (const runner of this.httpRunners.values()) runner.start();
  }

  /** Stops polling and scripts; resolves once no script runs any more. */
  async stop(): Promise<void> {
    const wasStarted = this.state !== "new";
    this.state = "stopped";
    this.unsubscribePods?.();
    this.unsubscribePods = undefined;
    if (!wasStarted) return;
    await Promise.all([
      ...this.linkSubscriptions.map(async (subscription) => (await subscription).unsubscribe()),
      this.files.stop(),
      this.processes.stop(),
      ...[...this.runners.values()].map((r) => r.stop()),
      ...[...this.httpRunners.values()].map((r) => r.stop()),
    ]);
  }

  /**
   * A reload changed the instance's own fields (its priority) but nothing it
   * tracks: the checks keep their state and the result is computed again.
   */
  updateInstance(instance: InstanceConfig): void {
    const tracking = this.instances.find((i) => i.config.name === instance.name);
    if (tracking === undefined) return;
    this.instances[this.instances.indexOf(tracking)] = { ...tracking, config: instance };
    this.recompute();
  }

  /** Every script, HTTP check and pod selector the instance tracks has a first result. */
  reported(instance: string): boolean {
    const tracking = this.instances.find((i) => i.config.name === instance);
    if (tracking === undefined) return true;
    return this.statusOf(tracking).every(
      (t) => !(((t.kind === "script" || t.kind === "http") && t.health === "init") || (t.kind === "pods" && t.ready === undefined)),
    );
  }

  /** The last result reported for an instance (neutral before any report). */
  health(instance: string): HealthResult | undefined {
    return this.instances.find((i) => i.config.name === instance)?.last;
  }

  /** The result as of now, whether reported or not. */
  evaluate(instance: string): HealthResult | undefined {
    const tracking = this.instances.find((i) => i.config.name === instance);
    return tracking === undefined ? undefined : computeHealth({ basePriority: tracking.config.priority, tracked: this.statusOf(tracking) });
  }

  private recompute(): void {
    if (this.state !== "running") return;
    for (const tracking of this.instances) {
      const next = computeHealth({ basePriority: tracking.config.priority, tracked: this.statusOf(tracking) });
      if (sameHealth(next, tracking.last)) continue;
      const before = tracking.last;
      tracking.last = next;
      // Reported before it is logged: a FAULT's priority-0 advert leaves inside onChange.
      this.deps.onChange(tracking.config.name, next);
      this.deps.logger.log(next.fault ? "warn" : "info", describeHealthChange(before, next), {
        instance: tracking.config.name,
        effectivePriority: next.effectivePriority,
        fault: next.fault,
      });
    }
  }

  private statusOf(tracking: InstanceTracking): TrackedStatus[] {
    const pods = tracking.config.track.pods;
    return [
      ...(pods === undefined
        ? []
        : [
            {
              kind: "pods" as const,
              name: selectorText(pods.namespace, pods.selector),
              weight: pods.weight,
              reverse: false,
              ready: this.deps.pods?.readyCount(pods.namespace, pods.selector),
            },
          ]),
      ...tracking.scripts.map(
        (s): TrackedStatus => ({
          kind: "script",
          name: s.script.name,
          weight: s.weight,
          reverse: s.reverse,
          health: this.runners.get(s.script.name)?.health ?? "init",
        }),
      ),
      ...tracking.httpChecks.map(
        (c): TrackedStatus => ({
          kind: "http",
          name: c.check.name,
          weight: c.weight,
          reverse: c.reverse,
          health: this.httpRunners.get(c.check.name)?.health ?? "init",
        }),
      ),
      ...tracking.interfaces.map(
        (t): TrackedStatus => ({
          kind: "interface",
          name: t.name,
          weight: t.weight,
          reverse: t.reverse,
          up: this.links.isUp(t.name) ?? true,
        }),
      ),
      ...tracking.files.map(
        (f): TrackedStatus => ({
          kind: "file",
          name: f.file.name,
          weight: f.weight,
          reverse: f.reverse,
          value: this.files.value(f.file.name),
        }),
      ),
      ...tracking.processes.map(
        (p): TrackedStatus => ({
          kind: "process",
          name: p.tracked.name,
          weight: p.weight,
          reverse: p.reverse,
          up: this.processes.isUp(p.tracked.name) ?? false,
        }),
      ),
    ];
  }

  private plan(inst: InstanceConfig, known: KnownTrackables, trackPrimary: boolean): InstanceTracking {
    const { scripts, files, http } = known;
    const scriptRefs = inst.track.scripts.flatMap((ref) => {
      const script = scripts.get(ref.name);
      if (script === undefined) return this.unknown(inst, `script ${ref.name}`);
      return [{ script, weight: ref.weight ?? script.weight, reverse: ref.reverse ?? script.reverse }];
    });
    const httpRefs = (inst.track.httpChecks ?? []).flatMap((ref) => {
      const check = http.get(ref.name);
      if (check === undefined) return this.unknown(inst, `HTTP check ${ref.name}`);
      return [{ check, weight: ref.weight ?? check.weight, reverse: ref.reverse ?? false }];
    });
    const interfaces = inst.track.interfaces.map((ref) => ({ name: ref.name, weight: ref.weight ?? 0, reverse: ref.reverse ?? false }));
    if (trackPrimary && inst.trackInterface !== false && !interfaces.some((t) => t.name === inst.interface))
      interfaces.unshift({ name: inst.interface, weight: 0, reverse: false });
    const fileRefs = inst.track.files.flatMap((ref) => {
      const file = files.get(ref.name);
      if (file === undefined) return this.unknown(inst, `track file ${ref.name}`);
      return [{ file, weight: ref.weight ?? file.weight, reverse: ref.reverse ?? false }];
    });
    const processRefs = (inst.track.processes ?? []).flatMap((ref) => {
      const tracked = known.processes.get(ref.name);
      if (tracked === undefined) return this.unknown(inst, `process ${ref.name}`);
      return [{ tracked, weight: ref.weight ?? tracked.weight, reverse: ref.reverse ?? tracked.reverse }];
    });
    return {
      config: inst,
      scripts: scriptRefs,
      httpChecks: httpRefs,
      interfaces,
      files: fileRefs,
      processes: processRefs,
      last: neutralHealth(inst.priority),
    };
  }

  private unknown(inst: InstanceConfig, what: string): [] {
    // Validation rejects this; a config built in code may still do it.
    this.problems.push({ instance: inst.name, message: `instance tracks unknown ${what}; ignoring it` });
    return [];
  }
}
