/**
 * VRRP advertisement codec: Advert <-> bytes of the VRRP message (the IP
 * payload; IP headers are the socket layer's business). Pure, no I/O.
 *
 * Wire formats
 *   VRRPv2, RFC 3768 §5.1 (IPv4 only):
 *     0 version<<4|type  1 VRID  2 priority  3 count  4 auth type  5 Adver Int (s)
 *     6-7 checksum  8.. count × 4 address bytes, then 8 bytes of authentication data.
 *   VRRPv3, RFC 5798 §5.1 / RFC 9568 §5.1 (IPv4 and IPv6):
 *     0 version<<4|type  1 VRID  2 priority  3 count  4-5 4 reserved bits + 12-bit
 *     Max Adver Int (cs)  6-7 checksum  8.. count × 4 or 16 address bytes.
 *
 * Checksums
 *   v2: over the VRRP message only (RFC 3768 §5.3.8), auth data included.
 *   v3: over the message plus the IPv4/IPv6 pseudo-header (RFC 5798 §5.2.8).
 *   We transmit v3/IPv4 with the pseudo-header (what keepalived 2.2 and FRR
 *   do; RFC 9568 §5.2.8 says so explicitly) and on receipt accept a v3/IPv4
 *   checksum computed with or without it, because RFC 5798 was read both
 *   ways and some older implementations leave it out for IPv4.
 *
 * Length
 *   keepalived 2.2 (vrrp_check_packet) drops a packet whose length is not
 *   exactly what the header announces, too long as well as too short, and
 *   counts both as a packet length error. We do the same, reporting both as
 *   "truncated" (the DropReason for length errors).
 */
import { addressLength, formatAddress, parseAddress } from "./address-bytes.js";
import { checksumIsValid, internetChecksum, pseudoHeaderSumV4, pseudoHeaderSumV6 } from "./checksum.js";
import type { Advert, DecodeResult, DropReason, Family, PacketAddressing, VrrpVersion } from "./packet.js";

/** Fixed part common to v2 and v3 (RFC 3768 §5.1, RFC 5798 §5.1). */
export const VRRP_HEADER_LENGTH = 8;
/** RFC 3768 §5.3.10: the v2 authentication data field is always 8 bytes. */
export const VRRP_V2_AUTH_LENGTH = 8;
/** RFC 3768 §5.3.2 / RFC 5798 §5.2.2: the only defined type. */
export const VRRP_TYPE_ADVERTISEMENT = 1;
/** RFC 3768 §5.3.6 authentication types (2, IP Authentication Header, is not carried here). */
export const VRRP_AUTH_NONE = 0;
export const VRRP_AUTH_SIMPLE_TEXT = 1;
export const VRRP_MAX_ADDRESSES = 255;
/** v2 Adver Int is an 8-bit count of seconds; v3 Max Adver Int a 12-bit count of centiseconds. */
export const VRRP_V2_MAX_INTERVAL_S = 0xff;
export const VRRP_V3_MAX_INTERVAL_CS = 0x0fff;

const CHECKSUM_OFFSET = 6;

export interface DecodeInput {
  readonly family: Family;
  /** The VRRP message: the IPv4 payload after the IP header, or the IPv6 payload. */
  readonly payload: Buffer;
  /** IP source and destination, canonical text; used for the v3 pseudo-header. */
  readonly source: string;
  readonly destination: string;
}

/** Exact length of a VRRP message with `count` addresses. */
export function vrrpMessageLength(version: VrrpVersion, family: Family, count: number): number {
  return VRRP_HEADER_LENGTH + count * addressLength(family) + (version === 2 ? VRRP_V2_AUTH_LENGTH : 0);
}

// ---------------------------------------------------------------------------
// Encoding: bad input is a programming error, reported with a RangeError.

function requireInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${value}`);
  }
}

function parseOrThrow(what: string, text: string, family: Family): Uint8Array {
  const parsed = parseAddress(text, family);
  if (!parsed.ok) throw new RangeError(`${what}: ${parsed.error}`);
  return parsed.bytes;
}

/** The 8 v2 authentication bytes (RFC 3768 §5.3.10): the password NUL-padded, or zeros. */
function authData(advert: Advert, authType: number): Buffer {
  const data = Buffer.alloc(VRRP_V2_AUTH_LENGTH);
  if (authType === VRRP_AUTH_SIMPLE_TEXT) {
    const password = advert.password ?? new Uint8Array(0);
    if (password.length > VRRP_V2_AUTH_LENGTH) {
      throw new RangeError(`password is ${password.length} bytes; at most ${VRRP_V2_AUTH_LENGTH} fit (RFC 3768 §5.3.10)`);
    }
    data.set(password);
  } else if (advert.password !== undefined) {
    throw new RangeError(`a password needs authType ${VRRP_AUTH_SIMPLE_TEXT}, got authType ${authType}`);
  }
  return data;
}

/** Interval field value: seconds for v2 (RFC 3768 §5.3.7), centiseconds for v3 (RFC 5798 §5.2.5). */
function intervalField(advert: Advert): number {
  const ms = advert.advertIntervalMs;
  if (advert.version === 2) {
    if (ms % 1000 !== 0) throw new RangeError(`VRRPv2 interval must be whole seconds, got ${ms} ms`);
    requireInt("VRRPv2 advert interval (s)", ms / 1000, 1, VRRP_V2_MAX_INTERVAL_S);
    return ms / 1000;
  }
  if (ms % 10 !== 0) throw new RangeError(`VRRPv3 interval must be whole centiseconds, got ${ms} ms`);
  requireInt("VRRPv3 advert interval (cs)", ms / 10, 1, VRRP_V3_MAX_INTERVAL_CS);
  return ms / 10;
}

/**
 * Encodes an advertisement. `addressing` is the IP source and destination the
 * packet will carry; v3 needs them for the pseudo-header, v2 ignores them.
 * Throws RangeError for values that cannot be encoded.
 */
export function encodeAdvert(advert: Advert, addressing: PacketAddressing): Buffer {
  const { version, family } = advert;
  if (version !== 2 && version !== 3) throw new RangeError(`VRRP version must be 2 or 3, got ${String(version)}`);
  if (family !== 4 && family !== 6) throw new RangeError(`family must be 4 or 6, got ${String(family)}`);
  if (version === 2 && family === 6) throw new RangeError("VRRPv2 is IPv4 only (RFC 3768 §1)");
  requireInt("virtualRouterId", advert.virtualRouterId, 1, 255);
  requireInt("priority", advert.priority, 0, 255);
  const count = advert.addresses.length;
  if (count > VRRP_MAX_ADDRESSES) throw new RangeError(`at most ${VRRP_MAX_ADDRESSES} addresses fit, got ${count}`);
  const interval = intervalField(advert);
  const addresses = advert.addresses.map((text, i) => parseOrThrow(`addresses[${i}]`, text, family));

  let authType = 0;
  let auth: Buffer | undefined;
  if (version === 2) {
    authType = advert.authType ?? VRRP_AUTH_NONE;
    if (authType !== VRRP_AUTH_NONE && authType !== VRRP_AUTH_SIMPLE_TEXT) {
      throw new RangeError(`authType must be ${VRRP_AUTH_NONE} or ${VRRP_AUTH_SIMPLE_TEXT}, got ${authType}`);
    }
    auth = authData(advert, authType);
  } else if ((advert.authType ?? 0) !== 0 || advert.password !== undefined) {
    throw new RangeError("VRRPv3 has no authentication (RFC 5798 §9)");
  }

  // Pseudo-header addresses are validated before allocating the packet.
  let pseudoSum = 0;
  const length = vrrpMessageLength(version, family, count);
  if (version === 3) {
    const source = parseOrThrow("addressing.source", addressing.source, family);
    const destination = parseOrThrow("addressing.destination", addressing.destination, family);
    pseudoSum = family === 4 ? pseudoHeaderSumV4(source, destination, length) : pseudoHeaderSumV6(source, destination, length);
  }

  const packet = Buffer.alloc(length);
  packet[0] = (version << 4) | VRRP_TYPE_ADVERTISEMENT;
  packet[1] = advert.virtualRouterId;
  packet[2] = advert.priority;
  packet[3] = count;
  if (version === 2) {
    packet[4] = authType;
    packet[5] = interval;
  } else {
    packet.writeUInt16BE(interval, 4); // reserved high 4 bits stay zero
  }
  let offset = VRRP_HEADER_LENGTH;
  for (const bytes of addresses) {
    packet.set(bytes, offset);
    offset += bytes.length;
  }
  if (auth !== undefined) packet.set(auth, offset);
  packet.writeUInt16BE(internetChecksum(packet, pseudoSum), CHECKSUM_OFFSET);
  return packet;
}

// ---------------------------------------------------------------------------
// Decoding: never throws; bad input yields { ok: false, reason, detail }.

function drop(reason: DropReason, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

/** v3 checksum check (RFC 5798 §5.2.8); undefined when valid, else the detail of the drop. */
function v3ChecksumProblem(input: DecodeInput, length: number): string | undefined {
  const { family, payload } = input;
  const source = parseAddress(input.source, family);
  const destination = parseAddress(input.destination, family);
  if (source.ok && destination.ok) {
    const pseudo =
      family === 4
        ? pseudoHeaderSumV4(source.bytes, destination.bytes, length)
        : pseudoHeaderSumV6(source.bytes, destination.bytes, length);
    if (checksumIsValid(payload, pseudo, 0, length)) return undefined;
  }
  // IPv4 only: also accept the form without pseudo-header.
  if (family === 4 && checksumIsValid(payload, 0, 0, length)) return undefined;
  if (!source.ok) return `cannot build the pseudo-header: ${source.error}`;
  if (!destination.ok) return `cannot build the pseudo-header: ${destination.error}`;
  return `VRRPv3 checksum 0x${payload.readUInt16BE(CHECKSUM_OFFSET).toString(16).padStart(4, "0")} is wrong`;
}

/** v2 password: a copy of the auth bytes without trailing NULs (keepalived NUL-pads `auth_pass`). */
function passwordBytes(payload: Buffer, start: number): Buffer {
  return withoutTrailingNuls(Buffer.from(payload.subarray(start, start + VRRP_V2_AUTH_LENGTH)));
}

/** `bytes` without its trailing NULs: the form an advert's password takes (shares memory with `bytes`). */
export function withoutTrailingNuls(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}

/**
 * The VRID of a VRRP message without decoding it: byte 1 in v2 and v3 (RFC 3768 §5.1, RFC 5798
 * §5.1); undefined when the message is too short to carry one. Only for finding the router a packet
 * is for: nothing may act on it before the router has decoded the message or found it byte-identical
 * to one it decoded and accepted (receive-checks.ts, the repeat rule).
 */
export function peekVrid(payload: Uint8Array): number | undefined {
  return payload.length > 1 ? payload[1] : undefined;
}

/** Decodes the VRRP message in `input.payload`. Never throws. */
export function decodeAdvert(input: DecodeInput): DecodeResult {
  const { family, payload } = input;
  if (payload.length < VRRP_HEADER_LENGTH) {
    return drop("truncated", `${payload.length} bytes, shorter than the ${VRRP_HEADER_LENGTH}-byte VRRP header`);
  }
  const first = payload[0]!;
  const version = first >> 4;
  if (version !== 2 && version !== 3) return drop("bad-version", `version ${version}`);
  if (version === 2 && family === 6) return drop("bad-version", "VRRPv2 over IPv6");
  const type = first & 0x0f;
  if (type !== VRRP_TYPE_ADVERTISEMENT) return drop("bad-type", `type ${type}`);

  const count = payload[3]!;
  const length = vrrpMessageLength(version, family, count);
  if (payload.length !== length) {
    const how = payload.length < length ? "short" : "long";
    return drop("truncated", `too ${how}: ${payload.length} bytes, header announces ${count} addresses = ${length} bytes`);
  }

  if (version === 2) {
    // RFC 3768 §5.3.8: no pseudo-header.
    if (!checksumIsValid(payload, 0, 0, length)) {
      const field = payload.readUInt16BE(CHECKSUM_OFFSET).toString(16).padStart(4, "0");
      return drop("bad-checksum", `VRRPv2 checksum 0x${field} is wrong`);
    }
  } else {
    const problem = v3ChecksumProblem(input, length);
    if (problem !== undefined) return drop("bad-checksum", problem);
  }

  const size = addressLength(family);
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) addresses.push(formatAddress(family, payload, VRRP_HEADER_LENGTH + i * size));

  const common = {
    version,
    family,
    virtualRouterId: payload[1]!,
    priority: payload[2]!,
    addresses,
  } as const;
  if (version === 2) {
    const authType = payload[4]!;
    const advert: Advert = {
      ...common,
      advertIntervalMs: payload[5]! * 1000,
      authType,
      ...(authType === VRRP_AUTH_SIMPLE_TEXT ? { password: passwordBytes(payload, VRRP_HEADER_LENGTH + count * size) } : {}),
    };
    return { ok: true, advert };
  }
  // RFC 5798 §5.2.5: the 4 reserved bits are ignored on receipt.
  const centiseconds = payload.readUInt16BE(4) & VRRP_V3_MAX_INTERVAL_CS;
  return { ok: true, advert: { ...common, advertIntervalMs: centiseconds * 10 } };
}
