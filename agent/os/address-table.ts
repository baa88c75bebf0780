/**
 * AddressTable over rtnetlink (the `netlink` package; nothing else in the
 * agent imports it). Virtual addresses are aliased on the interface itself,
 * as `ip addr add 192.0.2.5/32 dev eth0 [label eth0:vip]` would, so they
 * show in `ip a`. IPv6 addresses get IFA_F_NODAD (usable at once, as
 * keepalived does).
 */
import { createRequire } from "node:module";
import type * as Netlink from "netlink";
import type { RtNetlinkSocket, rt } from "netlink";
import type { Family, VirtualAddress } from "../config/types.js";
import { formatAddress, parseAddress } from "../vrrp/address-bytes.js";
import { Serial } from "../../base/serial.js";
import type { AddressTable, InterfaceAddress, LinkInfo } from "./ports.js";
import { deletedWith, toRestore } from "./secondaries.js";

const AF_INET = 2;
const AF_INET6 = 10;
const RT_SCOPE_UNIVERSE = 0;
const DEFAULT_TIMEOUT_MS = 5000;

/**
 * The rtnetlink part of the netlink package (0.3), from its own files: the
 * package index also loads the generic netlink, nl80211 and WireGuard
 * definitions (a few MiB of resident memory the agent never uses).
 */
const requireLib = createRequire(import.meta.url);
const { createRtNetlink } = requireLib("netlink/dist/rt/rt") as Pick<typeof Netlink, "createRtNetlink">;
const { AttrStream } = requireLib("netlink/dist/structs") as Pick<typeof Netlink, "AttrStream">;
const { FlagsNew } = requireLib("netlink/dist/constants") as Pick<typeof Netlink, "FlagsNew">;
const rtStructs = requireLib("netlink/dist/rt/structs") as Pick<typeof Netlink.rt, "MessageType" | "formatAddressMessage">;

/** An rtnetlink request failed; `code` is the errno name (e.g. "EPERM") when the kernel gave one. */
export class AddressTableError extends Error {
  override readonly name: string = "AddressTableError";
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; code?: string | undefined } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = options.code;
  }
}

/** The named interface does not exist (ENODEV). */
export class LinkNotFoundError extends AddressTableError {
  override readonly name = "LinkNotFoundError";
}

export interface NetlinkAddressTableOptions {
  /** Per-request timeout; default 5 s. */
  readonly timeoutMs?: number;
}

/** An address as rtnetlink reports it, with the kernel's flags (tentative, nodad, secondary...). */
export interface KernelAddress extends InterfaceAddress {
  readonly label: string | undefined;
  readonly flags: rt.AddressFlags;
}

/** How long a linkState answer is reused (polls of many instances share one request). */
const LINK_STATE_TTL_MS = 200;
/** Encoded add/remove messages kept (one pair per virtual address in use; cleared when full). */
const ENCODED_CACHE = 4096;

export class NetlinkAddressTable implements AddressTable {
  private readonly timeoutMs: number;
  private readonly indexes = new Map<string, number>();
  /**
   * One request at a time on the socket: the kernel serves one dump per
   * socket and the netlink package keeps one multipart buffer, so
   * interleaved requests would corrupt each other's replies. A request
   * made while none is outstanding is sent inside the call.
   */
  private readonly queue = new Serial();
  private readonly states = new Map<string, { readonly at: number; readonly value: Promise<Omit<LinkInfo, "addresses">> }>();
  /**
   * RTM_NEWADDR / RTM_DELADDR payloads by operation, index and address: a
   * failover sends bytes encoded before (the encoder is also run once at
   * open, so even the first failover does not wait for it to be compiled).
   */
  private readonly encoded = new Map<string, Buffer>();
  /**
   * Addresses released through remove() and not added again since, by
   * interface: one state per interface across every instance sharing this
   * table. A primary's removal puts back the secondaries the kernel deleted
   * with it, except these: another instance released that VIP meanwhile
   * (both leaving master together) and its own delete may already have run.
   */
  private readonly released = new Set<string>();

  private constructor(
    private readonly socket: RtNetlinkSocket,
    options: NetlinkAddressTableOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Without a listener an asynchronous socket error (ENOBUFS) would be thrown from native code.
    socket.socket.on("error", () => undefined);
    encodeAddressMessage(1, { address: "192.0.2.1", family: 4, prefixLength: 32, label: "warm" });
  }

  linkState(ifname: string): Promise<Omit<LinkInfo, "addresses">> {
    const now = Date.now();
    const cached = this.states.get(ifname);
    if (cached !== undefined && now - cached.at < LINK_STATE_TTL_MS) return cached.value;
    const value = this.request(`looking up ${ifname}`, () => this.socket.getLink({}, { ifname }, this.options()), ifname).then((found) => {
      const link = found[0];
      if (link === undefined || link.data.index === undefined) throw new LinkNotFoundError(`no interface named ${ifname}`);
      this.indexes.set(ifname, link.data.index);
      const flags = link.data.flags ?? {};
      return {
        name: link.attrs.ifname ?? ifname,
        index: link.data.index,
        mac: formatMac(link.attrs.address),
        up: flags.up === true && flags.running === true,
      };
    });
    this.states.set(ifname, { at: now, value });
    value.catch(() => this.states.delete(ifname));
    return value;
  }

  /** Opens an rtnetlink socket in the caller's network namespace. */
  static open(options: NetlinkAddressTableOptions = {}): Promise<NetlinkAddressTable> {
    try {
      return Promise.resolve(new NetlinkAddressTable(createRtNetlink(), options));
    } catch (error) {
      return Promise.reject(new AddressTableError(`cannot open an rtnetlink socket: ${message(error)}`, { cause: error }));
    }
  }

  async link(ifname: string): Promise<LinkInfo> {
    const found = await this.request(`looking up ${ifname}`, () => this.socket.getLink({}, { ifname }, this.options()), ifname);
    const link = found[0];
    if (link === undefined || link.data.index === undefined) throw new LinkNotFoundError(`no interface named ${ifname}`);
    this.indexes.set(ifname, link.data.index);
    const flags = link.data.flags ?? {};
    return {
      name: link.attrs.ifname ?? ifname,
      index: link.data.index,
      mac: formatMac(link.attrs.address),
      up: flags.up === true && flags.running === true,
      addresses: await this.addressesOf(link.data.index),
    };
  }

  async links(): Promise<LinkInfo[]> {
    const found = await this.request("listing interfaces", () => this.socket.getLinks({}, {}, this.options()));
    const addresses = await this.request("listing addresses", () => this.socket.getAddresses({}, {}, this.options()));
    const result: LinkInfo[] = [];
    for (const link of found) {
      const index = link.data.index;
      const name = link.attrs.ifname;
      if (index === undefined || name === undefined) continue;
      this.indexes.set(name, index);
      const flags = link.data.flags ?? {};
      result.push({
        name,
        index,
        mac: link.attrs.address === undefined ? "00:00:00:00:00:00" : formatMac(link.attrs.address),
        up: flags.up === true && flags.running === true,
        addresses: addressesIn(addresses, index),
      });
    }
    return result;
  }

  /** Every address on the interface with its kernel flags. */
  async kernelAddresses(ifname: string): Promise<KernelAddress[]> {
    const { index } = await this.link(ifname);
    return this.addressesOf(index);
  }

  async add(ifname: string, address: VirtualAddress): Promise<void> {
    this.released.delete(releasedKey(ifname, address.address, address.prefixLength));
    await this.withIndex(ifname, (index) => this.addAt(ifname, index, address));
  }

  private async addAt(ifname: string, index: number, address: VirtualAddress): Promise<void> {
    const payload = this.encode("add", index, address);
    await this.request(
      `adding ${address.address}/${address.prefixLength} to ${ifname}`,
      () => this.socket.request(rtStructs.MessageType.NEWADDR, [payload], { ...this.options(), flags: FlagsNew.CREATE | FlagsNew.EXCL }),
      ifname,
      "EEXIST",
    );
  }

  async remove(ifname: string, address: VirtualAddress): Promise<void> {
    // Marked at the call, before any request: a put-back decided after this never restores it.
    if (this.released.size >= ENCODED_CACHE) this.released.clear();
    this.released.add(releasedKey(ifname, address.address, address.prefixLength));
    await this.withIndex(ifname, (index) => this.removeAt(ifname, index, address));
  }

  private async removeAt(ifname: string, index: number, address: VirtualAddress): Promise<void> {
    // A VIP that is the primary of its subnet takes the subnet's secondaries with it (they were
    // added by someone else after it, unless promote_secondaries is set): put them back at once.
    const along = address.family === 4 && address.prefixLength < 32 ? deletedWith(await this.addressesOf(index), address) : [];
    const payload = this.encode("remove", index, address);
    await this.request(
      `removing ${address.address}/${address.prefixLength} from ${ifname}`,
      () => this.socket.request(rtStructs.MessageType.DELADDR, [payload], this.options()),
      ifname,
      "EADDRNOTAVAIL",
    );
    if (along.length === 0) return;
    const left = await this.addressesOf(index);
    // Decided per address just before its add is queued (synchronously), so a remove() called
    // later queues its delete after that add.
    for (const a of along) {
      if (toRestore([a], left, (d) => this.released.has(releasedKey(ifname, d.address, d.prefixLength))).length === 0) continue;
      await this.addAt(ifname, index, {
        address: a.address,
        family: 4,
        prefixLength: a.prefixLength,
        ...(a.label !== undefined ? { label: a.label } : {}),
      });
    }
  }

  /** Encodes the add and remove requests ahead (the interface's index from a cached lookup). */
  async prepare(ifname: string, address: VirtualAddress): Promise<void> {
    await this.linkState(ifname); // caches the index (shared by concurrent callers)
    await this.withIndex(ifname, async (index) => {
      this.encode("add", index, address);
      this.encode("remove", index, address);
    });
  }

  private encode(operation: "add" | "remove", index: number, address: VirtualAddress): Buffer {
    const key = `${operation} ${index} ${address.address}/${address.prefixLength} ${address.label ?? ""}`;
    let payload = this.encoded.get(key);
    if (payload === undefined) {
      payload = operation === "add" ? encodeAddressMessage(index, address) : encodeAddressMessage(index, address, { bare: true });
      if (this.encoded.size >= ENCODED_CACHE) this.encoded.clear();
      this.encoded.set(key, payload);
    }
    return payload;
  }

  close(): void {
    this.socket.socket.close();
  }

  /**
   * Runs op with the interface's index, cached by name: a failover adds an
   * address with one netlink round trip instead of a link and address dump.
   * A vanished or recreated interface (ENODEV) drops the cache entry and is
   * looked up once more.
   */
  private async withIndex(ifname: string, op: (index: number) => Promise<void>): Promise<void> {
    const cached = this.indexes.get(ifname);
    if (cached !== undefined) {
      try {
        return await op(cached);
      } catch (error) {
        if (!(error instanceof LinkNotFoundError)) throw error;
        this.indexes.delete(ifname);
      }
    }
    const { index } = await this.link(ifname);
    return op(index);
  }

  private async addressesOf(index: number): Promise<KernelAddress[]> {
    const all = await this.request("listing addresses", () => this.socket.getAddresses({}, {}, this.options()));
    return addressesIn(all, index);
  }

  private options() {
    return { timeout: this.timeoutMs };
  }

  /** Runs a request, mapping netlink's "Request rejected: ECODE" errors; `ignore` is an errno name that means success. */
  private request<T>(what: string, run: () => Promise<T[]>, ifname?: string, ignore?: string): Promise<T[]> {
    return this.queue.run(() => this.requestNow(what, run, ifname, ignore));
  }

  private async requestNow<T>(what: string, run: () => Promise<T[]>, ifname?: string, ignore?: string): Promise<T[]> {
    try {
      return await run();
    } catch (error) {
      const code = /\b(E[A-Z0-9]+)\b/.exec(message(error))?.[1];
      if (ignore !== undefined && code === ignore) return [];
      if (code === "ENODEV" && ifname !== undefined) {
        throw new LinkNotFoundError(`no interface named ${ifname}`, { cause: error, code });
      }
      throw new AddressTableError(`${what}: ${message(error)}`, { cause: error, code });
    }
  }
}

/** Opens the system AddressTable (rtnetlink in the current network namespace). */
export function openAddressTable(options: NetlinkAddressTableOptions = {}): Promise<NetlinkAddressTable> {
  return NetlinkAddressTable.open(options);
}

/**
 * The ifaddrmsg and attributes of an RTM_NEWADDR (label for IPv4, IFA_F_NODAD
 * for IPv6) or, bare, of an RTM_DELADDR (index, prefix and address only).
 */
function encodeAddressMessage(index: number, address: VirtualAddress, options: { bare?: boolean } = {}): Buffer {
  const { data, attrs } = addressMessage(index, address);
  if (options.bare !== true) {
    const flags = address.family === 6 ? { nodad: true as const } : {};
    if (address.family === 4 && address.label !== undefined) attrs.label = address.label;
    Object.assign(data, { flags });
    Object.assign(attrs, { flags });
  }
  const stream = new AttrStream();
  rtStructs.formatAddressMessage({ kind: "address", data, attrs }, stream);
  return Buffer.concat(stream.bufs);
}

function addressMessage(index: number, address: VirtualAddress): { data: rt.Address; attrs: rt.AddressAttrs } {
  const bytes = addressBytes(address.address, address.family);
  return {
    data: {
      family: address.family === 4 ? AF_INET : AF_INET6,
      prefixlen: address.prefixLength,
      scope: RT_SCOPE_UNIVERSE,
      index,
    },
    attrs: { local: bytes, address: bytes },
  };
}

function addressBytes(text: string, family: Family): Buffer {
  const parsed = parseAddress(text, family);
  if (!parsed.ok) throw new TypeError(parsed.error);
  return Buffer.from(parsed.bytes);
}

function formatMac(bytes: Buffer | undefined): string {
  if (bytes === undefined) return "00:00:00:00:00:00";
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function releasedKey(ifname: string, address: string, prefixLength: number): string {
  return `${ifname} ${address}/${prefixLength}`;
}

/** The addresses of one interface out of an address dump. */
function addressesIn(all: readonly rt.AddressMessage[], index: number): KernelAddress[] {
  const result: KernelAddress[] = [];
  for (const message of all) {
    if (message.data.index !== index) continue;
    const family = message.data.family === AF_INET ? 4 : message.data.family === AF_INET6 ? 6 : undefined;
    const bytes = message.attrs.local ?? message.attrs.address;
    if (family === undefined || bytes === undefined) continue;
    result.push({
      address: formatAddress(family, bytes),
      family,
      prefixLength: message.data.prefixlen ?? (family === 4 ? 32 : 128),
      label: message.attrs.label,
      flags: message.attrs.flags ?? message.data.flags ?? {},
    });
  }
  return result;
}
