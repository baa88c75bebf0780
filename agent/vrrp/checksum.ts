/**
 * The Internet checksum (RFC 1071) and the pseudo-header sums used by VRRPv3
 * (RFC 5798 §5.2.8 / RFC 9568 §5.2.8: "the pseudo-header as defined in
 * RFC 8200 §8.1 for IPv6, or as for TCP in RFC 793 §3.1 for IPv4").
 *
 * A "sum" here is the 16-bit one's-complement sum of the data, folded but
 * not complemented. Sums of separate pieces are combined by passing one as
 * the `initial` value of the next; this is only correct when every piece but
 * the last has an even length (pseudo-headers are 12 and 40 bytes, so they
 * always go first).
 */
import { IPV4_BYTES, IPV6_BYTES } from "./address-bytes.js";
import { VRRP_PROTOCOL } from "./packet.js";

/** Folds carries back into the low 16 bits (RFC 1071 §4.1). */
function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/**
 * One's-complement sum of `data[start, end)` as big-endian 16-bit words, an
 * odd final byte being padded with a zero low byte (RFC 1071 §1).
 */
export function onesComplementSum(data: Uint8Array, initial = 0, start = 0, end = data.length): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) {
    sum += (data[i]! << 8) | data[i + 1]!;
    // Fold now and then so the accumulator stays an exact integer.
    if (sum > 0x7fffffff) sum = fold(sum);
  }
  if (i < end) sum += data[i]! << 8;
  return fold(sum);
}

/** The value to put in a checksum field: complement of the sum (RFC 1071 §1). */
export function internetChecksum(data: Uint8Array, initial = 0, start = 0, end = data.length): number {
  return ~onesComplementSum(data, initial, start, end) & 0xffff;
}

/** True when data that includes its own checksum field sums to all ones (RFC 1071 §1, verification). */
export function checksumIsValid(data: Uint8Array, initial = 0, start = 0, end = data.length): boolean {
  return onesComplementSum(data, initial, start, end) === 0xffff;
}

function requireLength(what: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) throw new RangeError(`${what} must be ${length} bytes, got ${bytes.length}`);
}

/**
 * Sum of the IPv4 pseudo-header (RFC 793 §3.1): source, destination, a zero
 * byte, protocol 112, and the 16-bit VRRP message length.
 */
export function pseudoHeaderSumV4(source: Uint8Array, destination: Uint8Array, length: number): number {
  requireLength("IPv4 source", source, IPV4_BYTES);
  requireLength("IPv4 destination", destination, IPV4_BYTES);
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw new RangeError(`bad length ${length}`);
  let sum = onesComplementSum(source);
  sum = onesComplementSum(destination, sum);
  return fold(sum + VRRP_PROTOCOL + length);
}

/**
 * Sum of the IPv6 pseudo-header (RFC 8200 §8.1): source, destination, the
 * 32-bit upper-layer length, three zero bytes, next header 112.
 */
export function pseudoHeaderSumV6(source: Uint8Array, destination: Uint8Array, length: number): number {
  requireLength("IPv6 source", source, IPV6_BYTES);
  requireLength("IPv6 destination", destination, IPV6_BYTES);
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) throw new RangeError(`bad length ${length}`);
  let sum = onesComplementSum(source);
  sum = onesComplementSum(destination, sum);
  return fold(sum + Math.floor(length / 0x10000) + (length & 0xffff) + VRRP_PROTOCOL);
}
