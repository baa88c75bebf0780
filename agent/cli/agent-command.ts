/**
 * `floatip agent --config FILE`: validate the config (exit 2 on any error,
 * nothing touched), build the real edges, run until SIGTERM/SIGINT, then hand
 * over (priority 0) and remove the VIPs before exiting.
 */
import type { Server } from "node:http";
import { formatErrors, formatOf, loadConfigFile, type ConfigFormat } from "../config/load.js";
import { loadKeepalivedFile } from "../keepalived/load.js";
import { readFile } from "node:fs/promises";
import { AgentSupervisor } from "../runtime/supervisor.js";
import { systemSpawner } from "../health/process.js";
import { systemClock } from "../runtime/clock.js";
import { startHttpEndpoint, parseListenAddress } from "../runtime/http.js";
import { stderrLogger, type Level } from "../runtime/logger.js";
import { AgentMetrics } from "../runtime/metrics.js";
import { openAddressTable, openSystemEdges } from "../os/system.js";
import { parseArgs } from "./args.js";

export const AGENT_USAGE = `usage: floatip agent --config FILE [options]

Runs the VRRP instances described in FILE: floatip YAML, or an existing
keepalived.conf (any name ending in .conf is read as keepalived syntax).

options:
  --config FILE              agent config (required)
  --format yaml|keepalived   override the format guessed from the file name
  --metrics-address H:P      serve /metrics, /healthz and /state on H:P
  --state-dir DIR            per-instance state records for \`floatip check\` (default /run/floatip)
  --log-level LEVEL          debug | info | warn | error (default info)

Exit codes: 0 after a clean stop, 1 on a runtime failure, 2 on bad usage or config.`;

const LEVELS: readonly Level[] = ["debug", "info", "warn", "error"];

export async function runAgentCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [
    { name: "config", takesValue: true },
    { name: "format", takesValue: true },
    { name: "metrics-address", takesValue: true },
    { name: "log-level", takesValue: true },
    { name: "state-dir", takesValue: true },
  ]);
  if (!args.ok) return usageError(args.message);
  const file = args.flags.get("config");
  if (typeof file !== "string") return usageError("--config FILE is required");
  const level = (args.flags.get("log-level") ?? "info") as Level;
  if (!LEVELS.includes(level)) return usageError(`--log-level must be one of ${LEVELS.join(", ")}`);
  const metricsFlag = args.flags.get("metrics-address");
  const listen = typeof metricsFlag === "string" ? parseListenAddress(metricsFlag) : undefined;
  if (typeof metricsFlag === "string" && listen === undefined) return usageError(`--metrics-address must be HOST:PORT, got "${metricsFlag}"`);

  const formatFlag = args.flags.get("format");
  if (formatFlag !== undefined && formatFlag !== "yaml" && formatFlag !== "keepalived") {
    return usageError(`--format must be yaml or keepalived, got "${String(formatFlag)}"`);
  }
  const format = formatOf(file, formatFlag as ConfigFormat | undefined);
  // The config is validated in full before anything is touched; reading the
  // interfaces (to fill in a missing `interface`) changes nothing.
  const table = await openAddressTable();
  const loaded = format === "keepalived" ? await loadKeepalivedFile(file) : await loadConfigFile(file, { links: await table.links() });
  if (!loaded.ok) {
    table.close();
    process.stderr.write(formatErrors(loaded.errors) + "\n");
    return 2;
  }
  const edges = await openSystemEdges(table);

  const logger = stderrLogger(level);
  const metrics = new AgentMetrics();
  const stateDir = args.flags.get("state-dir");
  const agent = new AgentSupervisor({
    clock: systemClock(),
    wallClock: () => new Date(),
    metrics,
    logger,
    spawner: systemSpawner(),
    readFile: (path) => readFile(path, "utf8"),
    ...(typeof stateDir === "string" ? { stateDir } : {}),
    ...edges,
  });
  let server: Server | undefined;
  try {
    await agent.apply(loaded.config);
    if (listen !== undefined) {
      server = await startHttpEndpoint({
        ...listen,
        registry: metrics.registry,
        healthy: () => true,
        state: () => ({ instances: agent.snapshot() }),
      });
    }
    logger.log("info", "agent started", { instances: loaded.config.instances.map((i) => i.name) });
    // Leave the election inside the signal handler itself: the priority-0
    // advert goes out before anything else runs (handover at Skew_Time).
    const { signal, stopped } = await waitForSignal(() => agent.stop());
    logger.log("info", "stopping", { signal });
    await stopped;
  } catch (error) {
    logger.log("error", "agent failed", { error });
    await agent.stop().catch(() => undefined);
    edges.close();
    server?.close();
    return 1;
  }
  edges.close();
  server?.close();
  logger.log("info", "agent stopped");
  return 0;
}

function waitForSignal(onSignal: () => Promise<void>): Promise<{ signal: NodeJS.Signals; stopped: Promise<void> }> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", handler);
      process.off("SIGINT", handler);
      resolve({ signal, stopped: onSignal() });
    };
    process.on("SIGTERM", handler);
    process.on("SIGINT", handler);
  });
}

function usageError(message: string): number {
  process.stderr.write(`floatip agent: ${message}\n\n${AGENT_USAGE}\n`);
  return 2;
}
