/**
 * One interface and family with its VRRP socket and the routers on it,
 * following the kernel: each link or address event is turned into a change
 * by segmentChange() (segment.ts, pure) and carried out here. The socket is
 * closed while its interface is gone, opened again on the interface that
 * takes the name, and its routers carry fault causes meanwhile. Socket
 * errors are logged at most once per SOCKET_LOG_MS (the rest counted) and
 * kept for the agent's /healthz.
 */
import type { Family } from "../config/types.js";
import type { AddressTable, LinkEvent, TransportFactory, TransportOptions, VrrpTransport } from "../os/ports.js";
import type { Clock } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import type { FaultCause, VirtualRouter } from "./router.js";
import { FollowingTransport, readDelayUs, segmentChange, type SegmentChange, type SegmentView } from "./segment.js";

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

export interface FollowedSegmentDeps {
  readonly clock: Clock;
  readonly transports: TransportFactory;
  readonly addresses: Pick<AddressTable, "linkState">;
  readonly logger: Logger;
  /** False once the agent dropped this segment (a reopen finishing late closes what it opened). */
  readonly current: () => boolean;
}

export class FollowedSegment {
  readonly iface: string;
  readonly family: Family;
  readonly transport: FollowingTransport;
  readonly routers = new Map<number, VirtualRouter>(); // by VRID
  /** Index of the interface the socket is bound to (undefined while closed). */
  private ifindex: number | undefined;
  private up = true;
  /** Fault causes the segment puts on every router on it. */
  private readonly faults = new Set<FaultCause>();
  /** A reopen in progress, and whether another was asked for meanwhile. */
  private reopening: Promise<void> | undefined;
  private again = false;
  /** Socket errors: the last one, and how many were not logged since the last line. */
  private lastError: { at: number; error: Error; loggedAt: number; unlogged: number } | undefined;
  private lastResyncAt = -Infinity;

  constructor(
    private readonly options: TransportOptions,
    opened: VrrpTransport,
    private readonly deps: FollowedSegmentDeps,
  ) {
    this.iface = options.interface;
    this.family = options.family;
    this.ifindex = opened.ifindex;
    this.transport = new FollowingTransport(opened, `${options.interface} (IPv${options.family})`);
    this.transport.onError((error) => this.socketError(error));
  }

  /** A router just added: it takes the segment's fault causes. */
  joined(router: VirtualRouter): void {
    for (const cause of this.faults) router.setFault(cause, true);
    this.routersChanged();
  }

  /** After a router was added or removed: how long the socket may rest between reads (readDelayUs). */
  routersChanged(): void {
    const configs = [];
    for (const router of this.routers.values()) configs.push(router.config);
    this.transport.setReadDelay(readDelayUs(configs));
  }

  event(event: LinkEvent): void {
    const change = segmentChange(this.view(), event);
    if (change !== undefined) this.apply(change);
  }

  /** The socket erroring recently, unless the interface is gone or down (that is FAULT, handled; not a broken agent). */
  problem(now: number): AgentProblem | undefined {
    const last = this.lastError;
    if (last === undefined || now - last.at > SOCKET_ERROR_WINDOW_MS || this.faults.size > 0) return undefined;
    return { component: "vrrp-socket", interface: this.iface, error: last.error.message };
  }

  private view(): SegmentView {
    return {
      iface: this.iface,
      family: this.family,
      ifindex: this.ifindex,
      sourceAddress: this.transport.sourceAddress,
      up: this.up,
      closed: !this.transport.open,
    };
  }

  private apply(change: SegmentChange): void {
    const log = (message: string) => this.deps.logger.log("warn", message, { interface: this.iface, family: this.family });
    switch (change.type) {
      case "gone":
        log("the VRRP interface is gone; its instances go to FAULT until it is back");
        this.transport.detach();
        this.ifindex = undefined;
        this.up = false;
        return this.setFault("interface", true);
      case "link":
        log(
          change.up ? "the VRRP interface is up again" : "the VRRP interface is down (no carrier or set down); its instances go to FAULT",
        );
        this.up = change.up;
        return this.setFault("interface", !change.up);
      case "source-gone":
        log(
          `the address VRRP adverts are sent from (${this.transport.sourceAddress}) is gone; its instances go to FAULT until the interface has one again`,
        );
        // The priority-0 advert leaves first (an IPv4 socket writes its own header, the old source still works).
        this.setFault("source-address", true);
        return this.transport.detach();
      case "reopen":
        this.up = true;
        return void this.reopen();
      case "resync":
        return void this.resync();
    }
  }

  private setFault(cause: FaultCause, on: boolean): void {
    if (on) this.faults.add(cause);
    else this.faults.delete(cause);
    for (const router of this.routers.values()) router.setFault(cause, on);
  }

  /** Open the socket again on the interface now holding the name (bound to its index, joined to the group). */
  private reopen(): Promise<void> {
    if (this.reopening !== undefined) {
      this.again = true;
      return this.reopening;
    }
    this.reopening = (async () => {
      do {
        this.again = false;
        await this.reopenOnce();
      } while (this.again && this.deps.current());
    })().finally(() => (this.reopening = undefined));
    return this.reopening;
  }

  private async reopenOnce(): Promise<void> {
    let opened;
    try {
      opened = await this.deps.transports.open(this.options);
    } catch (error) {
      // No source address yet (IPv6 link-local still tentative, IPv4 primary not added): the address event reopens.
      this.deps.logger.log("warn", "cannot open the VRRP socket again yet", { interface: this.iface, family: this.family, error });
      return;
    }
    if (!this.deps.current()) return opened.close();
    const was = this.transport.sourceAddress;
    this.transport.attach(opened);
    this.ifindex = opened.ifindex;
    this.lastError = undefined;
    const source = opened.sourceAddress !== was ? { source: opened.sourceAddress, was } : {};
    this.deps.logger.log("info", "VRRP socket opened again", {
      interface: this.iface,
      family: this.family,
      ifindex: opened.ifindex,
      ...source,
    });
    // A new source (e.g. a re-created interface's new link-local): the routers advertise from it; a configured source never changes.
    if (opened.sourceAddress !== was) for (const router of this.routers.values()) router.sourceChanged();
    this.setFault("source-address", false);
    this.setFault("interface", !this.up);
  }

  /** Events may have been lost, or a socket error says the interface changed: look at it. */
  private async resync(): Promise<void> {
    this.lastResyncAt = this.deps.clock.now();
    let state;
    try {
      state = await this.deps.addresses.linkState(this.iface);
    } catch (error) {
      if (error instanceof Error && error.name === "LinkNotFoundError") this.apply({ type: "gone" });
      return;
    }
    this.event({ type: "link", index: state.index, name: state.name, up: state.up, gone: false });
  }

  private socketError(error: Error): void {
    const now = this.deps.clock.now();
    const last = this.lastError;
    if (last === undefined || now - last.loggedAt >= SOCKET_LOG_MS) {
      const more = last !== undefined && last.unlogged > 0 ? { suppressed: last.unlogged } : {};
      this.deps.logger.log("error", "VRRP socket error", { interface: this.iface, error, ...more });
      this.lastError = { at: now, error, loggedAt: now, unlogged: 0 };
    } else {
      this.lastError = { ...last, at: now, error, unlogged: last.unlogged + 1 };
    }
    const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
    if (typeof code === "string" && INTERFACE_ERRORS.has(code) && now - this.lastResyncAt >= RESYNC_MIN_MS) void this.resync();
  }
}
