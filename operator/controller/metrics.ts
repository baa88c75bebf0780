/** The controller's Prometheus metrics behind domain verbs (own Registry). */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { BUILD_INFO_HELP, buildInfoLabels, type BuildInfo } from "../../agent/runtime/build-info.js";
import type { SyncResult } from "./controller.js";

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
    help: "Controller syncs by result (synced, failed)",
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
  private readonly byCondition = new Gauge({
    name: "floatip_virtualips",
    help: "VirtualIPs by planner outcome: ok, or the kind of finding (invalid, address-overlap, vrid-taken, ...)",
    labelNames: ["finding"],
    registers: [this.registry],
  });
  private readonly leader = new Gauge({
    name: "floatip_controller_leader",
    help: "1 while this replica holds the leader Lease",
    registers: [this.registry],
  });

  /** `build`: floatip_build_info's labels (the binary passes readBuildInfo(); tests may leave it out). */
  constructor(build?: BuildInfo) {
    if (build !== undefined) this.buildInfo.set(buildInfoLabels(build), 1);
  }

  synced(result: SyncResult, seconds: number): void {
    this.reconciles.inc({ result: result.kind });
    this.duration.observe(seconds);
    if (result.kind === "synced") {
      this.writes.inc({ kind: "vrrpnode-spec" }, result.specWrites);
      this.writes.inc({ kind: "virtualip-status" }, result.statusWrites);
      this.writes.inc({ kind: "event" }, result.events);
      this.writes.inc({ kind: "finalizer" }, result.finalizersReleased);
    }
  }

  virtualIPs(findingsPerVip: readonly (readonly string[])[]): void {
    this.byCondition.reset();
    for (const kinds of findingsPerVip) {
      if (kinds.length === 0) this.byCondition.inc({ finding: "ok" });
      for (const kind of new Set(kinds)) this.byCondition.inc({ finding: kind });
    }
  }

  isLeader(leader: boolean): void {
    this.leader.set(leader ? 1 : 0);
  }
}
