/**
 * The agent: every configured virtual router, one VRRP transport per
 * interface and address family, packets demultiplexed by VRID.
 *
 * Start order (keepalived's): remove our VIPs left by an earlier crash, open
 * the sockets, then let every router join the election. Stop: every router
 * leaves (priority 0 from a master), the VIPs are removed, sockets closed.
 */
import type { AgentConfig, Family, InstanceConfig } from "../config/types.js";
import type { AddressTable, Announcer, ReceivedPacket, TransportFactory, VrrpTransport } from "../os/ports.js";
import { decodeAdvert } from "../vrrp/codec.js";
import type { Clock } from "./clock.js";
import type { Logger } from "./logger.js";
import type { AgentMetrics } from "./metrics.js";
import { VirtualRouter, type RouterSnapshot, type Transition } from "./router.js";

export interface AgentDeps {
  readonly clock: Clock;
  readonly transports: TransportFactory;
  readonly addresses: AddressTable;
  readonly announcer: Announcer;
  readonly metrics: AgentMetrics;
  readonly logger: Logger;
  readonly onTransition?: (change: Transition) => void;
}

interface Segment {
  readonly key: string;
  readonly iface: string;
  readonly transport: VrrpTransport;
  readonly routers: Map<number, VirtualRouter>; // by VRID
}

const segmentKey = (iface: string, family: Family) => `${iface}/${family}`;

export class Agent {
  private readonly segments = new Map<string, Segment>();
  private started = false;

  constructor(private readonly config: AgentConfig, private readonly deps: AgentDeps) {}

  async start(): Promise<void> {
    if (this.started) throw new Error("agent already started");
    this.started = true;
    for (const instance of this.config.instances) await this.removeStale(instance);
    for (const instance of this.config.instances) await this.openSegment(instance);
    for (const instance of this.config.instances) this.router(instance).start();
  }

  async stop(): Promise<void> {
    const routers = [...this.segments.values()].flatMap((s) => [...s.routers.values()]);
    await Promise.all(routers.map((r) => r.stop()));
    for (const segment of this.segments.values()) segment.transport.close();
    this.segments.clear();
  }

  snapshot(): RouterSnapshot[] {
    return [...this.segments.values()].flatMap((s) => [...s.routers.values()].map((r) => r.snapshot()));
  }

  /** The router of an instance, by name; for health tracking. */
  routerNamed(name: string): VirtualRouter | undefined {
    for (const segment of this.segments.values()) {
      for (const router of segment.routers.values()) if (router.config.name === name) return router;
    }
    return undefined;
  }

  private router(instance: InstanceConfig): VirtualRouter {
    const segment = this.segments.get(segmentKey(instance.interface, instance.family));
    const router = segment?.routers.get(instance.virtualRouterId);
    if (router === undefined) throw new Error(`no router for instance ${instance.name}`);
    return router;
  }

  /** A crashed agent may have left VIPs behind; take ours off before joining (never anything else). */
  private async removeStale(instance: InstanceConfig): Promise<void> {
    for (const address of instance.addresses) {
      const iface = address.device ?? instance.interface;
      const link = await this.deps.addresses.link(iface);
      if (link.addresses.some((a) => a.address === address.address)) {
        this.deps.logger.log("warn", "removing a virtual address left on the interface by an earlier run", {
          instance: instance.name,
          interface: iface,
          address: address.address,
        });
        await this.deps.addresses.remove(iface, address);
      }
    }
  }

  private async openSegment(instance: InstanceConfig): Promise<void> {
    const key = segmentKey(instance.interface, instance.family);
    let segment = this.segments.get(key);
    if (segment === undefined) {
      const sharing = this.config.instances.filter((i) => segmentKey(i.interface, i.family) === key);
      const transport = await this.deps.transports.open({
        interface: instance.interface,
        family: instance.family,
        multicast: sharing.some((i) => i.unicast === undefined),
        ...(instance.unicast?.source !== undefined ? { source: instance.unicast.source } : {}),
      });
      segment = { key, iface: instance.interface, transport, routers: new Map() };
      const opened = segment;
      transport.onPacket((packet) => this.onPacket(opened, packet));
      transport.onError((error) => this.deps.logger.log("error", "VRRP socket error", { interface: instance.interface, error }));
      this.segments.set(key, segment);
    }
    const router = new VirtualRouter(instance, {
      clock: this.deps.clock,
      transport: segment.transport,
      addresses: this.deps.addresses,
      announcer: this.deps.announcer,
      metrics: this.deps.metrics,
      logger: this.deps.logger,
      ...(this.deps.onTransition !== undefined ? { onTransition: this.deps.onTransition } : {}),
    });
    segment.routers.set(instance.virtualRouterId, router);
  }

  private onPacket(segment: Segment, packet: ReceivedPacket): void {
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
    router.receive({ advert: decoded.advert, source: packet.source, destination: packet.destination, ttl: packet.ttl });
  }
}
