/**
 * Leader election on a coordination.k8s.io Lease, so two controller
 * replicas can run and only one writes. A replica acquires the Lease when
 * it is free or expired, renews it while leading, and stops leading when it
 * cannot renew before the Lease would expire.
 */
import type { Clock, TimerHandle } from "../../agent/runtime/clock.js";
import type { Logger } from "../../agent/runtime/logger.js";
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
  readonly onStoppedLeading: () => void;
}

export class LeaderElector {
  private leading = false;
  private lastRenew = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly options: LeaderOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    if (this.leading) this.lose("stopping");
  }

  private get durationSeconds(): number {
    return this.options.leaseDurationSeconds ?? 15;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.attempt();
    } catch (error) {
      this.options.logger.log("debug", "lease attempt failed", { error: String((error as Error)?.message ?? error) });
    }
    if (this.leading && this.options.clock.now() - this.lastRenew > this.durationSeconds * 1000) this.lose("could not renew the lease in time");
    if (this.stopped) return;
    const retry = this.options.retryMs ?? Math.max(500, (this.durationSeconds * 1000) / 3);
    this.timer = this.options.clock.at(this.options.clock.now() + retry, () => void this.tick());
  }

  private async attempt(): Promise<void> {
    const { api, namespace, name, identity } = this.options;
    const now = this.options.wallClock();
    const lease = await api.readLease(namespace, name);
    const expired =
      lease === undefined ||
      lease.holder === undefined ||
      lease.renewTime === undefined ||
      lease.renewTime.getTime() + lease.leaseDurationSeconds * 1000 < now.getTime();
    if (lease !== undefined && lease.holder !== identity && !expired) {
      if (this.leading) this.lose(`lease held by ${lease.holder}`);
      return;
    }
    await api.writeLease(namespace, name, identity, this.durationSeconds, now, lease?.resourceVersion);
    this.lastRenew = this.options.clock.now();
    if (!this.leading) {
      this.leading = true;
      this.options.logger.log("info", "became leader", { lease: `${namespace}/${name}`, identity });
      this.options.onStartedLeading();
    }
  }

  private lose(why: string): void {
    this.leading = false;
    this.options.logger.log("warn", "stopped leading", { why });
    this.options.onStoppedLeading();
  }
}
