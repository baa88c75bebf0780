/**
 * Decoders for the two rtnetlink messages the link monitor follows, read
 * straight from the message payload (what follows the nlmsghdr):
 *
 *   RTM_NEWLINK / RTM_DELLINK: struct ifinfomsg (16 bytes: family u8, pad u8,
 *     type u16, index s32, flags u32, change u32), then attributes; only
 *     IFLA_IFNAME (3, NUL-terminated) is read.
 *   RTM_NEWADDR / RTM_DELADDR: struct ifaddrmsg (8 bytes: family u8,
 *     prefixlen u8, flags u8, scope u8, index u32), then attributes; only
 *     IFA_ADDRESS (1) and IFA_LOCAL (2) are read.
 *
 * Attributes as rtattr.ts reads them; numbers are in host byte order. The
 * kernel puts IFLA_IFNAME first, so the scan for it ends early.
 *
 * Why not the netlink package's parser: it turns every attribute of a link
 * message (statistics, nested per-family data) into objects, and these
 * messages sit on the path from a carrier loss to the priority-0 advert;
 * the monitor needs three fields (bench/results-failover-tracked.md).
 * Truncated or malformed input up to the fields read gives undefined, never
 * a partial result.
 */
import { findAttribute, s32, u32 } from "./rtattr.js";

const IFINFOMSG_BYTES = 16;
const IFADDRMSG_BYTES = 8;
const IFLA_IFNAME = 3;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;

export interface DecodedLink {
  readonly index: number;
  /** IFLA_IFNAME; undefined when the message carries none. */
  readonly name: string | undefined;
  /** Administratively up and with carrier (IFF_UP and IFF_RUNNING). */
  readonly up: boolean;
}

export interface DecodedAddress {
  readonly index: number;
  /** The address family number (AF_INET 2, AF_INET6 10). */
  readonly family: number;
  readonly prefixLength: number;
  /** IFA_LOCAL if present (IPv4 point-to-point gives both), else IFA_ADDRESS. */
  readonly address: Buffer | undefined;
}

export function decodeLink(payload: Buffer): DecodedLink | undefined {
  if (payload.length < IFINFOMSG_BYTES) return undefined;
  const index = s32(payload, 4);
  const flags = u32(payload, 8);
  const found = findAttribute(payload, IFINFOMSG_BYTES, IFLA_IFNAME);
  if (found === "malformed") return undefined;
  let name: string | undefined;
  if (found !== "absent") {
    let end = found.start;
    while (end < found.end && payload[end] !== 0) end++;
    name = payload.toString("utf8", found.start, end);
  }
  return { index, name, up: (flags & IFF_UP) !== 0 && (flags & IFF_RUNNING) !== 0 };
}

export function decodeAddress(payload: Buffer): DecodedAddress | undefined {
  if (payload.length < IFADDRMSG_BYTES) return undefined;
  const local = findAttribute(payload, IFADDRMSG_BYTES, IFA_LOCAL);
  const address = findAttribute(payload, IFADDRMSG_BYTES, IFA_ADDRESS);
  if (local === "malformed" || address === "malformed") return undefined;
  const found = local !== "absent" ? local : address;
  return {
    family: payload[0]!,
    prefixLength: payload[1]!,
    index: u32(payload, 4),
    address: found === "absent" ? undefined : payload.subarray(found.start, found.end),
  };
}
