/**
 * One agent process: the VRRP routers (Agent), keepalived-style health
 * tracking (HealthTracker) feeding their effective priority and FAULT, and
 * notify commands / state files (Notifier) fed by their transitions.
 *
 * Start: tracking reads interfaces and files first, the routers join the
 * election, then every instance gets its current health. Stop: tracking
 * stops, routers leave (priority 0 from a master), STOP notifications run.
 */
import type { AgentConfig } from "../config/types.js";
import { HealthTracker, type HealthTrackerDeps } from "../health/tracker.js";
import type { HealthResult } from "../health/priority.js";
import { describeHealthChange } from "../health/priority.js";
import type { Spawner } from "../health/process.js";
import { Notifier } from "../notify/notifier.js";
import { Agent, type AgentDeps } from "./agent.js";
import type { RouterSnapshot } from "./router.js";

export interface SupervisorDeps extends Omit<AgentDeps, "onTransition"> {
  readonly spawner: Spawner;
  readonly readFile: (path: string) => Promise<string>;
  readonly wallClock: () => Date;
  /** Directory of the per-instance JSON state records read by `floatip check`. */
  readonly stateDir?: string;
  readonly interfacePollMs?: number;
  readonly lookupUser?: HealthTrackerDeps["lookupUser"];
}

export class AgentSupervisor {
  private readonly agent: Agent;
  private readonly tracker: HealthTracker;
  private readonly notifier: Notifier;
  private readonly applied = new Map<string, HealthResult>();
  private running = false;

  constructor(private readonly config: AgentConfig, private readonly deps: SupervisorDeps) {
    this.notifier = new Notifier(config.instances, {
      clock: deps.clock,
      wallClock: deps.wallClock,
      spawner: deps.spawner,
      logger: deps.logger,
      ...(deps.stateDir !== undefined ? { stateDir: deps.stateDir } : {}),
    });
    this.agent = new Agent(config, { ...deps, onTransition: (t) => this.notifier.handle(t) });
    this.tracker = new HealthTracker(config, {
      clock: deps.clock,
      spawner: deps.spawner,
      addresses: deps.addresses,
      readFile: deps.readFile,
      logger: deps.logger,
      ...(deps.lookupUser !== undefined ? { lookupUser: deps.lookupUser } : {}),
      ...(deps.interfacePollMs !== undefined ? { interfacePollMs: deps.interfacePollMs } : {}),
      onChange: (instance, health) => this.apply(instance, health),
    });
  }

  async start(): Promise<void> {
    await this.tracker.start();
    await this.agent.start();
    this.notifier.start();
    this.running = true;
    for (const instance of this.config.instances) {
      const health = this.tracker.evaluate(instance.name);
      if (health !== undefined) this.apply(instance.name, health);
    }
  }

  /** Leave the election; resolves once addresses are removed and STOP notifications have run. */
  async stop(): Promise<void> {
    this.running = false;
    const leaving = this.agent.stop();
    await Promise.all([leaving, this.tracker.stop()]);
    await this.notifier.stop();
  }

  snapshot(): RouterSnapshot[] {
    return this.agent.snapshot();
  }

  private apply(instance: string, health: HealthResult): void {
    if (!this.running) return;
    const router = this.agent.routerNamed(instance);
    if (router === undefined) return;
    const previous = this.applied.get(instance);
    this.applied.set(instance, health);
    if (previous !== undefined && (previous.effectivePriority !== health.effectivePriority || previous.fault !== health.fault)) {
      this.deps.logger.log("info", describeHealthChange(previous, health), { instance });
    }
    router.setEffectivePriority(health.effectivePriority);
    // keepalived holds an instance back while a weight-0 script has not reported yet.
    if (health.fault || health.pending) router.fault();
    else router.recovered();
  }
}
