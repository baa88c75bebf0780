/**
 * Address ranges of a VirtualIPPool: "192.0.2.64/28" (every address of the
 * prefix, network and broadcast included) or "192.0.2.10-192.0.2.20" (both
 * ends included), IPv4 or IPv6. Addresses as bigints for counting and
 * stepping; text always canonical (RFC 5952 for IPv6). Pure.
 */
import type { Family } from "../../agent/config/types.js";
import { formatAddress, parseAddress } from "../../agent/vrrp/address-bytes.js";

export interface AddressRange {
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
  /** As written, for messages. */
  readonly text: string;
}

export type RangeResult = { readonly ok: true; readonly range: AddressRange } | { readonly ok: false; readonly message: string };

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function fromBigInt(family: Family, value: bigint): string {
  const bytes = new Uint8Array(BITS[family] / 8);
  let v = value;
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return formatAddress(family, bytes);
}

/** An address as {family, value}; undefined when the text is not an address. */
export function addressValue(text: string): { family: Family; value: bigint } | undefined {
  const parsed = parseAddress(text.trim());
  return parsed.ok ? { family: parsed.family, value: toBigInt(parsed.bytes) } : undefined;
}

/** Parses "A/len" or "A-B" (or a single address, a range of one). */
export function parseRange(text: string): RangeResult {
  const fail = (message: string): RangeResult => ({ ok: false, message });
  if (text.includes("-")) {
    const parts = text.split("-");
    if (parts.length !== 2) return fail(`"${text}" must be one range "first-last", e.g. "192.0.2.10-192.0.2.20"`);
    const first = addressValue(parts[0]!);
    const last = addressValue(parts[1]!);
    if (first === undefined) return fail(`"${parts[0]!.trim()}" (start of "${text}") is not an IP address`);
    if (last === undefined) return fail(`"${parts[1]!.trim()}" (end of "${text}") is not an IP address`);
    if (first.family !== last.family) return fail(`"${text}" mixes IPv4 and IPv6`);
    if (first.value > last.value) return fail(`"${text}": the first address is after the last`);
    return { ok: true, range: { family: first.family, first: first.value, last: last.value, text } };
  }
  const [host, prefix, ...rest] = text.split("/");
  if (rest.length > 0) return fail(`"${text}" has more than one "/"`);
  const address = addressValue(host!);
  if (address === undefined) return fail(`"${text}" is not an address, a CIDR ("192.0.2.64/28") or a range ("192.0.2.10-192.0.2.20")`);
  const bits = BITS[address.family];
  if (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits))
    return fail(`"${text}": prefix length must be 0..${bits}`);
  const length = prefix === undefined ? bits : Number(prefix);
  const hostBits = BigInt(bits - length);
  const mask = (1n << hostBits) - 1n;
  if ((address.value & mask) !== 0n) {
    return fail(`"${text}" has host bits set: the prefix starts at ${fromBigInt(address.family, address.value & ~mask)}/${length}`);
  }
  return { ok: true, range: { family: address.family, first: address.value, last: address.value | mask, text } };
}

export function rangeSize(range: AddressRange): bigint {
  return range.last - range.first + 1n;
}

export function overlaps(a: AddressRange, b: AddressRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

export function contains(range: AddressRange, family: Family, value: bigint): boolean {
  return range.family === family && range.first <= value && value <= range.last;
}

/** A count as a JSON-safe number: at most Number.MAX_SAFE_INTEGER (an IPv6 /64 has 2^64 addresses). */
export function saturate(count: bigint): number {
  return count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
}
