/**
 * The two ways an agent process runs, wiring real edges to the supervisor:
 * standalone from a file, or following the node's VRRPNode in a cluster.
 * Both hand over at priority 0 from inside the SIGTERM / SIGINT handler: the
 * native one sends the masters' armed priority-0 adverts (agent/native/farewell.c),
 * then the JS listener stops the routers.
 */
import type { Server } from "node:http";
import { readFile } from "node:fs/promises";
import { fsDirectoryWatcher } from "../os/directory-watcher.js";
import { procProcessLister } from "../os/proc-table.js";
import { formatErrors, formatOf, loadConfigFile, parseYamlConfig, type ConfigFormat, type LoadResult } from "../config/load.js";
import type { ConfigError } from "../config/validate.js";
import { missingInterfaces } from "../config/check-interfaces.js";
import { fifoErrors } from "../config/check-fifos.js";
import { fileKind, systemFifoOutlets } from "../os/fifo-outlets.js";
import { passwdUserLookup } from "../health/users.js";
import type { LinkInfo } from "../os/ports.js";
import { systemSpawner } from "../../base/process.js";
import { systemHttpProber } from "../health/http-probe.js";
import { openAddressTable, openSystemEdges, type SystemEdges } from "../os/system.js";
import { installFarewellHandlers } from "../os/transport.js";
import { startHttpEndpoint } from "../../base/http.js";
import { assessLiveness, LoopWatch } from "../../base/liveness.js";
import { systemClock } from "../../base/clock.js";
import { guardStdio, stderrLogger, type Level, type Logger } from "../../base/logger.js";
import { AgentMetrics } from "../runtime/metrics.js";
import { readBuildInfo } from "../../base/build-info.js";
import { AgentSupervisor, type SupervisorDeps } from "../runtime/supervisor.js";
import { DEFAULT_PROBE_INTERVAL_MS } from "../runtime/conflict-monitor.js";
import { Reloader } from "./reload.js";
import { StopSignals } from "./stop-signals.js";
import { ownAddressErrors } from "../config/own-addresses.js";
import { DEFAULT_STATE_DIR, parseStateRecord, stateRecordPath } from "../notify/state-record.js";

export interface Common {
  readonly level: Level;
  readonly listen?: { readonly host: string; readonly port: number };
  readonly stateDir?: string;
  /** Duplicate-address probe period while master, ms; 0 = no probing. Default 10 s. */
  readonly conflictProbeIntervalMs?: number;
  /** The stop and reload signals, if the launcher listens already (stopSignalsFirst). */
  readonly signals?: StopSignals;
}

export function supervisorDeps(
  common: Common,
  edges: SystemEdges,
  logger: Logger,
  metrics: AgentMetrics,
  onConflictChange?: (instance: string) => void,
): SupervisorDeps {
  const probeIntervalMs = common.conflictProbeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
  return {
    wallClock: () => new Date(),
    metrics,
    logger,
    spawner: systemSpawner(),
    readFile: (path) => readFile(path, "utf8"),
    directoryWatcher: fsDirectoryWatcher(),
    prober: systemHttpProber({ readFile: (path) => readFile(path, "utf8") }),
    listProcesses: procProcessLister(),
    ...(common.stateDir !== undefined ? { stateDir: common.stateDir } : {}),
    ...edges,
    // Script users (vrrp_script user, notify.user) and FIFO owners; without it every command with a user fails.
    lookupUser: passwdUserLookup((path) => readFile(path, "utf8")),
    fifos: systemFifoOutlets(passwdUserLookup((path) => readFile(path, "utf8"))),
    conflicts: {
      ...(probeIntervalMs > 0 ? { prober: edges.addressProber, probeIntervalMs } : {}),
      ...(onConflictChange !== undefined ? { onChange: onConflictChange } : {}),
    },
  };
}

/** Runs until a signal; leaves the election inside the handler, then cleans up. */
export async function serve(options: {
  readonly common: Common;
  readonly logger: Logger;
  readonly metrics: AgentMetrics;
  readonly supervisor: AgentSupervisor;
  /** Listening since the process began (stopSignalsFirst). */
  readonly signals: StopSignals;
  readonly start: () => Promise<void>;
  /** Called in the stop signal's handler, before the supervisor stops; must take effect synchronously (e.g. no more reloads). */
  readonly beforeStop?: () => Promise<void>;
  readonly cleanup: () => Promise<void>;
}): Promise<number> {
  const { logger, supervisor, signals } = options;
  let server: Server | undefined;
  const loop = new LoopWatch({ clock: systemClock() });
  try {
    if (options.common.listen !== undefined) {
      // Up before the config is applied: /readyz says when it is, /healthz is honest meanwhile.
      loop.start();
      server = await startHttpEndpoint({
        ...options.common.listen,
        registry: options.metrics.registry,
        healthy: () => true,
        liveness: () => assessLiveness({ problems: supervisor.health(), loopStallMs: loop.stallMs() }),
        ready: () => supervisor.ready(),
        state: () => ({ instances: supervisor.snapshot() }),
      });
    }
    // A stop signal during start is acted on once start is done (or instead of it, if it came first).
    if (signals.stopRequested === undefined) await options.start();
    // The priority-0 advert goes out from the signal handler itself (handover at Skew_Time).
    // beforeStop takes effect at once (no reload starts after it); stop() waits for one in progress.
    let closing: Promise<void> | undefined;
    const { signal, stopped } = await new Promise<{ signal: NodeJS.Signals; stopped: Promise<void> }>((resolve) =>
      signals.onStop((signal) => {
        closing = options.beforeStop?.();
        resolve({ signal, stopped: supervisor.stop() });
      }),
    );
    logger.log("info", "stopping", { signal });
    await stopped;
    await closing;
  } catch (error) {
    logger.log("error", "agent failed", { error });
    await supervisor.stop().catch(() => undefined);
    await options.cleanup();
    loop.stop();
    server?.close();
    return 1;
  }
  await options.cleanup();
  loop.stop();
  server?.close();
  logger.log("info", "agent stopped");
  return 0;
}

/** Where a standalone agent's config comes from: a file, or YAML text (from an environment variable). */
export type ConfigSource =
  | {
      readonly type: "file";
      readonly file: string;
      /** Undefined: guessed from the file's text, else its name (formatOf). */
      readonly format?: ConfigFormat;
      /** Skip keepalived's LVS sections (virtual_server ...) with a warning instead of refusing them. */
      readonly skipLvs?: boolean;
      /** keepalived's config id (-i) for `@ID` lines; default: the host name up to its first dot. */
      readonly configId?: string;
    }
  | { readonly type: "text"; readonly text: string; readonly origin: string };

/**
 * The stop and reload signals, caught before anything is touched; the
 * masters' priority-0 adverts leave from the stop signal's handler itself
 * (installed in front of Node's, now in place).
 */
export function stopSignalsFirst(early: StopSignals | undefined): StopSignals {
  const signals = early ?? new StopSignals(process).listen();
  installFarewellHandlers(["SIGTERM", "SIGINT"]);
  return signals;
}

/** A config load: its result and the warnings (keepalived keywords floatip accepts but does not carry out). */
export type StandaloneLoad = LoadResult & {
  readonly warnings: readonly ConfigError[];
  readonly locate?: (field: string) => string | undefined;
};

/**
 * Reads and validates the config, and checks that the interfaces it names
 * exist (as keepalived does); reading the interfaces changes nothing.
 */
export async function loadStandaloneConfig(
  source: ConfigSource,
  links: () => Promise<readonly LinkInfo[]>,
  options: { readonly stateDir?: string; readonly liveAddresses?: boolean } = {},
): Promise<StandaloneLoad> {
  const loaded = await readStandaloneConfig(source, links);
  if (!loaded.ok) return loaded;
  const missing = missingInterfaces(loaded.config, await links(), source.type === "file" ? source.file : source.origin);
  if (missing.length > 0) return { ok: false, errors: missing, warnings: loaded.warnings };
  const origin = source.type === "file" ? source.file : source.origin;
  const kinds = new Map(await Promise.all((loaded.config.notifyFifos ?? []).map(async (f) => [f.path, await fileKind(f.path)] as const)));
  const badFifos = fifoErrors(loaded.config, kinds, (field) => loaded.locate?.(field) ?? `${origin}: ${field}`);
  if (badFifos.length > 0) return { ok: false, errors: badFifos, warnings: loaded.warnings };
  // --test leaves this to start and reload: on a live node the running agent's own VIPs are on the
  // interface, and only that agent's state records (its --state-dir) tell them from the node's.
  if (options.liveAddresses === false) return loaded;
  // A VIP must not be one of the node's own addresses (the agent would delete it); see config/own-addresses.ts.
  const masters = await lastMasters(
    options.stateDir ?? DEFAULT_STATE_DIR,
    loaded.config.instances.map((i) => i.name),
  );
  const own = ownAddressErrors(loaded.config, await links(), (name) => masters.has(name));
  return own.length > 0 ? { ok: false, errors: own, warnings: loaded.warnings } : loaded;
}

/** The instances whose state record says this agent last left them as MASTER (their VIPs may still be on the interface). */
async function lastMasters(stateDir: string, instances: readonly string[]): Promise<ReadonlySet<string>> {
  const out = new Set<string>();
  for (const name of instances) {
    const text = await readFile(stateRecordPath(stateDir, name), "utf8").catch(() => undefined);
    const parsed = text === undefined ? undefined : parseStateRecord(text);
    if (parsed?.ok === true && parsed.record.state === "MASTER") out.add(name);
  }
  return out;
}

async function readStandaloneConfig(source: ConfigSource, links: () => Promise<readonly LinkInfo[]>): Promise<StandaloneLoad> {
  if (source.type === "text") return withWarnings(parseYamlConfig(source.text, source.origin, { links: await links() }));
  const text = await readFile(source.file, "utf8").catch(() => undefined);
  if (formatOf(source.file, source.format, text) === "keepalived") {
    const { loadKeepalivedFile, nodeIncludeIo, shellLexOptions } = await import("../keepalived/load.js");
    return loadKeepalivedFile(source.file, nodeIncludeIo, {
      lvs: source.skipLvs === true ? "skip" : "refuse",
      ...shellLexOptions(source.configId),
    });
  }
  return withWarnings(await loadConfigFile(source.file, { links: await links() }));
}

/** A YAML load's deprecation warnings (old field spellings) as the load's warnings. */
function withWarnings(loaded: LoadResult): StandaloneLoad {
  return { ...loaded, warnings: loaded.ok ? (loaded.warnings ?? []) : [] };
}

/** Errors and warnings as printed on stderr. */
export function formatLoad(loaded: StandaloneLoad): string {
  const warnings = loaded.warnings.map((w) => `warning: ${w.path}: ${w.message}\n`).join("");
  return warnings + (loaded.ok ? "" : formatErrors(loaded.errors) + "\n");
}

/** `agent --test`: validate as the agent would at start, print the outcome, touch nothing. 0 = valid, 2 = invalid. */
export async function testStandaloneConfig(
  source: ConfigSource,
  out: { readonly stdout: (t: string) => void; readonly stderr: (t: string) => void },
): Promise<number> {
  let table: Awaited<ReturnType<typeof openAddressTable>> | undefined;
  const links = async (): Promise<readonly LinkInfo[]> => {
    table ??= await openAddressTable();
    return table.links();
  };
  try {
    const loaded = await loadStandaloneConfig(source, links, { liveAddresses: false });
    out.stderr(formatLoad(loaded));
    const origin = source.type === "file" ? source.file : source.origin;
    if (!loaded.ok) return 2;
    const n = loaded.config.instances.length;
    out.stdout(`${origin}: valid (${n} instance${n === 1 ? "" : "s"}: ${loaded.config.instances.map((i) => i.name).join(", ")})\n`);
    return 0;
  } finally {
    table?.close();
  }
}

export async function runStandaloneAgent(options: Common & { readonly source: ConfigSource }): Promise<number> {
  const signals = stopSignalsFirst(options.signals);
  // The config is validated in full before anything is touched; reading the
  // interfaces (to fill in a missing `interface`) changes nothing.
  const table = await openAddressTable();
  const { source } = options;
  // Also what SIGHUP re-reads (text from the environment reads the same again).
  const stateDir = options.stateDir !== undefined ? { stateDir: options.stateDir } : {};
  const load = async (): Promise<LoadResult> => loadStandaloneConfig(source, () => table.links(), stateDir);
  const loaded = await loadStandaloneConfig(source, () => table.links(), stateDir);
  process.stderr.write(formatLoad(loaded));
  if (!loaded.ok) {
    table.close();
    return 2;
  }
  const edges = await openSystemEdges(table);
  const metrics = new AgentMetrics(readBuildInfo());
  const logger = stderrLogger(options.level, (code) => metrics.logWriteFailed(code));
  guardStdio((code) => metrics.logWriteFailed(code));
  const supervisor = new AgentSupervisor(supervisorDeps(options, edges, logger, metrics));
  const reloader = new Reloader({ signals, load, apply: (config) => supervisor.apply(config), logger });
  return serve({
    common: options,
    logger,
    metrics,
    supervisor,
    signals,
    start: async () => {
      await supervisor.apply(loaded.config);
      logger.log("info", "agent started", { instances: loaded.config.instances.map((i) => i.name) });
      reloader.listen();
    },
    beforeStop: () => reloader.close(),
    cleanup: async () => edges.close(),
  });
}
