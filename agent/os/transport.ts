/**
 * VRRP transports: one raw IP protocol 112 socket per interface and family.
 *
 * IPv4 uses raw-socket with IP_HDRINCL (we write the IP header, so TTL 255
 * and the source address are ours to set), SO_BINDTODEVICE, IP_MULTICAST_LOOP
 * off and IP_ADD_MEMBERSHIP (struct ip_mreqn) for 224.0.0.18. IPv6 uses the
 * floatip_net addon (recvmsg with hop limit / pktinfo, IPV6_PKTINFO sends),
 * which raw-socket cannot do.
 *
 * One transport serves every VRRP instance of its interface and family:
 * onPacket may be called several times and every handler sees every packet.
 */
import { createRequire } from "node:module";
import { isIPv4, isIPv6 } from "node:net";
import { endianness } from "node:os";
import { getSystemErrorMap } from "node:util";
import type { Family } from "../config/types.js";
import { canonicalAddress, formatIPv4, parseIPv4 } from "../vrrp/address-bytes.js";
import type {
  AddressTable,
  InterfaceAddress,
  ReceivedPacket,
  TransportFactory,
  TransportOptions,
  VrrpTransport,
} from "./ports.js";

import { VRRP_MULTICAST_V4 as MULTICAST_V4, VRRP_PROTOCOL, VRRP_TTL as TTL } from "../vrrp/packet.js";

/** IPTOS_PREC_INTERNETCONTROL, as keepalived sends adverts. */
const TOS_INTERNETCONTROL = 0xc0;

// Linux socket option numbers raw-socket does not export.
const SOL_SOCKET = 1;
const SO_BINDTODEVICE = 25;
const IPPROTO_IP = 0;
const IP_HDRINCL = 3;
const IP_MULTICAST_IF = 32;
const IP_MULTICAST_LOOP = 34;
const IP_ADD_MEMBERSHIP = 35;

/** The floatip_net addon (agent/native/floatip_net.c). */
export interface NativeVrrp6Socket {
  readonly ifindex: number;
  /** Throws an Error with code/errno/syscall on failure. */
  send(payload: Buffer, destination: string, source: string): number;
  close(): void;
}
export interface NativePacketSocket {
  /** Sends a whole Ethernet frame (header included) out of ifindex. */
  send(ifindex: number, frame: Buffer): number;
  close(): void;
}
export interface FloatipNet {
  openVrrp6(
    ifname: string,
    join: boolean,
    onPacket: (payload: Buffer, source: string, destination: string, hopLimit: number, ifindex: number) => void,
    onError: (error: Error) => void,
  ): NativeVrrp6Socket;
  openPacketSocket(): NativePacketSocket;
}

/** Loads build/Release/floatip_net.node (relative to dist/agent/os/). */
export function loadFloatipNet(): FloatipNet {
  const require = createRequire(import.meta.url);
  return require("../../../build/Release/floatip_net.node") as FloatipNet;
}

// The part of raw-socket@1.8.1 used here (it ships no type declarations).
interface RawSocket {
  on(event: "message", listener: (buffer: Buffer, source: string) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  setOption(level: number, option: number, value: number): void;
  setOption(level: number, option: number, value: Buffer, length: number): void;
  send(buffer: Buffer, offset: number, length: number, address: string, callback: (error: Error | null, bytes: number) => void): this;
  close(): this;
}
interface RawSocketModule {
  createSocket(options: { protocol: number; addressFamily: number; bufferSize?: number }): RawSocket;
  AddressFamily: { IPv4: number };
}

function loadRawSocket(): RawSocketModule {
  const require = createRequire(import.meta.url);
  return require("raw-socket") as RawSocketModule;
}

/** Opening or using a VRRP socket failed. */
export class TransportError extends Error {
  override readonly name: string = "TransportError";
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = options.code ?? errorCode(options.cause);
  }
}

/** No address to send adverts from: the interface has no IPv4 / link-local IPv6 address and none was configured. */
export class NoSourceAddressError extends TransportError {
  override readonly name = "NoSourceAddressError";
}

/**
 * The errno name of an error: its `code`, or for raw-socket's bare strerror()
 * messages ("Network is down") the libuv name whose message matches, if any.
 */
function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  if (!(error instanceof Error)) return undefined;
  const text = error.message.toLowerCase();
  for (const [name, message] of getSystemErrorMap().values()) if (message === text) return name;
  return undefined;
}

export interface TransportFactoryOptions {
  /** Used to find the interface index and the default source address. */
  readonly addresses: AddressTable;
  /** The addon; default: loadFloatipNet(). */
  readonly native?: FloatipNet;
}

export class SystemTransportFactory implements TransportFactory {
  constructor(private readonly options: TransportFactoryOptions) {}

  async open(options: TransportOptions): Promise<VrrpTransport> {
    const link = await this.options.addresses.link(options.interface);
    const sourceAddress =
      options.source === undefined ? defaultSource(link.addresses, options.family, options.interface) : canonical(options.source, options.family);
    const common = { ifname: options.interface, ifindex: link.index, sourceAddress, multicast: options.multicast };
    try {
      return options.family === 4 ? openIpv4(common) : openIpv6(common, this.options.native ?? loadFloatipNet());
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new TransportError(`cannot open the IPv${options.family} VRRP socket on ${options.interface}: ${why}`, {
        cause: error,
      });
    }
  }
}

export function createTransportFactory(options: TransportFactoryOptions): TransportFactory {
  return new SystemTransportFactory(options);
}

/** The interface's first IPv4 address, or its (first) IPv6 link-local address. */
export function defaultSource(addresses: readonly InterfaceAddress[], family: Family, ifname: string): string {
  const found =
    family === 4
      ? addresses.find((a) => a.family === 4)
      : addresses.find((a) => a.family === 6 && /^fe[89ab][0-9a-f]:/i.test(a.address));
  if (found === undefined) {
    const what = family === 4 ? "IPv4 address" : "IPv6 link-local address";
    throw new NoSourceAddressError(`interface ${ifname} has no ${what} to send VRRP adverts from`);
  }
  return found.address;
}

function checkAddress(address: string, family: Family, what: string): void {
  if (family === 4 ? !isIPv4(address) : !isIPv6(address)) {
    throw new TypeError(`${what} address ${JSON.stringify(address)} is not an IPv${family} address`);
  }
}

/** The canonical text of a configured source address (what received packets will show). */
function canonical(address: string, family: Family): string {
  const text = canonicalAddress(address, family);
  if (text === undefined) throw new TypeError(`source address ${JSON.stringify(address)} is not an IPv${family} address`);
  return text;
}

interface OpenParams {
  readonly ifname: string;
  readonly ifindex: number;
  readonly sourceAddress: string;
  readonly multicast: boolean;
}

/** Handler lists and the shared VrrpTransport surface. */
abstract class BaseTransport implements VrrpTransport {
  private readonly packetHandlers: ((packet: ReceivedPacket) => void)[] = [];
  private readonly errorHandlers: ((error: Error) => void)[] = [];
  protected closed = false;

  constructor(readonly sourceAddress: string, readonly ifindex: number, protected readonly ifname: string) {}

  abstract send(payload: Buffer, destination: string): void;
  protected abstract closeSocket(): void;

  onPacket(handler: (packet: ReceivedPacket) => void): void {
    this.packetHandlers.push(handler);
  }

  onError(handler: (error: Error) => void): void {
    this.errorHandlers.push(handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeSocket();
  }

  /**
   * A throwing handler is a bug in the caller, not a socket error: it is
   * rethrown as an uncaught exception (raw-socket would otherwise catch it
   * and report it as a socket 'error'), and the other handlers still run.
   */
  protected deliver(packet: ReceivedPacket): void {
    if (this.closed) return;
    for (const handler of this.packetHandlers) {
      try {
        handler(packet);
      } catch (error) {
        process.nextTick(() => {
          throw error;
        });
      }
    }
  }

  protected fail(error: unknown, what: string): void {
    if (this.closed) return;
    const wrapped = new TransportError(`${what} on ${this.ifname}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
    if (this.errorHandlers.length === 0) throw wrapped;
    for (const handler of this.errorHandlers) handler(wrapped);
  }
}

class Ipv4Transport extends BaseTransport {
  private readonly source: Buffer;

  constructor(private readonly socket: RawSocket, params: OpenParams) {
    super(params.sourceAddress, params.ifindex, params.ifname);
    this.source = ipv4Bytes(params.sourceAddress);
    socket.on("message", (buffer) => this.receive(buffer));
    socket.on("error", (error) => this.fail(error, "IPv4 VRRP socket error"));
  }

  send(payload: Buffer, destination: string): void {
    checkAddress(destination, 4, "destination");
    if (this.closed) throw new TransportError(`IPv4 VRRP socket on ${this.ifname} is closed`);
    const packet = Buffer.concat([ipv4Header(this.source, ipv4Bytes(destination), payload.length), payload]);
    this.socket.send(packet, 0, packet.length, destination, (error) => {
      if (error) this.fail(error, `sending to ${destination}`);
    });
  }

  protected closeSocket(): void {
    this.socket.close();
  }

  /** raw-socket hands out a view of its shared receive buffer: copy before the next read. */
  private receive(buffer: Buffer): void {
    if (buffer.length < 20 || buffer[0]! >> 4 !== 4) return;
    const headerLength = (buffer[0]! & 0x0f) * 4;
    const totalLength = Math.min(buffer.readUInt16BE(2) || buffer.length, buffer.length);
    if (headerLength < 20 || totalLength < headerLength || buffer[9] !== VRRP_PROTOCOL) return;
    this.deliver({
      family: 4,
      payload: Buffer.from(buffer.subarray(headerLength, totalLength)),
      source: formatIPv4(buffer, 12),
      destination: formatIPv4(buffer, 16),
      ttl: buffer[8]!,
      ifindex: this.ifindex,
    });
  }
}

function openIpv4(params: OpenParams): VrrpTransport {
  const raw = loadRawSocket();
  const socket = raw.createSocket({ protocol: VRRP_PROTOCOL, addressFamily: raw.AddressFamily.IPv4 });
  try {
    const device = Buffer.from(`${params.ifname}\0`);
    socket.setOption(SOL_SOCKET, SO_BINDTODEVICE, device, device.length);
    socket.setOption(IPPROTO_IP, IP_HDRINCL, 1);
    socket.setOption(IPPROTO_IP, IP_MULTICAST_LOOP, 0);
    const mreqn = ipMreqn("0.0.0.0", params.ifindex);
    socket.setOption(IPPROTO_IP, IP_MULTICAST_IF, mreqn, mreqn.length);
    if (params.multicast) {
      const join = ipMreqn(MULTICAST_V4, params.ifindex);
      socket.setOption(IPPROTO_IP, IP_ADD_MEMBERSHIP, join, join.length);
    }
  } catch (error) {
    socket.close();
    throw error;
  }
  return new Ipv4Transport(socket, params);
}

class Ipv6Transport extends BaseTransport {
  private socket: NativeVrrp6Socket | undefined;

  constructor(params: OpenParams) {
    super(params.sourceAddress, params.ifindex, params.ifname);
  }

  attach(socket: NativeVrrp6Socket): this {
    this.socket = socket;
    return this;
  }

  receive(payload: Buffer, source: string, destination: string, hopLimit: number, ifindex: number): void {
    this.deliver({ family: 6, payload, source, destination, ttl: hopLimit, ifindex });
  }

  socketError(error: Error): void {
    this.fail(error, "IPv6 VRRP socket error");
  }

  send(payload: Buffer, destination: string): void {
    checkAddress(destination, 6, "destination");
    if (this.closed || this.socket === undefined) throw new TransportError(`IPv6 VRRP socket on ${this.ifname} is closed`);
    try {
      this.socket.send(payload, destination, this.sourceAddress);
    } catch (error) {
      // Same contract as IPv4: I/O errors go to onError handlers, asynchronously.
      process.nextTick(() => this.fail(error, `sending to ${destination}`));
    }
  }

  protected closeSocket(): void {
    this.socket?.close();
  }
}

function openIpv6(params: OpenParams, native: FloatipNet): VrrpTransport {
  const transport = new Ipv6Transport(params);
  const socket = native.openVrrp6(
    params.ifname,
    params.multicast,
    (payload, source, destination, hopLimit, ifindex) => transport.receive(payload, source, destination, hopLimit, ifindex),
    (error) => transport.socketError(error),
  );
  return transport.attach(socket);
}

/** 20-byte IPv4 header; the kernel fills in total length, ID and checksum (IP_HDRINCL). */
function ipv4Header(source: Buffer, destination: Buffer, payloadLength: number, ttl = TTL): Buffer {
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header[1] = TOS_INTERNETCONTROL;
  header.writeUInt16BE(20 + payloadLength, 2);
  header[8] = ttl;
  header[9] = VRRP_PROTOCOL;
  source.copy(header, 12);
  destination.copy(header, 16);
  return header;
}

/** struct ip_mreqn { in_addr imr_multiaddr; in_addr imr_address; int imr_ifindex; } */
function ipMreqn(group: string, ifindex: number): Buffer {
  const buffer = Buffer.alloc(12);
  ipv4Bytes(group).copy(buffer, 0);
  if (endianness() === "LE") buffer.writeInt32LE(ifindex, 8);
  else buffer.writeInt32BE(ifindex, 8);
  return buffer;
}

function ipv4Bytes(address: string): Buffer {
  const parsed = parseIPv4(address);
  if (!parsed.ok) throw new TypeError(parsed.error);
  return Buffer.from(parsed.bytes);
}
