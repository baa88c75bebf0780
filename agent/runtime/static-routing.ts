/**
 * keepalived static_routes / static_rules: installed when the agent starts,
 * whatever the VRRP state, kept while it runs, changed to the new set on a
 * reload, and removed when it stops (keepalived 2.2.7 removes its static
 * entries at shutdown too; checked in a namespace). Rules go in after the
 * routes and out before them, as with virtual_rules.
 */
import type { RouteConfig, RuleConfig } from "../config/types.js";
import type { RouteTable } from "../os/ports.js";
import { describeRoute } from "../os/route-message.js";
import { describeRule } from "../os/rule-message.js";
import type { Logger } from "../../base/logger.js";

export interface StaticSet {
  readonly routes: readonly RouteConfig[];
  readonly rules: readonly RuleConfig[];
}

const NONE: StaticSet = { routes: [], rules: [] };

export class StaticRouting {
  private installed: StaticSet = NONE;

  constructor(
    private readonly table: RouteTable | undefined,
    private readonly logger: Logger,
  ) {}

  /** Brings the installed set to `wanted`; a route or rule the kernel refuses is logged and the others still go in. */
  async apply(wanted: StaticSet): Promise<void> {
    const gone = {
      routes: without(this.installed.routes, wanted.routes, describeRoute),
      rules: without(this.installed.rules, wanted.rules, describeRule),
    };
    const fresh = {
      routes: without(wanted.routes, this.installed.routes, describeRoute),
      rules: without(wanted.rules, this.installed.rules, describeRule),
    };
    if (gone.routes.length + gone.rules.length + fresh.routes.length + fresh.rules.length === 0) return;
    await this.each(gone.rules, "remove", (t, r) => t.removeRule(r), describeRule);
    await this.each(gone.routes, "remove", (t, r) => t.remove(r), describeRoute);
    await this.each(fresh.routes, "add", (t, r) => t.add(r), describeRoute);
    await this.each(fresh.rules, "add", (t, r) => t.addRule(r), describeRule);
    this.installed = wanted;
  }

  stop(): Promise<void> {
    return this.apply(NONE);
  }

  private async each<T>(
    items: readonly T[],
    operation: "add" | "remove",
    run: (table: RouteTable, item: T) => Promise<void>,
    describe: (item: T) => string,
  ): Promise<void> {
    for (const item of items) {
      try {
        if (this.table === undefined) throw new Error("no route table given to the agent");
        await run(this.table, item);
      } catch (error) {
        this.logger.log("error", `${operation} of a static route or rule failed`, { entry: describe(item), error });
      }
    }
  }
}

function without<T>(list: readonly T[], other: readonly T[], key: (item: T) => string): T[] {
  const keys = new Set(other.map(key));
  return list.filter((item) => !keys.has(key(item)));
}
