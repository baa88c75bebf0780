/**
 * Announcer: gratuitous ARP (IPv4) and unsolicited neighbour advertisement
 * (IPv6) for a virtual address, sent as whole Ethernet frames on an AF_PACKET
 * socket (floatip_net addon), like keepalived. Frames come from frames.ts.
 */
import { readFile } from "node:fs/promises";
import type { VirtualAddress } from "../config/types.js";
import { gratuitousArp, unsolicitedNeighbourAdvert } from "./frames.js";
import type { AddressTable, Announcer, LinkInfo } from "./ports.js";
import { defaultSource, loadFloatipNet, type FloatipNet, type NativePacketSocket } from "./transport.js";

/** Building or sending an announcement failed. */
export class AnnounceError extends Error {
  override readonly name = "AnnounceError";
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    const code = (options.cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === "string" ? code : undefined;
  }
}

export interface AnnouncerOptions {
  /** Used to find the interface's index, MAC and link-local address. */
  readonly addresses: AddressTable;
  /** The addon; default: loadFloatipNet(). */
  readonly native?: FloatipNet;
  /**
   * Whether IPv6 forwarding is on for the interface (sets the NA Router flag,
   * as keepalived does); default: reads /proc/sys/net/ipv6/conf/IF/forwarding.
   */
  readonly ipv6Forwarding?: (ifname: string) => Promise<boolean>;
}

export class PacketAnnouncer implements Announcer {
  private closed = false;

  private constructor(
    private readonly socket: NativePacketSocket,
    private readonly options: AnnouncerOptions,
  ) {}

  /** Opens the AF_PACKET socket (needs CAP_NET_RAW). */
  static async open(options: AnnouncerOptions): Promise<PacketAnnouncer> {
    const native = options.native ?? loadFloatipNet();
    try {
      return new PacketAnnouncer(native.openPacketSocket(), options);
    } catch (error) {
      throw new AnnounceError(`cannot open the AF_PACKET socket: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }

  async announce(ifname: string, address: VirtualAddress): Promise<void> {
    if (this.closed) throw new AnnounceError("announcer is closed");
    // IPv4 needs only index and MAC (cached); IPv6 also the link-local source.
    const link = address.family === 4 ? await this.options.addresses.linkState(ifname) : await this.options.addresses.link(ifname);
    const frame =
      address.family === 4 ? gratuitousArp({ mac: link.mac, address: address.address }) : await this.advert(link as LinkInfo, address);
    try {
      this.socket.send(link.index, frame);
    } catch (error) {
      const kind = address.family === 4 ? "gratuitous ARP" : "unsolicited neighbour advertisement";
      throw new AnnounceError(
        `sending ${kind} for ${address.address} on ${ifname}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private async advert(link: LinkInfo, address: VirtualAddress): Promise<Buffer> {
    let source: string;
    try {
      source = defaultSource(link.addresses, 6, link.name);
    } catch (error) {
      throw new AnnounceError(`cannot announce ${address.address}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    const forwarding = this.options.ipv6Forwarding ?? readIpv6Forwarding;
    const router = await forwarding(link.name);
    return unsolicitedNeighbourAdvert({ mac: link.mac, source, target: address.address, router });
  }
}

export function openAnnouncer(options: AnnouncerOptions): Promise<PacketAnnouncer> {
  return PacketAnnouncer.open(options);
}

/** /proc/sys/net/ipv6/conf/IF/forwarding; false when it cannot be read. */
export async function readIpv6Forwarding(ifname: string): Promise<boolean> {
  if (ifname.includes("/") || ifname === "." || ifname === "..") return false;
  try {
    return (await readFile(`/proc/sys/net/ipv6/conf/${ifname}/forwarding`, "utf8")).trim() === "1";
  } catch {
    return false;
  }
}
