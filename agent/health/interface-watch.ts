/**
 * Link state of tracked interfaces, shared by every instance of an agent:
 * one watch per interface name, however many instances track it, fanned
 * out to their listeners. It starts with its first subscriber and stops
 * when its last one unsubscribes.
 *
 * With a LinkMonitor (the agent always has one) changes come from the
 * kernel's link events the moment they happen: carrier loss, admin down,
 * deletion, re-creation and renames (an interface renamed away is gone
 * for its old name). The poll (AddressTable.linkState) then only runs
 * every resync interval and after a monitor "resync", as a safety net.
 * Without a monitor it polls every pollMs.
 *
 * An interface that cannot be looked up (it does not exist) counts as
 * down, like keepalived, which treats a missing interface as down; a
 * lookup that fails otherwise keeps what was known. The first poll of an
 * interface establishes its state silently (subscribe resolves after it);
 * later changes are logged once and reported to every listener.
 */
import type { AddressTable, LinkEvent, LinkMonitor } from "../os/ports.js";
import type { Clock } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import { PolledWatch } from "./poller.js";

export interface InterfaceWatchDeps {
  readonly clock: Clock;
  readonly addresses: Pick<AddressTable, "linkState">;
  readonly logger: Logger;
  /** Link events; without one the interfaces are polled every pollMs. */
  readonly monitor?: LinkMonitor;
  /** Default 1000 ms without a monitor, 30 s (a resync) with one. */
  readonly pollMs?: number;
}

export const DEFAULT_INTERFACE_POLL_MS = 1000;
/** With link events, how often the state is read again anyway (events are not expected to be lost, but cheap to check). */
export const DEFAULT_INTERFACE_RESYNC_MS = 30_000;

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
  private unsubscribeMonitor: (() => void) | undefined;

  constructor(private readonly deps: InterfaceWatchDeps) {}

  private onEvent(event: LinkEvent): void {
    if (event.type === "address") return;
    for (const poll of this.polls.values()) {
      if (event.type === "resync") void poll.poll();
      else poll.linkEvent(event);
    }
  }

  /**
   * Follow one interface: listener gets every later change of its state.
   * Resolves once the state is known (at once when the interface is
   * already polled for another subscriber, else after its first poll).
   */
  async subscribe(ifname: string, listener: LinkListener): Promise<LinkSubscription> {
    let poll = this.polls.get(ifname);
    if (poll === undefined) {
      if (this.deps.monitor !== undefined) this.unsubscribeMonitor ??= this.deps.monitor.subscribe((event) => this.onEvent(event));
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
    if (this.polls.size === 0) {
      this.unsubscribeMonitor?.();
      this.unsubscribeMonitor = undefined;
    }
    return poll.stop();
  }
}

/** The poll of one interface and the listeners following it. */
class LinkPoll extends PolledWatch {
  readonly listeners = new Set<{ readonly listener: LinkListener }>();
  /** Settles after the first (silent) poll. */
  ready: Promise<void> = Promise.resolve();
  up: boolean | undefined;
  /** The kernel's index of the interface now holding the name, when known (to tell a rename away). */
  private index: number | undefined;

  constructor(
    private readonly ifname: string,
    private readonly deps: InterfaceWatchDeps,
  ) {
    const intervalMs = deps.pollMs ?? (deps.monitor !== undefined ? DEFAULT_INTERFACE_RESYNC_MS : DEFAULT_INTERFACE_POLL_MS);
    super({ clock: deps.clock, intervalMs, what: `interface watch of ${ifname}` });
  }

  /** A link event: ours by name, or by index when our interface was renamed away. */
  linkEvent(event: Extract<LinkEvent, { type: "link" }>): void {
    if (event.name === this.ifname) {
      this.index = event.gone ? undefined : event.index;
      this.observe(event.up, true);
    } else if (event.index === this.index) {
      this.index = undefined;
      this.observe(false, true);
    }
  }

  /** Start polling: the first poll now, then one every interval. */
  begin(): void {
    this.ready = this.start();
  }

  protected get empty(): boolean {
    return false;
  }

  protected async pollOnce(report: boolean): Promise<void> {
    this.observe(await this.isLinkUp(), report);
  }

  private observe(up: boolean, report: boolean): void {
    const name = this.ifname;
    const before = this.up;
    this.up = up;
    if (before === up || !this.running) return;
    // Listeners before the log line: a master's FAULT sends its priority-0 advert inside the call.
    if (report && before !== undefined) for (const { listener } of [...this.listeners]) listener(up);
    if (before !== undefined || !up)
      this.deps.logger.log(up ? "info" : "warn", `tracked interface ${name} is ${up ? "up" : "down"}`, { interface: name });
  }

  private async isLinkUp(): Promise<boolean> {
    const name = this.ifname;
    try {
      const state = await this.deps.addresses.linkState(name);
      this.index = state.index;
      return state.up;
    } catch (error) {
      // Only a missing interface is down; a failed lookup keeps what we knew (unknown counts as down).
      const missing = error instanceof Error && error.name === "LinkNotFoundError";
      if (this.up !== false) this.deps.logger.log("warn", "tracked interface lookup failed", { interface: name, error });
      return missing ? false : (this.up ?? false);
    }
  }
}
