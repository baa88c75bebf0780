/**
 * VRRP transports: one raw IP protocol 112 socket per interface and family,
 * both from the floatip_net addon.
 *
 * IPv4: IP_HDRINCL (the addon writes the IP header, so TTL 255, TOS and the
 * source address are ours to set), SO_BINDTODEVICE, IP_MULTICAST_LOOP off
 * and IP_ADD_MEMBERSHIP (struct ip_mreqn) for 224.0.0.18 or the configured
 * group (keepalived vrrp_mcast_group4 / 6). A send leaves
 * within the call (a priority-0 advert from a signal handler goes out before
 * anything else runs).
 * IPv6: hop limit / pktinfo with each packet, IPV6_PKTINFO sends.
 *
 * Receiving (both families): the addon reads up to 8 packets per recvmmsg
 * straight into the transport's buffer and describes them in an Int32Array,
 * then calls into JS once for the batch (receivePackets). The packet handed
 * to the handlers is one object, refilled for each packet, its payload a
 * view of the buffer: nothing per packet is allocated on the usual path (a
 * master's adverts repeat length, source and destination).
 *
 * One transport serves every VRRP instance of its interface and family:
 * onPacket may be called several times and every handler sees every packet.
 * A packet and its payload are only valid during the handler call (copy to keep them).
 */
import { createRequire } from "node:module";
import { constants as osConstants } from "node:os";
import { isIPv4, isIPv6 } from "node:net";
import { getSystemErrorMap } from "node:util";
import type { Family } from "../config/types.js";
import type { NativePreciseTimer } from "../../base/precise-scheduler.js";
import { canonicalAddress, formatIPv4, formatIPv6 } from "../vrrp/address-bytes.js";
import { VRRP_MULTICAST_V4, VRRP_MULTICAST_V6 } from "../vrrp/packet.js";
import type {
  AddressTable,
  Farewell,
  InterfaceAddress,
  ReceivedPacket,
  TransportFactory,
  TransportOptions,
  VrrpTransport,
} from "./ports.js";

/** The floatip_net addon (agent/native/floatip_net.c). */
export interface NativeVrrp4Socket {
  readonly ifindex: number;
  /** Sends at once; throws an Error with code/errno/syscall on failure. */
  send(payload: Buffer, destination: string): number;
  /** Arms the packet for the stop signal's handler (and the link trigger, for linkDown): a slot id, or -1 if it cannot be armed. */
  farewell(payload: Buffer, destination: string, linkDown?: readonly string[]): number;
  /** Reads the packets waiting on the socket now, calling onPacket for each (errors go to onError). */
  readWaiting(): void;
  /** After a wake-up that read packets the socket rests this long (microseconds, 0..100000; 0: never). */
  setReadDelay(us: number): void;
  close(): void;
}
export interface NativeVrrp6Socket {
  readonly ifindex: number;
  /** Throws an Error with code/errno/syscall on failure. */
  send(payload: Buffer, destination: string, source: string): number;
  farewell(payload: Buffer, destination: string, source: string, linkDown?: readonly string[]): number;
  readWaiting(): void;
  /** After a wake-up that read packets the socket rests this long (microseconds, 0..100000; 0: never). */
  setReadDelay(us: number): void;
  close(): void;
}
export interface NativePacketSocket {
  /** Sends a whole Ethernet frame (header included) out of ifindex. */
  send(ifindex: number, frame: Buffer): number;
  close(): void;
}
export interface FloatipNet {
  /**
   * Received packets land in `buffer` (RECEIVE_BUFFER_BYTES) with a record each in `records`
   * (RECORD_WORDS words per packet, layout below); onPackets(count) once per batch.
   */
  openVrrp4(
    ifname: string,
    source: string,
    join: boolean,
    buffer: Buffer,
    records: Int32Array,
    onPackets: (count: number) => void,
    onError: (error: Error) => void,
    /** Default 224.0.0.18. */
    group?: string,
  ): NativeVrrp4Socket;
  openVrrp6(
    ifname: string,
    join: boolean,
    buffer: Buffer,
    records: Int32Array,
    onPackets: (count: number) => void,
    onError: (error: Error) => void,
    /** Default ff02::12. */
    group?: string,
  ): NativeVrrp6Socket;
  openPacketSocket(): NativePacketSocket;
  /** A timerfd on Node's loop (agent/native/precise_timer.c). */
  openPreciseTimer(onFire: () => void): NativePreciseTimer;
  /**
   * Puts the farewell handler in front of the signal's current one (Node's,
   * once process.on(signal) is listening): it sends every armed packet, then
   * calls the previous handler. False if it was already in front.
   */
  installFarewell(signal: number): boolean;
  farewellSent(id: number): boolean;
  disarmFarewell(id: number): void;
  /** Listens to link events and sends the slots waiting for them (agent/native/link_trigger.c). */
  openLinkTrigger(): { close(): void };
}

/** A packet armed in the addon's farewell table. */
class NativeFarewell implements Farewell {
  private live = true;
  constructor(
    private readonly native: FloatipNet,
    private readonly id: number,
  ) {}

  sent(): boolean {
    return this.live && this.native.farewellSent(this.id);
  }

  disarm(): void {
    if (!this.live) return; // the slot may already serve another packet
    this.live = false;
    this.native.disarmFarewell(this.id);
  }
}

function armed(native: FloatipNet, id: number): Farewell | undefined {
  return id < 0 ? undefined : new NativeFarewell(native, id);
}

/**
 * Lets the stop signals send the armed priority-0 adverts from their
 * handler. Call after process.on(signal) listeners are in place (they stay
 * reached: the previous handler is called afterwards).
 */
export function installFarewellHandlers(signals: readonly NodeJS.Signals[], native: FloatipNet = loadFloatipNet()): void {
  for (const signal of signals) native.installFarewell(osConstants.signals[signal]);
}

/** Loads build/Release/floatip_net.node (relative to dist/agent/os/). */
export function loadFloatipNet(): FloatipNet {
  const require = createRequire(import.meta.url);
  return require("../../../build/Release/floatip_net.node") as FloatipNet;
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
 * The errno name of an error: its `code`, or for bare strerror() messages
 * ("Network is down") the libuv name whose message matches, if any.
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
      options.source === undefined
        ? defaultSource(link.addresses, options.family, options.interface)
        : canonical(options.source, options.family);
    const common = {
      ifname: options.interface,
      ifindex: link.index,
      sourceAddress,
      multicast: options.multicast,
      ...(options.group !== undefined ? { group: options.group } : {}),
    };
    try {
      const native = this.options.native ?? loadFloatipNet();
      return options.family === 4 ? openIpv4(common, native) : openIpv6(common, native);
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
    family === 4 ? addresses.find((a) => a.family === 4) : addresses.find((a) => a.family === 6 && /^fe[89ab][0-9a-f]:/i.test(a.address));
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
  /** The group joined; default the RFC one. */
  readonly group?: string;
}

/** Packets per batch, bytes per packet slot, words per record: as agent/native/vrrp_sockets.c (BATCH, SLOT, FIELDS). */
const BATCH = 8;
const SLOT_BYTES = 4096;
export const RECORD_WORDS = 16;
export const RECEIVE_BUFFER_BYTES = BATCH * SLOT_BYTES;
export const RECORD_COUNT = BATCH;
/** Where a record's fields are (Int32 words); the addresses are 16 raw bytes each (IPv4: the first 4). */
const R_OFFSET = 0;
const R_LENGTH = 1;
const R_TTL = 2;
const R_IFINDEX = 3;
const R_AGE_US = 4;
const R_SOURCE = 8;
const R_DESTINATION = 12;
/** Addresses seen are remembered as text up to this many (a flood of forged sources cannot grow it without bound). */
const ADDRESS_TEXT_CACHE = 1024;

/** The packet being delivered: one object per transport, refilled for each packet. */
class Arrival implements ReceivedPacket {
  payload: Buffer;
  source = "";
  destination = "";
  ttl = 0;
  ifindex = 0;
  ageMs = 0;
  constructor(
    readonly family: Family,
    empty: Buffer,
  ) {
    this.payload = empty;
  }
}

/**
 * Text of the addresses in the records: the last one is kept by its raw
 * words (a backup hears one master, at one group), others in a bounded map.
 */
class AddressTexts {
  private readonly last = new Int32Array(4).fill(-1);
  private lastText = "";
  private readonly texts = new Map<string, string>();

  constructor(private readonly family: Family) {}

  text(records: Int32Array, bytes: Uint8Array, at: number): string {
    const last = this.last;
    if (records[at] === last[0] && records[at + 1] === last[1] && records[at + 2] === last[2] && records[at + 3] === last[3])
      return this.lastText;
    for (let k = 0; k < 4; k++) last[k] = records[at + k]!;
    const key = `${last[0]},${last[1]},${last[2]},${last[3]}`;
    let text = this.texts.get(key);
    if (text === undefined) {
      text = this.family === 4 ? formatIPv4(bytes, at * 4) : formatIPv6(bytes, at * 4);
      if (this.texts.size >= ADDRESS_TEXT_CACHE) this.texts.clear();
      this.texts.set(key, text);
    }
    return (this.lastText = text);
  }
}

/** Handler lists, batch receive and the shared VrrpTransport surface. */
abstract class BaseTransport implements VrrpTransport {
  private readonly packetHandlers: ((packet: ReceivedPacket) => void)[] = [];
  private readonly errorHandlers: ((error: Error) => void)[] = [];
  protected closed = false;
  /** The addon receives into these (see receivePackets). */
  readonly buffer = Buffer.alloc(RECEIVE_BUFFER_BYTES);
  readonly records = new Int32Array(RECORD_COUNT * RECORD_WORDS);
  private readonly recordBytes = new Uint8Array(this.records.buffer);
  /** Per slot, the payload view last handed out and where it was (a master's adverts repeat offset and length). */
  private readonly views: Buffer[] = [];
  private readonly viewAt = new Int32Array(RECORD_COUNT * 2).fill(-1);
  private readonly packet: Arrival;
  private readonly sources: AddressTexts;
  private readonly destinations: AddressTexts;

  constructor(
    family: Family,
    readonly sourceAddress: string,
    readonly ifindex: number,
    protected readonly ifname: string,
  ) {
    this.packet = new Arrival(family, this.buffer.subarray(0, 0));
    this.sources = new AddressTexts(family);
    this.destinations = new AddressTexts(family);
  }

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

  /** The addon's batch: `count` records, in arrival order. */
  receivePackets(count: number): void {
    const records = this.records;
    const packet = this.packet;
    for (let i = 0; i < count && !this.closed; i++) {
      const at = i * RECORD_WORDS;
      packet.payload = this.view(i, records[at + R_OFFSET]!, records[at + R_LENGTH]!);
      packet.source = this.sources.text(records, this.recordBytes, at + R_SOURCE);
      packet.destination = this.destinations.text(records, this.recordBytes, at + R_DESTINATION);
      packet.ttl = records[at + R_TTL]!;
      packet.ifindex = records[at + R_IFINDEX]!;
      packet.ageMs = records[at + R_AGE_US]! / 1000;
      this.deliver(packet);
    }
  }

  socketError(error: Error): void {
    this.fail(error, `IPv${this.packet.family} VRRP socket error`);
  }

  private view(slot: number, offset: number, length: number): Buffer {
    const at = this.viewAt;
    if (at[2 * slot] !== offset || at[2 * slot + 1] !== length) {
      at[2 * slot] = offset;
      at[2 * slot + 1] = length;
      this.views[slot] = this.buffer.subarray(offset, offset + length);
    }
    return this.views[slot]!;
  }

  /**
   * A throwing handler is a bug in the caller, not a socket error: it is
   * rethrown as an uncaught exception, and the other handlers still run.
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
  private socket: NativeVrrp4Socket | undefined;
  /** The last destination that passed checkAddress (every advert of a router goes to the same one). */
  private checked: string | undefined;

  constructor(
    params: OpenParams,
    private readonly native: FloatipNet,
  ) {
    super(4, params.sourceAddress, params.ifindex, params.ifname);
  }

  attach(socket: NativeVrrp4Socket): this {
    this.socket = socket;
    return this;
  }

  send(payload: Buffer, destination: string): void {
    if (destination !== this.checked) {
      checkAddress(destination, 4, "destination");
      this.checked = destination;
    }
    if (this.closed || this.socket === undefined) throw new TransportError(`IPv4 VRRP socket on ${this.ifname} is closed`);
    try {
      this.socket.send(payload, destination);
    } catch (error) {
      // I/O errors go to onError handlers, asynchronously (the same for both families).
      process.nextTick(() => this.fail(error, `sending to ${destination}`));
    }
  }

  readWaiting(): void {
    if (!this.closed) this.socket?.readWaiting();
  }

  setReadDelay(us: number): void {
    if (!this.closed) this.socket?.setReadDelay(us);
  }

  armFarewell(payload: Buffer, destination: string, linkDown: readonly string[] = []): Farewell | undefined {
    checkAddress(destination, 4, "destination");
    if (this.closed || this.socket === undefined) return undefined;
    return armed(this.native, this.socket.farewell(payload, destination, [...linkDown]));
  }

  protected closeSocket(): void {
    this.socket?.close();
  }
}

function openIpv4(params: OpenParams, native: FloatipNet): VrrpTransport {
  const transport = new Ipv4Transport(params, native);
  const socket = native.openVrrp4(
    params.ifname,
    params.sourceAddress,
    params.multicast,
    transport.buffer,
    transport.records,
    (count) => transport.receivePackets(count),
    (error) => transport.socketError(error),
    params.group ?? VRRP_MULTICAST_V4,
  );
  return transport.attach(socket);
}

class Ipv6Transport extends BaseTransport {
  private socket: NativeVrrp6Socket | undefined;

  constructor(
    params: OpenParams,
    private readonly native: FloatipNet,
  ) {
    super(6, params.sourceAddress, params.ifindex, params.ifname);
  }

  attach(socket: NativeVrrp6Socket): this {
    this.socket = socket;
    return this;
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

  readWaiting(): void {
    if (!this.closed) this.socket?.readWaiting();
  }

  setReadDelay(us: number): void {
    if (!this.closed) this.socket?.setReadDelay(us);
  }

  armFarewell(payload: Buffer, destination: string, linkDown: readonly string[] = []): Farewell | undefined {
    checkAddress(destination, 6, "destination");
    if (this.closed || this.socket === undefined) return undefined;
    return armed(this.native, this.socket.farewell(payload, destination, this.sourceAddress, [...linkDown]));
  }

  protected closeSocket(): void {
    this.socket?.close();
  }
}

function openIpv6(params: OpenParams, native: FloatipNet): VrrpTransport {
  const transport = new Ipv6Transport(params, native);
  const socket = native.openVrrp6(
    params.ifname,
    params.multicast,
    transport.buffer,
    transport.records,
    (count) => transport.receivePackets(count),
    (error) => transport.socketError(error),
    params.group ?? VRRP_MULTICAST_V6,
  );
  return transport.attach(socket);
}
