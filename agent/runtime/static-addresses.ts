/**
 * keepalived static_ipaddress: addresses added when the agent starts,
 * whatever the VRRP state, kept while it runs, brought to the new list on a
 * reload, and deleted when it stops (keepalived 2.2.7 deletes its static
 * addresses at shutdown too). Unlike virtual addresses they are never
 * announced (no gratuitous ARP) and never followed: one deleted behind the
 * agent's back stays deleted, as with keepalived.
 */
import type { VirtualAddress } from "../config/types.js";
import type { AddressTable } from "../os/ports.js";
import type { Logger } from "../../base/logger.js";

const key = (a: VirtualAddress) => `${a.device}|${a.address}/${a.prefixLength}|${a.label ?? ""}`;

export class StaticAddresses {
  private installed: readonly VirtualAddress[] = [];

  constructor(
    private readonly table: AddressTable,
    private readonly logger: Logger,
  ) {}

  /** Brings the added set to `wanted`; an address the kernel refuses is logged and the others still go in. */
  async apply(wanted: readonly VirtualAddress[]): Promise<void> {
    const keep = new Set(wanted.map(key));
    const had = new Set(this.installed.map(key));
    for (const a of this.installed) if (!keep.has(key(a))) await this.each("remove", a, () => this.table.remove(a.device!, a));
    for (const a of wanted) if (!had.has(key(a))) await this.each("add", a, () => this.table.add(a.device!, a));
    this.installed = wanted;
  }

  stop(): Promise<void> {
    return this.apply([]);
  }

  private async each(operation: "add" | "remove", address: VirtualAddress, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.logger.log("error", `${operation} of a static address failed`, {
        interface: address.device,
        address: `${address.address}/${address.prefixLength}`,
        error,
      });
    }
  }
}
