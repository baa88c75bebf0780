/**
 * Leader election on a coordination.k8s.io Lease, so two controller
 * replicas can run and only one writes. A replica acquires the Lease when
 * it is free or expired, renews it while leading, and stops leading when it
 * cannot renew before the Lease would expire.
 *
 * Expiry is judged as Kubernetes' own leader election does: on this
 * replica's monotonic clock, from when it last saw the Lease record change,
 * never by comparing the holder's renewTime with the local wall clock (a
 * replica whose wall clock runs ahead would take a live Lease). A leader
 * that stops gracefully releases the Lease (no holder), so another replica
 * leads at its next attempt instead of after a whole lease duration.
 */
import type { Clock, TimerHandle } from "../../base/clock.js";
import type { Logger } from "../../base/logger.js";
import type { ControllerKubeApi } from "./kube-api.js";

export interface LeaderOptions {
  readonly api: Pick<ControllerKubeApi, "readLease" | "writeLease">;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly clock: Clock;
  readonly wallClock: () => Date;
  readonly logger: Logger;
  readonly leaseDurationSeconds?: number;
  readonly retryMs?: number;
  readonly onStartedLeading: () => void;
  /** May return a promise: a graceful stop waits for it before releasing the Lease. */
  readonly onStoppedLeading: () => unknown;
}

export class LeaderElector {
  private leading = false;
  private lastRenew = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private attempting: Promise<void> = Promise.resolve();
  /** The Lease record last read (holder, renewTime, resourceVersion) and when it was first seen, monotonic ms. */
  private observed: { readonly record: string; readonly at: number } | undefined;

  constructor(private readonly options: LeaderOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  /** Stop competing; a leader stops leading, then releases the Lease. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    await this.attempting;
    if (!this.leading) return;
    await this.lose("stopping");
    const { api, namespace, name, identity } = this.options;
    try {
      const lease = await api.readLease(namespace, name);
      if (lease?.holder !== identity) return;
      await api.writeLease(namespace, name, undefined, this.durationSeconds, this.options.wallClock(), lease.resourceVersion);
      this.options.logger.log("info", "released the lease", { lease: `${namespace}/${name}` });
    } catch (error) {
      this.options.logger.log("warn", "could not release the lease; it expires on its own", {
        error: String((error as Error)?.message ?? error),
      });
    }
  }

  private get durationSeconds(): number {
    return this.options.leaseDurationSeconds ?? 15;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.attempting = this.attempt().catch((error: unknown) => {
      this.options.logger.log("debug", "lease attempt failed", { error: String((error as Error)?.message ?? error) });
    });
    await this.attempting;
    if (this.stopped) return;
    if (this.leading && this.options.clock.now() - this.lastRenew > this.durationSeconds * 1000)
      void this.lose("could not renew the lease in time");
    if (this.stopped) return;
    const retry = this.options.retryMs ?? Math.max(500, (this.durationSeconds * 1000) / 3);
    this.timer = this.options.clock.at(this.options.clock.now() + retry, () => void this.tick());
  }

  private async attempt(): Promise<void> {
    const { api, namespace, name, identity } = this.options;
    const lease = await api.readLease(namespace, name);
    if (this.stopped) return;
    const seenAt = this.options.clock.now();
    const record = lease === undefined ? "" : JSON.stringify([lease.holder, lease.renewTime?.getTime(), lease.resourceVersion]);
    if (this.observed?.record !== record) this.observed = { record, at: seenAt };
    const free = lease === undefined || lease.holder === undefined || lease.holder === "";
    const expired = free || seenAt - this.observed.at > lease.leaseDurationSeconds * 1000;
    if (lease !== undefined && lease.holder !== identity && !expired) {
      if (this.leading) void this.lose(`lease held by ${lease.holder}`);
      return;
    }
    await api.writeLease(namespace, name, identity, this.durationSeconds, this.options.wallClock(), lease?.resourceVersion);
    this.lastRenew = this.options.clock.now();
    if (!this.leading) {
      this.leading = true;
      this.options.logger.log("info", "became leader", { lease: `${namespace}/${name}`, identity });
      this.options.onStartedLeading();
    }
  }

  private async lose(why: string): Promise<void> {
    this.leading = false;
    this.options.logger.log("warn", "stopped leading", { why });
    await this.options.onStoppedLeading();
  }
}
