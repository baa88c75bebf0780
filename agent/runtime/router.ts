/**
 * One running virtual router: feeds events into the pure state machine and
 * performs the actions it returns, through injected edges. Address changes
 * and announcements run in order on a per-router effect chain
 * (master-addresses.ts); adverts (advert-packets.ts) and timers
 * (router-timer.ts) are immediate.
 */
import type { InPlaceUpdate } from "../config/instance-changes.js";
import type { InstanceConfig, VirtualAddress } from "../config/types.js";
import { foreignKind } from "../conflict/types.js";
import type { AddressTable, Announcer, RouteTable, VrrpTransport } from "../os/ports.js";
import {
  addressListMatch,
  checkAdvert,
  isRepeat,
  receiveContext,
  type AcceptedAdvert,
  type ArrivedAdvert,
  type RawArrival,
  type ReceiveContext,
} from "../vrrp/receive-checks.js";
import {
  backupAdvertFastPath,
  initialRouterState,
  step,
  type Phase,
  type RouterAction,
  type RouterEvent,
  type RouterParams,
  type RouterState,
} from "../vrrp/state-machine.js";
import type { Clock } from "../../base/clock.js";
import { AddressListNotes } from "./address-list-notes.js";
import { OutgoingAdverts } from "./outgoing-adverts.js";
import { ConflictMonitor, type ConflictOptions } from "./conflict-monitor.js";
import type { Logger } from "../../base/logger.js";
import type { AdvertCounts, AgentMetrics, InstanceLabels } from "./metrics.js";
import { MasterAddresses } from "./master-addresses.js";
import { RouterTimer } from "./router-timer.js";
import { routerParams } from "./router-params.js";
import { SilentPeers } from "./silent-peers.js";

import { RouterConditions, transitionFields, transitionOf, type HoldCause, type RouterSnapshot } from "./router-view.js";
import type { FaultCause, Transition } from "../vrrp/transition.js";

export { linkDownTriggers } from "./outgoing-adverts.js";
// Re-exported: the agent, the sync groups, the supervisor and the kube agent take them from the router.
export type { HoldCause, RouterSnapshot } from "./router-view.js";
export type { FaultCause, Transition, TransitionCause } from "../vrrp/transition.js";

export interface RouterDeps {
  readonly clock: Clock;
  readonly transport: VrrpTransport;
  readonly addresses: AddressTable;
  readonly announcer: Announcer;
  readonly metrics: AgentMetrics;
  readonly logger: Logger;
  /** Called after every transition, in order (notify scripts, state files, status). */
  readonly onTransition?: (change: Transition) => void;
  /** Duplicate-address probing and conflict reporting (default: foreign VRRP only, no probes). */
  readonly conflicts?: ConflictOptions;
  /** Installs config.routes while master (keepalived virtual_routes); required when the instance has routes. */
  readonly routes?: RouteTable;
  /** A held backup's Master_Down_Timer fired (see HoldCause): it would take over now. */
  readonly onWantMaster?: (instance: string) => void;
  /** Its fault causes changed (after any transition this caused): a sync group re-evaluates. */
  readonly onFaultCauses?: (instance: string) => void;
}

export class VirtualRouter {
  readonly labels: InstanceLabels;
  private params: RouterParams;
  private state: RouterState;
  /** The protocol timer (Master_Down or Adver) and the garp timer; a backup's Master_Down moves without a new system timer. */
  private readonly timers: Readonly<Record<"protocol" | "garp", RouterTimer>>;
  /** Its addresses, routes and rules while master, and their announcements, in order. */
  private readonly owned: MasterAddresses;
  private readonly log: Logger;
  /** Configured unicast peers heard from, and the warning about those never heard. */
  private readonly heard: SilentPeers;
  private checks: ReceiveContext;
  /** This instance's advert counters (fetched once: two adverts a period per instance). */
  private counts: AdvertCounts | undefined;
  /**
   * The last advert the checks accepted, with the bytes and addressing it
   * came with: a master repeats the same packet every interval, and the
   * same bytes from the same source to the same destination with the same
   * TTL decode and check the same, so repeats skip both (the rule is stated
   * in vrrp/receive-checks.ts: the checks read nothing else).
   */
  private accepted: (AcceptedAdvert & { readonly mismatch: boolean }) | undefined;
  /** Says once when adverts with an address list other than ours are taken. */
  private readonly listNotes: AddressListNotes;
  /** Its adverts as bytes, and the priority-0 ones armed while master. */
  private readonly adverts: OutgoingAdverts;
  private conflictMonitor: ConflictMonitor;
  /** The config in force: the one it started with, then each reload's (reconfigure). */
  private current: InstanceConfig;
  private readonly conditions = new RouterConditions();

  constructor(
    config: InstanceConfig,
    private readonly deps: RouterDeps,
  ) {
    this.current = config;
    this.params = routerParams(config, deps.transport.sourceAddress);
    this.state = initialRouterState(this.params, deps.clock.now());
    this.labels = { vrrp_instance: config.name, interface: config.interface, vrid: String(config.virtualRouterId) };
    this.log = deps.logger.child({ instance: config.name, vrid: config.virtualRouterId });
    this.checks = receiveContext(config, deps.transport.sourceAddress);
    this.listNotes = new AddressListNotes(this.log);
    this.heard = new SilentPeers(config.unicast?.peers, { clock: deps.clock, log: this.log, master: () => this.state.phase === "master" });
    this.timers = {
      protocol: new RouterTimer({
        clock: deps.clock,
        finalStretch: () => this.state.phase === "backup",
        expire: () => this.dispatch({ type: "timer", timer: "protocol" }),
        ...(deps.transport.readWaiting !== undefined ? { readWaiting: () => deps.transport.readWaiting?.() } : {}),
      }),
      garp: new RouterTimer({
        clock: deps.clock,
        finalStretch: () => false,
        expire: () => this.dispatch({ type: "timer", timer: "garp" }),
      }),
    };
    this.conflictMonitor = this.newConflictMonitor(config);
    this.adverts = new OutgoingAdverts(config, {
      transport: deps.transport,
      log: this.log,
      counts: () => (this.counts ??= deps.metrics.advertCounts(this.labels)),
    });
    this.owned = new MasterAddresses({
      clock: deps.clock,
      addresses: deps.addresses,
      announcer: deps.announcer,
      routes: deps.routes,
      metrics: deps.metrics,
      labels: this.labels,
      log: this.log,
      config: () => this.current,
      master: () => this.state.phase === "master",
      lost: () => this.setFault("address", true),
    });
  }

  get config(): InstanceConfig {
    return this.current;
  }

  private newConflictMonitor(config: InstanceConfig): ConflictMonitor {
    return new ConflictMonitor(config, {
      clock: this.deps.clock,
      metrics: this.deps.metrics,
      labels: this.labels,
      logger: this.log,
      options: this.deps.conflicts ?? {},
      afterAddressChanges: () => this.settled(),
    });
  }

  /**
   * A reload's in-place updates (config/instance-changes.ts; never a change
   * of VRID, interface, family, version, interval or source). The state
   * machine keeps its state: no transition, no new election. Adverts carry
   * the new list and peers from the next one on; a new base priority comes
   * in through setEffectivePriority (the supervisor's health evaluation),
   * so a master sends it in its next advert and, per RFC 5798 §6.4.3, stays
   * master until it hears a higher priority. A master removes the dropped
   * addresses and adds and announces the new ones; every address that stays
   * is left alone. A backup changes nothing on the interface.
   */
  reconfigure(next: InstanceConfig, updates: readonly InPlaceUpdate[]): void {
    this.current = next;
    const source = this.deps.transport.sourceAddress;
    this.params = routerParams(next, source);
    this.checks = receiveContext(next, source);
    this.accepted = undefined;
    for (const update of updates) {
      if (update.kind === "unicast-peers") {
        this.heard.peersChanged(next, this.state.phase === "master");
      } else if (update.kind === "addresses") {
        this.addressesChanged(next, update.added, update.removed);
      }
    }
    // The priority-0 adverts kept ready (stop signal, tracked link down) carry the addresses, go to the
    // peers, and fire on the tracked interfaces: armed again when any of those changes.
    this.adverts.use(next);
    this.log.log("info", "changed in place", { changes: updates.map((u) => u.kind), phase: this.state.phase });
  }

  private addressesChanged(next: InstanceConfig, added: readonly VirtualAddress[], removed: readonly VirtualAddress[]): void {
    // Duplicate-address watches and probes follow the new list.
    void this.conflictMonitor.stop();
    this.conflictMonitor = this.newConflictMonitor(next);
    if (this.state.phase === "master") this.conflictMonitor.masterChanged(true);
    // As at start, a backup's takeover finds the new addresses' requests encoded.
    this.owned.changed(added, removed);
  }

  start(): void {
    this.deps.metrics.instanceStarted(this.labels, this.state.effectivePriority);
    this.dispatch({ type: "startup" });
    // Ready for a takeover: its step() runs a few times now, results dropped (the state machine is
    // pure), so V8 has compiled it and gathered type feedback by the time a Master_Down_Timer expires
    // for real; the address requests are encoded ahead (what it saves: bench/notes.md).
    // Likewise a master's FAULT (a tracked interface down), which sends the priority-0 advert from its step.
    for (let i = 0; i < 3; i++) {
      step(this.params, { ...this.state, phase: "backup" }, { type: "timer", timer: "protocol" }, this.deps.clock.now());
      step(this.params, { ...this.state, phase: "master" }, { type: "fault" }, this.deps.clock.now());
    }
    this.owned.prepare();
  }

  /** Leave the election (priority 0 if master) and wait until the addresses are gone. */
  async stop(): Promise<void> {
    this.dispatch({ type: "shutdown" });
    await Promise.all([this.settled(), this.conflictMonitor.stop()]);
  }

  /** Resolves once every address change queued so far has been carried out. */
  settled(): Promise<void> {
    return this.owned.settled();
  }

  /**
   * A decoded advert for this VRID; `payload` (its bytes, only read during the
   * call) lets receiveRepeat() recognise the next copy; `ageMs`: how long before the call
   * the kernel received it.
   */
  receive(arrived: ArrivedAdvert, payload?: Buffer, ageMs?: number): void {
    this.heard.note(arrived.source);
    const reason = checkAdvert(this.checks, arrived);
    if (reason !== undefined) {
      this.deps.metrics.packetDropped(this.config.interface, this.config.name, reason);
      this.log.log("debug", "advert dropped", { reason, source: arrived.source });
      const why = foreignKind(reason);
      if (why !== undefined) {
        const { addresses, advertIntervalMs } = arrived.advert;
        this.conflictMonitor.foreignAdvert({ source: arrived.source, why, addresses, intervalMs: advertIntervalMs });
      }
      return;
    }
    const mismatch = addressListMatch(this.checks, arrived.advert) === "differs";
    this.listNotes.note(arrived, mismatch, () => this.current.addresses.map((a) => a.address));
    if (payload !== undefined) this.accepted = { payload: Buffer.from(payload), arrived, mismatch };
    this.accept(arrived, ageMs, mismatch);
  }

  /**
   * Takes the packet if it repeats the last accepted advert byte for byte
   * (same source, destination and TTL) and returns true; false: decode it
   * and call receive().
   */
  receiveRepeat(packet: RawArrival & { readonly ageMs?: number }): boolean {
    const last = this.accepted;
    if (!isRepeat(last, packet)) return false;
    this.accept(last.arrived, packet.ageMs, last.mismatch);
    return true;
  }

  /** `ageMs`: how long ago the kernel received it (absent: unknown); the checks before this call take microseconds. */
  private accept(arrived: ArrivedAdvert, ageMs = 0, mismatch = false): void {
    const counts = (this.counts ??= this.deps.metrics.advertCounts(this.labels));
    counts.received++;
    if (mismatch) counts.addressMismatch++;
    // Timers start from the arrival, not from when the loop got to the packet (up to a quarter interval back; more is a clock step).
    const now = this.deps.clock.now();
    const back = ageMs > 0 && ageMs <= this.config.advertIntervalMs / 4 ? ageMs : 0;
    // Most adverts only move a backup's Master_Down deadline: the same as step(), without its event, result and action objects.
    const moved = backupAdvertFastPath(this.params, this.state, arrived.advert, arrived.source, now - back);
    if (moved !== undefined) {
      this.state = moved;
      this.timers.protocol.set(moved.timerAt!);
      return;
    }
    this.dispatch({ type: "advert", advert: arrived.advert, source: arrived.source }, back);
  }

  setEffectivePriority(priority: number): void {
    if (priority === this.state.effectivePriority) return;
    this.deps.metrics.effectivePriority(this.labels, priority);
    this.dispatch({ type: "priority", effectivePriority: priority });
  }

  /**
   * The supervisor's health evaluation of its tracked checks. `description`
   * (given when the health changed) is the cause the transitions it leads to
   * carry; they happen inside this call (a FAULT's priority-0 advert leaves here).
   */
  applyHealth(
    health: { readonly effectivePriority: number; readonly pending: boolean; readonly fault: boolean },
    description?: string,
  ): void {
    if (description !== undefined) this.conditions.healthChanged(description);
    this.setEffectivePriority(health.effectivePriority);
    // keepalived 2.2.7 waits as backup while a weight-0 script has not reported yet (FAULT only once it fails).
    this.setHold("pending", health.pending);
    this.setFault("health", health.fault);
  }

  /** FAULT while any cause holds (a master leaves with a priority-0 advert); back to backup once none does. */
  setFault(cause: FaultCause, on: boolean): void {
    // keepalived dont_track_primary: the own interface's faults are ignored.
    if (cause === "interface" && this.config.trackInterface === false) return;
    const changed = this.conditions.setFault(cause, on);
    if (this.conditions.inFault) {
      if (this.state.phase !== "fault") this.dispatch({ type: "fault" });
    } else if (this.state.phase === "fault") {
      this.dispatch({ type: "recovered" });
    }
    if (changed) this.deps.onFaultCauses?.(this.config.name);
  }

  /** Held while any cause holds (see HoldCause); may be called before start(). */
  setHold(cause: HoldCause, on: boolean): void {
    const held = this.conditions.setHold(cause, on);
    if (held !== undefined) this.dispatch({ type: "hold", held });
  }

  /** Its sync group goes master: a backup takes over now. */
  takeOver(): void {
    this.dispatch({ type: "take-over" });
  }

  /** Its sync group goes backup: a master leaves master now. */
  yieldMaster(): void {
    this.dispatch({ type: "yield" });
  }

  /** Phase and wish as a sync group sees them; `ownFault`: in FAULT for a cause other than the group. */
  memberView(): { readonly phase: Phase; readonly wantsMaster: boolean; readonly ownFault: boolean } {
    return { phase: this.state.phase, wantsMaster: this.state.wantsMaster, ownFault: this.conditions.ownFault() };
  }

  /**
   * The socket was reopened with another source address (an interface
   * re-created with a new MAC gets a new IPv6 link-local): adverts, their
   * checksums and the receive checks use it from now on.
   */
  sourceChanged(): void {
    const source = this.deps.transport.sourceAddress;
    this.params = routerParams(this.config, source);
    this.checks = receiveContext(this.config, source);
    this.accepted = undefined;
    this.adverts.use(this.current);
  }

  /** The kernel's fault causes holding now (not `health`). */
  faultCauses(): readonly FaultCause[] {
    return this.conditions.faultCauses();
  }

  /**
   * One of our virtual addresses left `ifname` behind our back (an admin,
   * a network manager, the kernel with the primary address). A master puts
   * it back at once and announces it; if it cannot, it leaves master.
   */
  addressGone(ifname: string, address: string): void {
    this.owned.restore(ifname, address);
  }

  snapshot(): RouterSnapshot {
    return {
      name: this.config.name,
      phase: this.state.phase,
      priority: this.config.priority,
      effectivePriority: this.state.effectivePriority,
      masterAddress: this.state.masterAddress,
      since: this.state.since,
      conflicts: this.conflictMonitor.conflicts(),
    };
  }

  /** `agoMs`: the event happened that long before now (an advert that waited in the socket). */
  private dispatch(event: RouterEvent, agoMs = 0): void {
    const now = this.deps.clock.now() - agoMs;
    const masterDown = event.type === "timer" && event.timer === "protocol" && this.state.phase === "backup";
    const result = step(this.params, this.state, event, now);
    this.state = result.state;
    for (const action of result.actions) this.perform(action, now);
    // Counted after the actions: a takeover's address add goes first.
    if (masterDown) this.deps.metrics.masterDownFired(this.labels);
  }

  private perform(action: RouterAction, now: number): void {
    switch (action.type) {
      case "send-advert":
        return this.adverts.send(action.priority);
      case "set-timer":
        return this.timers[action.timer].set(action.at);
      case "cancel-timer":
        return this.timers[action.timer].cancel();
      case "add-addresses":
        return this.owned.add();
      case "remove-addresses":
        return this.owned.remove();
      case "announce":
        return this.owned.announce(action.burst);
      case "transition":
        return this.transitioned(action, now);
      case "want-master":
        return this.deps.onWantMaster?.(this.config.name);
    }
  }

  /** Entering master: arm the priority-0 adverts; leaving it: disarm them. */
  private updateFarewells(action: Extract<RouterAction, { type: "transition" }>): void {
    if (action.from === "master") this.adverts.disarm();
    if (action.to === "master") this.adverts.arm();
  }

  private transitioned(action: Extract<RouterAction, { type: "transition" }>, now: number): void {
    this.updateFarewells(action);
    this.owned.announceSelf(action.from, action.to, this.deps.transport.sourceAddress);
    this.heard.watch(this.config, action.to === "master");
    this.conflictMonitor.masterChanged(action.to === "master");
    this.deps.metrics.transitioned(this.labels, action.from, action.to);
    const change = transitionOf(this.config.name, action, {
      priority: this.state.effectivePriority,
      at: now,
      cause: this.conditions.causeOf(action.to),
    });
    this.log.log("info", `${change.from} -> ${change.to}`, transitionFields(change));
    this.deps.onTransition?.(change);
  }
}
