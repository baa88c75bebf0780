/**
 * The real AddressProber: probes go out as whole Ethernet frames on an
 * AF_PACKET socket (like the announcer); claims come in on one AF_PACKET
 * receiver per interface (floatip_net's openClaimReceiver: a kernel BPF
 * filter passes only ARP and neighbour advertisements), opened by the first
 * watch on the interface and closed with the last. Frames are parsed by
 * probe-frames.ts; claims with the MAC of any of the host's interfaces are
 * dropped here.
 */
import type { VirtualAddress } from "../config/types.js";
import { arpProbe, dadSolicitation, parseClaim } from "./probe-frames.js";
import type { AddressClaim, AddressProber, AddressTable, ClaimWatch } from "./ports.js";
import { loadFloatipNet, type NativePacketSocket } from "./transport.js";

export interface NativeClaimReceiver {
  readonly ifindex: number;
  close(): void;
}

/** The part of the floatip_net addon the prober uses. */
export interface ProbeNet {
  openPacketSocket(): NativePacketSocket;
  openClaimReceiver(ifname: string, onFrame: (frame: Buffer) => void, onError: (error: Error) => void): NativeClaimReceiver;
}

export interface ProberOptions {
  readonly addresses: AddressTable;
  /** The addon; default: loadFloatipNet(). */
  readonly native?: ProbeNet;
  /** A receive error on an interface's socket (it stays open). */
  readonly onError?: (ifname: string, error: Error) => void;
}

type Handler = (claim: AddressClaim) => void;

interface Receiver {
  readonly socket: NativeClaimReceiver;
  readonly mac: string;
  readonly handlers: Map<string, Set<Handler>>;
}

export class PacketProber implements AddressProber {
  private readonly receivers = new Map<string, Promise<Receiver>>();
  /** Receivers whose socket is open (closed at once by close()). */
  private readonly open = new Set<Receiver>();
  private closed = false;

  private constructor(
    private readonly socket: NativePacketSocket,
    private readonly native: ProbeNet,
    private readonly options: ProberOptions,
  ) {}

  /** Opens the sending socket (needs CAP_NET_RAW); receivers open on demand. */
  static open(options: ProberOptions): PacketProber {
    const native = options.native ?? (loadFloatipNet() as unknown as ProbeNet);
    return new PacketProber(native.openPacketSocket(), native, options);
  }

  async probe(ifname: string, address: VirtualAddress): Promise<void> {
    if (this.closed) throw new Error("prober is closed");
    const link = await this.options.addresses.linkState(ifname);
    const frame =
      address.family === 4
        ? arpProbe({ mac: link.mac, address: address.address })
        : dadSolicitation({ mac: link.mac, target: address.address });
    this.socket.send(link.index, frame);
  }

  async watch(ifname: string, address: string, onClaim: Handler): Promise<ClaimWatch> {
    if (this.closed) throw new Error("prober is closed");
    let opening = this.receivers.get(ifname);
    if (opening === undefined) {
      opening = this.openReceiver(ifname);
      this.receivers.set(ifname, opening);
      opening.catch(() => this.receivers.delete(ifname));
    }
    const receiver = await opening;
    if (this.receivers.get(ifname) !== opening) return this.watch(ifname, address, onClaim); // closed meanwhile
    const set = receiver.handlers.get(address) ?? new Set<Handler>();
    set.add(onClaim);
    receiver.handlers.set(address, set);
    let watching = true;
    return {
      close: () => {
        if (!watching) return;
        watching = false;
        set.delete(onClaim);
        if (set.size === 0) receiver.handlers.delete(address);
        if (receiver.handlers.size === 0 && this.receivers.get(ifname) === opening) {
          this.receivers.delete(ifname);
          this.open.delete(receiver);
          receiver.socket.close();
        }
      },
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    for (const receiver of this.open) receiver.socket.close();
    this.open.clear();
    this.receivers.clear();
  }

  /** The MACs of all of this host's interfaces, read afresh (interfaces come and go). */
  private async ownMacs(): Promise<Set<string>> {
    return new Set((await this.options.addresses.links()).map((l) => l.mac));
  }

  private async openReceiver(ifname: string): Promise<Receiver> {
    const link = await this.options.addresses.linkState(ifname);
    const handlers = new Map<string, Set<Handler>>();
    const socket = this.native.openClaimReceiver(
      ifname,
      (frame) => {
        const claim = parseClaim(frame);
        if (claim === undefined || claim.mac === link.mac || !handlers.has(claim.address)) return;
        // Linux answers ARP for a local address on every interface (arp_ignore=0): a host with a second
        // interface on the segment claims its own VIP with that MAC too. Claims are rare (answers to our probes).
        void this.ownMacs().then(
          (own) => {
            if (own.has(claim.mac)) return;
            for (const handler of handlers.get(claim.address) ?? []) handler(claim);
          },
          (error: unknown) => this.options.onError?.(ifname, error instanceof Error ? error : new Error(String(error))),
        );
      },
      (error) => this.options.onError?.(ifname, error),
    );
    const receiver = { socket, mac: link.mac, handlers };
    if (this.closed)
      socket.close(); // the prober closed while this one was opening
    else this.open.add(receiver);
    return receiver;
  }
}
