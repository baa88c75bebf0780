/**
 * keepalived's vrrp_startup_delay: for a while after the agent starts,
 * instances run as backups that never take over (held, "startup-delay"), so
 * a node booting with slow links (bonds that pass traffic, then pause) does
 * not go master before it could hear the real one. keepalived 2.2.7 enters
 * BACKUP at once and notifies it, then waits; so does floatip. The delay is
 * counted from the agent's start: an instance added by a reload during it is
 * held until the same moment, one added after it is not held at all.
 */
import type { Clock, TimerHandle } from "../../base/clock.js";
import type { VirtualRouter } from "./router.js";

/** When a router started at `now` may take over: undefined = at once. */
export function startupHoldUntil(agentStartedAt: number, delayMs: number, now: number): number | undefined {
  const until = agentStartedAt + delayMs;
  return delayMs > 0 && now < until ? until : undefined;
}

export class StartupDelay {
  private delayMs = 0;
  private readonly timers = new Set<TimerHandle>();

  /** `startedAt`: the agent's start on the clock (the supervisor's construction). */
  constructor(
    private readonly clock: Clock,
    private readonly startedAt: number,
  ) {}

  /** The configured delay; a reload may change it, only instances started after that see the new value. */
  configure(delayMs: number | undefined): void {
    this.delayMs = delayMs ?? 0;
  }

  /** Before the router's start: hold it until the delay has passed. */
  prepare(router: VirtualRouter): void {
    const until = startupHoldUntil(this.startedAt, this.delayMs, this.clock.now());
    if (until === undefined) return;
    router.setHold("startup-delay", true);
    const timer = this.clock.at(until, () => {
      this.timers.delete(timer);
      router.setHold("startup-delay", false);
    });
    this.timers.add(timer);
  }

  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }
}
