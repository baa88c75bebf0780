/**
 * One running virtual router: feeds events into the pure state machine and
 * performs the actions it returns, through injected edges. Address changes
 * and announcements run in order on a per-router effect chain (an announce
 * never overtakes the add it depends on); adverts and timers are immediate.
 */
import type { InPlaceUpdate } from "../config/instance-changes.js";
import type { InstanceConfig, VirtualAddress } from "../config/types.js";
import { foreignKind, type Conflict } from "../conflict/types.js";
import type { AddressTable, Announcer, Farewell, RouteTable, VrrpTransport } from "../os/ports.js";
import { encodeAdvert } from "../vrrp/codec.js";
import type { Advert } from "../vrrp/packet.js";
import { VRRP_MULTICAST_V4, VRRP_MULTICAST_V6 } from "../vrrp/packet.js";
import type { Transition } from "../vrrp/transition.js";
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
  type AnnounceBurst,
  type Phase,
  type RouterAction,
  type RouterEvent,
  type RouterParams,
  type RouterState,
} from "../vrrp/state-machine.js";
import type { Clock, TimerHandle } from "../../base/clock.js";
import { ConflictMonitor, type ConflictOptions } from "./conflict-monitor.js";
import { HeardPeers } from "./heard-peers.js";
import type { Logger } from "../../base/logger.js";
import type { AdvertCounts, AgentMetrics, InstanceLabels } from "./metrics.js";
import { RouterTimer } from "./router-timer.js";
import { Serial } from "../../base/serial.js";
import { describeRule } from "../os/rule-message.js";

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

// Re-exported: the agent, the sync groups, the supervisor and the kube agent take it from the router.
export type { Transition } from "../vrrp/transition.js";

export interface RouterSnapshot {
  readonly name: string;
  readonly phase: Phase;
  readonly priority: number;
  readonly effectivePriority: number;
  readonly masterAddress: string | undefined;
  readonly since: number;
  /** Conflicts going on now (another MAC for a held address, foreign VRRP on the VRID). */
  readonly conflicts: readonly Conflict[];
}

/**
 * Why a router is in FAULT; it recovers once none is left. `health`: its
 * tracked scripts, files and interfaces (the supervisor); the others come
 * from the kernel (the Agent): its interface down or gone, the socket's
 * source address gone, a virtual address that could not be put back.
 */
export type FaultCause = "health" | "interface" | "source-address" | "address" | "sync-group";

/**
 * Why a backup may not take over by itself (the state machine's `held`):
 * `pending`: a weight-0 check has not reported yet (keepalived waits for it);
 * `sync-group`: its sync group decides when its members go master;
 * `startup-delay`: the agent's startup delay (vrrp_startup_delay) has not passed.
 */
export type HoldCause = "pending" | "sync-group" | "startup-delay";

export function routerParams(config: InstanceConfig, primaryAddress: string): RouterParams {
  return {
    version: config.version,
    priority: config.priority,
    advertIntervalMs: config.advertIntervalMs,
    preempt: config.preempt,
    preemptDelayMs: config.preemptDelayMs,
    initialState: config.initialState,
    primaryAddress,
    garpDelayMs: config.garp.delayMs,
    garpRefreshMs: config.garp.refreshMs,
    garpLowerPriorityRepeat: config.garp.lowerPriorityRepeat,
    garpLowerPriorityDelayMs: config.garp.lowerPriorityDelayMs,
  };
}

export class VirtualRouter {
  readonly labels: InstanceLabels;
  private params: RouterParams;
  private state: RouterState;
  /** The protocol timer (Master_Down or Adver) and the garp timer; a backup's Master_Down moves without a new system timer. */
  private readonly timers: Readonly<Record<"protocol" | "garp", RouterTimer>>;
  /** Address changes and announcements, in order; one given while none runs starts at once (before the log line and notify of its transition). */
  private readonly effects = new Serial();
  private readonly log: Logger;
  /** Configured unicast peers any packet has come from (no other source is kept), and those already warned about. */
  private heard: HeardPeers;
  private readonly warnedSilent = new Set<string>();
  private silentPeerCheck: TimerHandle | undefined;
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
  /** Source and list of the last accepted advert whose address list differed from ours (logged once, not per advert). */
  private listMismatch: string | undefined;
  /** Encoded adverts for the last priority sent, one per destination: the bytes only change with the priority. */
  private encoded: { readonly priority: number; readonly packets: readonly { destination: string; payload: Buffer }[] } | undefined;
  private conflictMonitor: ConflictMonitor;
  /** The config in force: the one it started with, then each reload's (reconfigure). */
  private current: InstanceConfig;
  /** While master: its priority-0 adverts, encoded ahead (a FAULT sends them from the event that caused it). */
  private leaving: readonly { destination: string; payload: Buffer }[] | undefined;
  /** While master: the priority-0 adverts (one per destination) the stop signal's handler sends (transport.armFarewell). */
  private farewells: readonly (Farewell | undefined)[] | undefined;
  private readonly faults = new Set<FaultCause>();
  private readonly holds = new Set<HoldCause>();

  constructor(config: InstanceConfig, private readonly deps: RouterDeps) {
    this.current = config;
    this.params = routerParams(config, deps.transport.sourceAddress);
    this.state = initialRouterState(this.params, deps.clock.now());
    this.labels = { vrrp_instance: config.name, interface: config.interface, vrid: String(config.virtualRouterId) };
    this.log = deps.logger.child({ instance: config.name, vrid: config.virtualRouterId });
    this.checks = receiveContext(config, deps.transport.sourceAddress);
    this.heard = new HeardPeers(config.unicast?.peers);
    this.timers = {
      protocol: new RouterTimer({
        clock: deps.clock,
        finalStretch: () => this.state.phase === "backup",
        expire: () => this.dispatch({ type: "timer", timer: "protocol" }),
        ...(deps.transport.readWaiting !== undefined ? { readWaiting: () => deps.transport.readWaiting?.() } : {}),
      }),
      garp: new RouterTimer({ clock: deps.clock, finalStretch: () => false, expire: () => this.dispatch({ type: "timer", timer: "garp" }) }),
    };
    this.conflictMonitor = this.newConflictMonitor(config);
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
    this.encoded = undefined;
    this.accepted = undefined;
    const master = this.state.phase === "master";
    for (const update of updates) {
      if (update.kind === "unicast-peers") {
        this.heard = this.heard.withPeers(next.unicast?.peers ?? []);
        this.watchSilentPeers(this.state.phase);
      } else if (update.kind === "addresses") {
        this.addressesChanged(next, update.added, update.removed);
      }
    }
    // The priority-0 adverts kept ready (stop signal, tracked link down) carry the addresses, go to the
    // peers, and fire on the tracked interfaces: re-arm them when any of those changes.
    const rearm = updates.some((u) => u.kind === "addresses" || u.kind === "unicast-peers" || u.kind === "authentication" || u.kind === "tracking");
    if (master && rearm) this.armFarewells();
    this.log.log("info", "changed in place", { changes: updates.map((u) => u.kind), phase: this.state.phase });
  }

  private addressesChanged(next: InstanceConfig, added: readonly VirtualAddress[], removed: readonly VirtualAddress[]): void {
    // Duplicate-address watches and probes follow the new list.
    void this.conflictMonitor.stop();
    this.conflictMonitor = this.newConflictMonitor(next);
    const device = (a: VirtualAddress) => a.device ?? next.interface;
    const { prepare } = this.deps.addresses;
    // As at start: a backup's takeover finds the new addresses' requests encoded.
    if (prepare !== undefined) void Promise.all(added.map((a) => prepare.call(this.deps.addresses, device(a), a))).catch(() => undefined);
    if (this.state.phase !== "master") return;
    this.conflictMonitor.masterChanged(true);
    if (removed.length > 0) this.chain("remove", async () => {
      for (const a of removed) await this.deps.addresses.remove(device(a), a);
    });
    if (added.length === 0) return;
    this.chain("add", async () => {
      for (const a of added) await this.deps.addresses.add(device(a), a);
    });
    this.chain("announce", () => this.announceEach(added, next.garp.repeat));
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
    const { addresses } = this.deps;
    if (addresses.prepare !== undefined) void this.eachAddress((iface, a) => addresses.prepare!(iface, a)).catch(() => undefined);
  }

  /** Leave the election (priority 0 if master) and wait until the addresses are gone. */
  async stop(): Promise<void> {
    this.dispatch({ type: "shutdown" });
    await Promise.all([this.settled(), this.conflictMonitor.stop()]);
  }

  /** Resolves once every address change queued so far has been carried out. */
  settled(): Promise<void> {
    return this.effects.idle();
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
    this.noteAddressList(arrived, mismatch);
    if (payload !== undefined) this.accepted = { payload: Buffer.from(payload), arrived, mismatch };
    this.accept(arrived, ageMs, mismatch);
  }

  /** A differing address list is taken (receive-checks.ts); say so once per source and list, and when they agree again. */
  private noteAddressList(arrived: ArrivedAdvert, mismatch: boolean): void {
    if (!mismatch) {
      if (this.listMismatch?.startsWith(`${arrived.source} `) === true) {
        this.listMismatch = undefined;
        this.log.log("info", "address lists agree again", { source: arrived.source });
      }
      return;
    }
    const key = `${arrived.source} ${[...arrived.advert.addresses].sort().join(",")}`;
    if (key === this.listMismatch) return;
    this.listMismatch = key;
    this.log.log("warn", "advert with an address list other than ours taken (nodes with different configs, e.g. a reload in progress)", {
      source: arrived.source,
      theirs: arrived.advert.addresses,
      ours: this.current.addresses.map((a) => a.address),
    });
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

  fault(): void {
    this.setFault("health", true);
  }

  recovered(): void {
    this.setFault("health", false);
  }

  /** FAULT while any cause holds (a master leaves with a priority-0 advert); back to backup once none does. */
  setFault(cause: FaultCause, on: boolean): void {
    // keepalived dont_track_primary: the own interface's faults are ignored.
    if (cause === "interface" && this.config.trackInterface === false) return;
    const had = this.faults.has(cause);
    if (on) this.faults.add(cause);
    else this.faults.delete(cause);
    if (this.faults.size > 0) {
      if (this.state.phase !== "fault") this.dispatch({ type: "fault" });
    } else if (this.state.phase === "fault") {
      this.dispatch({ type: "recovered" });
    }
    if (had !== on) this.deps.onFaultCauses?.(this.config.name);
  }

  /** Held while any cause holds (see HoldCause); may be called before start(). */
  setHold(cause: HoldCause, on: boolean): void {
    const before = this.holds.size > 0;
    if (on) this.holds.add(cause);
    else this.holds.delete(cause);
    if (before !== this.holds.size > 0) this.dispatch({ type: "hold", held: this.holds.size > 0 });
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
    const ownFault = [...this.faults].some((c) => c !== "sync-group");
    return { phase: this.state.phase, wantsMaster: this.state.wantsMaster, ownFault };
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
    this.encoded = undefined;
    this.leaving = undefined;
    this.accepted = undefined;
  }

  /** The kernel's fault causes holding now (not `health`). */
  faultCauses(): readonly FaultCause[] {
    return [...this.faults];
  }

  /**
   * One of our virtual addresses left `ifname` behind our back (an admin,
   * a network manager, the kernel with the primary address). A master puts
   * it back at once and announces it; if it cannot, it leaves master.
   */
  addressGone(ifname: string, address: string): void {
    if (this.state.phase !== "master") return;
    const lost = [...this.config.addresses, ...(this.config.excludedAddresses ?? [])].find((a) => a.address === address && (a.device ?? this.config.interface) === ifname);
    if (lost === undefined) return;
    this.log.log("warn", "a virtual address was removed behind our back; adding it again", { interface: ifname, address });
    void this.effects.run(async () => {
      if (this.state.phase !== "master") return;
      try {
        await this.deps.addresses.add(ifname, lost);
      } catch (error) {
        this.deps.metrics.addressError(this.labels, "add");
        this.log.log("error", "cannot add the removed virtual address again; leaving master", { interface: ifname, address, error });
        this.setFault("address", true);
        return;
      }
      if (this.state.phase !== "master") return;
      await this.deps.announcer.announce(ifname, lost).catch((error: unknown) => {
        this.deps.metrics.addressError(this.labels, "announce");
        this.log.log("error", "announce of virtual addresses failed", { error });
      });
    });
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
        return this.sendAdvert(action.priority);
      case "set-timer":
        return this.timers[action.timer].set(action.at);
      case "cancel-timer":
        return this.timers[action.timer].cancel();
      case "add-addresses":
        this.chain("add", () => this.eachAddress((iface, a) => this.deps.addresses.add(iface, a)));
        // After the addresses: a route may name a virtual address as its source.
        return this.routeChanges("add");
      case "remove-addresses":
        // Before the addresses: the kernel would drop a route whose source went with them, but not the others.
        this.routeChanges("remove");
        return this.chain("remove", () => this.eachAddress((iface, a) => this.deps.addresses.remove(iface, a)));
      case "announce":
        return this.chain("announce", () => this.announce(action.burst));
      case "transition":
        return this.transitioned(action, now);
      case "want-master":
        return this.deps.onWantMaster?.(this.config.name);
    }
  }

  private sendAdvert(priority: number): void {
    let packets;
    try {
      packets = this.advertPackets(priority);
    } catch (error) {
      this.log.log("error", "encoding advert failed", { error });
      return;
    }
    // After the stop signal sent the priority-0 advert, an advert due before the stop path runs must not undo it.
    if (priority !== 0 && this.farewells?.[0]?.sent() === true) return;
    for (let i = 0; i < packets.length; i++) {
      const { destination, payload } = packets[i]!;
      if (priority === 0 && this.farewells?.[i]?.sent() === true) {
        // The stop signal's handler sent it already; a second one would restart the backups' Skew_Time.
        (this.counts ??= this.deps.metrics.advertCounts(this.labels)).sent++;
        this.log.log("debug", "priority-0 advert went out from the stop signal's handler", { destination });
        continue;
      }
      try {
        this.deps.transport.send(payload, destination);
        (this.counts ??= this.deps.metrics.advertCounts(this.labels)).sent++;
      } catch (error) {
        this.log.log("error", "sending advert failed", { destination, error });
      }
    }
  }

  private advertPackets(priority: number): readonly { destination: string; payload: Buffer }[] {
    if (priority === 0 && this.leaving !== undefined) return this.leaving;
    if (this.encoded?.priority === priority) return this.encoded.packets;
    const packets = this.encodePackets(priority);
    this.encoded = { priority, packets };
    return packets;
  }

  private encodePackets(priority: number): { destination: string; payload: Buffer }[] {
    const advert: Advert = {
      version: this.config.version,
      family: this.config.family,
      virtualRouterId: this.config.virtualRouterId,
      priority,
      advertIntervalMs: this.config.advertIntervalMs,
      addresses: this.config.addresses.map((a) => a.address),
      ...(this.config.version === 2
        ? this.config.authentication
          ? { authType: 1, password: Buffer.from(this.config.authentication.password, "utf8") }
          : { authType: 0 }
        : {}),
    };
    const destinations = this.config.unicast?.peers ?? [this.config.family === 4 ? VRRP_MULTICAST_V4 : VRRP_MULTICAST_V6];
    const source = this.deps.transport.sourceAddress;
    return destinations.map((destination) => ({ destination, payload: encodeAdvert(advert, { source, destination }) }));
  }

  /**
   * Entering master: encode the priority-0 adverts and arm them for the stop
   * signal and for the tracked interfaces whose loss means FAULT; leaving
   * it: disarm them.
   */
  private updateFarewells(action: Extract<RouterAction, { type: "transition" }>): void {
    if (action.from === "master") {
      for (const farewell of this.farewells ?? []) farewell?.disarm();
      this.farewells = undefined;
      this.leaving = undefined;
    }
    if (action.to === "master") this.armFarewells();
  }

  /** (Re-)arm the priority-0 adverts from the current config (on becoming master and on each reload). */
  private armFarewells(): void {
    for (const farewell of this.farewells ?? []) farewell?.disarm();
    this.farewells = undefined;
    this.leaving = undefined;
    const { transport } = this.deps;
    try {
      const leaving = this.encodePackets(0);
      this.leaving = leaving;
      const linkDown = linkDownTriggers(this.config);
      if (transport.armFarewell !== undefined) this.farewells = leaving.map(({ destination, payload }) => transport.armFarewell?.(payload, destination, linkDown));
    } catch (error) {
      this.log.log("warn", "cannot keep the priority-0 advert ready for a stop signal", { error });
    }
  }

  private chain(operation: "add" | "remove" | "announce", effect: () => Promise<void>): void {
    void this.effects.run(() =>
      effect().catch((error: unknown) => {
        this.deps.metrics.addressError(this.labels, operation);
        this.log.log("error", `${operation} of virtual addresses failed`, { error });
      }),
    );
  }

  /**
   * keepalived virtual_routes and virtual_rules: each on its own, so one that
   * fails does not keep the others out. Rules come after the routes they point
   * at and go before them (as keepalived), so a rule never sends packets to a
   * table that is still empty.
   */
  private routeChanges(operation: "add" | "remove"): void {
    const routes = this.config.routes ?? [];
    const rules = this.config.rules ?? [];
    const table = this.deps.routes;
    if (routes.length === 0 && rules.length === 0) return;
    const eachRoute = async () => {
      for (const route of routes) {
        try {
          if (table === undefined) throw new Error("no route table given to the agent");
          await (operation === "add" ? table.add(route) : table.remove(route));
        } catch (error) {
          this.deps.metrics.addressError(this.labels, operation);
          this.log.log("error", `${operation} of a virtual route failed`, { route: route.to, error });
        }
      }
    };
    const eachRule = async () => {
      for (const rule of rules) {
        try {
          if (table === undefined) throw new Error("no route table given to the agent");
          await (operation === "add" ? table.addRule(rule) : table.removeRule(rule));
        } catch (error) {
          this.deps.metrics.addressError(this.labels, operation);
          this.log.log("error", `${operation} of a virtual rule failed`, { rule: describeRule(rule), error });
        }
      }
    };
    void this.effects.run(async () => {
      if (operation === "add") {
        await eachRoute();
        await eachRule();
      } else {
        await eachRule();
        await eachRoute();
      }
    });
  }

  private async eachAddress(fn: (iface: string, address: InstanceConfig["addresses"][number]) => Promise<void>) {
    for (const address of this.config.addresses) await fn(address.device ?? this.config.interface, address);
    // keepalived virtual_ipaddress_excluded: with master state, but never in the adverts.
    for (const address of this.config.excludedAddresses ?? []) await fn(address.device ?? this.config.interface, address);
  }

  private async announce(burst: AnnounceBurst): Promise<void> {
    const garp = this.config.garp;
    const count = burst === "refresh" ? garp.refreshRepeat : burst === "lower-priority" ? garp.lowerPriorityRepeat : garp.repeat;
    await this.announceEach(this.config.addresses, count);
  }

  /** `count` rounds of gratuitous ARP / NA for `addresses`, garp.interval apart, while master. */
  private async announceEach(addresses: readonly VirtualAddress[], count: number): Promise<void> {
    const garp = this.config.garp;
    for (let i = 0; i < count; i++) {
      if (this.state.phase !== "master") return; // lost mastership mid-burst
      if (i > 0 && garp.intervalMs > 0) await delay(this.deps.clock, garp.intervalMs);
      for (const a of addresses) await this.deps.announcer.announce(a.device ?? this.config.interface, a);
    }
  }

  /**
   * A firewall that drops IP protocol 112 makes every peer master. Peers that
   * are backups are silent too, so only warn about a peer never heard from at
   * all, once we have been master for 3 advert intervals.
   */
  private watchSilentPeers(to: Phase): void {
    this.silentPeerCheck?.cancel();
    this.silentPeerCheck = undefined;
    const peers = this.config.unicast?.peers;
    if (to !== "master" || peers === undefined) return;
    this.silentPeerCheck = this.deps.clock.at(this.deps.clock.now() + 3 * this.config.advertIntervalMs, () => {
      if (this.state.phase !== "master") return;
      for (const peer of peers) {
        if (this.heard.has(peer) || this.warnedSilent.has(peer)) continue;
        this.warnedSilent.add(peer);
        this.log.log("warn", "master for 3 advert intervals and a unicast peer has never been heard from", {
          peer,
          hint: "if the peer runs, allow IP protocol 112 (VRRP) between the peers in the firewall",
        });
      }
    });
  }

  /**
   * A unicast master reaches this node through its neighbour cache, and an
   * entry that gave up while this node was away (link down, agent stopped)
   * is only probed again about once a second: longer than Master_Down_Interval,
   * so the returning backup would hear nothing and take over (also with
   * preempt off). Announcing its own address when it starts listening lets
   * every peer reach it at once. Multicast adverts need no neighbour entry.
   */
  private announceSelf(action: Extract<RouterAction, { type: "transition" }>): void {
    if (action.to !== "backup" || (action.from !== "initialize" && action.from !== "fault") || this.config.unicast === undefined) return;
    const self = { address: this.deps.transport.sourceAddress, family: this.config.family, prefixLength: this.config.family === 4 ? 32 : 128 };
    this.chain("announce", () => this.deps.announcer.announce(this.config.interface, self));
  }

  private transitioned(action: Extract<RouterAction, { type: "transition" }>, now: number): void {
    this.updateFarewells(action);
    this.announceSelf(action);
    this.watchSilentPeers(action.to);
    this.conflictMonitor.masterChanged(action.to === "master");
    this.deps.metrics.transitioned(this.labels, action.from, action.to);
    this.log.log("info", `${action.from} -> ${action.to}`, {
      from: action.from,
      to: action.to,
      reason: action.reason,
      priority: this.state.effectivePriority,
      ...(action.masterAddress !== undefined ? { master: action.masterAddress } : {}),
    });
    this.deps.onTransition?.({
      instance: this.config.name,
      from: action.from,
      to: action.to,
      reason: action.reason,
      priority: this.state.effectivePriority,
      at: now,
      ...(action.masterAddress !== undefined ? { masterAddress: action.masterAddress } : {}),
    });
  }
}

/**
 * The tracked interfaces whose going down alone puts the instance in FAULT
 * (weight 0, not reversed: health/priority.ts), so its priority-0 advert
 * may leave before the agent has seen the event.
 */
export function linkDownTriggers(config: InstanceConfig): string[] {
  return config.track.interfaces.filter((t) => (t.weight ?? 0) === 0 && (t.reverse ?? false) === false).map((t) => t.name);
}

function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.at(clock.now() + ms, resolve));
}
