/**
 * keepalived's notify FIFOs (notify_fifo / vrrp_notify_fifo): one line per
 * state change, written at once, in the order the changes happen:
 *
 *     INSTANCE "VI_1" MASTER 100      (instance name quoted, effective priority)
 *     GROUP "VG" MASTER 0             (a sync group, priority always 0)
 *
 * A group's line follows the lines of the members that changed with it, in
 * every direction (entering or leaving master, FAULT, BACKUP, STOP), except
 * the group's first BACKUP at start, which comes before its members' first
 * lines: the order keepalived 2.2.7 writes (checked in a namespace, see
 * test/lab/keepalived-notify-fifo.test.ts). The supervisor orders the calls.
 *
 * Writing never waits: a line no one reads, or one that does not fit in the
 * pipe, is dropped and counted (FifoOutlets, onLine). Transitions are never
 * delayed by a FIFO.
 */
import type { NotifyFifoConfig } from "../config/types.js";
import type { FifoOutlets, FifoWriteResult } from "../os/ports.js";
import type { Logger } from "../../base/logger.js";
import type { NotifyState } from "./state-record.js";

export type FifoEvent =
  | { readonly type: "INSTANCE"; readonly name: string; readonly state: NotifyState; readonly priority: number }
  | { readonly type: "GROUP"; readonly name: string; readonly state: NotifyState };

/** The line keepalived writes for an event (with its newline). */
export function fifoLine(event: FifoEvent): string {
  return `${event.type} "${event.name}" ${event.state} ${event.type === "GROUP" ? 0 : event.priority}\n`;
}

export interface NotifyFifosDeps {
  readonly outlets: FifoOutlets;
  readonly logger: Logger;
  /** Every line's fate (metrics). */
  readonly onLine?: (result: FifoWriteResult) => void;
}

interface Open {
  readonly config: NotifyFifoConfig;
  readonly created: boolean;
}

export class NotifyFifos {
  private open: Open[] = [];

  constructor(private readonly deps: NotifyFifosDeps) {}

  /**
   * Takes a config's FIFOs: new ones are prepared (created if missing), gone
   * ones closed (and deleted if the agent created them). A FIFO that cannot
   * be prepared is logged and left out; the others still get their lines.
   */
  async configure(fifos: readonly NotifyFifoConfig[]): Promise<void> {
    const wanted = new Map(fifos.map((f) => [f.path, f]));
    const keep: Open[] = [];
    for (const o of this.open) {
      if (wanted.has(o.config.path)) keep.push(o);
      else await this.deps.outlets.close(o.config.path, o.created);
    }
    for (const config of fifos) {
      if (keep.some((o) => o.config.path === config.path)) continue;
      try {
        const { created } = await this.deps.outlets.prepare(config);
        keep.push({ config, created });
      } catch (error) {
        this.deps.logger.log("error", "cannot use the notify FIFO; its lines are not written", { path: config.path, error });
      }
    }
    this.open = keep;
  }

  write(event: FifoEvent): void {
    const line = fifoLine(event);
    for (const o of this.open) {
      const result = this.deps.outlets.write(o.config.path, line);
      this.deps.onLine?.(result);
      if (result !== "written")
        this.deps.logger.log("debug", "notify FIFO line dropped", { path: o.config.path, reason: result, line: line.trimEnd() });
    }
  }

  /** Closes every FIFO; those the agent created are deleted (as keepalived does). */
  async stop(): Promise<void> {
    await this.configure([]);
  }
}
