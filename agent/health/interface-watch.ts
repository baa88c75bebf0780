/**
 * Link state of tracked interfaces, polled through AddressTable.link every
 * pollMs (one poll at a time). An interface that cannot be looked up (it
 * does not exist, or the lookup fails) counts as down, like keepalived,
 * which treats a missing interface as down. Changes are reported per
 * interface; the first poll after start() establishes the state silently.
 */
import type { AddressTable } from "../os/ports.js";
import type { Clock, TimerHandle } from "../runtime/clock.js";
import type { Logger } from "../runtime/logger.js";

export interface InterfaceWatchDeps {
  readonly clock: Clock;
  readonly addresses: Pick<AddressTable, "link">;
  readonly logger: Logger;
  /** Default 1000 ms. */
  readonly pollMs?: number;
  readonly onChange?: (ifname: string, up: boolean) => void;
}

export const DEFAULT_INTERFACE_POLL_MS = 1000;

export class InterfaceWatch {
  private readonly names: readonly string[];
  private readonly state = new Map<string, boolean>();
  private timer: TimerHandle | undefined;
  private polling: Promise<void> | undefined;
  private running = false;

  constructor(interfaces: Iterable<string>, private readonly deps: InterfaceWatchDeps) {
    this.names = [...new Set(interfaces)];
  }

  /** Whether the link is up; undefined until the first poll. */
  isUp(ifname: string): boolean | undefined {
    return this.state.get(ifname);
  }

  /** Polls once (resolving when done, without reporting), then every pollMs. */
  async start(): Promise<void> {
    if (this.running) throw new Error("interface watch already started");
    this.running = true;
    await this.poll(false);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.polling;
  }

  /** Poll now; used by the timer and by tests. */
  poll(report = true): Promise<void> {
    if (this.polling !== undefined) return this.polling;
    this.polling = this.pollAll(report).finally(() => (this.polling = undefined));
    return this.polling;
  }

  private schedule(): void {
    if (!this.running || this.names.length === 0) return;
    const { clock } = this.deps;
    this.timer = clock.at(clock.now() + (this.deps.pollMs ?? DEFAULT_INTERFACE_POLL_MS), () => {
      void this.poll().then(() => this.schedule());
    });
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
      return (await this.deps.addresses.link(name)).up;
    } catch (error) {
      if (this.state.get(name) !== false) this.deps.logger.log("warn", "tracked interface lookup failed", { interface: name, error });
      return false;
    }
  }
}
