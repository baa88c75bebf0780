/** The controller's Prometheus metrics behind domain verbs (own Registry). */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { BUILD_INFO_HELP, buildInfoLabels, type BuildInfo } from "../../base/build-info.js";
import type { SyncResult } from "./sync-result.js";
import type { WriteFailure } from "./write-failures.js";

/** A pool's per-family counts as its status carries them. */
export interface PoolCounts {
  readonly name: string;
  readonly ipv4?: { readonly allocated: number; readonly free: number };
  readonly ipv6?: { readonly allocated: number; readonly free: number };
}

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly buildInfo = new Gauge({
    name: "floatip_build_info",
    help: BUILD_INFO_HELP,
    labelNames: ["version", "node_version"],
    registers: [this.registry],
  });
  private readonly reconciles = new Counter({
    name: "floatip_controller_reconciles_total",
    help: "Controller syncs by result (synced; partial: some objects' writes failed, the rest done; failed: the sync broke off)",
    labelNames: ["result"],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: "floatip_controller_reconcile_duration_seconds",
    help: "Time one controller sync took",
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  private readonly writes = new Counter({
    name: "floatip_controller_writes_total",
    help: "API writes by the controller, by kind (vrrpnode-spec, virtualip-status, event, finalizer)",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  private readonly writeErrors = new Counter({
    name: "floatip_controller_write_errors_total",
    help: "API writes the API server refused or that got no answer, by kind (vrrpnode-spec, virtualip-status, service-status, ...) and the Status reason (RequestEntityTooLarge, Invalid, Conflict, InternalError, NoResponse, ...)",
    labelNames: ["kind", "reason"],
    registers: [this.registry],
  });
  private readonly failing = new Gauge({
    name: "floatip_controller_failing_writes",
    help: "Objects whose last write failed and is being retried with backoff, by kind of write",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  private readonly byCondition = new Gauge({
    name: "floatip_virtualips",
    help: "VirtualIPs by planner outcome: ok, or the kind of finding (invalid, address-overlap, vrid-taken, ...)",
    labelNames: ["finding"],
    registers: [this.registry],
  });
  private readonly rejected = new Gauge({
    name: "floatip_vrrpnode_config_rejected",
    help: "1 while the node's agent rejects its current VRRPNode spec (status.configErrors; it keeps running the previous config), else 0",
    labelNames: ["node"],
    registers: [this.registry],
  });
  private readonly poolAddresses = new Gauge({
    name: "floatip_virtualippool_addresses",
    help: "Addresses of a VirtualIPPool by family and state (allocated, free), as in its status",
    labelNames: ["pool", "family", "state"],
    registers: [this.registry],
  });
  private readonly services = new Gauge({
    name: "floatip_loadbalancer_services",
    help: "LoadBalancer Services floatip serves, by the reason of their AddressAllocated condition (Allocated, PoolExhausted, NoMatchingPool, ...)",
    labelNames: ["allocation"],
    registers: [this.registry],
  });
  private readonly leader = new Gauge({
    name: "floatip_controller_leader",
    help: "1 while this replica holds the leader Lease",
    registers: [this.registry],
  });

  private readonly staleNodes = new Gauge({
    name: "floatip_controller_stale_vrrpnodes",
    help: "VRRPNodes whose status has not been refreshed within its bound (3 refresh intervals): their routers count as Unknown",
    registers: [this.registry],
  });
  private readonly routers = new Gauge({
    name: "floatip_virtualip_routers",
    help: "Routers of all VirtualIPs by the state their status shows (Master, Backup, Fault, Initialize, Unknown = no fresh report)",
    labelNames: ["state"],
    registers: [this.registry],
  });

  /** After a sync: how many nodes are stale, and the routers' states as the VirtualIPs show them. */
  freshness(staleNodes: number, routerStates: ReadonlyMap<string, number>): void {
    this.staleNodes.set(staleNodes);
    this.routers.reset();
    for (const state of ["Master", "Backup", "Fault", "Initialize", "Unknown"]) this.routers.set({ state }, routerStates.get(state) ?? 0);
    for (const [state, count] of routerStates) this.routers.set({ state }, count);
  }

  /** `build`: floatip_build_info's labels (the binary passes readBuildInfo(); tests may leave it out). */
  constructor(build?: BuildInfo) {
    if (build !== undefined) this.buildInfo.set(buildInfoLabels(build), 1);
  }

  synced(result: SyncResult, seconds: number): void {
    this.reconciles.inc({ result: result.kind });
    this.duration.observe(seconds);
    if (result.kind !== "failed") {
      this.writes.inc({ kind: "vrrpnode-spec" }, result.specWrites);
      this.writes.inc({ kind: "virtualip-status" }, result.statusWrites);
      this.writes.inc({ kind: "event" }, result.events);
      this.writes.inc({ kind: "finalizer" }, result.finalizersReleased);
    }
  }

  /** One write refused (or unanswered). */
  writeFailed(kind: string, reason: string): void {
    this.writeErrors.inc({ kind, reason });
  }

  /** After a sync: the objects whose writes are failing, by kind. */
  failingWrites(failures: readonly WriteFailure[]): void {
    this.failing.reset();
    for (const kind of ["vrrpnode-spec", "virtualip-status", "service-status"]) this.failing.set({ kind }, 0);
    for (const f of failures) this.failing.inc({ kind: f.kind });
  }

  virtualIPs(findingsPerVip: readonly (readonly string[])[]): void {
    this.byCondition.reset();
    for (const kinds of findingsPerVip) {
      if (kinds.length === 0) this.byCondition.inc({ finding: "ok" });
      for (const kind of new Set(kinds)) this.byCondition.inc({ finding: kind });
    }
  }

  /** Per VRRPNode: did its agent reject the current spec? (Nodes gone since the last call are dropped.) */
  vrrpNodes(nodes: readonly { readonly name: string; readonly rejected: boolean }[]): void {
    this.rejected.reset();
    for (const n of nodes) this.rejected.set({ node: n.name }, n.rejected ? 1 : 0);
  }

  /** Pool address counts and Service allocation outcomes, from one load-balancer plan. */
  loadBalancers(pools: readonly PoolCounts[], allocations: readonly string[]): void {
    this.poolAddresses.reset();
    for (const p of pools) {
      for (const [family, counts] of [
        ["ipv4", p.ipv4],
        ["ipv6", p.ipv6],
      ] as const) {
        if (counts === undefined) continue;
        this.poolAddresses.set({ pool: p.name, family, state: "allocated" }, counts.allocated);
        this.poolAddresses.set({ pool: p.name, family, state: "free" }, counts.free);
      }
    }
    this.services.reset();
    for (const reason of allocations) this.services.inc({ allocation: reason });
  }

  isLeader(leader: boolean): void {
    this.leader.set(leader ? 1 : 0);
  }
}
