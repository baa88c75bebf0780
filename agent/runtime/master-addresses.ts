/**
 * What a master owns on the host: its virtual addresses (virtual_ipaddress
 * and virtual_ipaddress_excluded), virtual routes and rules, and the
 * gratuitous ARP / unsolicited NA that announce them. Every change runs in
 * order on one effect chain, so an announce never overtakes the add it
 * depends on; one given while none runs starts at once (before the log line
 * and notify of the transition that asked for it).
 */
import type { InstanceConfig, VirtualAddress } from "../config/types.js";
import type { AddressTable, Announcer, RouteTable } from "../os/ports.js";
import { describeRule } from "../os/rule-message.js";
import type { AnnounceBurst, Phase } from "../vrrp/state-machine.js";
import type { Clock } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import type { AgentMetrics, InstanceLabels } from "./metrics.js";
import { Serial } from "../../base/serial.js";

export interface MasterAddressesDeps {
  readonly clock: Clock;
  readonly addresses: AddressTable;
  readonly announcer: Announcer;
  /** Installs config.routes and config.rules while master; required when the instance has any. */
  readonly routes?: RouteTable | undefined;
  readonly metrics: AgentMetrics;
  readonly labels: InstanceLabels;
  readonly log: Logger;
  /** The config in force (it changes with each reload). */
  readonly config: () => InstanceConfig;
  /** Still master: a burst or a restore stops once it is not. */
  readonly master: () => boolean;
  /** A removed address could not be added again: the router leaves master. */
  readonly lost: () => void;
}

export class MasterAddresses {
  private readonly effects = new Serial();

  constructor(private readonly deps: MasterAddressesDeps) {}

  /** Resolves once every change queued so far has been carried out. */
  settled(): Promise<void> {
    return this.effects.idle();
  }

  /** Encode the address requests ahead (a backup's takeover finds them ready). */
  prepare(addresses: readonly VirtualAddress[] = this.all()): void {
    const table = this.deps.addresses;
    if (table.prepare === undefined) return;
    void Promise.all(addresses.map((a) => table.prepare!(this.device(a), a))).catch(() => undefined);
  }

  /** Becoming master: the addresses, then the routes and rules (a route may name a virtual address as its source). */
  add(): void {
    this.chain("add", () => this.each((iface, a) => this.deps.addresses.add(iface, a)));
    this.routeChanges("add");
  }

  /** Leaving master: routes and rules first (the kernel drops a route whose source goes, but not the others), then the addresses. */
  remove(): void {
    this.routeChanges("remove");
    this.chain("remove", () => this.each((iface, a) => this.deps.addresses.remove(iface, a)));
  }

  /**
   * A burst of gratuitous ARP / NA for every address the master holds, the
   * excluded ones too (as keepalived does): a client that cached the old
   * master's MAC for an excluded address would otherwise not follow a failover.
   */
  announce(burst: AnnounceBurst): void {
    this.chain("announce", () => {
      const { garp } = this.deps.config();
      const count = burst === "refresh" ? garp.refreshRepeat : burst === "lower-priority" ? garp.lowerPriorityRepeat : garp.repeat;
      return this.announceEach(this.all(), count);
    });
  }

  /**
   * A unicast master reaches this node through its neighbour cache, and an
   * entry that gave up while this node was away (link down, agent stopped)
   * is only probed again about once a second: longer than Master_Down_Interval,
   * so the returning backup would hear nothing and take over (also with
   * preempt off). Announcing its own address (`source`) when it starts
   * listening lets every peer reach it at once. Multicast adverts need no
   * neighbour entry.
   */
  announceSelf(from: Phase, to: Phase, source: string): void {
    const config = this.deps.config();
    if (to !== "backup" || (from !== "initialize" && from !== "fault") || config.unicast === undefined) return;
    const self = { address: source, family: config.family, prefixLength: config.family === 4 ? 32 : 128 };
    this.chain("announce", () => this.deps.announcer.announce(config.interface, self));
  }

  /** A reload changed the address list: a master removes the dropped ones and adds and announces the new ones. */
  changed(added: readonly VirtualAddress[], removed: readonly VirtualAddress[]): void {
    this.prepare(added);
    if (!this.deps.master()) return;
    if (removed.length > 0)
      this.chain("remove", async () => {
        for (const a of removed) await this.deps.addresses.remove(this.device(a), a);
      });
    if (added.length === 0) return;
    this.chain("add", async () => {
      for (const a of added) await this.deps.addresses.add(this.device(a), a);
    });
    this.chain("announce", () => this.announceEach(added, this.deps.config().garp.repeat));
  }

  /**
   * One of our virtual addresses left `ifname` behind our back (an admin,
   * a network manager, the kernel with the primary address). A master puts
   * it back at once and announces it; if it cannot, it leaves master.
   */
  restore(ifname: string, address: string): void {
    if (!this.deps.master()) return;
    const lost = this.all().find((a) => a.address === address && this.device(a) === ifname);
    if (lost === undefined) return;
    const { log, metrics, labels } = this.deps;
    log.log("warn", "a virtual address was removed behind our back; adding it again", { interface: ifname, address });
    void this.effects.run(async () => {
      if (!this.deps.master()) return;
      try {
        await this.deps.addresses.add(ifname, lost);
      } catch (error) {
        metrics.addressError(labels, "add");
        log.log("error", "cannot add the removed virtual address again; leaving master", { interface: ifname, address, error });
        this.deps.lost();
        return;
      }
      if (!this.deps.master()) return;
      await this.deps.announcer.announce(ifname, lost).catch((error: unknown) => {
        metrics.addressError(labels, "announce");
        log.log("error", "announce of virtual addresses failed", { error });
      });
    });
  }

  private chain(operation: "add" | "remove" | "announce", effect: () => Promise<void>): void {
    void this.effects.run(() =>
      effect().catch((error: unknown) => {
        this.deps.metrics.addressError(this.deps.labels, operation);
        this.deps.log.log("error", `${operation} of virtual addresses failed`, { error });
      }),
    );
  }

  /**
   * keepalived virtual_routes and virtual_rules: each on its own, so one that
   * fails does not keep the others out. Rules come after the routes they point
   * at and go before them (as keepalived), so a rule never sends packets to a
   * table that is still empty.
   */
  private routeChanges(operation: "add" | "remove"): void {
    const config = this.deps.config();
    const routes = config.routes ?? [];
    const rules = config.rules ?? [];
    const table = this.deps.routes;
    if (routes.length === 0 && rules.length === 0) return;
    const each = async <T>(
      kind: "route" | "rule",
      items: readonly T[],
      apply: (t: RouteTable, item: T) => Promise<void>,
      describe: (item: T) => string,
    ) => {
      for (const item of items) {
        try {
          if (table === undefined) throw new Error("no route table given to the agent");
          await apply(table, item);
        } catch (error) {
          this.deps.metrics.routeError(this.deps.labels, operation, kind);
          this.deps.log.log("error", `${operation} of a virtual ${kind} failed`, { [kind]: describe(item), error });
        }
      }
    };
    const add = operation === "add";
    const eachRoute = () =>
      each(
        "route",
        routes,
        (t, r) => (add ? t.add(r) : t.remove(r)),
        (r) => r.to,
      );
    const eachRule = () => each("rule", rules, (t, r) => (add ? t.addRule(r) : t.removeRule(r)), describeRule);
    void this.effects.run(async () => {
      if (operation === "add") {
        await eachRoute();
        await eachRule();
      } else {
        await eachRule();
        await eachRoute();
      }
    });
  }

  /** keepalived virtual_ipaddress_excluded: with master state, but never in the adverts. */
  private all(): readonly VirtualAddress[] {
    const config = this.deps.config();
    return [...config.addresses, ...(config.excludedAddresses ?? [])];
  }

  private device(address: VirtualAddress): string {
    return address.device ?? this.deps.config().interface;
  }

  private async each(fn: (iface: string, address: VirtualAddress) => Promise<void>): Promise<void> {
    for (const address of this.all()) await fn(this.device(address), address);
  }

  /** `count` rounds of gratuitous ARP / NA for `addresses`, garp.interval apart, while master. */
  private async announceEach(addresses: readonly VirtualAddress[], count: number): Promise<void> {
    const garp = this.deps.config().garp;
    for (let i = 0; i < count; i++) {
      if (!this.deps.master()) return; // lost mastership mid-burst
      if (i > 0 && garp.intervalMs > 0) await delay(this.deps.clock, garp.intervalMs);
      for (const a of addresses) await this.deps.announcer.announce(this.device(a), a);
    }
  }
}

function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.at(clock.now() + ms, resolve));
}
