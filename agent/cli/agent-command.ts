/**
 * `floatip agent --config FILE`: validate the config (exit 2 on any error,
 * nothing touched), build the real edges, run until SIGTERM/SIGINT, then hand
 * over (priority 0) and remove the VIPs before exiting.
 */
import type { ConfigFormat } from "../config/load.js";
import { missingCapabilitiesMessage, readCapabilityCheck, type CapabilityCheck } from "../os/capabilities.js";
import { parseListenAddress } from "../../base/http.js";
import type { Level } from "../../base/logger.js";
import { parseDuration } from "../config/duration.js";
import { parseArgs } from "../../base/args.js";
import { tuneAgentHeap } from "./heap.js";
import { runStandaloneAgent, testStandaloneConfig, type ConfigSource } from "./agent-run.js";
import type { StopSignals } from "./stop-signals.js";

export const AGENT_USAGE = `usage: floatip agent --config FILE [options]

Runs the VRRP instances described in FILE: floatip YAML, or an existing
keepalived.conf (recognised by its content whatever its name, or by a name
ending in .conf; --format says it when the guess is wrong). docs/keepalived.md
lists the keepalived keywords floatip supports.
--config-env NAME reads the floatip YAML from an environment variable
instead (a static pod carries its config that way; see
\`floatip manifest control-plane\`).

In a cluster, --kubernetes takes the config from the node's VRRPNode instead.

options:
  --config FILE              agent config (standalone mode)
  --config-env NAME          agent config (floatip YAML) from the environment variable NAME
  --kubernetes               follow this node's VRRPNode (in-cluster credentials or --kubeconfig)
  --node-name NAME           this node (default: $NODE_NAME)
  --kubeconfig FILE          kubeconfig to use instead of the in-cluster service account
  --cache-dir DIR            where the last applied VRRPNode config is cached (default /var/lib/floatip)
  --status-refresh DURATION  rewrite the VRRPNode status at least this often, changed or not
                             (default 20s, 1s to 10m); the controller shows a node's routers
                             as Unknown once its status is three of these old
  --allow-vrrpnode-scripts   run script checks and notify commands that come from the VRRPNode
                             (a VirtualIP's spec.track.scripts) as this agent's user; off by default,
                             such instances are refused (see docs/security.md)
  --format yaml|keepalived   override the format guessed from the file's content and name
  --test, -t                 only validate the config (as keepalived -t): print every error and
                             warning, exit 0 if valid, 2 if not; needs no privileges, touches nothing
  --skip-lvs                 run the VRRP part of a keepalived.conf that also has LVS sections
                             (virtual_server ...), which floatip does not implement; without it
                             such a config is refused
  --config-id ID             which conditional lines (@ID / @^ID) of a keepalived.conf count, as
                             keepalived -i (default: the host name up to its first dot)
  --metrics-address H:P      serve /metrics, /healthz, /readyz and /state on H:P
  --state-dir DIR            per-instance state records for \`floatip check\` (default /run/floatip)
  --log-level LEVEL          debug | info | warn | error (default info)
  --conflict-probe-interval DURATION
                             while master, send an ARP probe / DAD solicitation for each
                             virtual address this often and report other MACs answering
                             (default 10s, at least 1s; 0 = no probing)

Needs CAP_NET_ADMIN and CAP_NET_RAW (checked at start).

Exit codes: 0 after a clean stop (or a valid config with --test), 1 on a runtime failure or missing
capabilities, 2 on bad usage or config.`;

const LEVELS: readonly Level[] = ["debug", "info", "warn", "error"];

/** `signals`: listening already (the launcher starts it first); otherwise the agent starts listening before it touches anything. */
export async function runAgentCommand(
  argv: readonly string[],
  capabilities: () => Promise<CapabilityCheck> = readCapabilityCheck,
  signals?: StopSignals,
): Promise<number> {
  // keepalived's and nginx's short form of the config test.
  const args = parseArgs(
    argv.map((a) => (a === "-t" ? "--test" : a)),
    [
      { name: "test", takesValue: false },
      { name: "skip-lvs", takesValue: false },
      { name: "config-id", takesValue: true },
      { name: "config", takesValue: true },
      { name: "config-env", takesValue: true },
      { name: "format", takesValue: true },
      { name: "metrics-address", takesValue: true },
      { name: "log-level", takesValue: true },
      { name: "state-dir", takesValue: true },
      { name: "kubernetes", takesValue: false },
      { name: "node-name", takesValue: true },
      { name: "kubeconfig", takesValue: true },
      { name: "cache-dir", takesValue: true },
      { name: "allow-vrrpnode-scripts", takesValue: false },
      { name: "conflict-probe-interval", takesValue: true },
      { name: "status-refresh", takesValue: true },
    ],
  );
  if (!args.ok) return usageError(args.message);
  const flag = (name: string) => {
    const v = args.flags.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const level = (flag("log-level") ?? "info") as Level;
  if (!LEVELS.includes(level)) return usageError(`--log-level must be one of ${LEVELS.join(", ")}`);
  const metricsFlag = flag("metrics-address");
  const listen = metricsFlag !== undefined ? parseListenAddress(metricsFlag) : undefined;
  if (metricsFlag !== undefined && listen === undefined) return usageError(`--metrics-address must be HOST:PORT, got "${metricsFlag}"`);
  const probeFlag = flag("conflict-probe-interval");
  const probe = probeFlag === undefined ? undefined : parseProbeInterval(probeFlag);
  if (typeof probe === "string") return usageError(probe);
  const source = configSource(args.flags, flag);
  if (typeof source === "string") return usageError(source);
  if (args.flags.get("test") === true) {
    if (source === undefined) return usageError("--test checks --config FILE or --config-env NAME");
    return testStandaloneConfig(source, { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) });
  }
  // Before anything is read or touched: without both capabilities, say which are missing and stop.
  const check = await capabilities();
  if (check.ok === false) {
    process.stderr.write(missingCapabilitiesMessage(check.missing) + "\n");
    return 1;
  }
  if (check.ok === "unknown") process.stderr.write(`floatip agent: cannot check capabilities (${check.reason}); continuing\n`);
  const common = {
    level,
    ...(listen !== undefined ? { listen } : {}),
    ...(flag("state-dir") !== undefined ? { stateDir: flag("state-dir")! } : {}),
    ...(probe !== undefined ? { conflictProbeIntervalMs: probe } : {}),
    ...(signals !== undefined ? { signals } : {}),
  };
  tuneAgentHeap();

  if (args.flags.get("kubernetes") === true) {
    const nodeName = flag("node-name") ?? process.env["NODE_NAME"];
    if (nodeName === undefined || nodeName === "") return usageError("--kubernetes needs --node-name NAME or $NODE_NAME");
    const refreshFlag = flag("status-refresh");
    const refresh = refreshFlag === undefined ? undefined : parseDuration(refreshFlag);
    if (refresh !== undefined && (!refresh.ok || refresh.ms < 1000 || refresh.ms > 600_000)) {
      return usageError(`--status-refresh must be a duration from 1s to 10m, got "${refreshFlag}"`);
    }
    const { runKubernetesAgent } = await import("./agent-run-kube.js");
    return runKubernetesAgent({
      ...common,
      nodeName,
      cacheDir: flag("cache-dir") ?? "/var/lib/floatip",
      ...(refresh?.ok === true ? { statusRefreshMs: refresh.ms } : {}),
      allowScripts: args.flags.get("allow-vrrpnode-scripts") === true,
      ...(flag("kubeconfig") !== undefined ? { kubeconfig: flag("kubeconfig")! } : {}),
    });
  }
  if (source === undefined) return usageError("--config FILE, --config-env NAME or --kubernetes is required");
  return runStandaloneAgent({ ...common, source });
}

/** The standalone config the flags name; undefined with --kubernetes; a string is a usage error. */
function configSource(
  flags: ReadonlyMap<string, string | true>,
  flag: (name: string) => string | undefined,
): ConfigSource | undefined | string {
  const envName = flag("config-env");
  const file = flag("config");
  if (envName !== undefined && file !== undefined) return "--config and --config-env exclude each other";
  if (flags.get("kubernetes") === true) {
    if (file !== undefined || envName !== undefined) return "--config/--config-env and --kubernetes exclude each other";
    if (flags.get("test") === true) return "--test checks --config FILE or --config-env NAME, not --kubernetes";
    if (flag("config-id") !== undefined) return "--config-id applies to a keepalived.conf given with --config FILE";
    return undefined;
  }
  if (envName !== undefined) {
    if (flag("format") !== undefined) return "--format applies to --config FILE only (--config-env is floatip YAML)";
    if (flags.get("skip-lvs") === true) return "--skip-lvs applies to a keepalived.conf given with --config FILE";
    if (flag("config-id") !== undefined) return "--config-id applies to a keepalived.conf given with --config FILE";
    const text = process.env[envName];
    if (text === undefined || text.trim() === "") return `--config-env ${envName}: the environment variable is not set or empty`;
    return { type: "text", text, origin: `$${envName}` };
  }
  if (file === undefined) return undefined;
  const formatFlag = flag("format");
  if (formatFlag !== undefined && formatFlag !== "yaml" && formatFlag !== "keepalived") {
    return `--format must be yaml or keepalived, got "${formatFlag}"`;
  }
  return {
    type: "file",
    file,
    ...(formatFlag !== undefined ? { format: formatFlag as ConfigFormat } : {}),
    ...(flags.get("skip-lvs") === true ? { skipLvs: true } : {}),
    ...(flag("config-id") !== undefined ? { configId: flag("config-id")! } : {}),
  };
}

/** Milliseconds, or the error message. */
function parseProbeInterval(text: string): number | string {
  const parsed = parseDuration(text);
  if (!parsed.ok) return `--conflict-probe-interval: ${parsed.message}`;
  if (parsed.ms !== 0 && parsed.ms < 1000) return `--conflict-probe-interval must be 0 (off) or at least 1s, got "${text}"`;
  return parsed.ms;
}

function usageError(message: string): number {
  process.stderr.write(`floatip agent: ${message}\n\n${AGENT_USAGE}\n`);
  return 2;
}
