/**
 * The agent's edges: the small interfaces through which the pure core
 * reaches sockets and the kernel. Everything here is implemented in this
 * folder over netlink and the floatip_net addon, and replaced by
 * in-memory fakes in unit tests.
 */
import type { Family, NotifyFifoConfig, RouteConfig, RuleConfig, VirtualAddress } from "../config/types.js";

/** One VRRP packet as it came off the wire, IP header already removed. */
export interface ReceivedPacket {
  readonly family: Family;
  /** The VRRP part only (from the version/type byte on); valid during the handler call only (copy to keep it). */
  readonly payload: Buffer;
  readonly source: string;
  readonly destination: string;
  /** IPv4 TTL or IPv6 hop limit the packet arrived with. */
  readonly ttl: number;
  /** Index of the interface it arrived on. */
  readonly ifindex: number;
  /** Milliseconds since the kernel received it (absent or 0: unknown); protocol timers start from the arrival. */
  readonly ageMs?: number;
}

export interface TransportOptions {
  readonly interface: string;
  readonly family: Family;
  /** Join the multicast group on the interface. */
  readonly multicast: boolean;
  /** The group: default 224.0.0.18 / ff02::12 (keepalived vrrp_mcast_group4 / 6 change it). */
  readonly group?: string;
  /** Source address for sending; default: the interface's primary (IPv4) or link-local (IPv6) address. */
  readonly source?: string;
}

/**
 * A priority-0 advert a master keeps ready for the stop signal: the signal's
 * handler sends it before the agent's own stop path runs (agent/native/farewell.c).
 */
export interface Farewell {
  /** True once the stop signal (or a link going down) has sent it (then it must not be sent again). */
  sent(): boolean;
  /** No longer master: the signal must not send it. Idempotent. */
  disarm(): void;
}

/** A raw IP protocol 112 socket bound to one interface and family. */
export interface VrrpTransport {
  /** The address adverts leave from (needed for the checksum pseudo-header). */
  readonly sourceAddress: string;
  readonly ifindex: number;
  /** Send one VRRP payload (checksum already filled in) with TTL / hop limit 255. */
  send(payload: Buffer, destination: string): void;
  /** Delivers the packets already waiting on the socket to the onPacket handlers now, before returning. */
  readWaiting?(): void;
  /**
   * Keep payload ready to be sent by the stop signal's handler, and also the
   * moment one of the `linkDown` interfaces goes down (no carrier, set down,
   * deleted), before the agent has seen the event (agent/native/link_trigger.c);
   * undefined if this transport cannot.
   */
  armFarewell?(payload: Buffer, destination: string, linkDown?: readonly string[]): Farewell | undefined;
  onPacket(handler: (packet: ReceivedPacket) => void): void;
  onError(handler: (error: Error) => void): void;
  close(): void;
}

export interface TransportFactory {
  open(options: TransportOptions): Promise<VrrpTransport>;
}

export interface InterfaceAddress {
  readonly address: string;
  readonly family: Family;
  readonly prefixLength: number;
}

export interface LinkInfo {
  readonly name: string;
  readonly index: number;
  readonly mac: string; // "aa:bb:cc:dd:ee:ff"
  readonly up: boolean; // administratively up and carrier present
  readonly addresses: readonly InterfaceAddress[];
}

/** Address aliasing on an interface (rtnetlink). Adding an address that is present, or removing one that is absent, is not an error. */
export interface AddressTable {
  link(ifname: string): Promise<LinkInfo>;
  /** Every interface with its addresses. */
  links(): Promise<LinkInfo[]>;
  /**
   * Name, index, MAC and up/down without the address list: cheap, answered
   * from a short cache, for polls and per-frame lookups.
   */
  linkState(ifname: string): Promise<Omit<LinkInfo, "addresses">>;
  add(ifname: string, address: VirtualAddress): Promise<void>;
  /** Get ready to add / remove the address (e.g. encode the requests), so a takeover sends without delay. Optional. */
  prepare?(ifname: string, address: VirtualAddress): Promise<void>;
  remove(ifname: string, address: VirtualAddress): Promise<void>;
  close(): void;
}

/**
 * Routes (rtnetlink RTM_NEWROUTE / RTM_DELROUTE). Adding a route that is
 * present, or removing one that is absent, is not an error.
 */
export interface RouteTable {
  add(route: RouteConfig): Promise<void>;
  remove(route: RouteConfig): Promise<void>;
  /** Policy routing rules (RTM_NEWRULE / RTM_DELRULE), same contract: present or absent already is not an error. */
  addRule(rule: RuleConfig): Promise<void>;
  removeRule(rule: RuleConfig): Promise<void>;
  close(): void;
}

/** A macvlan carrying an instance's virtual MAC (keepalived use_vmac). */
export interface VirtualMacSpec {
  readonly name: string;
  /** The interface it sits on (the instance's). */
  readonly parent: string;
  /** "00:00:5e:00:01:xx" (IPv4) or "00:00:5e:00:02:xx" (IPv6) */
  readonly mac: string;
  /**
   * IPv6 instances: the macvlan's only IPv6 address (link-local, the
   * adverts' source); none is generated from the shared MAC. Absent: an
   * IPv4 instance, the macvlan gets no IPv6 at all.
   */
  readonly linkLocal?: string;
}

/** Creates and removes the macvlan interfaces of use_vmac instances (see vmac-links.ts for how). */
export interface VirtualMacLinks {
  /** Creates the macvlan (or takes over one left by an earlier run) and brings it up. */
  create(spec: VirtualMacSpec): Promise<void>;
  /** Removes it; absent is not an error. */
  remove(name: string): Promise<void>;
  close(): void;
}

/** An interface setting instances hold while they run (keepalived promote_secondaries; promote-secondaries.ts). */
export interface InterfaceFlags {
  /** One more instance wants it on the interface (set on the first). */
  hold(ifname: string): Promise<void>;
  /** One fewer (put back after the last, if floatip changed it). */
  release(ifname: string): Promise<void>;
}

/** Gratuitous ARP (IPv4) or unsolicited neighbour advertisement (IPv6) for one address. */
export interface Announcer {
  announce(ifname: string, address: VirtualAddress): Promise<void>;
  close(): void;
}

/** An ARP packet or neighbour advertisement saying that `mac` has `address`. */
export interface AddressClaim {
  readonly family: Family;
  readonly address: string;
  readonly mac: string;
  readonly via: "arp-request" | "arp-reply" | "neighbour-advert";
}

export interface ClaimWatch {
  close(): void;
}

/**
 * Duplicate-address probing (RFC 5227 ARP probe, RFC 4862 DAD solicitation)
 * and the claims other hosts make for an address. Claims carrying the
 * interface's own MAC are never delivered.
 */
export interface AddressProber {
  probe(ifname: string, address: VirtualAddress): Promise<void>;
  /** Deliver claims for `address` seen on `ifname` until the watch is closed. */
  watch(ifname: string, address: string, onClaim: (claim: AddressClaim) => void): Promise<ClaimWatch>;
  close(): void;
}

/**
 * A change the kernel announced on rtnetlink (RTM_NEWLINK / RTM_DELLINK on
 * RTNLGRP_LINK, RTM_NEWADDR / RTM_DELADDR on the IPv4 and IPv6 address
 * groups). `up` means administratively up with carrier, as in LinkInfo.
 */
export type LinkEvent =
  | { readonly type: "link"; readonly index: number; readonly name: string; readonly up: boolean; readonly gone: boolean }
  | {
      readonly type: "address";
      readonly index: number;
      /** The interface's name as last announced; undefined if the monitor has not seen it yet. */
      readonly ifname: string | undefined;
      readonly address: string;
      readonly family: Family;
      readonly prefixLength: number;
      readonly gone: boolean;
    }
  /** Events may have been lost (the socket's receive buffer overflowed): re-read what matters. */
  | { readonly type: "resync" };

/** Link and address events, as they happen (keepalived's netlink monitor). */
export interface LinkMonitor {
  /** Deliver every later event to handler; returns the function that stops it. */
  subscribe(handler: (event: LinkEvent) => void): () => void;
  /** Why the monitor stopped working (its socket closed or failed for good); undefined while it works. */
  broken(): Error | undefined;
  close(): void;
}

/** One process as /proc shows it (track_process). */
export interface ProcessInfo {
  readonly pid: number;
  /** /proc/PID/comm (at most 15 bytes). */
  readonly comm: string;
  /** /proc/PID/cmdline split on NUL; empty for kernel threads and zombies, and unless asked for. */
  readonly argv: readonly string[];
  readonly zombie: boolean;
}

/** Lists this host's processes; `argv`: read their command lines too (only when a match needs them). */
export type ProcessLister = (options: { readonly argv: boolean }) => Promise<ProcessInfo[]>;

/** What became of one line written to a notify FIFO. */
export type FifoWriteResult = "written" | "no-reader" | "full" | "failed";

/** Notify FIFOs (keepalived notify_fifo): lines written without ever blocking the event loop. */
export interface FifoOutlets {
  /** Makes the path a FIFO: created (mode 0644, owner if given) when missing; rejects when it exists and is something else. */
  prepare(fifo: NotifyFifoConfig): Promise<{ readonly created: boolean }>;
  /** One line, now: "no-reader" when no process has the FIFO open for reading, "full" when the pipe has no room for it. */
  write(path: string, line: string): FifoWriteResult;
  /** Closes the path's descriptor, and deletes the FIFO when `remove` (the agent created it). */
  close(path: string, remove: boolean): Promise<void>;
}

/**
 * Changes to the entries of one directory, as the kernel reports them
 * (inotify, through fs.watch): `name` is the entry that was created,
 * written, deleted or renamed, or the directory's own name when the
 * directory itself was deleted or moved (then nothing more comes);
 * undefined when the kernel did not say.
 */
export interface DirectoryWatcher {
  /** Throws an error with `code` (ENOENT, ENOTDIR, EACCES, ENOSPC, ...) when `dir` cannot be watched. */
  watch(dir: string, onChange: (name: string | undefined) => void, onError: (error: Error) => void): { close(): void };
}
