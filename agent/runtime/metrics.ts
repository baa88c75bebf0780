/**
 * The agent's Prometheus metrics behind domain verbs. Each AgentMetrics owns
 * its own prom-client Registry (no global default registry).
 */
import { createRequire } from "node:module";
import type * as Prom from "prom-client";
import { CONFLICT_KINDS, type ConflictKind } from "../conflict/types.js";
import { BUILD_INFO_HELP, buildInfoLabels, type BuildInfo } from "../../base/build-info.js";
import type { DropReason } from "../vrrp/packet.js";
import type { Phase } from "../vrrp/state-machine.js";

/**
 * The three prom-client classes the agent uses, each from its own file
 * (prom-client 15): its index also loads cluster aggregation, the push
 * gateway client, default process metrics, summaries and histograms, about
 * 11 MiB of resident memory the agent never uses. The classes are the same.
 */
const requireLib = createRequire(import.meta.url);
const Registry = requireLib("prom-client/lib/registry") as typeof Prom.Registry;
const Counter = requireLib("prom-client/lib/counter") as typeof Prom.Counter;
const Gauge = requireLib("prom-client/lib/gauge") as typeof Prom.Gauge;

export const PHASES: readonly Phase[] = ["initialize", "backup", "master", "fault"];

/**
 * The VRRP instance's name is the label `vrrp_instance`: Prometheus sets
 * `instance` on every scraped series (the target), and a metric's own
 * `instance` label would arrive renamed to `exported_instance`.
 */
export interface InstanceLabels {
  readonly vrrp_instance: string;
  readonly interface: string;
  readonly vrid: string;
}

/** Adverts of one instance not yet added to the prom-client counters. */
export interface AdvertCounts {
  sent: number;
  received: number;
  /** Of those received, how many carried an address list other than ours (taken anyway: receive-checks.ts). */
  addressMismatch: number;
}

export class AgentMetrics {
  readonly registry = new Registry();
  private readonly buildInfo = new Gauge({
    name: "floatip_build_info",
    help: BUILD_INFO_HELP,
    labelNames: ["version", "node_version"],
    registers: [this.registry],
  });
  private readonly state = new Gauge({
    name: "floatip_instance_state",
    help: "1 for the VRRP state the instance is in, 0 for the others",
    labelNames: ["vrrp_instance", "interface", "vrid", "state"],
    registers: [this.registry],
  });
  private readonly priority = new Gauge({
    name: "floatip_instance_effective_priority",
    help: "Priority the instance advertises after health tracking",
    labelNames: ["vrrp_instance", "interface", "vrid"],
    registers: [this.registry],
  });
  private readonly transitions = new Counter({
    name: "floatip_instance_transitions_total",
    help: "State transitions of the instance",
    labelNames: ["vrrp_instance", "interface", "vrid", "from", "to"],
    registers: [this.registry],
  });
  /**
   * Per-advert counts are plain numbers per instance, added to the counters
   * when they are read (a prom-client inc hashes its labels: costly at
   * thousands of adverts a second).
   */
  private readonly counts = new Map<InstanceLabels, AdvertCounts>();
  private readonly sent = new Counter({
    name: "floatip_adverts_sent_total",
    help: "VRRP adverts sent",
    labelNames: ["vrrp_instance", "interface", "vrid"],
    registers: [this.registry],
    collect: () => this.flushCounts(),
  });
  private readonly received = new Counter({
    name: "floatip_adverts_received_total",
    help: "VRRP adverts received and accepted by the instance's checks",
    labelNames: ["vrrp_instance", "interface", "vrid"],
    registers: [this.registry],
    collect: () => this.flushCounts(),
  });
  private readonly addressMismatch = new Counter({
    name: "floatip_advert_address_list_mismatch_total",
    help: "Adverts accepted although their address list differs from the instance's (a config roll-out in progress, or peers configured differently)",
    labelNames: ["vrrp_instance", "interface", "vrid"],
    registers: [this.registry],
    collect: () => this.flushCounts(),
  });
  private readonly dropped = new Counter({
    name: "floatip_packets_dropped_total",
    help: "VRRP packets dropped, by reason; vrrp_instance is empty when no instance could be matched",
    labelNames: ["interface", "vrrp_instance", "reason"],
    registers: [this.registry],
  });
  private readonly masterDown = new Counter({
    name: "floatip_master_down_timer_fired_total",
    help: "Times the Master_Down_Timer expired (the backup took over because the master went silent)",
    labelNames: ["vrrp_instance", "interface", "vrid"],
    registers: [this.registry],
  });
  private readonly addressErrors = new Counter({
    name: "floatip_address_errors_total",
    help: "Failures to add or remove a virtual address or to announce it",
    labelNames: ["vrrp_instance", "interface", "vrid", "operation"],
    registers: [this.registry],
  });
  private readonly routeErrors = new Counter({
    name: "floatip_route_errors_total",
    help: "Failures to install or remove a virtual route or rule (keepalived virtual_routes, virtual_rules)",
    labelNames: ["vrrp_instance", "interface", "vrid", "operation", "kind"],
    registers: [this.registry],
  });
  private readonly logWriteErrors = new Counter({
    name: "floatip_log_write_errors_total",
    help: "Log lines dropped because they could not be written (errno code, e.g. ENOSPC) or encoded",
    labelNames: ["code"],
    registers: [this.registry],
  });
  private readonly fifoLines = new Counter({
    name: "floatip_notify_fifo_lines_total",
    help: "Lines for the notify FIFOs by outcome: written, or dropped (no-reader, full, failed) without waiting",
    labelNames: ["result"],
    registers: [this.registry],
  });
  private readonly conflictsTotal = new Counter({
    name: "floatip_conflicts_total",
    help: "Conflicts detected: another MAC answering for a held address, foreign VRRP adverts on the VRID, unknown unicast peers",
    labelNames: ["vrrp_instance", "interface", "vrid", "kind"],
    registers: [this.registry],
  });
  private readonly conflictsActive = new Gauge({
    name: "floatip_conflicts_active",
    help: "Conflicts going on now, by kind",
    labelNames: ["vrrp_instance", "interface", "vrid", "kind"],
    registers: [this.registry],
  });
  private readonly probes = new Counter({
    name: "floatip_conflict_probes_sent_total",
    help: "ARP probes and duplicate address detection solicitations sent for held addresses",
    labelNames: ["vrrp_instance", "interface", "vrid"],
    registers: [this.registry],
  });

  /**
   * Health checks, per instance (each instance runs its own copy of a check
   * it tracks) and per check: scripts and HTTP checks alike, a gauge of the
   * counted state (after fall/rise) and a counter of runs by result.
   */
  private readonly scriptHealthy = new Gauge({
    name: "floatip_script_healthy",
    help: "1 while the check script counts as OK (after fall/rise), 0 while it counts as failed; absent before its first result",
    labelNames: ["vrrp_instance", "script"],
    registers: [this.registry],
  });
  private readonly scriptRuns = new Counter({
    name: "floatip_script_runs_total",
    help: "Runs of the check script by result (success, failure)",
    labelNames: ["vrrp_instance", "script", "result"],
    registers: [this.registry],
  });
  private readonly httpHealthy = new Gauge({
    name: "floatip_http_check_healthy",
    help: "1 while the HTTP check counts as OK (after fall/rise), 0 while it counts as failed; absent before its first result",
    labelNames: ["vrrp_instance", "http_check"],
    registers: [this.registry],
  });
  private readonly httpRuns = new Counter({
    name: "floatip_http_check_runs_total",
    help: "Probes of the HTTP check by result (success: a status from 200 to 399; failure: another status, an error or a timeout)",
    labelNames: ["vrrp_instance", "http_check", "result"],
    registers: [this.registry],
  });
  /** The checks each instance reported, to forget them with it. */
  private readonly checks = new Map<string, Set<string>>();

  checkRan(
    instance: string,
    check: { readonly kind: "script" | "http"; readonly name: string },
    success: boolean,
    health: "init" | "ok" | "failed",
  ): void {
    let seen = this.checks.get(instance);
    if (seen === undefined) this.checks.set(instance, (seen = new Set()));
    seen.add(`${check.kind}\n${check.name}`);
    const result = success ? "success" : "failure";
    if (check.kind === "script") {
      this.scriptRuns.inc({ vrrp_instance: instance, script: check.name, result });
      if (health !== "init") this.scriptHealthy.set({ vrrp_instance: instance, script: check.name }, health === "ok" ? 1 : 0);
    } else {
      this.httpRuns.inc({ vrrp_instance: instance, http_check: check.name, result });
      if (health !== "init") this.httpHealthy.set({ vrrp_instance: instance, http_check: check.name }, health === "ok" ? 1 : 0);
    }
  }

  /** Forget an instance's check series (it was removed or replaced). */
  checksRemoved(instance: string): void {
    for (const key of this.checks.get(instance) ?? []) {
      const [kind, name] = key.split("\n") as [string, string];
      for (const result of ["success", "failure"]) {
        if (kind === "script") this.scriptRuns.remove({ vrrp_instance: instance, script: name, result });
        else this.httpRuns.remove({ vrrp_instance: instance, http_check: name, result });
      }
      if (kind === "script") this.scriptHealthy.remove({ vrrp_instance: instance, script: name });
      else this.httpHealthy.remove({ vrrp_instance: instance, http_check: name });
    }
    this.checks.delete(instance);
  }

  /** `build`: floatip_build_info's labels (the binaries pass readBuildInfo(); tests may leave it out). */
  constructor(build?: BuildInfo) {
    if (build !== undefined) this.buildInfo.set(buildInfoLabels(build), 1);
  }

  instanceStarted(labels: InstanceLabels, priority: number): void {
    for (const kind of CONFLICT_KINDS) this.conflictsActive.set({ ...labels, kind }, 0);
    for (const phase of PHASES) this.state.set({ ...labels, state: phase }, phase === "initialize" ? 1 : 0);
    this.priority.set({ ...labels }, priority);
  }
  transitioned(labels: InstanceLabels, from: Phase, to: Phase): void {
    this.state.set({ ...labels, state: from }, 0);
    this.state.set({ ...labels, state: to }, 1);
    this.transitions.inc({ ...labels, from, to });
  }
  effectivePriority(labels: InstanceLabels, priority: number): void {
    this.priority.set({ ...labels }, priority);
  }
  /** The per-advert counts of an instance, for its router to increment directly. */
  advertCounts(labels: InstanceLabels): AdvertCounts {
    return this.countsOf(labels);
  }
  private countsOf(labels: InstanceLabels): AdvertCounts {
    let c = this.counts.get(labels);
    if (c === undefined) {
      c = { sent: 0, received: 0, addressMismatch: 0 };
      this.counts.set(labels, c);
      // The series exist (at 0) from the first advert on, as with inc().
      this.sent.inc({ ...labels }, 0);
      this.received.inc({ ...labels }, 0);
    }
    return c;
  }
  private flushCounts(): void {
    for (const [labels, c] of this.counts) {
      if (c.sent > 0) this.sent.inc({ ...labels }, c.sent);
      if (c.received > 0) this.received.inc({ ...labels }, c.received);
      if (c.addressMismatch > 0) this.addressMismatch.inc({ ...labels }, c.addressMismatch);
      c.sent = 0;
      c.received = 0;
      c.addressMismatch = 0;
    }
  }
  advertSent(labels: InstanceLabels): void {
    this.countsOf(labels).sent++;
  }
  advertReceived(labels: InstanceLabels): void {
    this.countsOf(labels).received++;
  }
  packetDropped(iface: string, instance: string, reason: DropReason): void {
    this.dropped.inc({ interface: iface, vrrp_instance: instance, reason });
  }
  masterDownFired(labels: InstanceLabels): void {
    this.masterDown.inc({ ...labels });
  }
  addressError(labels: InstanceLabels, operation: "add" | "remove" | "announce"): void {
    this.addressErrors.inc({ ...labels, operation });
  }
  routeError(labels: InstanceLabels, operation: "add" | "remove", kind: "route" | "rule"): void {
    this.routeErrors.inc({ ...labels, operation, kind });
  }
  /** A log line was dropped; `code`: the errno code of the failed write, or "encode". */
  logWriteFailed(code: string): void {
    this.logWriteErrors.inc({ code });
  }
  notifyFifoLine(result: "written" | "no-reader" | "full" | "failed"): void {
    this.fifoLines.inc({ result });
  }
  conflictStarted(labels: InstanceLabels, kind: ConflictKind): void {
    this.conflictsTotal.inc({ ...labels, kind });
    this.conflictsActive.inc({ ...labels, kind });
  }
  conflictEnded(labels: InstanceLabels, kind: ConflictKind): void {
    this.conflictsActive.dec({ ...labels, kind });
  }
  probeSent(labels: InstanceLabels): void {
    this.probes.inc({ ...labels });
  }
  /** Forget an instance's series once it is removed from the config. */
  instanceRemoved(labels: InstanceLabels): void {
    for (const kind of CONFLICT_KINDS) this.conflictsActive.remove({ ...labels, kind });
    this.flushCounts();
    this.counts.delete(labels);
    for (const phase of PHASES) this.state.remove({ ...labels, state: phase });
    this.priority.remove({ ...labels });
  }
}
