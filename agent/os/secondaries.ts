/**
 * IPv4 keeps one primary address per subnet on an interface; later addresses
 * in the same subnet (same prefix length) are its secondaries. Deleting the
 * primary makes the kernel delete those secondaries with it, unless
 * net.ipv4.conf.IF.promote_secondaries is 1. A VIP can be such a primary
 * (the first address in its subnet on the interface) and an operator may add
 * an address in that subnet afterwards: releasing the VIP must not take that
 * address along. Pure: which addresses go with a deleted one.
 */
import type { VirtualAddress } from "../config/types.js";
import { parseAddress } from "../vrrp/address-bytes.js";

/** An address as an interface dump reports it (a subset of KernelAddress). */
export interface DumpedAddress {
  readonly address: string;
  readonly family: 4 | 6;
  readonly prefixLength: number;
  readonly label: string | undefined;
  readonly flags: { readonly secondary?: boolean };
}

/** The addresses the kernel deletes along with `removed` (none unless it is a primary with secondaries). */
export function deletedWith(addresses: readonly DumpedAddress[], removed: VirtualAddress): DumpedAddress[] {
  if (removed.family !== 4 || removed.prefixLength >= 32) return [];
  const self = addresses.find((a) => a.family === 4 && a.address === removed.address && a.prefixLength === removed.prefixLength);
  if (self === undefined || self.flags.secondary === true) return [];
  const net = network(removed.address, removed.prefixLength);
  return addresses.filter(
    (a) =>
      a !== self &&
      a.family === 4 &&
      a.prefixLength === removed.prefixLength &&
      a.flags.secondary === true &&
      network(a.address, a.prefixLength) === net,
  );
}

function network(address: string, prefixLength: number): number {
  const parsed = parseAddress(address, 4);
  if (!parsed.ok) return NaN;
  const value = ((parsed.bytes[0]! << 24) | (parsed.bytes[1]! << 16) | (parsed.bytes[2]! << 8) | parsed.bytes[3]!) >>> 0;
  return prefixLength === 0 ? 0 : (value & (~0 << (32 - prefixLength))) >>> 0;
}

/**
 * Which of the addresses deleted along with a primary to put back: those
 * the kernel really deleted (not in `left`: a promoted one stays) and that
 * no one has released. An address someone else added (an operator's) is
 * restored; a VIP that its own instance released meanwhile (two instances
 * leaving master together) is not, whatever order the two removals ran in.
 */
export function toRestore(
  along: readonly DumpedAddress[],
  left: readonly DumpedAddress[],
  released: (address: DumpedAddress) => boolean,
): DumpedAddress[] {
  return along.filter((a) => !left.some((l) => l.address === a.address && l.prefixLength === a.prefixLength) && !released(a));
}
