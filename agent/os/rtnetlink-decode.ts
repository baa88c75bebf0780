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
 * Attributes are {len u16, type u16, value}, each padded to 4 bytes; the
 * top two bits of the type are flags (nested, network byte order). Numbers
 * are in host byte order.
 *
 * Why not the netlink package's parser: it turns every attribute of a link
 * message (statistics, nested per-family data) into objects, and these
 * messages sit on the path from a carrier loss to the priority-0 advert;
 * the monitor needs three fields (bench/results-failover-tracked.md).
 * Truncated or malformed input up to the fields read gives undefined, never
 * a partial result.
 */
import { endianness } from "node:os";

const LE = endianness() === "LE";
const IFINFOMSG_BYTES = 16;
const IFADDRMSG_BYTES = 8;
const ATTR_HEADER_BYTES = 4;
const ATTR_TYPE_MASK = 0x3fff;
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

const u16 = (b: Buffer, at: number) => (LE ? b.readUInt16LE(at) : b.readUInt16BE(at));
const u32 = (b: Buffer, at: number) => (LE ? b.readUInt32LE(at) : b.readUInt32BE(at));
const s32 = (b: Buffer, at: number) => (LE ? b.readInt32LE(at) : b.readInt32BE(at));

/**
 * Where the first attribute of `wanted` type starts and ends, scanning from
 * `offset`: "absent" when there is none, "malformed" when an attribute
 * before it runs past the end or is shorter than its header. Attributes
 * after it are not looked at (the kernel puts IFLA_IFNAME first).
 */
function findAttribute(b: Buffer, offset: number, wanted: number): { readonly start: number; readonly end: number } | "absent" | "malformed" {
  let at = offset;
  while (at + ATTR_HEADER_BYTES <= b.length) {
    const len = u16(b, at);
    if (len < ATTR_HEADER_BYTES || at + len > b.length) return "malformed";
    if ((u16(b, at + 2) & ATTR_TYPE_MASK) === wanted) return { start: at + ATTR_HEADER_BYTES, end: at + len };
    at += (len + 3) & ~3;
  }
  return "absent";
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
