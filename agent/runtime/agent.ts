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
 * and socket errors are rate-limited and kept for health() (the agent's
 * /healthz); see followed-segment.ts.
 */
import type { Family, InstanceConfig } from "../config/types.js";
import type {
  AddressTable,
  Announcer,
  LinkEvent,
  LinkMonitor,
  ReceivedPacket,
  RouteTable,
  TransportFactory,
  TransportOptions,
  VirtualMacLinks,
  InterfaceFlags,
} from "../os/ports.js";
import { onVirtualMac, virtualMac, virtualMacLinkLocal } from "./vmac.js";
import { decodeAdvert, peekVrid } from "../vrrp/codec.js";
import { multicastGroup } from "../vrrp/packet.js";
import type { Clock } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import type { ConflictOptions } from "./conflict-monitor.js";
import type { AgentMetrics } from "./metrics.js";
import { Serial } from "../../base/serial.js";
import { VirtualRouter, type RouterSnapshot, type Transition } from "./router.js";
import { FollowedSegment, type AgentProblem } from "./followed-segment.js";

export type { AgentProblem };
export { SOCKET_ERROR_WINDOW_MS } from "./followed-segment.js";

export interface AgentDeps {
  readonly clock: Clock;
  readonly transports: TransportFactory;
  readonly addresses: AddressTable;
  readonly announcer: Announcer;
  readonly metrics: AgentMetrics;
  readonly logger: Logger;
  readonly onTransition?: (change: Transition) => void;
  /** A held backup would take over now (sync groups). */
  readonly onWantMaster?: (instance: string) => void;
  /** An instance's fault causes changed (sync groups). */
  readonly onFaultCauses?: (instance: string) => void;
  readonly conflicts?: ConflictOptions;
  /** Link and address events (interfaces and sockets follow the kernel, VIPs removed behind our back come back). */
  readonly monitor?: LinkMonitor;
  /** Installs the routes of instances that have some (virtual_routes); needed only by those. */
  readonly routes?: RouteTable;
  /** Creates the macvlans of use_vmac instances; needed only by those. */
  readonly vmacs?: VirtualMacLinks;
  /** Sets promote_secondaries for the instances that ask for it; needed only by those. */
  readonly promoteSecondaries?: InterfaceFlags;
}

const segmentKey = (iface: string, family: Family) => `${iface}/${family}`;

/** How long one interface's address list serves removeStale() (the adds of one config share one dump). */
const STALE_VIEW_MS = 1000;

export class Agent {
  private readonly segments = new Map<string, FollowedSegment>();
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
      const problem = segment.problem(now);
      if (problem !== undefined) problems.push(problem);
    }
    return problems;
  }

  /** Add and start the router of one instance; `setup` runs just before its start (holds, faults). */
  add(configured: InstanceConfig, setup?: (router: VirtualRouter) => void): Promise<void> {
    return this.serial(async () => {
      if (this.routerNamed(configured.name) !== undefined) throw new Error(`instance ${configured.name} is already running`);
      const instance = await this.withVirtualMac(configured);
      try {
        await this.holdPromoteSecondaries(instance);
        await this.addRouter(instance, setup);
      } catch (error) {
        if (instance.promoteSecondaries === true) await this.deps.promoteSecondaries?.release(instance.interface).catch(() => undefined);
        if (instance.vmac !== undefined) await this.deps.vmacs?.remove(instance.vmac.name).catch(() => undefined);
        throw error;
      }
    });
  }

  /** promote_secondaries: on the interface the VIPs go on (the macvlan for use_vmac), before any is added. */
  private async holdPromoteSecondaries(instance: InstanceConfig): Promise<void> {
    if (instance.promoteSecondaries !== true) return;
    if (this.deps.promoteSecondaries === undefined)
      throw new Error(`instance ${instance.name} sets promote_secondaries but the agent cannot change interface settings`);
    await this.deps.promoteSecondaries.hold(instance.interface);
  }

  private async releasePromoteSecondaries(router: VirtualRouter): Promise<void> {
    if (router.config.promoteSecondaries !== true) return;
    await this.deps.promoteSecondaries?.release(router.config.interface).catch((error: unknown) => {
      this.deps.logger.log("error", "cannot put promote_secondaries back", {
        instance: router.config.name,
        interface: router.config.interface,
        error,
      });
    });
  }

  /** use_vmac: the macvlan is created first, and the router runs on it (see vmac.ts). */
  private async withVirtualMac(instance: InstanceConfig): Promise<InstanceConfig> {
    if (instance.vmac === undefined) return instance;
    if (this.deps.vmacs === undefined)
      throw new Error(`instance ${instance.name} uses a virtual MAC but the agent cannot create macvlan interfaces`);
    const base = await this.deps.addresses.link(instance.interface);
    const linkLocal = instance.family === 6 ? virtualMacLinkLocal(instance, base) : undefined;
    await this.deps.vmacs.create({
      name: instance.vmac.name,
      parent: instance.interface,
      mac: virtualMac(instance.family, instance.virtualRouterId),
      ...(linkLocal !== undefined ? { linkLocal } : {}),
    });
    return onVirtualMac(instance, linkLocal ?? base.addresses.find((a) => a.family === 4)?.address);
  }

  private async addRouter(instance: InstanceConfig, setup?: (router: VirtualRouter) => void): Promise<void> {
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
      ...(this.deps.onWantMaster !== undefined ? { onWantMaster: this.deps.onWantMaster } : {}),
      ...(this.deps.onFaultCauses !== undefined ? { onFaultCauses: this.deps.onFaultCauses } : {}),
      ...(this.deps.conflicts !== undefined ? { conflicts: this.deps.conflicts } : {}),
      ...(this.deps.routes !== undefined ? { routes: this.deps.routes } : {}),
    });
    segment.routers.set(instance.virtualRouterId, router);
    setup?.(router);
    router.start();
    segment.joined(router);
  }

  /** Stop one instance's router (priority 0 if master), remove its VIPs, and forget it. */
  remove(name: string): Promise<void> {
    return this.serial(async () => {
      for (const [key, segment] of this.segments) {
        for (const [vrid, router] of segment.routers) {
          if (router.config.name !== name) continue;
          await router.stop();
          await this.releasePromoteSecondaries(router);
          await this.removeVirtualMac(router);
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
      for (const router of routers) {
        await this.releasePromoteSecondaries(router);
        await this.removeVirtualMac(router);
      }
      for (const segment of this.segments.values()) segment.transport.close();
      this.segments.clear();
      this.unsubscribeMonitor?.();
      this.unsubscribeMonitor = undefined;
    });
  }

  private async removeVirtualMac(router: VirtualRouter): Promise<void> {
    const vmac = router.config.vmac;
    if (vmac === undefined) return;
    await this.deps.vmacs?.remove(vmac.name).catch((error: unknown) => {
      this.deps.logger.log("error", "cannot remove the virtual MAC interface", {
        instance: router.config.name,
        interface: vmac.name,
        error,
      });
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
    for (const address of [...instance.addresses, ...(instance.excludedAddresses ?? [])]) {
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
  private async segmentFor(instance: InstanceConfig): Promise<FollowedSegment> {
    // The group is part of the key: a reload that changes it gets a socket of its own.
    const key = `${segmentKey(instance.interface, instance.family)}/${multicastGroup(instance)}`;
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
    const options: TransportOptions = {
      interface: instance.interface,
      family: instance.family,
      multicast: true,
      ...(instance.multicastGroup !== undefined ? { group: instance.multicastGroup } : {}),
      ...(source !== undefined ? { source } : {}),
    };
    const opened = await this.deps.transports.open(options);
    const segment: FollowedSegment = new FollowedSegment(options, opened, {
      clock: this.deps.clock,
      transports: this.deps.transports,
      addresses: this.deps.addresses,
      logger: this.deps.logger,
      current: () => this.segments.get(key) === segment,
    });
    segment.transport.onPacket((packet) => this.onPacket(segment, packet));
    this.segments.set(key, segment);
    if (this.deps.monitor !== undefined) this.unsubscribeMonitor ??= this.deps.monitor.subscribe((event) => this.onLinkEvent(event));
    return segment;
  }

  private onLinkEvent(event: LinkEvent): void {
    for (const segment of this.segments.values()) segment.event(event);
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
      const uses =
        router.config.interface === ifname ||
        [...router.config.addresses, ...(router.config.excludedAddresses ?? [])].some((a) => a.device === ifname);
      if (uses && router.faultCauses().includes("address")) router.setFault("address", false);
    }
  }

  private onPacket(segment: FollowedSegment, packet: ReceivedPacket): void {
    // Most packets repeat the last advert of their VRID: the router takes those without a decode.
    const vrid = peekVrid(packet.payload);
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
    router.receive(
      { advert: decoded.advert, source: packet.source, destination: packet.destination, ttl: packet.ttl },
      packet.payload,
      packet.ageMs === undefined ? undefined : packet.ageMs + (this.deps.clock.now() - readAt),
    );
  }
}
