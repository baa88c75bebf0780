/**
 * LinkMonitor over rtnetlink (the `netlink` package): a socket of its own,
 * never used for requests, joined to RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and
 * RTNLGRP_IPV6_IFADDR. The kernel multicasts every link and address change
 * to it the moment it happens; nothing is polled.
 *
 * Address messages carry only the interface index: names come from the
 * link messages seen so far plus one dump at open. A receive buffer overflow
 * (ENOBUFS) loses events: subscribers get a "resync" and re-read what they
 * follow. The socket closing, or any other socket error, breaks the monitor
 * for good (broken() says why; the agent's /healthz reports it).
 */
import { createRequire } from "node:module";
import type * as Netlink from "netlink";
import type { rt } from "netlink";
import { formatAddress } from "../vrrp/address-bytes.js";
import type { AddressTable, LinkEvent, LinkMonitor } from "./ports.js";

const requireLib = createRequire(import.meta.url);
const { createRtNetlink } = requireLib("netlink/dist/rt/rt") as Pick<typeof Netlink, "createRtNetlink">;
const rtStructs = requireLib("netlink/dist/rt/structs") as Pick<typeof Netlink.rt, "parseMessage" | "MulticastGroups" | "MessageType">;

const AF_INET = 2;
const AF_INET6 = 10;
/** Room for bursts (a bond or VLAN reconfigured announces dozens of messages at once). */
const RECEIVE_BUFFER_BYTES = 1 << 20;

type Handler = (event: LinkEvent) => void;

export class NetlinkLinkMonitor implements LinkMonitor {
  private readonly handlers = new Set<Handler>();
  private readonly names = new Map<number, string>();
  private failure: Error | undefined;
  private closed = false;

  private constructor(private readonly socket: Netlink.RtNetlinkSocket) {
    const raw = socket.socket;
    raw.on("message", (messages: readonly { type: number; data: Buffer }[]) => this.receive(messages));
    raw.on("error", (error: Error) => this.failed(error));
    raw.on("close", () => {
      if (!this.closed) this.failure ??= new Error("the rtnetlink monitor socket closed");
    });
  }

  /** Opens the socket, joins the groups, then learns the names of the interfaces present. */
  static async open(options: { readonly addresses: Pick<AddressTable, "links"> }): Promise<NetlinkLinkMonitor> {
    const socket = createRtNetlink();
    try {
      socket.socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
    } catch {
      // Kept at the system default (net.core.rmem_max); an overflow still resyncs.
    }
    const monitor = new NetlinkLinkMonitor(socket);
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
    this.socket.socket.close();
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
    let parsed: rt.Message;
    try {
      if (type !== MessageType.NEWLINK && type !== MessageType.DELLINK && type !== MessageType.NEWADDR && type !== MessageType.DELADDR) return undefined;
      parsed = rtStructs.parseMessage(type, data) as rt.Message;
    } catch {
      return undefined; // an attribute the package cannot parse: not ours to judge
    }
    if (parsed.kind === "link") return this.linkEvent(parsed, type === MessageType.DELLINK);
    if (parsed.kind === "address") return this.addressEvent(parsed, type === MessageType.DELADDR);
    return undefined;
  }

  private linkEvent(message: rt.LinkMessage, gone: boolean): LinkEvent | undefined {
    const index = message.data.index;
    if (index === undefined) return undefined;
    const name = message.attrs.ifname ?? this.names.get(index);
    if (name === undefined) return undefined;
    if (gone) this.names.delete(index);
    else this.names.set(index, name);
    const flags = message.data.flags ?? {};
    return { type: "link", index, name, up: !gone && flags.up === true && flags.running === true, gone };
  }

  private addressEvent(message: rt.AddressMessage, gone: boolean): LinkEvent | undefined {
    const { index, family: af, prefixlen } = message.data;
    const family = af === AF_INET ? 4 : af === AF_INET6 ? 6 : undefined;
    const bytes = message.attrs.local ?? message.attrs.address;
    if (index === undefined || family === undefined || bytes === undefined) return undefined;
    return {
      type: "address",
      index,
      ifname: this.names.get(index),
      address: formatAddress(family, bytes),
      family,
      prefixLength: prefixlen ?? (family === 4 ? 32 : 128),
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
