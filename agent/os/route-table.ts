/**
 * RouteTable over rtnetlink (the `netlink` package; messages built in
 * route-message.ts). Its own socket:
 * route changes happen on transitions only and must not wait behind the
 * address table's dumps.
 */
import { createRequire } from "node:module";
import type * as Netlink from "netlink";
import type { RtNetlinkSocket } from "netlink";
import type { RouteConfig, RuleConfig } from "../config/types.js";
import { describeRoute, routeMessage } from "./route-message.js";
import { describeRule, ruleMessage } from "./rule-message.js";
import { Serial } from "../../base/serial.js";
import type { RouteTable } from "./ports.js";
import { AddressTableError, LinkNotFoundError } from "./address-table.js";

const TIMEOUT_MS = 5000;

const requireLib = createRequire(import.meta.url);
const { createRtNetlink } = requireLib("netlink/dist/rt/rt") as Pick<typeof Netlink, "createRtNetlink">;
const { FlagsNew } = requireLib("netlink/dist/constants") as Pick<typeof Netlink, "FlagsNew">;

export class NetlinkRouteTable implements RouteTable {
  /** One request at a time: the netlink package keeps one reply buffer per socket. */
  private readonly queue = new Serial();

  private constructor(private readonly socket: RtNetlinkSocket) {
    socket.socket.on("error", () => undefined);
  }

  static open(): Promise<NetlinkRouteTable> {
    try {
      return Promise.resolve(new NetlinkRouteTable(createRtNetlink()));
    } catch (error) {
      return Promise.reject(new AddressTableError(`cannot open an rtnetlink socket: ${message(error)}`, { cause: error }));
    }
  }

  add(route: RouteConfig): Promise<void> {
    return this.queue.run(async () => {
      const { data, attrs } = routeMessage(route, await this.index(route.device), "add");
      await this.request(
        `adding route ${describeRoute(route)}`,
        () => this.socket.newRoute(data, attrs, { timeout: TIMEOUT_MS, flags: FlagsNew.CREATE | FlagsNew.EXCL }),
        "EEXIST",
      );
    });
  }

  remove(route: RouteConfig): Promise<void> {
    return this.queue.run(async () => {
      // A device that is gone took its routes with it.
      const oif = await this.index(route.device).catch((error: unknown) =>
        error instanceof LinkNotFoundError ? null : Promise.reject(error),
      );
      if (oif === null) return;
      const { data, attrs } = routeMessage(route, oif, "remove");
      await this.request(
        `removing route ${describeRoute(route)}`,
        () => this.socket.delRoute(data, attrs, { timeout: TIMEOUT_MS }),
        "ESRCH",
      );
    });
  }

  /** Policy rules (keepalived virtual_rules) go through the same socket: they change with the routes. */
  addRule(rule: RuleConfig): Promise<void> {
    return this.queue.run(async () => {
      const { data, attrs } = ruleMessage(rule, "add");
      await this.request(
        `adding rule ${describeRule(rule)}`,
        () => this.socket.newRule(data, attrs, { timeout: TIMEOUT_MS, flags: FlagsNew.CREATE | FlagsNew.EXCL }),
        "EEXIST",
      );
    });
  }

  removeRule(rule: RuleConfig): Promise<void> {
    return this.queue.run(async () => {
      const { data, attrs } = ruleMessage(rule, "remove");
      await this.request(`removing rule ${describeRule(rule)}`, () => this.socket.delRule(data, attrs, { timeout: TIMEOUT_MS }), "ENOENT");
    });
  }

  close(): void {
    this.socket.socket.close();
  }

  private async index(device: string | undefined): Promise<number | undefined> {
    if (device === undefined) return undefined;
    const found = await this.request(
      `looking up ${device}`,
      () => this.socket.getLink({}, { ifname: device }, { timeout: TIMEOUT_MS }),
      undefined,
      device,
    );
    const index = found[0]?.data.index;
    if (index === undefined) throw new LinkNotFoundError(`no interface named ${device}`);
    return index;
  }

  private async request<T>(what: string, run: () => Promise<T[]>, ignore?: string, ifname?: string): Promise<T[]> {
    try {
      return await run();
    } catch (error) {
      const code = /\b(E[A-Z0-9]+)\b/.exec(message(error))?.[1];
      if (ignore !== undefined && code === ignore) return [];
      if (code === "ENODEV" && ifname !== undefined) throw new LinkNotFoundError(`no interface named ${ifname}`, { cause: error, code });
      throw new AddressTableError(`${what}: ${message(error)}`, { cause: error, code });
    }
  }
}

export function openRouteTable(): Promise<NetlinkRouteTable> {
  return NetlinkRouteTable.open();
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
