/**
 * `floatip agent --kubernetes`: the node's VRRPNode spec is the agent's
 * config. The agent watches only its own VRRPNode and the pods on its node,
 * applies a changed spec instance by instance, keeps running its last good
 * config (cached on the node) while the API server is away or the spec is
 * invalid, and reports what it observes in the VRRPNode status, coalesced,
 * and again every statusRefreshMs without changes (a heartbeat: the
 * controller stops trusting a report older than three of those).
 * An instance it cannot run is refused alone and named in the status
 * (spec-instances.ts); the others are applied.
 */
import type { AgentConfig } from "../config/types.js";
import { fillInterfaces } from "../config/fill-interfaces.js";
import type { ConfigError } from "../config/validate.js";
import type { LinkInfo } from "../os/ports.js";
import type { Logger } from "../../base/logger.js";
import type { RouterSnapshot, Transition } from "../runtime/router.js";
import { describeCause } from "../vrrp/transition.js";
import type { ApplyReport } from "../runtime/supervisor.js";
import type { Clock, TimerHandle } from "../../base/clock.js";
import type { AgentKubeApi, Stoppable, VrrpNodeObject } from "./api.js";
import type { ConfigCache } from "./config-cache.js";
import { PodIndex, viewOf } from "./pod-index.js";
import { resolveSecrets } from "./secrets.js";
import { StatusWriter } from "./status-writer.js";
import { acceptInstances, keepPrevious, type RefusedInstance } from "./spec-instances.js";
import { expandPeerSets } from "./peer-sets.js";
import { scriptGateErrors, withoutCommands } from "./script-gate.js";
import { nodeStatus, type NodeStatus } from "./node-status.js";

export interface Runner {
  apply(config: AgentConfig): Promise<ApplyReport>;
  snapshot(): RouterSnapshot[];
}

export interface KubeAgentDeps {
  readonly api: AgentKubeApi;
  readonly nodeName: string;
  readonly runner: Runner;
  readonly pods: PodIndex;
  readonly cache: ConfigCache;
  readonly links: () => Promise<readonly LinkInfo[]>;
  readonly clock: Clock;
  readonly wallClock: () => Date;
  readonly logger: Logger;
  /** Minimum gap between status writes, ms. */
  readonly statusIntervalMs?: number;
  /** Longest gap between status writes without changes, ms (default DEFAULT_STATUS_REFRESH_MS). */
  readonly statusRefreshMs?: number;
  /** Run script checks and notify commands that come from the VRRPNode (`--allow-vrrpnode-scripts`); default off. */
  readonly allowScripts?: boolean;
}

/** The agent rewrites its VRRPNode status at least this often (one write per node, whatever its instances). */
export const DEFAULT_STATUS_REFRESH_MS = 20_000;

export class KubeAgent {
  private readonly watches: Stoppable[] = [];
  private readonly writer: StatusWriter<NodeStatus>;
  private readonly transitions = new Map<string, { count: number; last: string }>();
  private observedGeneration: number | undefined;
  private configErrors: readonly ConfigError[] = [];
  private refused: readonly RefusedInstance[] = [];
  private lastApplied: AgentConfig | undefined;
  private applying: Promise<void> = Promise.resolve();
  private lastSpec: string | undefined;
  private refresh: TimerHandle | undefined;
  private stopped = false;
  /** The node's interface names as last read (for the status; pools with spec.interfaces use them). */
  private interfaces: readonly string[] | undefined;

  constructor(private readonly deps: KubeAgentDeps) {
    this.writer = new StatusWriter<NodeStatus>({
      clock: deps.clock,
      minIntervalMs: deps.statusIntervalMs ?? 500,
      write: (status) => deps.api.patchVrrpNodeStatus(deps.nodeName, status),
      onError: (error) => deps.logger.log("warn", "writing VRRPNode status failed; will retry", { error: errorText(error) }),
    });
  }

  /** Run the cached config at once (no API server needed), then follow the cluster. */
  async start(): Promise<void> {
    const cached = await this.deps.cache.load();
    if (cached !== undefined) {
      this.deps.logger.log("info", "running the cached config until the API server answers", { generation: cached.generation });
      // The cache may have been written while the script gate was open.
      const gated = this.deps.allowScripts === true ? { config: cached.config, refused: [] } : withoutCommands(cached.config);
      await this.applyResolved(gated.config, cached.generation, "cache", gated.refused);
    }
    this.watches.push(
      await this.deps.api.watchPodsOnNode(this.deps.nodeName, {
        onSynced: (pods) => this.deps.pods.reset(pods.map(viewOf).filter((p) => p !== undefined)),
        onUpsert: (pod) => {
          const view = viewOf(pod);
          if (view !== undefined) this.deps.pods.upsert(view);
        },
        onDelete: (pod) => this.deps.pods.remove(pod.metadata?.namespace ?? "", pod.metadata?.name ?? ""),
        onError: (error) => this.deps.logger.log("warn", "pod watch interrupted", { error: errorText(error) }),
      }),
    );
    this.watches.push(
      await this.deps.api.watchVrrpNode(this.deps.nodeName, {
        onUpsert: (obj) => this.onSpec(obj),
        onDelete: () => this.onSpec({ spec: { instances: [] }, metadata: { generation: 0 } }),
        onError: (error) =>
          this.deps.logger.log("warn", "VRRPNode watch interrupted; VRRP keeps running on the last config", { error: errorText(error) }),
        // The API server answers again: a status write need not wait out its backoff (up to 30 s).
        onConnected: () => this.writer.retryNow(),
      }),
    );
  }

  /** Record a transition for the status (wired to the supervisor's onTransition). */
  transitioned(change: Transition): void {
    const entry = this.transitions.get(change.instance) ?? { count: 0, last: "" };
    entry.count += 1;
    // Say why, for the controller's Event ("node-a: master -> fault (fault); FAULT after pods ...").
    const cause = change.cause !== undefined ? `; ${describeCause(change.cause)}` : "";
    entry.last = `${change.from} -> ${change.to} (${change.reason})${cause}`;
    this.transitions.set(change.instance, entry);
    this.reportStatus();
  }

  /** A conflict of an instance started or ended. */
  conflictsChanged(): void {
    this.reportStatus();
  }

  /** A health change (priority, fault) worth a status update (the transitions it caused carry its description). */
  healthChanged(): void {
    this.reportStatus();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.refresh?.cancel();
    await Promise.all(this.watches.splice(0).map((w) => w.stop()));
    await this.applying;
    this.writer.stop();
  }

  /** For tests: resolves once queued spec changes are applied and the status is written. */
  async settled(): Promise<void> {
    await this.applying;
    await this.writer.idle();
  }

  private onSpec(obj: VrrpNodeObject): void {
    const text = JSON.stringify(obj.spec ?? null);
    const generation = obj.metadata?.generation ?? 0;
    if (text === this.lastSpec && generation === this.observedGeneration) return;
    this.lastSpec = text;
    this.applying = this.applying
      .then(() => this.applySpec(obj.spec, generation))
      .catch((error: unknown) => {
        this.deps.logger.log("error", "applying the VRRPNode spec failed", { error: errorText(error) });
      });
  }

  private async applySpec(spec: unknown, generation: number): Promise<void> {
    // Peer sets first (peer-sets.ts): everything after reads the inline unicast form.
    const peers = expandPeerSets(spec);
    const resolved = await resolveSecrets(peers.doc, (ns, name) => this.deps.api.readSecret(ns, name));
    const links = await this.deps.links();
    this.interfaces = links.map((l) => l.name);
    const filled = fillInterfaces(resolved.doc, links);
    const early = [
      ...peers.errors,
      ...(resolved.ok ? [] : resolved.errors),
      ...(filled.ok ? [] : filled.errors),
      ...(this.deps.allowScripts === true ? [] : scriptGateErrors(filled.doc)),
    ];
    const outcome = acceptInstances(filled.doc, early);
    if (outcome.kind === "refused") return this.reject(outcome.errors, generation);
    const { config, kept } = keepPrevious(
      outcome.config,
      this.lastApplied,
      outcome.refused.map((r) => r.instance),
    );
    const refused = outcome.refused.map((r) =>
      kept.includes(r.instance)
        ? { ...r, errors: r.errors.map((e) => ({ ...e, message: `${e.message}; its previous version keeps running` })) }
        : r,
    );
    await this.applyResolved(config, generation, "api", refused);
    await this.deps.cache.save({ generation, config });
  }

  private async applyResolved(
    config: AgentConfig,
    generation: number,
    from: "api" | "cache",
    refused: readonly RefusedInstance[],
  ): Promise<void> {
    for (const r of refused) {
      for (const e of r.errors)
        this.deps.logger.log("error", "VRRPNode instance refused", { instance: r.instance, field: e.path, message: e.message, generation });
    }
    const report = await this.deps.runner.apply(config);
    this.lastApplied = config;
    this.configErrors = [];
    this.refused = refused;
    this.observedGeneration = generation;
    this.deps.logger.log("info", "applied VRRPNode spec", { generation, from, ...report, refused: refused.map((r) => r.instance) });
    this.reportStatus();
  }

  private reject(errors: readonly ConfigError[], generation: number): void {
    // Nothing of an invalid spec is applied: the previous config keeps running.
    this.configErrors = errors;
    this.observedGeneration = generation;
    for (const e of errors) this.deps.logger.log("error", "VRRPNode spec rejected", { field: e.path, message: e.message, generation });
    this.reportStatus();
  }

  private reportStatus(): void {
    if (this.stopped) return;
    // Every report restarts the refresh timer: a heartbeat goes out only after a quiet interval.
    const refreshMs = this.deps.statusRefreshMs ?? DEFAULT_STATUS_REFRESH_MS;
    this.refresh?.cancel();
    this.refresh = this.deps.clock.at(this.deps.clock.now() + refreshMs, () => {
      this.refresh = undefined;
      // Re-read the interfaces so one added since (a new NIC, a VLAN) reaches the controller by the next heartbeat.
      void this.deps
        .links()
        .then(
          (links) => (this.interfaces = links.map((l) => l.name)),
          (error: unknown) =>
            this.deps.logger.log("warn", "reading the node's interfaces failed; reporting the last ones", { error: errorText(error) }),
        )
        .then(() => this.reportStatus());
    });
    this.writer.update(
      nodeStatus({
        snapshots: this.deps.runner.snapshot(),
        transitions: this.transitions,
        observedGeneration: this.observedGeneration,
        configErrors: this.configErrors,
        refused: this.refused,
        monotonicNow: this.deps.clock.now(),
        wallNow: this.deps.wallClock(),
        refreshMs,
        ...(this.interfaces !== undefined ? { interfaces: this.interfaces } : {}),
      }),
    );
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "body" in error) return JSON.stringify((error as { body: unknown }).body);
  return String(error);
}
