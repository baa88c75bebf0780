/**
 * The load-balancer half of a sync: Services, EndpointSlices, pools and
 * namespaces from informer caches through the pure planner
 * (operator/lb/plan.ts), then the writes that differ: owned VirtualIPs
 * (create, patch the fields the load balancer manages, delete), Service
 * statuses, pool statuses, and Events on Services (allocation outcome
 * changes, and the announcing node after every master move).
 *
 * Every write goes through the controller's gate (write-failures.ts): one
 * the API server refuses fails alone, is retried on its own backoff and
 * announced once by a Warning Event on the Services it concerns.
 *
 * The owned VirtualIPs carry no ownerReference to their Service: a
 * cluster-scoped object cannot have a namespaced owner (the garbage collector
 * ignores such references), so the controller deletes them itself when the
 * Service goes away or stops being floatip's.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Stoppable } from "../../base/watch-list.js";
import type { Logger } from "../../base/logger.js";
import type { VirtualIPPool } from "../api/pool.js";
import type { Condition, NodeSummary, VirtualIP, VirtualIPSpec } from "../api/types.js";
import { isOwned, ownedServices } from "../lb/naming.js";
import { planLoadBalancers, type DesiredVip, type LbPlan } from "../lb/plan.js";
import { ALLOCATED, ANNOUNCED, type ServiceStatus } from "../lb/service-status.js";
import type { MasterChange } from "./aggregate.js";
import type { LoadBalancerKubeApi, ServiceEventInput } from "./kube-api.js";
import { mergePatchFor } from "./merge-patch.js";
import { NODE_NAMES_ANNOTATION } from "../planner/group.js";
import type { PoolCounts } from "./metrics.js";
import { DEFAULTS } from "../api/limits.js";
import { forEachLimited } from "./parallel.js";
import { refusalText, type WriteKind, type WriteOutcome } from "./write-failures.js";

/** Tries one write on its own (the controller's write(): counted, logged, backed off). */
export type WriteGate = (kind: WriteKind, target: string, content: string, write: () => Promise<void>) => Promise<WriteOutcome>;

export interface LoadBalancerOptions {
  readonly api: LoadBalancerKubeApi;
  /** Serve LoadBalancer Services without spec.loadBalancerClass too. */
  readonly defaultClass: boolean;
  /** Writes in flight at once (default 16). */
  readonly writeConcurrency?: number;
}

export interface LoadBalancerSyncResult {
  readonly vipWrites: number;
  readonly statusWrites: number;
  readonly events: number;
  /** Each pool's counts as planned (for metrics). */
  readonly pools: readonly PoolCounts[];
  /** Each served Service's AddressAllocated reason (for metrics). */
  readonly allocations: readonly string[];
  /** Per kind of write, the objects that needed one this sync (a failure of any other is moot). */
  readonly pending: ReadonlyMap<WriteKind, ReadonlySet<string>>;
}

/** The VirtualIP fields the load balancer sets; others (defaults, users' edits of other fields) are left alone. */
const MANAGED: readonly (keyof VirtualIPSpec)[] = [
  "addresses",
  "advertisementInterval",
  "transport",
  "nodeSelector",
  "nodeNames",
  "preferredNodes",
  "maxCandidates",
];

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

export class LoadBalancerSync {
  private readonly services = new Map<string, KubernetesObject>();
  private readonly slices = new Map<string, KubernetesObject>();
  private readonly pools = new Map<string, VirtualIPPool>();
  private readonly namespaces = new Map<string, Readonly<Record<string, string>>>();
  /** Allocation outcome last announced by Event, per Service. */
  private readonly announced = new Map<string, string>();

  constructor(
    private readonly options: LoadBalancerOptions,
    private readonly logger: Logger,
    private readonly event: (e: ServiceEventInput) => Promise<void>,
    private readonly gate: WriteGate,
  ) {}

  private pending = new Map<WriteKind, Set<string>>();

  /** One write; when it fails for a new reason, a Warning Event on each Service it concerns. */
  private async write(
    kind: WriteKind,
    target: string,
    content: string,
    services: readonly string[],
    what: string,
    write: () => Promise<void>,
  ): Promise<boolean> {
    this.pending.set(kind, (this.pending.get(kind) ?? new Set<string>()).add(target));
    const outcome = await this.gate(kind, target, content, write);
    if (outcome.kind === "failed" && outcome.firstOfItsKind) {
      for (const key of services) {
        const [namespace, name] = key.split("/") as [string, string];
        const uid = this.services.get(key)?.metadata?.uid;
        await this.event({
          namespace,
          name,
          ...(uid !== undefined ? { uid } : {}),
          type: "Warning",
          reason: "WriteFailed",
          message: `${what} ${refusalText(outcome.failure)}`,
        });
      }
    }
    return outcome.kind === "written";
  }

  async start(mark: () => void, onError: (what: string) => (error: unknown) => void): Promise<Stoppable[]> {
    const { api } = this.options;
    const cache = <T>(map: Map<string, T>, key: (o: T) => string, what: string) => ({
      onUpsert: (o: T) => (map.set(key(o), o), mark()),
      onDelete: (o: T) => (map.delete(key(o)), mark()),
      onError: onError(what),
    });
    return [
      await api.watchVirtualIPPools(cache(this.pools, (p) => p.metadata.name, "VirtualIPPool")),
      await api.watchServices(cache(this.services, keyOf, "Service")),
      await api.watchEndpointSlices(cache(this.slices, keyOf, "EndpointSlice")),
      await api.watchNamespaces({
        onUpsert: (o) => (this.namespaces.set(o.metadata?.name ?? "", { ...(o.metadata?.labels ?? {}) }), mark()),
        onDelete: (o) => (this.namespaces.delete(o.metadata?.name ?? ""), mark()),
        onError: onError("Namespace"),
      }),
    ];
  }

  plan(now: Date, virtualIPs: readonly VirtualIP[], nodes: readonly NodeSummary[]): LbPlan {
    return planLoadBalancers({
      services: [...this.services.values()],
      endpointSlices: [...this.slices.values()],
      pools: [...this.pools.values()],
      namespaces: this.namespaces,
      nodes,
      virtualIPs,
      defaultClass: this.options.defaultClass,
      now,
    });
  }

  async sync(now: Date, virtualIPs: readonly VirtualIP[], nodes: readonly NodeSummary[]): Promise<LoadBalancerSyncResult> {
    const { api } = this.options;
    const planned = this.plan(now, virtualIPs, nodes);
    const byName = new Map(virtualIPs.map((v) => [v.metadata.name, v]));
    let vipWrites = 0;
    let statusWrites = 0;
    let events = 0;
    this.pending = new Map();
    const limit = this.options.writeConcurrency ?? 16;
    const each = <T>(items: Iterable<T>, task: (item: T) => Promise<void>) => forEachLimited([...items], limit, task);

    await each(planned.vips.values(), async (want) => {
      const have = byName.get(want.name);
      if (have === undefined) {
        const body = { metadata: { name: want.name, labels: want.labels, annotations: want.annotations }, spec: want.spec };
        if (
          await this.write("virtualip", want.name, sortedJson(body), want.services, `creating VirtualIP ${want.name}`, () =>
            api.createVirtualIP(body),
          )
        )
          vipWrites++;
      } else if (!isOwned(have)) {
        this.logger.log("warn", "a VirtualIP not owned by the load balancer has the name it needs; not touching it", {
          virtualip: want.name,
        });
      } else if (have.metadata.deletionTimestamp === undefined && differs(have, want)) {
        const patch = vipPatch(have, want);
        if (
          await this.write("virtualip", want.name, sortedJson(patch), want.services, `updating VirtualIP ${want.name}`, () =>
            api.patchVirtualIP(want.name, patch),
          )
        )
          vipWrites++;
      }
    });
    await each(
      virtualIPs.filter((vip) => isOwned(vip) && vip.metadata.deletionTimestamp === undefined && !planned.vips.has(vip.metadata.name)),
      async (vip) => {
        if (
          await this.write("virtualip", vip.metadata.name, "delete", [], `deleting VirtualIP ${vip.metadata.name}`, () =>
            api.deleteVirtualIP(vip.metadata.name),
          )
        )
          vipWrites++;
      },
    );
    await each(planned.services, async ([key, service]) => {
      const stored = this.services.get(key);
      if (stored !== undefined && (await this.writeStatus(stored, service.status))) statusWrites++;
    });
    await each(planned.released, async (key) => {
      const stored = this.services.get(key);
      if (stored === undefined) return;
      const conditions = ((obj(obj(stored)["status"])["conditions"] as Condition[] | undefined) ?? []).filter(
        (c) => c.type !== ALLOCATED && c.type !== ANNOUNCED,
      );
      if (await this.writeStatus(stored, { loadBalancer: {}, conditions })) statusWrites++;
    });
    await each(this.pools.values(), async (pool) => {
      const want = planned.pools.get(pool.metadata.name);
      if (want === undefined || sameJson(withoutTimes(pool.status ?? {}), withoutTimes(want))) return;
      if (
        await this.write(
          "pool-status",
          pool.metadata.name,
          sortedJson(withoutTimes(want)),
          [],
          `writing VirtualIPPool ${pool.metadata.name}'s status`,
          () => api.patchVirtualIPPoolStatus(pool.metadata.name, mergePatchFor(pool.status ?? {}, want)),
        )
      )
        statusWrites++;
    });

    for (const [key, service] of planned.services) {
      const allocated = service.status.conditions.find((c) => c.type === ALLOCATED)!;
      const text = `${allocated.reason}: ${allocated.message}`;
      if (this.announced.get(key) === text) continue;
      this.announced.set(key, text);
      const { namespace, name, uid } = service.service;
      await this.event({
        namespace,
        name,
        ...(uid !== undefined ? { uid } : {}),
        type: allocated.reason === "Allocated" ? "Normal" : "Warning",
        reason: allocated.reason === "Allocated" ? "AddressAllocated" : allocated.reason,
        message: allocated.message,
      });
      events++;
    }
    for (const key of this.announced.keys()) if (!planned.services.has(key)) this.announced.delete(key);
    const pools = [...planned.pools].map(([name, status]) => ({
      name,
      ...(status.ipv4 !== undefined ? { ipv4: status.ipv4 } : {}),
      ...(status.ipv6 !== undefined ? { ipv6: status.ipv6 } : {}),
    }));
    const allocations = [...planned.services.values()].map((s) => s.status.conditions.find((c) => c.type === ALLOCATED)!.reason);
    return { vipWrites, statusWrites, events, pools, allocations, pending: this.pending };
  }

  /** After a master move of an owned VirtualIP: an Event on each of its Services naming the node that announces it. */
  async announceMove(vip: VirtualIP, change: MasterChange): Promise<number> {
    if (!isOwned(vip)) return 0;
    const addresses = vip.spec.addresses.map((a) => a.split("/")[0]).join(", ");
    const why = change.from === undefined ? "" : `; ${change.from}: ${change.reason ?? "stopped reporting"}`;
    let count = 0;
    for (const key of ownedServices(vip)) {
      const service = this.services.get(key);
      if (service === undefined) continue;
      const [namespace, name] = key.split("/") as [string, string];
      const uid = service.metadata?.uid;
      await this.event(
        change.to === undefined
          ? {
              namespace,
              name,
              ...(uid !== undefined ? { uid } : {}),
              type: "Warning",
              reason: "NotAnnounced",
              message: `no node announces ${addresses} any more (was ${change.from ?? "none"})`,
            }
          : {
              namespace,
              name,
              ...(uid !== undefined ? { uid } : {}),
              type: "Normal",
              reason: "Announced",
              message: `${change.to} announces ${addresses}${why}`,
            },
      );
      count++;
    }
    return count;
  }

  /** Writes the status if it differs; true when written. */
  private async writeStatus(stored: KubernetesObject, want: ServiceStatus): Promise<boolean> {
    const status = obj(obj(stored)["status"]);
    const have = { loadBalancer: obj(status["loadBalancer"]), conditions: (status["conditions"] as Condition[] | undefined) ?? [] };
    if (sameJson(statusView(have), statusView(want))) return false;
    const key = keyOf(stored);
    return this.write("service-status", key, sortedJson(statusView(want)), [key], "writing the Service's status", () =>
      this.options.api.patchServiceStatus(stored.metadata?.namespace ?? "", stored.metadata?.name ?? "", {
        loadBalancer: (want.loadBalancer.ingress ?? []).length > 0 ? want.loadBalancer : { ingress: null },
        conditions: want.conditions.map(plainCondition),
      }),
    );
  }
}

/** What is compared of a Service status: the ingress IPs (the API server may add ipMode) and the conditions without times. */
function statusView(s: { loadBalancer: object; conditions: readonly Condition[] }): unknown {
  const ingress = ((s.loadBalancer as { ingress?: { ip?: string }[] }).ingress ?? []).map((i) => i.ip ?? "");
  return {
    ingress,
    conditions: s.conditions.map(({ type, status, reason, message, observedGeneration }) => ({
      type,
      status,
      reason,
      message,
      observedGeneration,
    })),
  };
}

/** A condition as JSON (informer objects may carry Date times). */
function plainCondition(c: Condition): Condition {
  const t = c.lastTransitionTime as unknown;
  return { ...c, lastTransitionTime: t instanceof Date ? t.toISOString().replace(/\.\d{3}Z$/, "Z") : c.lastTransitionTime };
}

/** The managed fields; an unset advertisementInterval or transport is the CRD's default, which the API server fills in. */
function managed(spec: Partial<VirtualIPSpec> | undefined): Obj {
  const out: Obj = {};
  const defaults: Partial<Record<keyof VirtualIPSpec, unknown>> = {
    advertisementInterval: DEFAULTS.advertisementInterval,
    transport: DEFAULTS.transport,
  };
  for (const key of MANAGED) out[key] = spec?.[key] ?? defaults[key] ?? null;
  return out;
}

/** Annotations the load balancer sets only sometimes: removed when it no longer wants them. */
const OPTIONAL_ANNOTATIONS = [NODE_NAMES_ANNOTATION];

function differs(have: VirtualIP, want: DesiredVip): boolean {
  return (
    !sameJson(managed(have.spec), managed(want.spec)) ||
    !sameJson(pick(have.metadata.labels, want.labels), want.labels) ||
    !sameJson(pick(have.metadata.annotations, want.annotations), want.annotations) ||
    OPTIONAL_ANNOTATIONS.some((k) => have.metadata.annotations?.[k] !== want.annotations[k])
  );
}

function pick(
  from: Readonly<Record<string, string>> | undefined,
  keys: Readonly<Record<string, string>>,
): Record<string, string | undefined> {
  return Object.fromEntries(Object.keys(keys).map((k) => [k, from?.[k]]));
}

function vipPatch(have: VirtualIP, want: DesiredVip): unknown {
  const spec: Obj = {};
  for (const key of MANAGED) {
    const next = want.spec[key];
    spec[key] = next === undefined ? null : key === "nodeSelector" ? mergePatchFor(have.spec.nodeSelector ?? {}, next) : next;
  }
  const dropped = Object.fromEntries(OPTIONAL_ANNOTATIONS.filter((k) => want.annotations[k] === undefined).map((k) => [k, null]));
  return { metadata: { labels: want.labels, annotations: { ...dropped, ...want.annotations } }, spec };
}

function sameJson(a: unknown, b: unknown): boolean {
  return sortedJson(a) === sortedJson(b);
}

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v as Obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function withoutTimes(status: object): unknown {
  return JSON.parse(JSON.stringify(status), (key, value: unknown) => (key === "lastTransitionTime" ? undefined : value));
}
