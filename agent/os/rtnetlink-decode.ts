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
 * Truncated or malformed input gives undefined, never a partial result.
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
 * Calls visit(type, start, end) for each attribute from `offset`; false if
 * an attribute's length runs past the end or below its header.
 */
function eachAttribute(b: Buffer, offset: number, visit: (type: number, start: number, end: number) => void): boolean {
  let at = offset;
  while (at + ATTR_HEADER_BYTES <= b.length) {
    const len = u16(b, at);
    if (len < ATTR_HEADER_BYTES || at + len > b.length) return false;
    visit(u16(b, at + 2) & ATTR_TYPE_MASK, at + ATTR_HEADER_BYTES, at + len);
    at += (len + 3) & ~3;
  }
  return true;
}

export function decodeLink(payload: Buffer): DecodedLink | undefined {
  if (payload.length < IFINFOMSG_BYTES) return undefined;
  const index = s32(payload, 4);
  const flags = u32(payload, 8);
  let name: string | undefined;
  const ok = eachAttribute(payload, IFINFOMSG_BYTES, (type, start, end) => {
    if (type !== IFLA_IFNAME) return;
    const nul = payload.indexOf(0, start);
    name = payload.toString("utf8", start, nul >= start && nul < end ? nul : end);
  });
  if (!ok) return undefined;
  return { index, name, up: (flags & IFF_UP) !== 0 && (flags & IFF_RUNNING) !== 0 };
}

export function decodeAddress(payload: Buffer): DecodedAddress | undefined {
  if (payload.length < IFADDRMSG_BYTES) return undefined;
  let local: Buffer | undefined;
  let address: Buffer | undefined;
  const ok = eachAttribute(payload, IFADDRMSG_BYTES, (type, start, end) => {
    if (type === IFA_LOCAL) local = payload.subarray(start, end);
    else if (type === IFA_ADDRESS) address = payload.subarray(start, end);
  });
  if (!ok) return undefined;
  return { family: payload[0]!, prefixLength: payload[1]!, index: u32(payload, 4), address: local ?? address };
}
