/**
 * Link events of one lab host as the kernel announces them (RTM_NEWLINK on
 * RTNLGRP_LINK, printed by a long-running `ip -ts monitor link`), with their
 * wall-clock time in ms (µs precision), like AddressWatch's address events.
 * The failover bench times a tracked interface loss from the moment the
 * kernel announced it: before that event no implementation can react, and
 * how long the command that causes it takes to start is not theirs to spend.
 */
import type { ChildProcess } from "node:child_process";
import type { Lab, LabHost } from "../test/lab/netns.js";

export interface LinkEvent {
  readonly name: string;
  /** The flags between < and > (UP, LOWER_UP, NO-CARRIER, ...). */
  readonly flags: readonly string[];
  /** Wall-clock ms as printed by `ip -ts`. */
  readonly at: number;
}

/** One `ip -ts monitor link` line, or undefined for continuation lines (link/ether ...) and anything else. */
export function parseLinkLine(line: string): LinkEvent | undefined {
  const m = /^\[([0-9T:.-]+)\]\s+\d+:\s+([^:@\s]+)(?:@[^:\s]+)?:\s+<([^>]*)>/.exec(line);
  if (m === null) return undefined;
  const stamp = m[1]!;
  const at = Date.parse(`${stamp.slice(0, 19)}Z`) + Number(`0${stamp.slice(19)}`) * 1000;
  return { name: m[2]!, flags: m[3] === "" ? [] : m[3]!.split(","), at };
}

export class LinkWatch {
  readonly events: LinkEvent[] = [];
  private child: ChildProcess | undefined;

  constructor(private readonly lab: Lab) {}

  async start(host: LabHost): Promise<void> {
    this.child = this.lab.spawnIn(this.lab.switchNs, ["ip", "-ts", "-n", host.ns, "monitor", "link"]);
    let pending = "";
    this.child.stdout?.on("data", (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const event = parseLinkLine(line);
        if (event !== undefined) this.events.push(event);
      }
      if (this.events.length > 10_000) this.events.splice(0, 5_000);
    });
    await new Promise((r) => setTimeout(r, 200)); // let ip monitor subscribe
  }

  /** The first event after `since` (wall ms) in which `name` has lost its carrier. */
  carrierLost(name: string, since: number): LinkEvent | undefined {
    return this.events.find((e) => e.name === name && e.at >= since && e.flags.includes("NO-CARRIER"));
  }

  async stop(): Promise<void> {
    if (this.child !== undefined) await this.lab.kill(this.child);
    this.child = undefined;
  }
}
