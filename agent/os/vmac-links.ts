/**
 * VirtualMacLinks over rtnetlink and /proc/sys: the macvlan interface that
 * carries an instance's RFC 5798 §7.3 virtual MAC (keepalived use_vmac),
 * set up as keepalived 2.2.7 sets it up, so the two interoperate:
 *
 * - RTM_NEWLINK with IFLA_LINK = the base interface, IFLA_ADDRESS = the
 *   virtual MAC and IFLA_LINKINFO { kind "macvlan", data { mode private } };
 * IPv4 instances:
 * - on the macvlan, before it goes up: IPv6 off (no link-local, so a backup
 *   never sends a frame from the shared MAC and no switch learns it on the
 *   wrong port); arp_ignore=1, accept_local=1, rp_filter=0,
 *   promote_secondaries=1;
 * - on the base interface: arp_ignore=1 and arp_filter=1, so only the
 *   macvlan (which holds the VIP) answers ARP for it, with the virtual MAC.
 *   The base's earlier values come back when its last macvlan is removed.
 *
 * IPv6 instances (00:00:5e:00:02:VRID): no address generated from the MAC
 * (addr_gen_mode none: every router's would be the same), and one link-local
 * address added, nodad and deprecated (preferred lifetime 0, so the kernel
 * never picks it on its own; adverts name it explicitly). The base interface
 * is left alone: the kernel answers a neighbour solicitation only on the
 * interface holding the target, the macvlan.
 *
 * A macvlan of that name left by an earlier run is taken over (IPv6: removed
 * and created again, so no address of the earlier run survives); another
 * kind of interface with the name is an error.
 */
import { createRequire } from "node:module";
import { readFile, writeFile } from "node:fs/promises";
import type * as Netlink from "netlink";
import type { RtNetlinkSocket } from "netlink";
import { Serial } from "../../base/serial.js";
import type { VirtualMacLinks, VirtualMacSpec } from "./ports.js";
import { AddressTableError, LinkNotFoundError } from "./address-table.js";
import { parseAddress } from "../vrrp/address-bytes.js";

const requireLib = createRequire(import.meta.url);
const { createRtNetlink } = requireLib("netlink/dist/rt/rt") as Pick<typeof Netlink, "createRtNetlink">;
const { AttrStream } = requireLib("netlink/dist/structs") as Pick<typeof Netlink, "AttrStream">;
const { FlagsNew } = requireLib("netlink/dist/constants") as Pick<typeof Netlink, "FlagsNew">;
const ifla = requireLib("netlink/dist/rt/ifla") as Pick<typeof Netlink.ifla, "formatInfo" | "formatMacvlan" | "parseInfo">;

const MACVLAN_MODE_PRIVATE = 1;
const IN6_ADDR_GEN_MODE_NONE = 1;
const AF_INET6 = 10;
const RT_SCOPE_LINK = 253;
/** ifa_valid "forever". */
const INFINITY_LIFE_TIME = 0xffffffff;
const TIMEOUT_MS = 5000;

/** The sysctls keepalived sets, per interface role. */
const ON_VMAC: readonly [string, string][] = [
  ["ipv4/conf/%/arp_ignore", "1"],
  ["ipv4/conf/%/accept_local", "1"],
  ["ipv4/conf/%/rp_filter", "0"],
  ["ipv4/conf/%/promote_secondaries", "1"],
];
const ON_BASE: readonly [string, string][] = [
  ["ipv4/conf/%/arp_ignore", "1"],
  ["ipv4/conf/%/arp_filter", "1"],
];

/** Reads and writes /proc/sys/net/<key> (injected for tests of the rules above). */
export interface Sysctl {
  read(key: string): Promise<string>;
  write(key: string, value: string): Promise<void>;
}

export const procSysctl: Sysctl = {
  read: async (key) => (await readFile(`/proc/sys/net/${key}`, "utf8")).trim(),
  write: (key, value) => writeFile(`/proc/sys/net/${key}`, value),
};

/** The IFLA_LINKINFO payload of a private-mode macvlan. */
export function macvlanLinkInfo(): Buffer {
  const data = new AttrStream();
  data.emit(ifla.formatMacvlan({ mode: MACVLAN_MODE_PRIVATE }));
  const info = new AttrStream();
  info.emit(ifla.formatInfo({ kind: "macvlan", data: Buffer.concat(data.bufs) }));
  return Buffer.concat(info.bufs);
}

export class NetlinkVirtualMacLinks implements VirtualMacLinks {
  private readonly queue = new Serial();
  /** Base interface → its sysctl values before floatip changed them, and the macvlans on it. */
  private readonly bases = new Map<string, { readonly saved: Map<string, string>; readonly vmacs: Set<string> }>();

  private constructor(
    private readonly socket: RtNetlinkSocket,
    private readonly sysctl: Sysctl,
  ) {
    socket.socket.on("error", () => undefined);
  }

  static open(sysctl: Sysctl = procSysctl): Promise<NetlinkVirtualMacLinks> {
    try {
      return Promise.resolve(new NetlinkVirtualMacLinks(createRtNetlink(), sysctl));
    } catch (error) {
      return Promise.reject(new AddressTableError(`cannot open an rtnetlink socket: ${message(error)}`, { cause: error }));
    }
  }

  create(spec: VirtualMacSpec): Promise<void> {
    return this.queue.run(async () => {
      const parent = await this.find(spec.parent);
      if (parent === undefined) throw new LinkNotFoundError(`no interface named ${spec.parent}`);
      const mac = Buffer.from(spec.mac.split(":").map((h) => parseInt(h, 16)));
      let index = await this.takeOver(spec.name, mac);
      if (index !== undefined && spec.linkLocal !== undefined) {
        const old = index;
        await this.request(
          `removing the earlier ${spec.name}`,
          () => this.socket.delLink({ index: old }, {}, { timeout: TIMEOUT_MS }),
          "ENODEV",
        );
        index = undefined;
      }
      if (index === undefined) {
        const link = Buffer.alloc(4);
        link.writeUInt32LE(parent);
        await this.request(`creating macvlan ${spec.name} on ${spec.parent}`, () =>
          this.socket.newLink(
            {},
            { ifname: spec.name, link, address: mac, linkinfo: macvlanLinkInfo() },
            { timeout: TIMEOUT_MS, flags: FlagsNew.CREATE | FlagsNew.EXCL },
          ),
        );
        index = await this.find(spec.name);
        if (index === undefined) throw new AddressTableError(`macvlan ${spec.name} vanished after it was created`);
      }
      if (spec.linkLocal === undefined) {
        // No IPv6 on the shared MAC (a kernel without IPv6 has no such key).
        await this.sysctl.write(`ipv6/conf/${spec.name}/disable_ipv6`, "1").catch(() => undefined);
        for (const [key, value] of ON_VMAC) await this.sysctl.write(key.replace("%", spec.name), value);
        await this.setBase(spec.parent, spec.name);
      } else {
        await this.setIpv6(spec.name, index, spec.linkLocal);
      }
      await this.request(`setting ${spec.name} up`, () =>
        this.socket.setLink({ index, flags: { up: true }, change: { up: true } }, {}, { timeout: TIMEOUT_MS }),
      );
    });
  }

  remove(name: string): Promise<void> {
    return this.queue.run(async () => {
      const index = await this.find(name);
      if (index !== undefined)
        await this.request(`removing ${name}`, () => this.socket.delLink({ index }, {}, { timeout: TIMEOUT_MS }), "ENODEV");
      for (const [base, state] of this.bases) {
        if (!state.vmacs.delete(name) || state.vmacs.size > 0) continue;
        this.bases.delete(base);
        for (const [key, value] of state.saved) await this.sysctl.write(key, value).catch(() => undefined);
      }
    });
  }

  close(): void {
    this.socket.socket.close();
  }

  /** Before the macvlan goes up: IPv6 on, no generated address, only `linkLocal` (see the header). */
  private async setIpv6(name: string, index: number, linkLocal: string): Promise<void> {
    await this.sysctl.write(`ipv6/conf/${name}/disable_ipv6`, "0");
    await this.sysctl.write(`ipv6/conf/${name}/addr_gen_mode`, String(IN6_ADDR_GEN_MODE_NONE));
    const bytes = parseAddress(linkLocal, 6);
    if (!bytes.ok) throw new AddressTableError(`link-local address for ${name}: ${bytes.error}`);
    const local = Buffer.from(bytes.bytes);
    await this.request(`adding ${linkLocal}/64 to ${name}`, () =>
      this.socket.newAddress(
        { family: AF_INET6, prefixlen: 64, scope: RT_SCOPE_LINK, index },
        { local, address: local, flags: { nodad: true }, cacheInfo: { ifaPrefered: 0, ifaValid: INFINITY_LIFE_TIME } },
        { timeout: TIMEOUT_MS, flags: FlagsNew.CREATE | FlagsNew.REPLACE },
      ),
    );
  }

  private async setBase(base: string, vmac: string): Promise<void> {
    let state = this.bases.get(base);
    if (state === undefined) {
      const saved = new Map<string, string>();
      for (const [key] of ON_BASE) {
        const path = key.replace("%", base);
        saved.set(path, await this.sysctl.read(path));
      }
      state = { saved, vmacs: new Set() };
      this.bases.set(base, state);
    }
    state.vmacs.add(vmac);
    for (const [key, value] of ON_BASE) await this.sysctl.write(key.replace("%", base), value);
  }

  /** An existing interface of that name: its index if it is a macvlan (given the MAC again), undefined if none; else an error. */
  private async takeOver(name: string, mac: Buffer): Promise<number | undefined> {
    const found = await this.request(
      `looking up ${name}`,
      () => this.socket.getLink({}, { ifname: name }, { timeout: TIMEOUT_MS }),
      "ENODEV",
    );
    const link = found[0];
    if (link?.data.index === undefined) return undefined;
    const kind = link.attrs.linkinfo === undefined ? undefined : ifla.parseInfo(link.attrs.linkinfo).kind;
    if (kind !== "macvlan")
      throw new AddressTableError(`${name} exists and is not a macvlan (${kind ?? "no kind"}); floatip will not take it over for use_vmac`);
    await this.request(`setting the virtual MAC on ${name}`, () =>
      this.socket.setLink({ index: link.data.index }, { address: mac }, { timeout: TIMEOUT_MS }),
    );
    return link.data.index;
  }

  private async find(name: string): Promise<number | undefined> {
    const found = await this.request(
      `looking up ${name}`,
      () => this.socket.getLink({}, { ifname: name }, { timeout: TIMEOUT_MS }),
      "ENODEV",
    );
    return found[0]?.data.index;
  }

  private async request<T>(what: string, run: () => Promise<T[]>, ignore?: string): Promise<T[]> {
    try {
      return await run();
    } catch (error) {
      const code = /\b(E[A-Z0-9]+)\b/.exec(message(error))?.[1];
      if (ignore !== undefined && code === ignore) return [];
      throw new AddressTableError(`${what}: ${message(error)}`, { cause: error, code });
    }
  }
}

export function openVirtualMacLinks(): Promise<NetlinkVirtualMacLinks> {
  return NetlinkVirtualMacLinks.open();
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
