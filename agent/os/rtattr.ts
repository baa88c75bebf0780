/**
 * What the rtnetlink messages floatip builds and reads have in common:
 *
 *  - address families by number (AF_INET 2, AF_INET6 10);
 *  - RTPROT_STATIC (4), the protocol its routes and rules are installed
 *    with (an administrator's tool, as `ip route` / `ip rule` would);
 *  - an address as an attribute's value: its 4 or 16 bytes, network order;
 *  - the attribute layout: {len u16, type u16, value}, each padded to 4
 *    bytes, len counting the 4-byte header and the value but not the
 *    padding; the top two bits of the type are flags (nested, network byte
 *    order). Numbers are in host byte order.
 *
 * Pure: no sockets here.
 */
import { endianness } from "node:os";
import type { Family } from "../config/types.js";
import { parseAddress } from "../vrrp/address-bytes.js";

export const AF_INET = 2;
export const AF_INET6 = 10;
export const RTPROT_STATIC = 4;
export const RTA_HEADER_BYTES = 4;
const RTA_TYPE_MASK = 0x3fff;

export function familyNumber(family: Family): number {
  return family === 4 ? AF_INET : AF_INET6;
}

/** An address family number as 4 or 6; undefined for any other family. */
export function familyOf(number: number): Family | undefined {
  return number === AF_INET ? 4 : number === AF_INET6 ? 6 : undefined;
}

/** The bytes of `text` (an address of `family`) as an attribute value; a TypeError names a bad address. */
export function addressBytes(text: string, family: Family): Buffer {
  const parsed = parseAddress(text, family);
  if (!parsed.ok) throw new TypeError(parsed.error);
  return Buffer.from(parsed.bytes);
}

const LE = endianness() === "LE";
export const u16 = (b: Buffer, at: number): number => (LE ? b.readUInt16LE(at) : b.readUInt16BE(at));
export const u32 = (b: Buffer, at: number): number => (LE ? b.readUInt32LE(at) : b.readUInt32BE(at));
export const s32 = (b: Buffer, at: number): number => (LE ? b.readInt32LE(at) : b.readInt32BE(at));

/**
 * Where the value of the first attribute of `wanted` type starts and ends,
 * scanning from `offset`: "absent" when there is none, "malformed" when an
 * attribute before it runs past the end or is shorter than its header.
 * Attributes after it are not looked at.
 */
export function findAttribute(
  b: Buffer,
  offset: number,
  wanted: number,
): { readonly start: number; readonly end: number } | "absent" | "malformed" {
  let at = offset;
  while (at + RTA_HEADER_BYTES <= b.length) {
    const len = u16(b, at);
    if (len < RTA_HEADER_BYTES || at + len > b.length) return "malformed";
    if ((u16(b, at + 2) & RTA_TYPE_MASK) === wanted) return { start: at + RTA_HEADER_BYTES, end: at + len };
    at += (len + 3) & ~3;
  }
  return "absent";
}
