/**
 * IPv4 / IPv6 text <-> network-order bytes, with no I/O and no dependency on
 * node:net. Parsing is strict (what inet_pton accepts, minus zone ids);
 * formatting yields the canonical text form:
 *   - IPv4: dotted decimal without leading zeros, e.g. "192.0.2.5";
 *   - IPv6: RFC 5952 §4 (lowercase hex, no leading zeros, the longest run of
 *     two or more zero groups — the first one on a tie — shortened to "::"),
 *     with the RFC 5952 §5 mixed notation for IPv4-mapped ::ffff:0:0/96,
 *     e.g. "2001:db8::5", "fe80::ff:fe00:1", "::ffff:192.0.2.1".
 */
import type { Family } from "./packet.js";

export const IPV4_BYTES = 4;
export const IPV6_BYTES = 16;

export type ParsedAddress =
  | { readonly ok: true; readonly family: Family; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly error: string };

export function addressLength(family: Family): number {
  return family === 4 ? IPV4_BYTES : IPV6_BYTES;
}

const DECIMAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function fail(error: string): ParsedAddress {
  return { ok: false, error };
}

/** Dotted-quad IPv4, four decimal parts 0..255 without leading zeros (as inet_pton). */
export function parseIPv4(text: string): ParsedAddress {
  const parts = text.split(".");
  if (parts.length !== 4) return fail(`not an IPv4 address: ${JSON.stringify(text)}`);
  const bytes = new Uint8Array(IPV4_BYTES);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? "";
    const value = Number(part);
    if (!DECIMAL_OCTET.test(part) || value > 255) {
      return fail(`not an IPv4 address: ${JSON.stringify(text)} (bad part ${JSON.stringify(part)})`);
    }
    bytes[i] = value;
  }
  return { ok: true, family: 4, bytes };
}

/** Parses one side of a "::" split into 16-bit groups; undefined when malformed. */
function parseGroups(side: string, allowTrailingIPv4: boolean): number[] | undefined {
  if (side === "") return [];
  const pieces = side.split(":");
  const groups: number[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] ?? "";
    const last = i === pieces.length - 1;
    if (last && allowTrailingIPv4 && piece.includes(".")) {
      const v4 = parseIPv4(piece);
      if (!v4.ok) return undefined;
      groups.push((v4.bytes[0]! << 8) | v4.bytes[1]!, (v4.bytes[2]! << 8) | v4.bytes[3]!);
    } else if (HEX_GROUP.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/**
 * IPv6 text (RFC 4291 §2.2): eight hex groups, at most one "::", optionally
 * ending in a dotted IPv4. Zone ids ("%eth0") are rejected: they are not
 * part of the 128-bit address.
 */
export function parseIPv6(text: string): ParsedAddress {
  const bad = (why: string) => fail(`not an IPv6 address: ${JSON.stringify(text)} (${why})`);
  if (text.includes("%")) return bad("zone ids are not allowed");
  const halves = text.split("::");
  if (halves.length > 2) return bad('more than one "::"');
  let groups: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0] ?? "", false);
    const tail = parseGroups(halves[1] ?? "", true);
    if (head === undefined || tail === undefined) return bad("malformed group");
    // "::" stands for at least one zero group (RFC 4291 §2.2, RFC 5952 §4.2.2 when formatting).
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return bad('"::" with eight groups around it');
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (all === undefined) return bad("malformed group");
    if (all.length !== 8) return bad("needs eight groups");
    groups = all;
  }
  const bytes = new Uint8Array(IPV6_BYTES);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return { ok: true, family: 6, bytes };
}

/** Parses text of the given family, or of whichever family it looks like. */
export function parseAddress(text: string, family?: Family): ParsedAddress {
  const guess: Family = family ?? (text.includes(":") ? 6 : 4);
  return guess === 4 ? parseIPv4(text) : parseIPv6(text);
}

function checkRange(bytes: Uint8Array, offset: number, length: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + length > bytes.length) {
    throw new RangeError(`need ${length} address bytes at offset ${offset}, have ${bytes.length}`);
  }
}

/** Formats 4 bytes at `offset` as dotted decimal. Throws RangeError if they are not there. */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  checkRange(bytes, offset, IPV4_BYTES);
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** Formats 16 bytes at `offset` in RFC 5952 canonical form. Throws RangeError if they are not there. */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  checkRange(bytes, offset, IPV6_BYTES);
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!);

  // RFC 5952 §5: IPv4-mapped addresses keep the IPv4 part dotted.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes, offset + 12)}`;
  }

  // RFC 5952 §4.2: find the longest run (>= 2) of zero groups, first on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  // RFC 5952 §4.1 and §4.3: no leading zeros, lowercase.
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(":");
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

export function formatAddress(family: Family, bytes: Uint8Array, offset = 0): string {
  return family === 4 ? formatIPv4(bytes, offset) : formatIPv6(bytes, offset);
}

/** Canonical text of an address, or undefined when the text is not a valid address (of `family`, if given). */
export function canonicalAddress(text: string, family?: Family): string | undefined {
  const parsed = parseAddress(text, family);
  return parsed.ok ? formatAddress(parsed.family, parsed.bytes) : undefined;
}
