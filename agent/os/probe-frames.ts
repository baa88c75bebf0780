/**
 * Duplicate-address probes and the frames that answer them (pure):
 *   - IPv4: ARP probe (RFC 5227 §2.1.1): an ARP request with sender IP
 *     0.0.0.0 (so no neighbour's cache learns anything from it), target
 *     hardware address zero, the address being checked as target IP,
 *     broadcast. A host that has the address replies (Linux: unicast to us).
 *   - IPv6: the duplicate address detection solicitation (RFC 4862 §5.4.2):
 *     a neighbour solicitation from :: to the target's solicited-node group
 *     (RFC 4291 §2.7.1), hop limit 255, no source link-layer option (RFC 4861
 *     §7.1.1). A host that has the address answers with a neighbour
 *     advertisement to all-nodes (RFC 4861 §7.2.4).
 * parseClaim() reads any ARP packet or neighbour advertisement and says which
 * MAC it claims which address for.
 */
import { formatIPv4, formatIPv6 } from "../vrrp/address-bytes.js";
import type { AddressClaim } from "./ports.js";
import {
  ARPHRD_ETHER,
  ARPOP_REPLY,
  ARPOP_REQUEST,
  BROADCAST_MAC,
  ETHERNET_HEADER_LENGTH,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  IPPROTO_ICMPV6,
  ND_HOP_LIMIT,
  ND_NEIGHBOR_ADVERT,
  ND_OPT_TARGET_LINKADDR,
  arpPacket,
  ethernetHeader,
  formatMac,
  icmpv6Checksum,
  icmpv6Packet,
  ipv6Bytes,
  ipv6MulticastMac,
} from "./frames.js";

export const ARP_PROBE_LENGTH = ETHERNET_HEADER_LENGTH + 28;
export const DAD_SOLICIT_LENGTH = ETHERNET_HEADER_LENGTH + 40 + 24;

const UNSPECIFIED = "::";
const ND_NEIGHBOR_SOLICIT = 135;

/** 42-byte ARP probe asking who has `address`. */
export function arpProbe(options: { readonly mac: string; readonly address: string }): Buffer {
  // Sender hardware address ours; sender protocol address 0.0.0.0 and target hardware address zero.
  const arp = arpPacket({ op: ARPOP_REQUEST, senderMac: options.mac, targetIp: options.address });
  return Buffer.concat([ethernetHeader(BROADCAST_MAC, options.mac, ETHERTYPE_ARP), arp]);
}

/** ff02::1:ffXX:XXXX for the low 24 bits of `address` (RFC 4291 §2.7.1). */
export function solicitedNodeGroup(address: string): string {
  const b = ipv6Bytes(address);
  const group = Buffer.from([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, b[13]!, b[14]!, b[15]!]);
  return formatIPv6(group);
}

/** 78-byte DAD neighbour solicitation for `target`, from ::. */
export function dadSolicitation(options: { readonly mac: string; readonly target: string }): Buffer {
  const group = solicitedNodeGroup(options.target);
  const icmp = Buffer.alloc(24);
  icmp[0] = ND_NEIGHBOR_SOLICIT;
  ipv6Bytes(options.target).copy(icmp, 8);
  icmp.writeUInt16BE(icmpv6Checksum(UNSPECIFIED, group, icmp), 2);
  return Buffer.concat([ethernetHeader(ipv6MulticastMac(group), options.mac, ETHERTYPE_IPV6), icmpv6Packet(UNSPECIFIED, group, icmp)]);
}

/** The claim an ARP packet or neighbour advertisement makes, or undefined for anything else (probes claim nothing). */
export function parseClaim(frame: Uint8Array): AddressClaim | undefined {
  if (frame.length < ETHERNET_HEADER_LENGTH) return undefined;
  const type = (frame[12]! << 8) | frame[13]!;
  if (type === ETHERTYPE_ARP) return parseArp(frame);
  if (type === ETHERTYPE_IPV6) return parseNeighbourAdvert(frame);
  return undefined;
}

function parseArp(frame: Uint8Array): AddressClaim | undefined {
  const a = ETHERNET_HEADER_LENGTH;
  if (frame.length < a + 28) return undefined;
  const view = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  if (view.readUInt16BE(a) !== ARPHRD_ETHER || view.readUInt16BE(a + 2) !== ETHERTYPE_IPV4 || view[a + 4] !== 6 || view[a + 5] !== 4)
    return undefined;
  const op = view.readUInt16BE(a + 6);
  if (op !== ARPOP_REQUEST && op !== ARPOP_REPLY) return undefined;
  const address = formatIPv4(view, a + 14);
  if (address === "0.0.0.0") return undefined; // a probe: asks, claims nothing
  return { family: 4, address, mac: formatMac(view, a + 8), via: op === ARPOP_REPLY ? "arp-reply" : "arp-request" };
}

function parseNeighbourAdvert(frame: Uint8Array): AddressClaim | undefined {
  const ip = ETHERNET_HEADER_LENGTH;
  const icmp = ip + 40;
  if (frame.length < icmp + 24) return undefined;
  const view = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  if (view[ip]! >> 4 !== 6 || view[ip + 6] !== IPPROTO_ICMPV6 || view[ip + 7] !== ND_HOP_LIMIT) return undefined; // RFC 4861 §7.1.2
  const length = view.readUInt16BE(ip + 4);
  if (length < 24 || icmp + length > view.length || view[icmp] !== ND_NEIGHBOR_ADVERT || view[icmp + 1] !== 0) return undefined;
  const message = view.subarray(icmp, icmp + length);
  const source = formatIPv6(view, ip + 8);
  const destination = formatIPv6(view, ip + 24);
  if (icmpv6Checksum(source, destination, zeroChecksum(message)) !== message.readUInt16BE(2)) return undefined;
  return { family: 6, address: formatIPv6(message, 8), mac: targetLinkAddress(message) ?? formatMac(view, 6), via: "neighbour-advert" };
}

function zeroChecksum(message: Buffer): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(0, 2);
  return copy;
}

/** The target link-layer address option, if present and well-formed. */
function targetLinkAddress(message: Buffer): string | undefined {
  for (let at = 24; at + 2 <= message.length; ) {
    const units = message[at + 1]!;
    if (units === 0 || at + units * 8 > message.length) return undefined; // RFC 4861 §4.6: zero length is invalid
    if (message[at] === ND_OPT_TARGET_LINKADDR && units === 1) return formatMac(message, at + 2);
    at += units * 8;
  }
  return undefined;
}
