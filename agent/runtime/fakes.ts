/**
 * In-memory edges for unit tests: a shared segment that carries VRRP
 * payloads between fake transports, an address table that records what is
 * aliased, and an announcer that counts. Time comes from a ManualClock.
 */
import type { Family, NotifyFifoConfig, RouteConfig, RuleConfig, VirtualAddress } from "../config/types.js";
import { describeRoute } from "../os/route-message.js";
import { describeRule } from "../os/rule-message.js";
import type {
  FifoOutlets,
  FifoWriteResult,
  AddressClaim,
  AddressProber,
  AddressTable,
  Announcer,
  LinkInfo,
  ReceivedPacket,
  TransportFactory,
  TransportOptions,
  VrrpTransport,
  ClaimWatch,
  LinkEvent,
  LinkMonitor,
  RouteTable,
} from "../os/ports.js";

interface Endpoint {
  readonly address: string;
  readonly family: Family;
  readonly multicast: boolean;
  handler?: (packet: ReceivedPacket) => void;
  errorHandler?: (error: Error) => void;
  up: boolean;
  /** Sends fail with this error (reported asynchronously, as the real sockets do). */
  broken?: Error | undefined;
}

/** A broadcast domain: every up endpoint of the family receives multicast; unicast reaches its address. */
export class FakeSegment {
  private readonly endpoints: Endpoint[] = [];
  /** Every payload sent, for assertions. */
  readonly sent: { source: string; destination: string; payload: Buffer }[] = [];
  /** How long each delivered packet has waited in the socket (ReceivedPacket.ageMs). */
  ageMs = 0;
  /** Priority-0 adverts armed by masters (VrrpTransport.armFarewell), as the native table keeps them. */
  readonly farewells: {
    source: string;
    destination: string;
    payload: Buffer;
    state: "armed" | "sent" | "disarmed";
    linkDown?: readonly string[];
  }[] = [];

  /** What the native link trigger does when `ifname` goes down on a host: send the armed farewells waiting for it. */
  linkDown(source: string, ifname: string): void {
    const from = this.endpoints.find((e) => e.address === source);
    for (const f of this.farewells) {
      if (f.source !== source || f.state !== "armed" || from === undefined || !(f.linkDown ?? []).includes(ifname)) continue;
      f.state = "sent";
      this.deliver(from, f.payload, f.destination);
    }
  }

  /** What the stop signal's native handler does for one host: send its armed farewells. */
  stopSignal(source: string): void {
    const from = this.endpoints.find((e) => e.address === source);
    for (const f of this.farewells) {
      if (f.source !== source || f.state !== "armed" || from === undefined) continue;
      f.state = "sent";
      this.deliver(from, f.payload, f.destination);
    }
  }

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
  /** Every send of `address` fails with `error` from now on (undefined: works again). */
  breakSends(address: string, error: Error | undefined): void {
    for (const e of this.endpoints) if (e.address === address) e.broken = error;
  }
  deliver(from: Endpoint, payload: Buffer, destination: string, ttl = 255): void {
    if (from.broken !== undefined) {
      const { broken, errorHandler } = from;
      process.nextTick(() => errorHandler?.(broken));
      return;
    }
    if (!from.up) return;
    this.sent.push({ source: from.address, destination, payload });
    for (const to of this.endpoints) {
      if (to === from || !to.up || to.family !== from.family) continue;
      // Any group (vrrp_mcast_group4 / 6 may change it); the fake segment does not filter by group.
      const multicast = /^(2(2[4-9]|3\d)\.|ff)/i.test(destination);
      if (multicast ? !to.multicast : to.address !== destination) continue;
      to.handler?.({
        family: from.family,
        payload: Buffer.from(payload),
        source: from.address,
        destination,
        ttl,
        ifindex: 2,
        ageMs: this.ageMs,
      });
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
        armFarewell: (payload, destination, linkDown) => {
          const farewell = {
            source: endpoint.address,
            destination,
            payload: Buffer.from(payload),
            state: "armed" as const,
            linkDown: [...(linkDown ?? [])],
          };
          const entry: FakeSegment["farewells"][number] = farewell;
          segment.farewells.push(entry);
          return {
            sent: () => entry.state === "sent",
            disarm: () => void (entry.state = entry.state === "armed" ? "disarmed" : entry.state),
          };
        },
        onPacket: (handler) => void (endpoint.handler = handler),
        onError: (handler) => void (endpoint.errorHandler = handler),
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

/**
 * ARP / neighbour discovery on a simulated segment: a probe from one member
 * is answered (as a claim) by every other member whose address table holds
 * the address, and by hosts that hold it statically.
 */
export class FakeNeighbourhood {
  private readonly members: { mac: string; table: FakeAddressTable; watchers: Map<string, Set<(claim: AddressClaim) => void>> }[] = [];
  /** Hosts outside any VRRP group holding an address: address -> MAC. */
  readonly statics = new Map<string, string>();

  prober(mac: string, table: FakeAddressTable): AddressProber & { readonly probes: string[] } {
    const member = { mac, table, watchers: new Map<string, Set<(claim: AddressClaim) => void>>() };
    this.members.push(member);
    const probes: string[] = [];
    return {
      probes,
      probe: async (ifname: string, address: VirtualAddress) => {
        probes.push(`${ifname} ${address.address}`);
        const answers = [
          ...this.members
            .filter((m) => m !== member && [...m.table.aliased.values()].some((set) => set.has(address.address)))
            .map((m) => m.mac),
          ...(this.statics.has(address.address) ? [this.statics.get(address.address)!] : []),
        ];
        for (const answer of answers) {
          const claim: AddressClaim = {
            family: address.family,
            address: address.address,
            mac: answer,
            via: address.family === 4 ? "arp-reply" : "neighbour-advert",
          };
          queueMicrotask(() => {
            for (const handler of member.watchers.get(address.address) ?? []) handler(claim);
          });
        }
      },
      watch: async (_ifname: string, address: string, onClaim: (claim: AddressClaim) => void): Promise<ClaimWatch> => {
        const set = member.watchers.get(address) ?? new Set();
        set.add(onClaim);
        member.watchers.set(address, set);
        return { close: () => void set.delete(onClaim) };
      },
      close: () => undefined,
    };
  }
}

/** A LinkMonitor that delivers what the test emits, at once. */
export class FakeLinkMonitor implements LinkMonitor {
  private readonly handlers = new Set<(event: LinkEvent) => void>();
  private failure: Error | undefined;

  subscribe(handler: (event: LinkEvent) => void): () => void {
    const entry = (event: LinkEvent) => handler(event);
    this.handlers.add(entry);
    return () => void this.handlers.delete(entry);
  }
  emit(event: LinkEvent): void {
    for (const handler of [...this.handlers]) handler(event);
  }
  /** A link event for `name` (index 2 unless given). */
  link(name: string, change: { up?: boolean; gone?: boolean; index?: number } = {}): void {
    this.emit({ type: "link", index: change.index ?? 2, name, up: change.up ?? true, gone: change.gone ?? false });
  }
  /** An address event on `ifname` (index 2). */
  address(ifname: string, address: string, change: { gone: boolean; prefixLength?: number }): void {
    const family = address.includes(":") ? 6 : 4;
    this.emit({
      type: "address",
      index: 2,
      ifname,
      address,
      family,
      prefixLength: change.prefixLength ?? (family === 4 ? 24 : 64),
      gone: change.gone,
    });
  }
  break(error: Error): void {
    this.failure = error;
  }
  broken(): Error | undefined {
    return this.failure;
  }
  get subscribers(): number {
    return this.handlers.size;
  }
  close(): void {
    this.handlers.clear();
  }
}

/** Routes by their `ip route` text; logs every change in order ("add 198.51.100.0/24 via 192.0.2.1"). */
export class FakeRouteTable implements RouteTable {
  readonly installed = new Set<string>();
  readonly log: string[] = [];
  async add(route: RouteConfig): Promise<void> {
    this.log.push(`add ${describeRoute(route)}`);
    this.installed.add(describeRoute(route));
  }
  async remove(route: RouteConfig): Promise<void> {
    this.log.push(`remove ${describeRoute(route)}`);
    this.installed.delete(describeRoute(route));
  }
  async addRule(rule: RuleConfig): Promise<void> {
    this.log.push(`add rule ${describeRule(rule)}`);
    this.installed.add(`rule ${describeRule(rule)}`);
  }
  async removeRule(rule: RuleConfig): Promise<void> {
    this.log.push(`remove rule ${describeRule(rule)}`);
    this.installed.delete(`rule ${describeRule(rule)}`);
  }
  close(): void {}
}

/** Notify FIFOs in memory: the lines each path got, in order; `reader` false makes writes fail as with no reader. */
export class FakeFifoOutlets implements FifoOutlets {
  readonly lines = new Map<string, string[]>();
  /** Paths that exist as something other than a FIFO. */
  readonly notFifo = new Set<string>();
  readonly created = new Set<string>();
  readonly removed: string[] = [];
  reader = true;
  async prepare(fifo: NotifyFifoConfig): Promise<{ readonly created: boolean }> {
    if (this.notFifo.has(fifo.path)) throw new Error(`${fifo.path} exists and is not a FIFO`);
    const fresh = !this.lines.has(fifo.path);
    this.lines.set(fifo.path, this.lines.get(fifo.path) ?? []);
    if (fresh) this.created.add(fifo.path);
    return { created: fresh };
  }
  write(path: string, line: string): FifoWriteResult {
    if (!this.reader) return "no-reader";
    this.lines.get(path)?.push(line);
    return "written";
  }
  async close(path: string, remove: boolean): Promise<void> {
    if (remove) this.removed.push(path);
  }
}
