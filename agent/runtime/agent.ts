/**
 * The agent's virtual routers: one VRRP transport per interface and address
 * family, packets demultiplexed by VRID. Routers are added and removed one
 * at a time, so a config change touches only the instances it changes.
 *
 * Adding a router (keepalived's start order): remove its VIPs left by an
 * earlier crash, open (or share) the socket, then join the election.
 * Removing one: it leaves (priority 0 from a master), its VIPs are removed,
 * and the socket is closed once no router uses it.
 *
 * With a LinkMonitor the agent follows the kernel: sockets follow their
 * interface (segment.ts), a master puts back a VIP removed behind its back,
 * and socket errors are logged at most once per SOCKET_LOG_MS and kept for
 * health() (the agent's /healthz).
 */
import type { Family, InstanceConfig } from "../config/types.js";
import type { AddressTable, Announcer, LinkEvent, LinkMonitor, ReceivedPacket, TransportFactory, TransportOptions } from "../os/ports.js";
import { decodeAdvert } from "../vrrp/codec.js";
import type { Clock } from "./clock.js";
import type { Logger } from "./logger.js";
import type { ConflictOptions } from "./conflict-monitor.js";
import type { AgentMetrics } from "./metrics.js";
import { Serial } from "./serial.js";
import { VirtualRouter, type FaultCause, type RouterSnapshot, type Transition } from "./router.js";
import { FollowingTransport, segmentChange, type SegmentChange, type SegmentView } from "./segment.js";

export interface AgentDeps {
  readonly clock: Clock;
  readonly transports: TransportFactory;
  readonly addresses: AddressTable;
  readonly announcer: Announcer;
  readonly metrics: AgentMetrics;
  readonly logger: Logger;
  readonly onTransition?: (change: Transition) => void;
  readonly conflicts?: ConflictOptions;
  /** Link and address events (interfaces and sockets follow the kernel, VIPs removed behind our back come back). */
  readonly monitor?: LinkMonitor;
}

interface Segment {
  readonly iface: string;
  readonly family: Family;
  readonly options: TransportOptions;
  readonly transport: FollowingTransport;
  readonly routers: Map<number, VirtualRouter>; // by VRID
  /** Index of the interface the socket is bound to (undefined while closed). */
  ifindex: number | undefined;
  up: boolean;
  /** Fault causes the segment puts on every router on it. */
  readonly faults: Set<FaultCause>;
  /** A reopen in progress, and whether another was asked for meanwhile. */
  reopening: Promise<void> | undefined;
  again: boolean;
  /** Socket errors: the last one, and how many were not logged since the last line. */
  lastError: { at: number; error: Error; loggedAt: number; unlogged: number } | undefined;
  lastResyncAt: number;
}

/** A problem that makes the agent unable to do its job (its /healthz). */
export interface AgentProblem {
  readonly component: "vrrp-socket" | "link-monitor";
  readonly interface?: string;
  readonly error: string;
}

/** Socket errors are logged once per this interval per segment (the rest counted). */
const SOCKET_LOG_MS = 10_000;
/** A socket error this recent makes the agent unhealthy (unless the interface itself is gone or down). */
export const SOCKET_ERROR_WINDOW_MS = 3000;
/** Socket errors that say the interface changed: look at it again, at most this often. */
const RESYNC_MIN_MS = 1000;
const INTERFACE_ERRORS = new Set(["ENODEV", "ENXIO", "ENETDOWN", "EADDRNOTAVAIL"]);

const segmentKey = (iface: string, family: Family) => `${iface}/${family}`;

/** How long one interface's address list serves removeStale() (the adds of one config share one dump). */
const STALE_VIEW_MS = 1000;

export class Agent {
  private readonly segments = new Map<string, Segment>();
  /** Serialises add/remove/stop so two changes never interleave on one segment (stop's priority-0 adverts leave inside the call). */
  private readonly changes = new Serial();
  /** Addresses per interface as last dumped for removeStale(), kept up to date with its own removals. */
  private readonly staleViews = new Map<string, { readonly at: number; readonly addresses: Set<string> }>();
  private unsubscribeMonitor: (() => void) | undefined;

  constructor(private readonly deps: AgentDeps) {}

  /** What keeps the agent from doing its job now; empty when healthy. */
  health(): AgentProblem[] {
    const problems: AgentProblem[] = [];
    const broken = this.deps.monitor?.broken();
    if (broken !== undefined) problems.push({ component: "link-monitor", error: broken.message });
    const now = this.deps.clock.now();
    for (const segment of this.segments.values()) {
      const last = segment.lastError;
      // A socket closed because its interface is gone or down is FAULT, handled; not a broken agent.
      if (last === undefined || now - last.at > SOCKET_ERROR_WINDOW_MS || segment.faults.size > 0) continue;
      problems.push({ component: "vrrp-socket", interface: segment.iface, error: last.error.message });
    }
    return problems;
  }

  /** Add and start the router of one instance. */
  add(instance: InstanceConfig): Promise<void> {
    return this.serial(async () => {
      if (this.routerNamed(instance.name) !== undefined) throw new Error(`instance ${instance.name} is already running`);
      await this.removeStale(instance);
      const segment = await this.segmentFor(instance);
      if (segment.routers.has(instance.virtualRouterId)) {
        throw new Error(`VRID ${instance.virtualRouterId} is already used on ${instance.interface} (IPv${instance.family})`);
      }
      const router = new VirtualRouter(instance, {
        clock: this.deps.clock,
        transport: segment.transport,
        addresses: this.deps.addresses,
        announcer: this.deps.announcer,
        metrics: this.deps.metrics,
        logger: this.deps.logger,
        ...(this.deps.onTransition !== undefined ? { onTransition: this.deps.onTransition } : {}),
        ...(this.deps.conflicts !== undefined ? { conflicts: this.deps.conflicts } : {}),
      });
      segment.routers.set(instance.virtualRouterId, router);
      router.start();
      for (const cause of segment.faults) router.setFault(cause, true);
    });
  }

  /** Stop one instance's router (priority 0 if master), remove its VIPs, and forget it. */
  remove(name: string): Promise<void> {
    return this.serial(async () => {
      for (const [key, segment] of this.segments) {
        for (const [vrid, router] of segment.routers) {
          if (router.config.name !== name) continue;
          await router.stop();
          this.staleViews.clear(); // its addresses are gone: a view taken while it was master is out of date
          this.deps.metrics.instanceRemoved(router.labels);
          segment.routers.delete(vrid);
          if (segment.routers.size === 0) {
            segment.transport.close();
            this.segments.delete(key);
          }
          return;
        }
      }
    });
  }

  async stop(): Promise<void> {
    await this.serial(async () => {
      const routers = [...this.segments.values()].flatMap((s) => [...s.routers.values()]);
      await Promise.all(routers.map((r) => r.stop()));
      for (const segment of this.segments.values()) segment.transport.close();
      this.segments.clear();
      this.unsubscribeMonitor?.();
      this.unsubscribeMonitor = undefined;
    });
  }

  snapshot(): RouterSnapshot[] {
    return this.routers().map((r) => r.snapshot());
  }

  /** The router of an instance, by name. */
  routerNamed(name: string): VirtualRouter | undefined {
    return this.routers().find((r) => r.config.name === name);
  }

  private routers(): VirtualRouter[] {
    return [...this.segments.values()].flatMap((s) => [...s.routers.values()]);
  }

  private serial(change: () => Promise<void>): Promise<void> {
    return this.changes.run(change);
  }

  /** A crashed agent may have left VIPs behind; take ours off before joining (never anything else). */
  private async removeStale(instance: InstanceConfig): Promise<void> {
    for (const address of instance.addresses) {
      const iface = address.device ?? instance.interface;
      const present = await this.addressesOn(iface);
      if (present.has(address.address)) {
        this.deps.logger.log("warn", "removing a virtual address left on the interface by an earlier run", {
          instance: instance.name,
          interface: iface,
          address: address.address,
        });
        await this.deps.addresses.remove(iface, address);
        present.delete(address.address);
      }
    }
  }

  /** The addresses on iface: one link and address dump serves every instance added within STALE_VIEW_MS. */
  private async addressesOn(iface: string): Promise<Set<string>> {
    const now = this.deps.clock.now();
    const cached = this.staleViews.get(iface);
    if (cached !== undefined && now - cached.at < STALE_VIEW_MS) return cached.addresses;
    const link = await this.deps.addresses.link(iface);
    const addresses = new Set(link.addresses.map((a) => a.address));
    this.staleViews.set(iface, { at: now, addresses });
    return addresses;
  }

  /**
   * The shared socket of the instance's interface and family. It always
   * joins the multicast group, so multicast and unicast instances can share
   * it (unicast instances drop adverts from anyone but their peers).
   */
  private async segmentFor(instance: InstanceConfig): Promise<Segment> {
    const key = segmentKey(instance.interface, instance.family);
    const source = instance.unicast?.source;
    const existing = this.segments.get(key);
    if (existing !== undefined) {
      if (source !== undefined && source !== existing.transport.sourceAddress) {
        throw new Error(
          `instance ${instance.name} wants unicast source ${source} but ${instance.interface} already sends from ${existing.transport.sourceAddress}`,
        );
      }
      return existing;
    }
    const options: TransportOptions = {
      interface: instance.interface,
      family: instance.family,
      multicast: true,
      ...(source !== undefined ? { source } : {}),
    };
    const opened = await this.deps.transports.open(options);
    const transport = new FollowingTransport(opened, `${instance.interface} (IPv${instance.family})`);
    const segment: Segment = {
      iface: instance.interface,
      family: instance.family,
      options,
      transport,
      routers: new Map(),
      ifindex: opened.ifindex,
      up: true,
      faults: new Set(),
      reopening: undefined,
      again: false,
      lastError: undefined,
      lastResyncAt: -Infinity,
    };
    transport.onPacket((packet) => this.onPacket(segment, packet));
    transport.onError((error) => this.socketError(segment, error));
    this.segments.set(key, segment);
    if (this.deps.monitor !== undefined) this.unsubscribeMonitor ??= this.deps.monitor.subscribe((event) => this.onLinkEvent(event));
    return segment;
  }

  private onLinkEvent(event: LinkEvent): void {
    for (const segment of this.segments.values()) {
      const change = segmentChange(view(segment), event);
      if (change !== undefined) this.applyChange(segment, change);
    }
    if (event.type !== "address" || event.ifname === undefined) {
      if (event.type === "link" && event.up) this.retryAddresses(event.name);
      return;
    }
    if (event.gone) for (const router of this.routers()) router.addressGone(event.ifname, event.address);
    else this.retryAddresses(event.ifname);
  }

  /** A router that could not put an address back may try again once its interface changed for the better. */
  private retryAddresses(ifname: string): void {
    for (const router of this.routers()) {
      const uses = router.config.interface === ifname || router.config.addresses.some((a) => a.device === ifname);
      if (uses && router.faultCauses().includes("address")) router.setFault("address", false);
    }
  }

  private applyChange(segment: Segment, change: SegmentChange): void {
    const log = (message: string) => this.deps.logger.log("warn", message, { interface: segment.iface, family: segment.family });
    switch (change.type) {
      case "gone":
        log("the VRRP interface is gone; its instances go to FAULT until it is back");
        segment.transport.detach();
        segment.ifindex = undefined;
        segment.up = false;
        return this.setFault(segment, "interface", true);
      case "link":
        log(change.up ? "the VRRP interface is up again" : "the VRRP interface is down (no carrier or set down); its instances go to FAULT");
        segment.up = change.up;
        return this.setFault(segment, "interface", !change.up);
      case "source-gone":
        log(`the address VRRP adverts are sent from (${segment.transport.sourceAddress}) is gone; its instances go to FAULT until the interface has one again`);
        // The priority-0 advert leaves first (an IPv4 socket writes its own header, the old source still works).
        this.setFault(segment, "source-address", true);
        return segment.transport.detach();
      case "reopen":
        segment.up = true;
        return void this.reopen(segment);
      case "resync":
        return void this.resync(segment);
    }
  }

  private setFault(segment: Segment, cause: FaultCause, on: boolean): void {
    if (on) segment.faults.add(cause);
    else segment.faults.delete(cause);
    for (const router of segment.routers.values()) router.setFault(cause, on);
  }

  /** Open the socket again on the interface now holding the name (bound to its index, joined to the group). */
  private reopen(segment: Segment): Promise<void> {
    if (segment.reopening !== undefined) {
      segment.again = true;
      return segment.reopening;
    }
    segment.reopening = (async () => {
      do {
        segment.again = false;
        await this.reopenOnce(segment);
      } while (segment.again && this.segments.get(segmentKey(segment.iface, segment.family)) === segment);
    })().finally(() => (segment.reopening = undefined));
    return segment.reopening;
  }

  private async reopenOnce(segment: Segment): Promise<void> {
    let opened;
    try {
      opened = await this.deps.transports.open(segment.options);
    } catch (error) {
      // No source address yet (IPv6 link-local still tentative, IPv4 primary not added): the address event reopens.
      this.deps.logger.log("warn", "cannot open the VRRP socket again yet", { interface: segment.iface, family: segment.family, error });
      return;
    }
    if (this.segments.get(segmentKey(segment.iface, segment.family)) !== segment) return opened.close();
    const was = segment.transport.sourceAddress;
    segment.transport.attach(opened);
    segment.ifindex = opened.ifindex;
    segment.lastError = undefined;
    const source = opened.sourceAddress !== was ? { source: opened.sourceAddress, was } : {};
    this.deps.logger.log("info", "VRRP socket opened again", { interface: segment.iface, family: segment.family, ifindex: opened.ifindex, ...source });
    // A new source (e.g. a re-created interface's new link-local): the routers advertise from it; a configured source never changes.
    if (opened.sourceAddress !== was) for (const router of segment.routers.values()) router.sourceChanged();
    this.setFault(segment, "source-address", false);
    this.setFault(segment, "interface", !segment.up);
  }

  /** Events may have been lost, or a socket error says the interface changed: look at it. */
  private async resync(segment: Segment): Promise<void> {
    segment.lastResyncAt = this.deps.clock.now();
    let state;
    try {
      state = await this.deps.addresses.linkState(segment.iface);
    } catch (error) {
      if (error instanceof Error && error.name === "LinkNotFoundError") this.applyChange(segment, { type: "gone" });
      return;
    }
    const change = segmentChange(view(segment), { type: "link", index: state.index, name: state.name, up: state.up, gone: false });
    if (change !== undefined) this.applyChange(segment, change);
  }

  private socketError(segment: Segment, error: Error): void {
    const now = this.deps.clock.now();
    const last = segment.lastError;
    if (last === undefined || now - last.loggedAt >= SOCKET_LOG_MS) {
      const more = last !== undefined && last.unlogged > 0 ? { suppressed: last.unlogged } : {};
      this.deps.logger.log("error", "VRRP socket error", { interface: segment.iface, error, ...more });
      segment.lastError = { at: now, error, loggedAt: now, unlogged: 0 };
    } else {
      segment.lastError = { ...last, at: now, error, unlogged: last.unlogged + 1 };
    }
    const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
    if (typeof code === "string" && INTERFACE_ERRORS.has(code) && now - segment.lastResyncAt >= RESYNC_MIN_MS) void this.resync(segment);
  }

  private onPacket(segment: Segment, packet: ReceivedPacket): void {
    // Most packets repeat the last advert of their VRID: the router takes those without a decode.
    const vrid = packet.payload.length > 1 ? packet.payload[1]! : undefined;
    if (vrid !== undefined && segment.routers.get(vrid)?.receiveRepeat(packet) === true) return;
    // The age as of now: decoding and checking a new advert takes a while (its deadlines count from its arrival).
    const readAt = this.deps.clock.now();
    const decoded = decodeAdvert(packet);
    if (!decoded.ok) {
      this.deps.metrics.packetDropped(segment.iface, "", decoded.reason);
      return;
    }
    const router = segment.routers.get(decoded.advert.virtualRouterId);
    if (router === undefined) {
      this.deps.metrics.packetDropped(segment.iface, "", "unknown-vrid");
      return;
    }
    router.receive({ advert: decoded.advert, source: packet.source, destination: packet.destination, ttl: packet.ttl }, packet.payload, packet.ageMs === undefined ? undefined : packet.ageMs + (this.deps.clock.now() - readAt));
  }
}

function view(segment: Segment): SegmentView {
  return {
    iface: segment.iface,
    family: segment.family,
    ifindex: segment.ifindex,
    sourceAddress: segment.transport.sourceAddress,
    up: segment.up,
    closed: !segment.transport.open,
  };
}
