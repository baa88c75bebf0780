/**
 * Test support for whole-agent unit tests on a simulated segment: a config
 * with one VRRP instance for one VIP, an AgentSupervisor over the in-memory
 * edges of fakes.ts that logs into an array, and a manual clock advanced in
 * small steps.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentConfig } from "../config/types.js";
import { validateAgentConfig } from "../config/validate.js";
import { FakeSpawner } from "../health/fakes.js";
import type { HttpProber } from "../health/http-probe.js";
import type { AddressTable, LinkMonitor, RouteTable } from "../os/ports.js";
import type { ManualClock } from "../../base/clock.js";
import type { ConflictOptions } from "./conflict-monitor.js";
import { FakeAnnouncer, type FakeSegment, fakeTransports } from "./fakes.js";
import { jsonLogger } from "../../base/logger.js";
import { AgentMetrics } from "./metrics.js";
import { AgentSupervisor, type SupervisorDeps } from "./supervisor.js";

/** Instance "vip" on eth0, VRID 51, holding `vip`/24; `patch` overrides instance fields. */
export function vipConfig(vip: string, patch: Record<string, unknown> = {}): AgentConfig {
  const result = validateAgentConfig({
    instances: [{ name: "vip", interface: "eth0", virtualRouterId: 51, addresses: [`${vip}/24`], ...patch }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

export interface SimulatedAgentOptions {
  readonly clock: ManualClock;
  readonly segment: FakeSegment;
  /** The node's own address on the segment. */
  readonly address: string;
  readonly addresses: AddressTable;
  readonly conflicts?: ConflictOptions;
  /** Lowest level logged (default debug). */
  readonly minLevel?: "debug" | "info";
  readonly monitor?: LinkMonitor;
  /** Transports opened, in order (a reopen adds one). */
  readonly transports?: ReturnType<typeof fakeTransports>;
  /** Scripts' processes (default: a FakeSpawner whose processes never exit on their own). */
  readonly spawner?: FakeSpawner;
  /** Answers the HTTP checks' GETs. */
  readonly prober?: HttpProber;
  /** Records gratuitous ARPs / NAs (default: a fresh one). */
  readonly announcer?: FakeAnnouncer;
  /** Routes of instances with virtual routes. */
  readonly routes?: RouteTable;
  /** The host's processes, for track_process (default: none). */
  readonly listProcesses?: SupervisorDeps["listProcesses"];
  /** Notify FIFOs (notifyFifos). */
  readonly fifos?: SupervisorDeps["fifos"];
  /** Resolves script and notify users. */
  readonly lookupUser?: SupervisorDeps["lookupUser"];
}

export interface SimulatedAgent {
  readonly supervisor: AgentSupervisor;
  readonly metrics: AgentMetrics;
  /** Every JSON log line, debug and up. */
  readonly logs: string[];
}

/** A supervisor on the fakes (nothing applied yet); its state directory is a fresh temporary one. */
export function simulatedAgent(options: SimulatedAgentOptions): SimulatedAgent {
  const logs: string[] = [];
  const metrics = new AgentMetrics();
  const supervisor = new AgentSupervisor({
    clock: options.clock,
    transports: options.transports ?? fakeTransports(options.segment, options.address),
    ...(options.monitor !== undefined ? { monitor: options.monitor } : {}),
    addresses: options.addresses,
    announcer: options.announcer ?? new FakeAnnouncer(),
    metrics,
    logger: jsonLogger({ write: (l) => logs.push(l), wallClock: () => new Date(0), minLevel: options.minLevel ?? "debug" }),
    spawner: options.spawner ?? new FakeSpawner(),
    ...(options.prober !== undefined ? { prober: options.prober } : {}),
    ...(options.listProcesses !== undefined ? { listProcesses: options.listProcesses } : {}),
    readFile: async () => "0",
    wallClock: () => new Date(0),
    stateDir: mkdtempSync(join(tmpdir(), "floatip-unit-")),
    ...(options.conflicts !== undefined ? { conflicts: options.conflicts } : {}),
    ...(options.routes !== undefined ? { routes: options.routes } : {}),
    ...(options.fifos !== undefined ? { fifos: options.fifos } : {}),
    ...(options.lookupUser !== undefined ? { lookupUser: options.lookupUser } : {}),
  });
  return { supervisor, metrics, logs };
}

/** Advance the clock in small steps, letting queued address changes run between them. */
export async function runClock(clock: ManualClock, ms: number, stepMs = 5): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    clock.advanceTo(Math.min(end, clock.now() + stepMs));
    await new Promise((r) => setImmediate(r));
  }
}
