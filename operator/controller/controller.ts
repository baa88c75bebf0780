/**
 * The controller: VirtualIPs and Nodes in, VRRPNode specs and VirtualIP
 * status out.
 *
 * Every watch event marks the world dirty; a sync (debounced, one at a
 * time, retried with backoff after an error) plans from the informer caches
 * and writes only what differs: VRRPNode specs that changed, statuses that
 * changed, one Event per master move or new finding. Each write stands
 * alone (write-failures.ts): one the API server refuses is retried with its
 * own backoff and shown on the objects it concerns, while the sync goes on
 * with every other object. A deleted VirtualIP
 * keeps its finalizer until no VRRPNode renders it and every agent has
 * acted on that.
 *
 * A node's report goes stale when its agent stops refreshing it
 * (freshness.ts); a timer set for the next such moment triggers a sync, so
 * the VirtualIPs stop showing an unconfirmed master without any watch
 * event. A status change that is only a heartbeat (a new `updated`) from
 * a node that was not stale needs no sync.
 */
import { createHash } from "node:crypto";
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Stoppable } from "../../base/watch-list.js";
import type { Clock, TimerHandle } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import { summarizeNode, type VirtualIP, type VRRPNode } from "../api/types.js";
import { plan, type PlanResult } from "../planner/index.js";
import { aggregate, describeFinding, masterChangeMessage } from "./aggregate.js";
import type { ControllerKubeApi, EventInput } from "./kube-api.js";
import { mergePatchFor } from "./merge-patch.js";
import { conflictEvents, type ReportedConflict } from "./network-conflicts.js";
import type { ControllerMetrics } from "./metrics.js";
import { forEachLimited } from "./parallel.js";
import { StatusAges } from "./freshness.js";
import { LoadBalancerSync, type LoadBalancerOptions } from "./lb-sync.js";
import { unwrittenNodes, writeFailureEvent } from "./write-failure-events.js";
import type { SyncResult } from "./sync-result.js";
import { WriteFailures, type WriteKind, type WriteOutcome } from "./write-failures.js";

export const FINALIZER = "floatip.io/release-addresses";

export interface ControllerDeps {
  readonly api: ControllerKubeApi;
  readonly clock: Clock;
  readonly wallClock: () => Date;
  readonly logger: Logger;
  readonly metrics: ControllerMetrics;
  /** Namespace for Secrets named without one. */
  readonly secretNamespace: string;
  /** Nodes per VRRP router unless a VirtualIP says (planner default 3; 0 = all). */
  readonly maxCandidates?: number;
  readonly debounceMs?: number;
  /** API writes in flight at once within a sync (default 16). */
  readonly writeConcurrency?: number;
  /** Serve Services of type LoadBalancer (see lb-sync.ts); off when absent. */
  readonly loadBalancers?: LoadBalancerOptions;
}

// Re-exported: tests and callers read the sync outcome where the Controller is.
export type { SyncCounts, SyncResult } from "./sync-result.js";

/** JSON with object keys sorted: the API server does not keep our key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export class Controller {
  private readonly vips = new Map<string, VirtualIP>();
  private readonly vrrpNodes = new Map<string, VRRPNode>();
  private readonly nodes = new Map<string, KubernetesObject>();
  private readonly watches: Stoppable[] = [];
  /** Findings already announced by Event, per VirtualIP and generation. */
  private readonly announced = new Map<string, string>();
  /** Network conflicts already announced by Event, per VirtualIP: key -> description. */
  private readonly announcedConflicts = new Map<string, ReadonlyMap<string, string>>();
  /** Per VirtualIP, the agents' refusals last announced as an Event. */
  private readonly announcedRefusals = new Map<string, string>();
  /** Per VirtualIP, the unwritten VRRPNodes last announced as an Event. */
  private readonly announcedUnwritten = new Map<string, string>();
  private readonly failures = new WriteFailures();
  /** Fires when the next failed write is due again. */
  private retry: TimerHandle | undefined;
  private timer: TimerHandle | undefined;
  private readonly ages = new StatusAges();
  /** Fires when the next fresh report goes stale. */
  private expiry: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private backoffMs = 0;
  private stopped = false;
  /** No sync until every watch has listed: a plan without the Nodes would empty every VRRPNode. */
  private starting = false;
  readonly results: SyncResult[] = [];
  private readonly lb: LoadBalancerSync | undefined;

  constructor(private readonly deps: ControllerDeps) {
    const lb = deps.loadBalancers;
    this.lb =
      lb === undefined
        ? undefined
        : new LoadBalancerSync(
            { ...lb, writeConcurrency: lb.writeConcurrency ?? deps.writeConcurrency },
            deps.logger,
            async (e) => {
              this.deps.logger.log("info", e.message, { service: `${e.namespace}/${e.name}`, reason: e.reason });
              await lb.api
                .createServiceEvent(e, this.deps.wallClock())
                .catch((error: unknown) => this.deps.logger.log("warn", "creating an Event failed", { error: errorText(error) }));
            },
            (kind, target, content, write) => this.write(kind, target, content, write),
          );
  }

  async start(): Promise<void> {
    const mark = () => this.markDirty();
    const onError = (what: string) => (error: unknown) =>
      this.deps.logger.log("warn", `${what} watch interrupted`, { error: String(error) });
    this.starting = true;
    this.watches.push(
      await this.deps.api.watchVirtualIPs({
        onUpsert: (o) => (this.vips.set(o.metadata.name, o), mark()),
        onDelete: (o) => (this.vips.delete(o.metadata.name), mark()),
        onError: onError("VirtualIP"),
      }),
      await this.deps.api.watchVrrpNodes({
        onUpsert: (o) => this.vrrpNodeSeen(o),
        onDelete: (o) => (this.vrrpNodes.delete(o.metadata.name), this.ages.forget(o.metadata.name), mark()),
        onError: onError("VRRPNode"),
      }),
      await this.deps.api.watchNodes({
        onUpsert: (o) => (this.nodes.set(o.metadata?.name ?? "", o), mark()),
        onDelete: (o) => (this.nodes.delete(o.metadata?.name ?? ""), mark()),
        onError: onError("Node"),
      }),
      ...(this.lb === undefined ? [] : await this.lb.start(mark, onError)),
    );
    this.starting = false;
    this.markDirty();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.expiry?.cancel();
    this.retry?.cancel();
    await Promise.all(this.watches.splice(0).map((w) => w.stop()));
    await this.running;
  }

  /** Resolves when no sync is pending or running (for tests). */
  async idle(): Promise<void> {
    while (this.dirty || this.running !== undefined || this.timer !== undefined) {
      await (this.running ?? new Promise((r) => setTimeout(r, 5)));
    }
  }

  private vrrpNodeSeen(node: VRRPNode): void {
    const name = node.metadata.name;
    const before = this.vrrpNodes.get(name);
    const now = this.deps.clock.now();
    const wasStale = before !== undefined && this.ages.stale([before], now).size > 0;
    this.vrrpNodes.set(name, node);
    this.ages.observe(node, now);
    if (!wasStale && before !== undefined && heartbeatOnly(before, node)) return;
    this.markDirty();
  }

  private markDirty(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.starting || this.timer !== undefined || this.running !== undefined) return;
    const wait = Math.max(this.deps.debounceMs ?? 50, this.backoffMs);
    this.timer = this.deps.clock.at(this.deps.clock.now() + wait, () => {
      this.timer = undefined;
      // Assigned before the sync starts: a watch callback fired by its first write must not start another.
      this.running = Promise.resolve()
        .then(() => this.runSync())
        .finally(() => {
          this.running = undefined;
          if (this.dirty) this.markDirty();
        });
    });
  }

  private async runSync(): Promise<void> {
    this.dirty = false;
    const started = this.deps.clock.now();
    let result: SyncResult;
    try {
      result = await this.sync();
      this.backoffMs = 0;
      this.armRetry();
    } catch (error) {
      this.backoffMs = Math.min(30_000, Math.max(500, this.backoffMs * 2));
      this.dirty = true;
      result = { kind: "failed", error: errorText(error), retryInMs: this.backoffMs };
      this.deps.logger.log("warn", "sync failed; retrying", { error: result.error, retryInMs: this.backoffMs });
    }
    this.deps.metrics.synced(result, (this.deps.clock.now() - started) / 1000);
    this.results.push(result);
    if (this.results.length > 100) this.results.shift();
  }

  /**
   * One write, on its own: a refusal is counted, logged and remembered
   * (retried on the object's own backoff); the Event about it is the caller's
   * (it knows which objects the write concerns).
   */
  private async write(kind: WriteKind, target: string, content: string, write: () => Promise<void>): Promise<WriteOutcome> {
    const outcome = await this.failures.attempt(kind, target, content, this.deps.clock.now(), write);
    if (outcome.kind === "failed") {
      const f = outcome.failure;
      this.deps.metrics.writeFailed(kind, f.reason);
      this.deps.logger.log("warn", "write failed; the other objects go on, this one is retried", {
        kind,
        target,
        code: f.code,
        reason: f.reason,
        error: f.message,
        attempts: f.attempts,
        retryInMs: f.retryAt - this.deps.clock.now(),
      });
    }
    return outcome;
  }

  /** write() for a VRRPNode or VirtualIP, with a Warning Event on it when the failure is new. */
  private async writeOwn(
    now: Date,
    kind: WriteKind,
    target: string,
    content: string,
    write: () => Promise<void>,
    uidOf?: VirtualIP,
  ): Promise<boolean> {
    const outcome = await this.write(kind, target, content, write);
    if (outcome.kind === "failed" && outcome.firstOfItsKind) {
      const event = writeFailureEvent(outcome.failure);
      if (event !== undefined) await this.event(now, { ...event, ...(uidOf !== undefined ? uid(uidOf) : {}) });
    }
    return outcome.kind === "written";
  }

  /** A sync when the next failed write is due again. */
  private armRetry(): void {
    this.retry?.cancel();
    this.retry = undefined;
    const next = this.failures.nextRetry();
    if (next === undefined || this.stopped) return;
    this.retry = this.deps.clock.at(next, () => {
      this.retry = undefined;
      this.markDirty();
    });
  }

  private async sync(): Promise<SyncResult> {
    const now = this.deps.wallClock();
    const all = [...this.vips.values()];
    const live = all.filter((v) => v.metadata.deletionTimestamp === undefined);
    // A node's interfaces are what its agent reports in the VRRPNode status (pools with spec.interfaces need them).
    const nodes = [...this.nodes.values()]
      .map(summarizeNode)
      .filter((n) => n.name !== "")
      .map((n) => {
        const reported = this.vrrpNodes.get(n.name)?.status?.interfaces;
        return Array.isArray(reported) ? { ...n, interfaces: reported.filter((i): i is string => typeof i === "string") } : n;
      });
    // A failed load-balancer write must not hold up the VirtualIPs: it is rethrown (and retried) after them.
    let lbError: unknown;
    const lb = this.lb === undefined ? undefined : await this.lb.sync(now, all, nodes).catch((error: unknown) => void (lbError = error));
    const planned: PlanResult = plan(
      { virtualIPs: live, nodes },
      {
        secretNamespace: this.deps.secretNamespace,
        ...(this.deps.maxCandidates !== undefined ? { maxCandidates: this.deps.maxCandidates } : {}),
      },
    );
    let statusWrites = 0;
    let events = 0;
    let finalizersReleased = 0;
    // Each phase's writes go out concurrently (bounded); a phase ends before the next starts.
    const limit = this.deps.writeConcurrency ?? 16;

    const unfinalized = live.filter((vip) => !(vip.metadata.finalizers ?? []).includes(FINALIZER));
    await forEachLimited(unfinalized, limit, async (vip) => {
      const finalizers = [...(vip.metadata.finalizers ?? []), FINALIZER];
      await this.writeOwn(
        now,
        "virtualip-finalizer",
        vip.metadata.name,
        `${vip.metadata.resourceVersion ?? ""}:${finalizers.join(",")}`,
        () => this.deps.api.setVirtualIPFinalizers(vip.metadata.name, finalizers, vip.metadata.resourceVersion),
        vip,
      );
    });
    const changedSpecs = [...planned.nodes]
      .map(([name, spec]) => ({ name, spec, text: canonical(spec) }))
      .filter(({ name, text }) => {
        const existing = this.vrrpNodes.get(name);
        return existing === undefined || this.canonicalSpec(existing) !== text;
      });
    const pendingSpecs = new Set(changedSpecs.map((c) => c.name));
    this.failures.settle("vrrpnode-spec", (name) => pendingSpecs.has(name));
    let specWrites = 0;
    await forEachLimited(changedSpecs, limit, async ({ name, spec, text }) => {
      const digest = createHash("sha256").update(text).digest("base64");
      if (
        await this.writeOwn(now, "vrrpnode-spec", name, digest, () => this.deps.api.writeVrrpNodeSpec(name, spec, this.vrrpNodes.has(name)))
      )
        specWrites++;
    });
    const unplanned = [...this.vrrpNodes.keys()].filter((name) => !planned.nodes.has(name));
    this.failures.settle("vrrpnode-delete", (name) => unplanned.includes(name));
    await forEachLimited(
      unplanned,
      limit,
      async (name) => void (await this.writeOwn(now, "vrrpnode-delete", name, "delete", () => this.deps.api.deleteVrrpNode(name))),
    );
    const unwritten = unwrittenNodes(this.failures.all());
    const vrrpNodes = [...this.vrrpNodes.values()];
    const monotonic = this.deps.clock.now();
    const stale = this.ages.stale(vrrpNodes, monotonic);
    this.armExpiry(vrrpNodes, monotonic);
    const routerStates = new Map<string, number>();
    const statusPending = new Set<string>();
    const vrrpNodesByName = new Map(vrrpNodes.map((n) => [n.metadata.name, n]));
    await forEachLimited(live, limit, async (vip) => {
      const vipPlan = planned.vips.get(vip.metadata.name);
      const result = aggregate({ vip, plan: vipPlan, vrrpNodes, vrrpNodesByName, now, stale, unwritten });
      for (const n of result.status.nodes ?? []) routerStates.set(n.state, (routerStates.get(n.state) ?? 0) + 1);
      const wanted = canonical(stripTimes(result.status));
      let statusWritten = true;
      if (wanted !== canonical(stripTimes(vip.status ?? {}))) {
        statusPending.add(vip.metadata.name);
        statusWritten = await this.writeOwn(
          now,
          "virtualip-status",
          vip.metadata.name,
          wanted,
          () => this.deps.api.patchVirtualIPStatus(vip.metadata.name, mergePatchFor(vip.status ?? {}, result.status)),
          vip,
        );
        if (statusWritten) statusWrites++;
      }
      // The master change is measured against the stored status: until that is written, the Event would repeat.
      if (result.masterChange !== undefined && statusWritten) {
        await this.event(now, {
          kind: "VirtualIP",
          name: vip.metadata.name,
          ...uid(vip),
          type: result.masterChange.to === undefined ? "Warning" : "Normal",
          reason: result.masterChange.to === undefined ? "NoMaster" : "MasterChanged",
          message: masterChangeMessage(result.masterChange),
        });
        const moved = (await this.lb?.announceMove(vip, result.masterChange)) ?? 0;
        events += 1 + moved;
      }
      // `events += await ...` would read `events` before the await and lose concurrent counts.
      const found = await this.announceFindings(now, vip, vipPlan?.findings ?? []);
      const conflicts = await this.announceConflicts(now, vip, result.networkConflicts);
      const refused = await this.announceOnce(this.announcedRefusals, now, vip, "RefusedByNode", result.refusals);
      const notWritten = await this.announceOnce(this.announcedUnwritten, now, vip, "NodeConfigRejected", result.unwritten);
      events += found + conflicts + refused + notWritten;
    });
    this.failures.settle("virtualip-status", (name) => statusPending.has(name));
    const liveNames = new Set(live.map((v) => v.metadata.name));
    for (const announced of [this.announcedConflicts, this.announcedRefusals, this.announcedUnwritten]) {
      for (const name of announced.keys()) if (!liveNames.has(name)) announced.delete(name);
    }
    const releasable = all.filter(
      (v) => v.metadata.deletionTimestamp !== undefined && (v.metadata.finalizers ?? []).includes(FINALIZER) && this.releasedEverywhere(v),
    );
    this.failures.settle(
      "virtualip-finalizer",
      (name) => releasable.some((v) => v.metadata.name === name) || unfinalized.some((v) => v.metadata.name === name),
    );
    for (const vip of releasable) {
      const finalizers = (vip.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
      if (
        await this.writeOwn(
          now,
          "virtualip-finalizer",
          vip.metadata.name,
          `${vip.metadata.resourceVersion ?? ""}:${finalizers.join(",")}`,
          () => this.deps.api.setVirtualIPFinalizers(vip.metadata.name, finalizers, vip.metadata.resourceVersion),
          vip,
        )
      )
        finalizersReleased++;
    }
    this.deps.metrics.freshness(stale.size, routerStates);
    this.deps.metrics.virtualIPs(live.map((v) => planned.vips.get(v.metadata.name)).map((p) => (p?.findings ?? []).map((f) => f.kind)));
    this.deps.metrics.vrrpNodes(
      [...this.vrrpNodes.values()].map((n) => ({ name: n.metadata.name, rejected: (n.status?.configErrors ?? []).length > 0 })),
    );
    if (lb !== undefined) this.deps.metrics.loadBalancers(lb.pools, lb.allocations);
    if (lb !== undefined) {
      for (const kind of ["virtualip", "service-status", "pool-status"] as const)
        this.failures.settle(kind, (t) => lb.pending.get(kind)?.has(t) ?? false);
    }
    this.deps.metrics.failingWrites(this.failures.all());
    if (lbError !== undefined) throw lbError;
    if (lb !== undefined) {
      specWrites += lb.vipWrites;
      statusWrites += lb.statusWrites;
      events += lb.events;
    }
    const counts = { specWrites, statusWrites, events, finalizersReleased };
    const failing = this.failures.all();
    if (failing.length === 0) return { kind: "synced", ...counts };
    return {
      kind: "partial",
      ...counts,
      failures: failing,
      retryInMs: Math.max(0, (this.failures.nextRetry() ?? 0) - this.deps.clock.now()),
    };
  }

  /** A sync when the next report that is fresh now goes stale. */
  private armExpiry(vrrpNodes: readonly VRRPNode[], now: number): void {
    this.expiry?.cancel();
    this.expiry = undefined;
    const next = this.ages.nextExpiry(vrrpNodes, now);
    if (next === undefined || this.stopped) return;
    this.expiry = this.deps.clock.at(next, () => {
      this.expiry = undefined;
      this.markDirty();
    });
  }

  /** canonical(spec) of a stored VRRPNode, computed once per resourceVersion (specs can be large). */
  private readonly specText = new Map<string, { rv: string | undefined; text: string }>();
  private canonicalSpec(node: VRRPNode): string {
    const rv = node.metadata.resourceVersion;
    const cached = this.specText.get(node.metadata.name);
    if (cached !== undefined && rv !== undefined && cached.rv === rv) return cached.text;
    const text = canonical(node.spec);
    this.specText.set(node.metadata.name, { rv, text });
    return text;
  }

  /**
   * No VRRPNode spec carries the VirtualIP's addresses (its routers are shared with other VirtualIPs, so
   * this looks at addresses, not instance names), and every agent has acted on its current spec.
   */
  private releasedEverywhere(vip: VirtualIP): boolean {
    const ours = (name: string) => name === vip.metadata.name || name === `${vip.metadata.name}-v6`;
    const addresses = new Set(vip.spec.addresses);
    for (const node of this.vrrpNodes.values()) {
      const spec = node.spec as unknown as {
        instances?: readonly { name?: string; addresses?: readonly unknown[]; excludedAddresses?: readonly unknown[] }[];
      };
      // Advertised or excluded (the overflow of a full advert): either way its master holds the address.
      const holds = (i: { addresses?: readonly unknown[]; excludedAddresses?: readonly unknown[] }) =>
        [...(i.addresses ?? []), ...(i.excludedAddresses ?? [])].some((a) => typeof a === "string" && addresses.has(a));
      if ((spec.instances ?? []).some((i) => ours(i.name ?? "") || holds(i))) return false;
      if ((node.status?.instances ?? []).some((i) => ours(i.name))) return false;
      if (node.metadata.generation !== undefined && (node.status?.observedGeneration ?? 0) < node.metadata.generation) return false;
    }
    return true;
  }

  private async announceFindings(now: Date, vip: VirtualIP, findings: readonly import("../planner/index.js").Finding[]): Promise<number> {
    const serious = findings.filter((f) => f.kind !== "node-missing-address-family");
    const key = `${vip.metadata.generation ?? 0}:${canonical(serious)}`;
    if (serious.length === 0 || this.announced.get(vip.metadata.name) === key) {
      if (serious.length === 0) this.announced.delete(vip.metadata.name);
      return 0;
    }
    this.announced.set(vip.metadata.name, key);
    for (const f of serious) {
      const reason = f.kind === "invalid" ? "InvalidSpec" : f.kind === "no-nodes" ? "NoNodes" : "Conflict";
      await this.event(now, {
        kind: "VirtualIP",
        name: vip.metadata.name,
        ...uid(vip),
        type: "Warning",
        reason,
        message: describeFinding(f),
      });
    }
    return serious.length;
  }

  /** One Event when a conflict an agent sees starts (Warning, naming the MAC or source) and one when it ends. */
  private async announceConflicts(now: Date, vip: VirtualIP, reported: readonly ReportedConflict[]): Promise<number> {
    const before = this.announcedConflicts.get(vip.metadata.name) ?? new Map<string, string>();
    const { events, announced } = conflictEvents(before, reported);
    if (announced.size === 0) this.announcedConflicts.delete(vip.metadata.name);
    else this.announcedConflicts.set(vip.metadata.name, announced);
    for (const e of events) await this.event(now, { kind: "VirtualIP", name: vip.metadata.name, ...uid(vip), ...e });
    return events.length;
  }

  /**
   * One Warning Event each time the lines change: why agents refuse the
   * VirtualIP (RefusedByNode), which of its nodes' VRRPNodes could not be
   * written (NodeConfigRejected).
   */
  private async announceOnce(
    announced: Map<string, string>,
    now: Date,
    vip: VirtualIP,
    reason: string,
    lines: readonly string[],
  ): Promise<number> {
    const key = lines.join("\n");
    if (lines.length === 0) {
      announced.delete(vip.metadata.name);
      return 0;
    }
    if (announced.get(vip.metadata.name) === key) return 0;
    announced.set(vip.metadata.name, key);
    await this.event(now, { kind: "VirtualIP", name: vip.metadata.name, ...uid(vip), type: "Warning", reason, message: lines.join("; ") });
    return 1;
  }

  private async event(now: Date, event: EventInput): Promise<void> {
    this.deps.logger.log("info", event.message, { virtualip: event.name, reason: event.reason });
    await this.deps.api
      .createEvent(event, now)
      .catch((error: unknown) => this.deps.logger.log("warn", "creating an Event failed", { error: errorText(error) }));
  }
}

/** Nothing but the heartbeat changed: same generation, same status apart from `updated`. */
function heartbeatOnly(before: VRRPNode, after: VRRPNode): boolean {
  if (before.metadata.generation !== after.metadata.generation) return false;
  if ((before.metadata.deletionTimestamp === undefined) !== (after.metadata.deletionTimestamp === undefined)) return false;
  return canonical({ ...before.status, updated: undefined }) === canonical({ ...after.status, updated: undefined });
}

const uid = (vip: VirtualIP) => (vip.metadata.uid !== undefined ? { uid: vip.metadata.uid } : {});

/** Status without timestamps that change on every sync, to decide whether a write is needed. */
function stripTimes(status: object): unknown {
  return JSON.parse(JSON.stringify(status), (key, value: unknown) => (key === "lastTransitionTime" ? undefined : value));
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "body" in error) return String((error as { body: unknown }).body);
  return String(error);
}
