/**
 * Ethernet frames announcing a virtual address, built as pure functions:
 *   - IPv4: gratuitous ARP request (RFC 826 layout, RFC 5227 §3 / RFC 5944
 *     §4.6 use): sender = target = the VIP, Ethernet broadcast, the
 *     interface's MAC as Ethernet source and sender hardware address, target
 *     hardware address ff:ff:ff:ff:ff:ff (as keepalived sends it);
 *   - IPv6: unsolicited neighbour advertisement (RFC 4861 §4.4, §7.2.6) to
 *     all-nodes ff02::1 from the link-local address, Override set,
 *     Solicited clear, hop limit 255, with a target link-layer address option.
 * Frames are not padded to the 60-byte Ethernet minimum: drivers do that, as
 * for the kernel's own ARP packets.
 */
import { parseIPv4, parseIPv6 } from "../vrrp/address-bytes.js";
import { internetChecksum } from "../vrrp/checksum.js";

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERNET_HEADER_LENGTH = 14;
export const ARP_FRAME_LENGTH = ETHERNET_HEADER_LENGTH + 28;
export const NA_FRAME_LENGTH = ETHERNET_HEADER_LENGTH + 40 + 32;

export const BROADCAST_MAC = "ff:ff:ff:ff:ff:ff";
const ALL_NODES = "ff02::1";
export const ARPHRD_ETHER = 1;
export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;
export const IPPROTO_ICMPV6 = 58;
export const ND_NEIGHBOR_ADVERT = 136;
export const ND_OPT_TARGET_LINKADDR = 2;
const NA_FLAG_ROUTER = 0x80;
const NA_FLAG_OVERRIDE = 0x20;
/** Neighbour discovery is sent and accepted with hop limit 255 only (RFC 4861 §7.1). */
export const ND_HOP_LIMIT = 255;

/** "aa:bb:cc:dd:ee:ff" (or with "-") to 6 bytes; throws TypeError otherwise. */
export function parseMac(text: string): Buffer {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) {
    throw new TypeError(`not a MAC address: ${JSON.stringify(text)}`);
  }
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export function formatMac(bytes: Uint8Array, offset = 0): string {
  return [...bytes.subarray(offset, offset + 6)].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** The 4 bytes of an IPv4 address; throws TypeError for anything else. */
export function ipv4Bytes(text: string): Buffer {
  const parsed = parseIPv4(text);
  if (!parsed.ok) throw new TypeError(parsed.error);
  return Buffer.from(parsed.bytes);
}

/** The 16 bytes of an IPv6 address; throws TypeError for anything else. */
export function ipv6Bytes(text: string): Buffer {
  const parsed = parseIPv6(text);
  if (!parsed.ok) throw new TypeError(parsed.error);
  return Buffer.from(parsed.bytes);
}

/** RFC 2464 §7: 33:33 followed by the last four bytes of the IPv6 multicast address. */
export function ipv6MulticastMac(group: string): string {
  const bytes = ipv6Bytes(group);
  if (bytes[0] !== 0xff) throw new TypeError(`not an IPv6 multicast address: ${group}`);
  return formatMac(Buffer.concat([Buffer.from([0x33, 0x33]), bytes.subarray(12)]));
}

export function ethernetHeader(destination: string, source: string, ethertype: number): Buffer {
  const header = Buffer.alloc(ETHERNET_HEADER_LENGTH);
  parseMac(destination).copy(header, 0);
  parseMac(source).copy(header, 6);
  header.writeUInt16BE(ethertype, 12);
  return header;
}

export interface GratuitousArpOptions {
  /** The interface's MAC address. */
  readonly mac: string;
  /** The virtual IPv4 address being announced. */
  readonly address: string;
}

/** 42-byte Ethernet frame carrying a gratuitous ARP request for `address`. */
export function gratuitousArp(options: GratuitousArpOptions): Buffer {
  const arp = arpPacket({
    op: ARPOP_REQUEST,
    senderMac: options.mac,
    senderIp: options.address,
    targetMac: BROADCAST_MAC,
    targetIp: options.address,
  });
  return Buffer.concat([ethernetHeader(BROADCAST_MAC, options.mac, ETHERTYPE_ARP), arp]);
}

export interface ArpFields {
  readonly op: number;
  readonly senderMac: string;
  /** Absent: 0.0.0.0. */
  readonly senderIp?: string;
  /** Absent: all zero. */
  readonly targetMac?: string;
  readonly targetIp: string;
}

/** The 28-byte ARP packet (RFC 826) for Ethernet and IPv4. */
export function arpPacket(fields: ArpFields): Buffer {
  const arp = Buffer.alloc(28);
  arp.writeUInt16BE(ARPHRD_ETHER, 0); // hardware type
  arp.writeUInt16BE(ETHERTYPE_IPV4, 2); // protocol type
  arp[4] = 6; // hardware address length
  arp[5] = 4; // protocol address length
  arp.writeUInt16BE(fields.op, 6);
  parseMac(fields.senderMac).copy(arp, 8); // sender hardware address
  if (fields.senderIp !== undefined) ipv4Bytes(fields.senderIp).copy(arp, 14); // sender protocol address
  if (fields.targetMac !== undefined) parseMac(fields.targetMac).copy(arp, 18); // target hardware address
  ipv4Bytes(fields.targetIp).copy(arp, 24); // target protocol address
  return arp;
}

/** An IPv6 header (RFC 8200 §3) carrying `icmp`, hop limit 255, followed by the message. */
export function icmpv6Packet(source: string, destination: string, icmp: Buffer): Buffer {
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x60000000, 0); // version 6, traffic class 0, flow label 0
  ip.writeUInt16BE(icmp.length, 4); // payload length
  ip[6] = IPPROTO_ICMPV6; // next header
  ip[7] = ND_HOP_LIMIT;
  ipv6Bytes(source).copy(ip, 8);
  ipv6Bytes(destination).copy(ip, 24);
  return Buffer.concat([ip, icmp]);
}

/** ICMPv6 checksum over the RFC 8200 §8.1 pseudo-header and the message (checksum field zero). */
export function icmpv6Checksum(source: string, destination: string, message: Uint8Array): number {
  const pseudo = Buffer.alloc(40);
  ipv6Bytes(source).copy(pseudo, 0);
  ipv6Bytes(destination).copy(pseudo, 16);
  pseudo.writeUInt32BE(message.length, 32);
  pseudo[39] = IPPROTO_ICMPV6;
  return internetChecksum(Buffer.concat([pseudo, message]));
}

export interface NeighbourAdvertOptions {
  /** The interface's MAC address (Ethernet source and target link-layer address option). */
  readonly mac: string;
  /** IPv6 source: the interface's link-local address. */
  readonly source: string;
  /** The virtual IPv6 address being announced. */
  readonly target: string;
  /** Router flag (keepalived sets it when IPv6 forwarding is on for the interface). Default false. */
  readonly router?: boolean;
}

/** 86-byte Ethernet frame carrying an unsolicited neighbour advertisement for `target`. */
export function unsolicitedNeighbourAdvert(options: NeighbourAdvertOptions): Buffer {
  const icmp = Buffer.alloc(32);
  icmp[0] = ND_NEIGHBOR_ADVERT;
  icmp[1] = 0; // code
  icmp[4] = NA_FLAG_OVERRIDE | (options.router === true ? NA_FLAG_ROUTER : 0); // Solicited stays clear
  ipv6Bytes(options.target).copy(icmp, 8);
  icmp[24] = ND_OPT_TARGET_LINKADDR;
  icmp[25] = 1; // option length in units of 8 bytes
  parseMac(options.mac).copy(icmp, 26);
  icmp.writeUInt16BE(icmpv6Checksum(options.source, ALL_NODES, icmp), 2);
  return Buffer.concat([
    ethernetHeader(ipv6MulticastMac(ALL_NODES), options.mac, ETHERTYPE_IPV6),
    icmpv6Packet(options.source, ALL_NODES, icmp),
  ]);
}
