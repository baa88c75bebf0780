/**
 * LinkMonitor over rtnetlink (the `netlink` package): a socket of its own,
 * never used for requests, joined to RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and
 * RTNLGRP_IPV6_IFADDR. The kernel multicasts every link and address change
 * to it the moment it happens; nothing is polled.
 *
 * Messages are decoded by rtnetlink-decode.ts (three fields, no objects
 * per attribute). Address messages carry only the interface index: names
 * come from the link messages seen so far plus one dump at open. A receive buffer overflow
 * (ENOBUFS) loses events: subscribers get a "resync" and re-read what they
 * follow. The socket closing, or any other socket error, breaks the monitor
 * for good (broken() says why; the agent's /healthz reports it).
 */
import { createRequire } from "node:module";
import type * as Netlink from "netlink";
import { formatAddress } from "../vrrp/address-bytes.js";
import type { AddressTable, LinkEvent, LinkMonitor } from "./ports.js";
import { decodeAddress, decodeLink } from "./rtnetlink-decode.js";

const requireLib = createRequire(import.meta.url);
const { createNetlink } = requireLib("netlink/dist/netlink") as Pick<typeof Netlink, "createNetlink">;
const rtStructs = requireLib("netlink/dist/rt/structs") as Pick<typeof Netlink.rt, "MulticastGroups" | "MessageType">;

/** NETLINK_ROUTE. The package's RtNetlinkSocket is not used: it parses every message in full before any listener sees it. */
const NETLINK_ROUTE = 0;
const AF_INET = 2;
const AF_INET6 = 10;
/** Room for bursts (a bond or VLAN reconfigured announces dozens of messages at once). */
const RECEIVE_BUFFER_BYTES = 1 << 20;

type Handler = (event: LinkEvent) => void;

/** For warmUp(): a link message (index 0, named) and an IPv6 address message. */
const WARM_UP_LINK = Buffer.from("00000100000000004310000000000000" + "0c0003007761726d2d757000", "hex");
const WARM_UP_ADDRESS = Buffer.from("0a40000000000000" + "14000100fe800000000000000000000000000001", "hex");

export class NetlinkLinkMonitor implements LinkMonitor {
  private readonly handlers = new Set<Handler>();
  private readonly names = new Map<number, string>();
  private failure: Error | undefined;
  private closed = false;

  private constructor(private readonly socket: Netlink.NetlinkSocket) {
    socket.on("message", (messages: readonly { type: number; data: Buffer }[]) => this.receive(messages));
    socket.on("error", (error: Error) => this.failed(error));
    socket.on("close", () => {
      if (!this.closed) this.failure ??= new Error("the rtnetlink monitor socket closed");
    });
  }

  /** Opens the socket, joins the groups, then learns the names of the interfaces present. */
  static async open(options: { readonly addresses: Pick<AddressTable, "links"> }): Promise<NetlinkLinkMonitor> {
    const socket = createNetlink(NETLINK_ROUTE);
    try {
      socket.socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
    } catch {
      // Kept at the system default (net.core.rmem_max); an overflow still resyncs.
    }
    const monitor = new NetlinkLinkMonitor(socket);
    monitor.warmUp();
    try {
      for (const group of ["LINK", "IPV4_IFADDR", "IPV6_IFADDR"] as const) socket.addMembership(rtStructs.MulticastGroups[group]);
      for (const link of await options.addresses.links()) if (!monitor.names.has(link.index)) monitor.names.set(link.index, link.name);
    } catch (error) {
      monitor.close();
      throw error;
    }
    return monitor;
  }

  subscribe(handler: Handler): () => void {
    const entry: Handler = (event) => handler(event);
    this.handlers.add(entry);
    return () => void this.handlers.delete(entry);
  }

  broken(): Error | undefined {
    return this.failure;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    this.socket.close();
  }

  /**
   * Decodes made-up messages a few times, results dropped (no state changes): the first
   * real event (often a carrier loss on the way to a priority-0 advert)
   * then finds the decoders compiled, not parsed and compiled on the spot.
   */
  private warmUp(): void {
    for (let i = 0; i < 10; i++) {
      decodeLink(WARM_UP_LINK);
      const address = decodeAddress(WARM_UP_ADDRESS)?.address;
      if (address !== undefined) formatAddress(6, address);
    }
  }

  private failed(error: Error): void {
    if ((error as { code?: unknown }).code === "ENOBUFS" || /ENOBUFS/.test(error.message)) {
      this.emit({ type: "resync" });
      return;
    }
    this.failure ??= error;
  }

  private receive(messages: readonly { type: number; data: Buffer }[]): void {
    for (const message of messages) {
      const event = this.decode(message.type, message.data);
      if (event !== undefined) this.emit(event);
    }
  }

  private decode(type: number, data: Buffer): LinkEvent | undefined {
    const { MessageType } = rtStructs;
    if (type === MessageType.NEWLINK || type === MessageType.DELLINK) return this.linkEvent(data, type === MessageType.DELLINK);
    if (type === MessageType.NEWADDR || type === MessageType.DELADDR) return this.addressEvent(data, type === MessageType.DELADDR);
    return undefined;
  }

  private linkEvent(data: Buffer, gone: boolean): LinkEvent | undefined {
    const message = decodeLink(data);
    if (message === undefined) return undefined; // malformed: not ours to judge
    const { index } = message;
    const name = message.name ?? this.names.get(index);
    if (name === undefined) return undefined;
    if (gone) this.names.delete(index);
    else this.names.set(index, name);
    return { type: "link", index, name, up: !gone && message.up, gone };
  }

  private addressEvent(data: Buffer, gone: boolean): LinkEvent | undefined {
    const message = decodeAddress(data);
    if (message === undefined) return undefined;
    const family = message.family === AF_INET ? 4 : message.family === AF_INET6 ? 6 : undefined;
    const bytes = message.address;
    if (family === undefined || bytes === undefined || bytes.length !== (family === 4 ? 4 : 16)) return undefined;
    return {
      type: "address",
      index: message.index,
      ifname: this.names.get(message.index),
      address: formatAddress(family, bytes),
      family,
      prefixLength: message.prefixLength,
      gone,
    };
  }

  private emit(event: LinkEvent): void {
    for (const handler of [...this.handlers]) handler(event);
  }
}

export function openLinkMonitor(options: { readonly addresses: Pick<AddressTable, "links"> }): Promise<NetlinkLinkMonitor> {
  return NetlinkLinkMonitor.open(options);
}
