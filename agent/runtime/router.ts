/**
 * One running virtual router: feeds events into the pure state machine and
 * performs the actions it returns, through injected edges. Address changes
 * and announcements run in order on a per-router effect chain (an announce
 * never overtakes the add it depends on); adverts and timers are immediate.
 */
import type { InstanceConfig } from "../config/types.js";
import { foreignKind, type Conflict } from "../conflict/types.js";
import type { AddressTable, Announcer, Farewell, VrrpTransport } from "../os/ports.js";
import { encodeAdvert } from "../vrrp/codec.js";
import type { Advert } from "../vrrp/packet.js";
import { VRRP_MULTICAST_V4, VRRP_MULTICAST_V6 } from "../vrrp/packet.js";
import { checkAdvert, isRepeat, receiveContext, type AcceptedAdvert, type ArrivedAdvert, type RawArrival, type ReceiveContext } from "../vrrp/receive-checks.js";
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
  type TransitionReason,
} from "../vrrp/state-machine.js";
import type { Clock, TimerHandle } from "./clock.js";
import { ConflictMonitor, type ConflictOptions } from "./conflict-monitor.js";
import { HeardPeers } from "./heard-peers.js";
import type { Logger } from "./logger.js";
import type { AdvertCounts, AgentMetrics, InstanceLabels } from "./metrics.js";
import { RouterTimer } from "./router-timer.js";
import { Serial } from "./serial.js";

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
  /** A held backup's Master_Down_Timer fired (see HoldCause): it would take over now. */
  readonly onWantMaster?: (instance: string) => void;
  /** Its fault causes changed (after any transition this caused): a sync group re-evaluates. */
  readonly onFaultCauses?: (instance: string) => void;
}

export interface Transition {
  readonly instance: string;
  readonly from: Phase;
  readonly to: Phase;
  readonly reason: TransitionReason;
  readonly priority: number;
  readonly masterAddress?: string;
  /** Monotonic time of the transition. */
  readonly at: number;
}

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
 * `sync-group`: its sync group decides when its members go master.
 */
export type HoldCause = "pending" | "sync-group";

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
  private readonly heard: HeardPeers;
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
  private accepted: AcceptedAdvert | undefined;
  /** Encoded adverts for the last priority sent, one per destination: the bytes only change with the priority. */
  private encoded: { readonly priority: number; readonly packets: readonly { destination: string; payload: Buffer }[] } | undefined;
  private readonly conflictMonitor: ConflictMonitor;
  /** While master: the priority-0 adverts (one per destination) the stop signal's handler sends (transport.armFarewell). */
  private farewells: readonly (Farewell | undefined)[] | undefined;
  private readonly faults = new Set<FaultCause>();
  private readonly holds = new Set<HoldCause>();

  constructor(readonly config: InstanceConfig, private readonly deps: RouterDeps) {
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
    this.conflictMonitor = new ConflictMonitor(config, {
      clock: deps.clock,
      metrics: deps.metrics,
      labels: this.labels,
      logger: this.log,
      options: deps.conflicts ?? {},
      afterAddressChanges: () => this.settled(),
    });
  }

  start(): void {
    this.deps.metrics.instanceStarted(this.labels, this.state.effectivePriority);
    this.dispatch({ type: "startup" });
    // Ready for a takeover: its step() runs a few times now, results dropped (the state machine is
    // pure), so V8 has compiled it and gathered type feedback by the time a Master_Down_Timer expires
    // for real; the address requests are encoded ahead (what it saves: bench/notes.md).
    for (let i = 0; i < 3; i++) step(this.params, { ...this.state, phase: "backup" }, { type: "timer", timer: "protocol" }, this.deps.clock.now());
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
    if (payload !== undefined) this.accepted = { payload: Buffer.from(payload), arrived };
    this.accept(arrived, ageMs);
  }

  /**
   * Takes the packet if it repeats the last accepted advert byte for byte
   * (same source, destination and TTL) and returns true; false: decode it
   * and call receive().
   */
  receiveRepeat(packet: RawArrival & { readonly ageMs?: number }): boolean {
    const last = this.accepted;
    if (!isRepeat(last, packet)) return false;
    this.accept(last.arrived, packet.ageMs);
    return true;
  }

  /** `ageMs`: how long ago the kernel received it (absent: unknown); the checks before this call take microseconds. */
  private accept(arrived: ArrivedAdvert, ageMs = 0): void {
    (this.counts ??= this.deps.metrics.advertCounts(this.labels)).received++;
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
    const lost = this.config.addresses.find((a) => a.address === address && (a.device ?? this.config.interface) === ifname);
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
        return this.chain("add", () => this.eachAddress((iface, a) => this.deps.addresses.add(iface, a)));
      case "remove-addresses":
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

  /** Entering master: arm the priority-0 adverts; leaving it: disarm them. */
  private updateFarewells(action: Extract<RouterAction, { type: "transition" }>): void {
    if (action.from === "master") {
      for (const farewell of this.farewells ?? []) farewell?.disarm();
      this.farewells = undefined;
    }
    const { transport } = this.deps;
    if (action.to !== "master" || transport.armFarewell === undefined) return;
    try {
      this.farewells = this.encodePackets(0).map(({ destination, payload }) => transport.armFarewell?.(payload, destination));
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

  private async eachAddress(fn: (iface: string, address: InstanceConfig["addresses"][number]) => Promise<void>) {
    for (const address of this.config.addresses) await fn(address.device ?? this.config.interface, address);
  }

  private async announce(burst: AnnounceBurst): Promise<void> {
    const garp = this.config.garp;
    const count = burst === "refresh" ? garp.refreshRepeat : burst === "lower-priority" ? garp.lowerPriorityRepeat : garp.repeat;
    for (let i = 0; i < count; i++) {
      if (this.state.phase !== "master") return; // lost mastership mid-burst
      if (i > 0 && garp.intervalMs > 0) await delay(this.deps.clock, garp.intervalMs);
      await this.eachAddress((iface, a) => this.deps.announcer.announce(iface, a));
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

function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.at(clock.now() + ms, resolve));
}
