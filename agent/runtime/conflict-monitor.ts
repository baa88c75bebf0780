/**
 * One router's conflict detection: runs the pure duplicate-address detector
 * and foreign-VRRP tracker (agent/conflict/) and performs what they ask
 * through the injected prober and clock. Everything here is reporting: a
 * metric, one log line when a conflict starts and one when it ends, the
 * router's snapshot (for /state and the VRRPNode status). It never changes
 * what VRRP does. Probes and claim watches run on their own chain, so taking
 * an address never waits for them.
 */
import type { InstanceConfig, VirtualAddress } from "../config/types.js";
import {
  duplicateConflicts,
  NOT_MASTER,
  stepDuplicate,
  type DuplicateAction,
  type DuplicateParams,
  type DuplicateState,
  type DuplicateStep,
} from "../conflict/duplicate-detector.js";
import {
  expireForeign,
  foreignConflicts,
  NO_FOREIGN,
  noteForeignAdvert,
  type ForeignAdvert,
  type ForeignParams,
  type ForeignState,
  type ForeignStep,
} from "../conflict/foreign-vrrp.js";
import { describeConflict, type Conflict } from "../conflict/types.js";
import type { AddressProber, ClaimWatch } from "../os/ports.js";
import type { Clock, TimerHandle } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import type { AgentMetrics, InstanceLabels } from "./metrics.js";

export interface ConflictOptions {
  /** Duplicate-address probing; undefined = off (foreign VRRP is still watched). */
  readonly prober?: AddressProber;
  /** Period of probes while master, ms (default 10 s; 0 = only at takeover). */
  readonly probeIntervalMs?: number;
  /** A conflict of this instance started or ended (status reporting). */
  readonly onChange?: (instance: string) => void;
}

export const DEFAULT_PROBE_INTERVAL_MS = 10_000;
const ANSWER_WINDOW_MS = 1000;
const MAX_FOREIGN_SOURCES = 16;

export interface ConflictMonitorDeps {
  readonly clock: Clock;
  readonly metrics: AgentMetrics;
  readonly labels: InstanceLabels;
  readonly logger: Logger;
  readonly options: ConflictOptions;
  /** Resolves once the router's queued address changes are done: probes follow them, never delay them. */
  readonly afterAddressChanges: () => Promise<void>;
}

/** Confirmation waits longer than a VRRP peer needs to yield (one advert, then removing the address). */
export function duplicateParams(config: InstanceConfig, probeIntervalMs: number): DuplicateParams {
  return { probeIntervalMs, confirmDelayMs: Math.max(1000, 2 * config.advertIntervalMs), answerWindowMs: ANSWER_WINDOW_MS };
}

export class ConflictMonitor {
  private readonly duplicate: DuplicateParams;
  private readonly foreignParams: ForeignParams;
  private readonly addressList: readonly string[];
  private readonly byAddress: ReadonlyMap<string, VirtualAddress>;
  private dupState: DuplicateState = NOT_MASTER;
  private foreign: ForeignState = NO_FOREIGN;
  private dupTimer: { at: number; handle: TimerHandle } | undefined;
  private foreignTimer: { at: number; handle: TimerHandle } | undefined;
  private watches: ClaimWatch[] = [];
  /** Probes and watches in order, apart from the router's address changes. */
  private chain: Promise<void> = Promise.resolve();
  private generation = 0;
  private stopped = false;

  constructor(
    private readonly config: InstanceConfig,
    private readonly deps: ConflictMonitorDeps,
  ) {
    this.duplicate = duplicateParams(config, deps.options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS);
    this.foreignParams = { ownIntervalMs: config.advertIntervalMs, maxSources: MAX_FOREIGN_SOURCES };
    this.addressList = config.addresses.map((a) => a.address);
    this.byAddress = new Map(config.addresses.map((a) => [a.address, a]));
  }

  /** Every conflict going on now. */
  conflicts(): Conflict[] {
    return [
      ...duplicateConflicts(this.dupState).map((c): Conflict => ({ kind: "duplicate-address", ...c })),
      ...foreignConflicts(this.foreign),
    ];
  }

  /** The router became master (start watching and probe at once) or stopped being master. */
  masterChanged(master: boolean): void {
    if (this.stopped || this.deps.options.prober === undefined || master === this.dupState.master) return;
    const generation = ++this.generation;
    if (master) {
      // After the address is added (never before: the netlink socket serves one request at a time),
      // watch first so the answer to the takeover probe is not missed; the probe follows on the same chain.
      const added = this.deps.afterAddressChanges();
      this.enqueue(async () => {
        await added;
        await this.openWatches(generation);
      });
      this.applyDuplicate(stepDuplicate(this.duplicate, this.addressList, this.dupState, { type: "became-master" }, this.deps.clock.now()));
    } else {
      this.applyDuplicate(stepDuplicate(this.duplicate, this.addressList, this.dupState, { type: "left-master" }, this.deps.clock.now()));
      this.enqueue(async () => this.closeWatches());
    }
  }

  /** An advert on our VRID dropped for a reason that means another speaker. */
  foreignAdvert(advert: ForeignAdvert): void {
    if (this.stopped) return;
    this.applyForeign(noteForeignAdvert(this.foreignParams, this.foreign, advert, this.deps.clock.now()));
  }

  /** Stop probing and watching; every conflict still going on ends. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.generation++;
    this.dupTimer?.handle.cancel();
    this.foreignTimer?.handle.cancel();
    for (const c of this.conflicts()) this.deps.metrics.conflictEnded(this.deps.labels, c.kind);
    this.dupState = NOT_MASTER;
    this.foreign = NO_FOREIGN;
    await this.chain;
    this.closeWatches();
  }

  private applyDuplicate(step: DuplicateStep): void {
    this.dupState = step.state;
    for (const action of step.actions) this.performDuplicate(action);
    this.dupTimer = this.rearm(this.dupTimer, step.wakeAt, () => {
      this.dupTimer = undefined;
      this.applyDuplicate(stepDuplicate(this.duplicate, this.addressList, this.dupState, { type: "tick" }, this.deps.clock.now()));
    });
  }

  private applyForeign(step: ForeignStep): void {
    this.foreign = step.state;
    for (const c of step.started) this.started(c);
    for (const c of step.ended) this.ended(c, "no adverts from it any more");
    this.foreignTimer = this.rearm(this.foreignTimer, step.wakeAt, () => {
      this.foreignTimer = undefined;
      this.applyForeign(expireForeign(this.foreign, this.deps.clock.now()));
    });
  }

  private performDuplicate(action: DuplicateAction): void {
    switch (action.type) {
      case "probe": {
        const address = this.byAddress.get(action.address);
        const prober = this.deps.options.prober;
        if (address === undefined || prober === undefined) return;
        return this.enqueue(async () => {
          await prober.probe(address.device ?? this.config.interface, address);
          this.deps.metrics.probeSent(this.deps.labels);
        });
      }
      case "suspected":
        this.deps.logger.log("debug", "another MAC claims a virtual address; probing again to confirm", {
          address: action.address,
          mac: action.mac,
        });
        return;
      case "detected":
        return this.started({ kind: "duplicate-address", address: action.address, mac: action.mac, since: action.since });
      case "resolved":
        return this.ended(
          { kind: "duplicate-address", address: action.address, mac: action.mac, since: 0 },
          action.why === "no-answer" ? "it no longer answers" : "this router is no longer master",
        );
    }
  }

  private started(conflict: Conflict): void {
    this.deps.metrics.conflictStarted(this.deps.labels, conflict.kind);
    this.deps.logger.log("warn", `conflict: ${describeConflict(conflict)}`, {
      kind: conflict.kind,
      hint: "VRRP goes on as before; find and stop the other speaker or holder",
    });
    this.deps.options.onChange?.(this.config.name);
  }

  private ended(conflict: Conflict, why: string): void {
    this.deps.metrics.conflictEnded(this.deps.labels, conflict.kind);
    this.deps.logger.log("info", `conflict over: ${describeConflict(conflict)}`, { kind: conflict.kind, why });
    this.deps.options.onChange?.(this.config.name);
  }

  private rearm(armed: { at: number; handle: TimerHandle } | undefined, at: number | undefined, fire: () => void) {
    if (armed !== undefined && armed.at === at) return armed;
    armed?.handle.cancel();
    if (at === undefined || this.stopped) return undefined;
    return { at, handle: this.deps.clock.at(at, fire) };
  }

  private async openWatches(generation: number): Promise<void> {
    const prober = this.deps.options.prober!;
    for (const address of this.config.addresses) {
      if (generation !== this.generation) return; // left master meanwhile
      const watch = await prober.watch(address.device ?? this.config.interface, address.address, (claim) => {
        if (this.stopped) return;
        this.applyDuplicate(
          stepDuplicate(
            this.duplicate,
            this.addressList,
            this.dupState,
            { type: "claim", address: claim.address, mac: claim.mac },
            this.deps.clock.now(),
          ),
        );
      });
      this.watches.push(watch);
    }
  }

  private closeWatches(): void {
    for (const w of this.watches.splice(0)) w.close();
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((error: unknown) => {
      this.deps.logger.log("warn", "duplicate-address probe failed", { error });
    });
  }
}
