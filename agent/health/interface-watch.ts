/**
 * Link state of tracked interfaces, shared by every instance of an agent:
 * one poll per interface name (AddressTable.linkState every pollMs, one
 * at a time), however many instances track it, fanned out to their
 * listeners. An interface's poll starts with its first subscriber and
 * stops when its last one unsubscribes.
 *
 * An interface that cannot be looked up (it does not exist) counts as
 * down, like keepalived, which treats a missing interface as down; a
 * lookup that fails otherwise keeps what was known. The first poll of an
 * interface establishes its state silently (subscribe resolves after it);
 * later changes are logged once and reported to every listener.
 */
import type { AddressTable } from "../os/ports.js";
import type { Clock } from "../runtime/clock.js";
import type { Logger } from "../runtime/logger.js";
import { PolledWatch } from "./poller.js";

export interface InterfaceWatchDeps {
  readonly clock: Clock;
  readonly addresses: Pick<AddressTable, "linkState">;
  readonly logger: Logger;
  /** Default 1000 ms. */
  readonly pollMs?: number;
}

export const DEFAULT_INTERFACE_POLL_MS = 1000;

export type LinkListener = (up: boolean) => void;

export interface LinkSubscription {
  /**
   * Stop listening. When this was the interface's last listener its poll
   * stops; resolves once a poll in progress has finished. Idempotent.
   */
  unsubscribe(): Promise<void>;
}

export class InterfaceWatch {
  private readonly polls = new Map<string, LinkPoll>();

  constructor(private readonly deps: InterfaceWatchDeps) {}

  /**
   * Follow one interface: listener gets every later change of its state.
   * Resolves once the state is known (at once when the interface is
   * already polled for another subscriber, else after its first poll).
   */
  async subscribe(ifname: string, listener: LinkListener): Promise<LinkSubscription> {
    let poll = this.polls.get(ifname);
    if (poll === undefined) {
      poll = new LinkPoll(ifname, this.deps);
      this.polls.set(ifname, poll);
      poll.begin();
    }
    const entry = { listener };
    poll.listeners.add(entry);
    await poll.ready;
    let done: Promise<void> | undefined;
    const current = poll;
    return {
      unsubscribe: () => {
        done ??= this.leave(ifname, current, entry);
        return done;
      },
    };
  }

  /** Whether the link is up; undefined while nobody follows it or before its first poll. */
  isUp(ifname: string): boolean | undefined {
    return this.polls.get(ifname)?.up;
  }

  /** Names of the interfaces being polled (one poll each). */
  polled(): string[] {
    return [...this.polls.keys()];
  }

  private leave(ifname: string, poll: LinkPoll, entry: { readonly listener: LinkListener }): Promise<void> {
    poll.listeners.delete(entry);
    if (poll.listeners.size > 0) return Promise.resolve();
    if (this.polls.get(ifname) === poll) this.polls.delete(ifname);
    return poll.stop();
  }
}

/** The poll of one interface and the listeners following it. */
class LinkPoll extends PolledWatch {
  readonly listeners = new Set<{ readonly listener: LinkListener }>();
  /** Settles after the first (silent) poll. */
  ready: Promise<void> = Promise.resolve();
  up: boolean | undefined;

  constructor(
    private readonly ifname: string,
    private readonly deps: InterfaceWatchDeps,
  ) {
    super({ clock: deps.clock, intervalMs: deps.pollMs ?? DEFAULT_INTERFACE_POLL_MS, what: `interface watch of ${ifname}` });
  }

  /** Start polling: the first poll now, then one every interval. */
  begin(): void {
    this.ready = this.start();
  }

  protected get empty(): boolean {
    return false;
  }

  protected async pollOnce(report: boolean): Promise<void> {
    const name = this.ifname;
    const up = await this.isLinkUp();
    const before = this.up;
    this.up = up;
    if (before === up || !this.running) return;
    if (before !== undefined || !up) this.deps.logger.log(up ? "info" : "warn", `tracked interface ${name} is ${up ? "up" : "down"}`, { interface: name });
    if (!report || before === undefined) return;
    for (const { listener } of [...this.listeners]) listener(up);
  }

  private async isLinkUp(): Promise<boolean> {
    const name = this.ifname;
    try {
      return (await this.deps.addresses.linkState(name)).up;
    } catch (error) {
      // Only a missing interface is down; a failed lookup keeps what we knew (unknown counts as down).
      const missing = error instanceof Error && error.name === "LinkNotFoundError";
      if (this.up !== false) this.deps.logger.log("warn", "tracked interface lookup failed", { interface: name, error });
      return missing ? false : (this.up ?? false);
    }
  }
}
