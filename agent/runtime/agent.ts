/**
 * The agent's virtual routers: one VRRP transport per interface and address
 * family, packets demultiplexed by VRID. Routers are added and removed one
 * at a time, so a config change touches only the instances it changes.
 *
 * Adding a router (keepalived's start order): remove its VIPs left by an
 * earlier crash, open (or share) the socket, then join the election.
 * Removing one: it leaves (priority 0 from a master), its VIPs are removed,
 * and the socket is closed once no router uses it.
 */
import type { Family, InstanceConfig } from "../config/types.js";
import type { AddressTable, Announcer, ReceivedPacket, TransportFactory, VrrpTransport } from "../os/ports.js";
import { decodeAdvert } from "../vrrp/codec.js";
import type { Clock } from "./clock.js";
import type { Logger } from "./logger.js";
import type { ConflictOptions } from "./conflict-monitor.js";
import type { AgentMetrics } from "./metrics.js";
import { Serial } from "./serial.js";
import { VirtualRouter, type RouterSnapshot, type Transition } from "./router.js";

export interface AgentDeps {
  readonly clock: Clock;
  readonly transports: TransportFactory;
  readonly addresses: AddressTable;
  readonly announcer: Announcer;
  readonly metrics: AgentMetrics;
  readonly logger: Logger;
  readonly onTransition?: (change: Transition) => void;
  readonly conflicts?: ConflictOptions;
}

interface Segment {
  readonly iface: string;
  readonly transport: VrrpTransport;
  readonly routers: Map<number, VirtualRouter>; // by VRID
}

const segmentKey = (iface: string, family: Family) => `${iface}/${family}`;

/** How long one interface's address list serves removeStale() (the adds of one config share one dump). */
const STALE_VIEW_MS = 1000;

export class Agent {
  private readonly segments = new Map<string, Segment>();
  /** Serialises add/remove/stop so two changes never interleave on one segment (stop's priority-0 adverts leave inside the call). */
  private readonly changes = new Serial();
  /** Addresses per interface as last dumped for removeStale(), kept up to date with its own removals. */
  private readonly staleViews = new Map<string, { readonly at: number; readonly addresses: Set<string> }>();

  constructor(private readonly deps: AgentDeps) {}

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
    const source = instance.unicast?.source ?? instance.source;
    const existing = this.segments.get(key);
    if (existing !== undefined) {
      if (source !== undefined && source !== existing.transport.sourceAddress) {
        throw new Error(
          `instance ${instance.name} wants unicast source ${source} but ${instance.interface} already sends from ${existing.transport.sourceAddress}`,
        );
      }
      return existing;
    }
    const transport = await this.deps.transports.open({
      interface: instance.interface,
      family: instance.family,
      multicast: true,
      ...(source !== undefined ? { source } : {}),
    });
    const segment: Segment = { iface: instance.interface, transport, routers: new Map() };
    transport.onPacket((packet) => this.onPacket(segment, packet));
    transport.onError((error) => this.deps.logger.log("error", "VRRP socket error", { interface: instance.interface, error }));
    this.segments.set(key, segment);
    return segment;
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
