/**
 * A segment is one interface and family with its VRRP socket, shared by the
 * routers on it. Its socket follows the interface: the kernel's link and
 * address events are turned here, by a pure function, into what the segment
 * must do; the Agent carries it out.
 *
 * - Deleted, or renamed away (same index, another name): the interface we
 *   are configured for is gone. The socket is closed (no ENODEV errors ten
 *   times a second) and the routers go to FAULT.
 * - Created or renamed in (our name, another index): a new interface. A
 *   socket bound to the old index is deaf, so it is reopened (bound and
 *   joined to the multicast group again) and the routers recover.
 * - Carrier lost or set down: FAULT until it is up again, as keepalived.
 * - The socket's source address removed (IPv4 primary, IPv6 link-local): it
 *   cannot advertise honestly, so FAULT; an address added to the interface
 *   afterwards reopens the socket (which picks its source again).
 */
import type { Family, VrrpVersion } from "../config/types.js";
import type { Farewell, LinkEvent, ReceivedPacket, VrrpTransport } from "../os/ports.js";
import { skewTimeMs } from "../vrrp/timing.js";

export interface SegmentView {
  readonly iface: string;
  readonly family: Family;
  /** Index of the interface the socket is bound to; undefined while closed. */
  readonly ifindex: number | undefined;
  readonly sourceAddress: string;
  /** The link was last seen up. */
  readonly up: boolean;
  /** The socket is closed because the interface or its source address went away. */
  readonly closed: boolean;
}

export type SegmentChange =
  | { readonly type: "gone" }
  | { readonly type: "reopen" }
  | { readonly type: "link"; readonly up: boolean }
  | { readonly type: "source-gone" }
  /** Events may have been lost: look at the interface again. */
  | { readonly type: "resync" };

/** What an event means for one segment; undefined: nothing. */
export function segmentChange(segment: SegmentView, event: LinkEvent): SegmentChange | undefined {
  switch (event.type) {
    case "resync":
      return { type: "resync" };
    case "link": {
      const ours = event.name === segment.iface;
      if (!ours) return event.index === segment.ifindex ? { type: "gone" } : undefined; // renamed away
      if (event.gone) return event.index === segment.ifindex || segment.ifindex === undefined ? { type: "gone" } : undefined;
      if (segment.closed || event.index !== segment.ifindex) return event.up ? { type: "reopen" } : undefined;
      return event.up === segment.up ? undefined : { type: "link", up: event.up };
    }
    case "address": {
      const ours = event.ifname === segment.iface || (event.ifname === undefined && event.index === segment.ifindex);
      if (!ours || event.family !== segment.family) return undefined;
      if (event.gone) return !segment.closed && event.address === segment.sourceAddress ? { type: "source-gone" } : undefined;
      return segment.closed && segment.up ? { type: "reopen" } : undefined;
    }
  }
}

/** Below this advert interval a segment's socket is read at every wake-up: at 10 ms a priority-0 advert must not wait. */
export const READ_DELAY_MIN_INTERVAL_MS = 100;
/** The longest rest (its packets queue in the socket meanwhile: at most a millisecond of a burst). */
export const READ_DELAY_MAX_US = 1000;
/** The rest is at most this share of the shortest Skew_Time on the segment (what a priority-0 advert in a burst may wait). */
export const READ_DELAY_SKEW_SHARE = 1 / 64;

/**
 * How long a segment's socket may rest after a wake-up that read packets,
 * in microseconds (0: read at every wake-up). A master with many instances
 * sends their adverts in a burst; a backup woken for each one or two of them
 * paid most of its CPU in wake-ups. Resting, it reads a burst in a few
 * batches. Only a packet inside a burst waits (one after a quiet spell is
 * read at once), at most 1/64 of the routers' shortest Skew_Time, so a
 * priority-0 advert's takeover comes at most that much later; Master_Down
 * deadlines are not moved (timers count from the kernel's receive
 * timestamps, and an expiring deadline reads the socket first).
 */
export function readDelayUs(
  routers: Iterable<{ readonly version: VrrpVersion; readonly priority: number; readonly advertIntervalMs: number }>,
): number {
  let delay = READ_DELAY_MAX_US;
  let any = false;
  for (const r of routers) {
    any = true;
    if (r.advertIntervalMs < READ_DELAY_MIN_INTERVAL_MS) return 0;
    const skewUs = skewTimeMs({ version: r.version, priority: r.priority, masterAdvertIntervalMs: r.advertIntervalMs }) * 1000;
    delay = Math.min(delay, Math.floor(skewUs * READ_DELAY_SKEW_SHARE));
  }
  return any ? delay : 0;
}

/**
 * The VrrpTransport routers hold: it forwards to the socket of the moment,
 * so a reopened socket serves the same routers. Sends while no socket is
 * open fail (a router is in FAULT then and does not send).
 */
export class FollowingTransport implements VrrpTransport {
  private current: VrrpTransport | undefined;
  private readonly packetHandlers: ((packet: ReceivedPacket) => void)[] = [];
  private readonly errorHandlers: ((error: Error) => void)[] = [];

  private source: string;
  /** setReadDelay's value, given again to each socket attached. */
  private readDelay = 0;

  constructor(
    first: VrrpTransport,
    private readonly describe: string,
  ) {
    this.source = first.sourceAddress;
    this.attach(first);
  }

  /** The source of the socket last attached (kept while none is open). */
  get sourceAddress(): string {
    return this.source;
  }

  get ifindex(): number {
    return this.current?.ifindex ?? 0;
  }

  get open(): boolean {
    return this.current !== undefined;
  }

  /** Take `next` as the socket (the previous one, if any, is closed). */
  attach(next: VrrpTransport): void {
    this.detach();
    this.current = next;
    this.source = next.sourceAddress;
    if (this.readDelay > 0) next.setReadDelay?.(this.readDelay);
    next.onPacket((packet) => {
      if (this.current === next) for (const handler of this.packetHandlers) handler(packet);
    });
    next.onError((error) => {
      if (this.current === next) for (const handler of this.errorHandlers) handler(error);
    });
  }

  /** Close the socket of the moment and keep none. */
  detach(): void {
    const was = this.current;
    this.current = undefined;
    was?.close();
  }

  send(payload: Buffer, destination: string): void {
    if (this.current === undefined) throw new Error(`no VRRP socket is open on ${this.describe}`);
    this.current.send(payload, destination);
  }

  readWaiting(): void {
    this.current?.readWaiting?.();
  }

  setReadDelay(us: number): void {
    if (us === this.readDelay) return;
    this.readDelay = us;
    this.current?.setReadDelay?.(us);
  }

  armFarewell(payload: Buffer, destination: string, linkDown?: readonly string[]): Farewell | undefined {
    return this.current?.armFarewell?.(payload, destination, linkDown);
  }

  onPacket(handler: (packet: ReceivedPacket) => void): void {
    this.packetHandlers.push(handler);
  }

  onError(handler: (error: Error) => void): void {
    this.errorHandlers.push(handler);
  }

  close(): void {
    this.detach();
  }
}
