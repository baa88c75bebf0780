/**
 * In-memory edges for unit tests: a shared segment that carries VRRP
 * payloads between fake transports, an address table that records what is
 * aliased, and an announcer that counts. Time comes from a ManualClock.
 */
import type { Family, VirtualAddress } from "../config/types.js";
import type {
  AddressTable,
  Announcer,
  LinkInfo,
  ReceivedPacket,
  TransportFactory,
  TransportOptions,
  VrrpTransport,
} from "../os/ports.js";

interface Endpoint {
  readonly address: string;
  readonly family: Family;
  readonly multicast: boolean;
  handler?: (packet: ReceivedPacket) => void;
  up: boolean;
}

/** A broadcast domain: every up endpoint of the family receives multicast; unicast reaches its address. */
export class FakeSegment {
  private readonly endpoints: Endpoint[] = [];
  /** Every payload sent, for assertions. */
  readonly sent: { source: string; destination: string; payload: Buffer }[] = [];

  attach(endpoint: Endpoint): void {
    this.endpoints.push(endpoint);
  }
  detach(endpoint: Endpoint): void {
    const i = this.endpoints.indexOf(endpoint);
    if (i >= 0) this.endpoints.splice(i, 1);
  }
  setUp(address: string, up: boolean): void {
    for (const e of this.endpoints) if (e.address === address) e.up = up;
  }
  deliver(from: Endpoint, payload: Buffer, destination: string, ttl = 255): void {
    if (!from.up) return;
    this.sent.push({ source: from.address, destination, payload });
    for (const to of this.endpoints) {
      if (to === from || !to.up || to.family !== from.family) continue;
      const multicast = destination === "224.0.0.18" || destination === "ff02::12";
      if (multicast ? !to.multicast : to.address !== destination) continue;
      to.handler?.({ family: from.family, payload: Buffer.from(payload), source: from.address, destination, ttl, ifindex: 2 });
    }
  }
  /** Inject a packet as if from another host. */
  inject(packet: ReceivedPacket): void {
    for (const to of this.endpoints) if (to.up && to.family === packet.family) to.handler?.(packet);
  }
}

export function fakeTransports(segment: FakeSegment, address: string): TransportFactory & { opened: VrrpTransport[] } {
  const opened: VrrpTransport[] = [];
  return {
    opened,
    async open(options: TransportOptions): Promise<VrrpTransport> {
      const endpoint: Endpoint = {
        address: options.source ?? address,
        family: options.family,
        multicast: options.multicast,
        up: true,
      };
      segment.attach(endpoint);
      const transport: VrrpTransport = {
        sourceAddress: endpoint.address,
        ifindex: 2,
        send: (payload, destination) => segment.deliver(endpoint, payload, destination),
        onPacket: (handler) => void (endpoint.handler = handler),
        onError: () => undefined,
        close: () => segment.detach(endpoint),
      };
      opened.push(transport);
      return transport;
    },
  };
}

export class FakeAddressTable implements AddressTable {
  readonly aliased = new Map<string, Set<string>>();
  /** Every change in order, e.g. "add eth0 192.0.2.5/24". */
  readonly log: string[] = [];

  constructor(readonly present: Readonly<Record<string, readonly string[]>> = {}) {
    for (const [iface, list] of Object.entries(present)) this.aliased.set(iface, new Set(list));
  }
  async link(ifname: string): Promise<LinkInfo> {
    const addresses = [...(this.aliased.get(ifname) ?? [])].map((address) => ({
      address,
      family: (address.includes(":") ? 6 : 4) as Family,
      prefixLength: 32,
    }));
    return { name: ifname, index: 2, mac: "02:00:00:00:00:01", up: true, addresses };
  }
  async linkState(ifname: string): Promise<Omit<LinkInfo, "addresses">> {
    const { addresses: _a, ...state } = await this.link(ifname);
    return state;
  }
  async links(): Promise<LinkInfo[]> {
    const names = new Set(["eth0", ...this.aliased.keys()]);
    return Promise.all([...names].map((n) => this.link(n)));
  }
  async add(ifname: string, address: VirtualAddress): Promise<void> {
    this.log.push(`add ${ifname} ${address.address}/${address.prefixLength}`);
    const set = this.aliased.get(ifname) ?? new Set<string>();
    set.add(address.address);
    this.aliased.set(ifname, set);
  }
  async remove(ifname: string, address: VirtualAddress): Promise<void> {
    this.log.push(`remove ${ifname} ${address.address}/${address.prefixLength}`);
    this.aliased.get(ifname)?.delete(address.address);
  }
  has(ifname: string, address: string): boolean {
    return this.aliased.get(ifname)?.has(address) ?? false;
  }
  close(): void {}
}

export class FakeAnnouncer implements Announcer {
  readonly announced: string[] = [];
  async announce(ifname: string, address: VirtualAddress): Promise<void> {
    this.announced.push(`${ifname} ${address.address}`);
  }
  close(): void {}
}
