/**
 * Link state of tracked interfaces, polled through AddressTable.link every
 * pollMs (one poll at a time). An interface that cannot be looked up (it
 * does not exist, or the lookup fails) counts as down, like keepalived,
 * which treats a missing interface as down. Changes are reported per
 * interface; the first poll after start() establishes the state silently.
 */
import type { AddressTable } from "../os/ports.js";
import type { Clock } from "../runtime/clock.js";
import { PolledWatch } from "./poller.js";
import type { Logger } from "../runtime/logger.js";

export interface InterfaceWatchDeps {
  readonly clock: Clock;
  readonly addresses: Pick<AddressTable, "linkState">;
  readonly logger: Logger;
  /** Default 1000 ms. */
  readonly pollMs?: number;
  readonly onChange?: (ifname: string, up: boolean) => void;
}

export const DEFAULT_INTERFACE_POLL_MS = 1000;

export class InterfaceWatch extends PolledWatch {
  private readonly names: readonly string[];
  private readonly state = new Map<string, boolean>();

  constructor(interfaces: Iterable<string>, private readonly deps: InterfaceWatchDeps) {
    super({ clock: deps.clock, intervalMs: deps.pollMs ?? DEFAULT_INTERFACE_POLL_MS, what: "interface watch" });
    this.names = [...new Set(interfaces)];
  }

  /** Whether the link is up; undefined until the first poll. */
  isUp(ifname: string): boolean | undefined {
    return this.state.get(ifname);
  }

  protected get empty(): boolean {
    return this.names.length === 0;
  }

  protected pollOnce(report: boolean): Promise<void> {
    return this.pollAll(report);
  }

  private async pollAll(report: boolean): Promise<void> {
    const results = await Promise.all(this.names.map(async (name) => [name, await this.isLinkUp(name)] as const));
    for (const [name, up] of results) {
      const before = this.state.get(name);
      this.state.set(name, up);
      if (before === up || !this.running) continue;
      if (before !== undefined || !up) this.deps.logger.log(up ? "info" : "warn", `tracked interface ${name} is ${up ? "up" : "down"}`, { interface: name });
      if (report && before !== undefined) this.deps.onChange?.(name, up);
    }
  }

  private async isLinkUp(name: string): Promise<boolean> {
    try {
      return (await this.deps.addresses.linkState(name)).up;
    } catch (error) {
      // Only a missing interface is down; a failed lookup keeps what we knew (unknown counts as down).
      const missing = error instanceof Error && error.name === "LinkNotFoundError";
      if (this.state.get(name) !== false) this.deps.logger.log("warn", "tracked interface lookup failed", { interface: name, error });
      return missing ? false : (this.state.get(name) ?? false);
    }
  }
}
