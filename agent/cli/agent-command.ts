/**
 * `floatip agent --config FILE`: validate the config (exit 2 on any error,
 * nothing touched), build the real edges, run until SIGTERM/SIGINT, then hand
 * over (priority 0) and remove the VIPs before exiting.
 */
import { formatOf, type ConfigFormat } from "../config/load.js";
import { missingCapabilitiesMessage, readCapabilityCheck, type CapabilityCheck } from "../os/capabilities.js";
import { parseListenAddress } from "../runtime/http.js";
import type { Level } from "../runtime/logger.js";
import { parseDuration } from "../config/duration.js";
import { parseArgs } from "./args.js";
import { tuneAgentHeap } from "./heap.js";
import { runStandaloneAgent } from "./agent-run.js";
import type { StopSignals } from "./stop-signals.js";

export const AGENT_USAGE = `usage: floatip agent --config FILE [options]

Runs the VRRP instances described in FILE: floatip YAML, or an existing
keepalived.conf (any name ending in .conf is read as keepalived syntax).
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
  --format yaml|keepalived   override the format guessed from the file name
  --metrics-address H:P      serve /metrics, /healthz and /state on H:P
  --state-dir DIR            per-instance state records for \`floatip check\` (default /run/floatip)
  --log-level LEVEL          debug | info | warn | error (default info)
  --conflict-probe-interval DURATION
                             while master, send an ARP probe / DAD solicitation for each
                             virtual address this often and report other MACs answering
                             (default 10s, at least 1s; 0 = no probing)

Needs CAP_NET_ADMIN and CAP_NET_RAW (checked at start).

Exit codes: 0 after a clean stop, 1 on a runtime failure or missing capabilities, 2 on bad usage or config.`;

const LEVELS: readonly Level[] = ["debug", "info", "warn", "error"];

/** `signals`: listening already (the launcher starts it first); otherwise the agent starts listening before it touches anything. */
export async function runAgentCommand(
  argv: readonly string[],
  capabilities: () => Promise<CapabilityCheck> = readCapabilityCheck,
  signals?: StopSignals,
): Promise<number> {
  const args = parseArgs(argv, [
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
    { name: "conflict-probe-interval", takesValue: true },
  ]);
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

  const envName = flag("config-env");
  if (envName !== undefined && flag("config") !== undefined) return usageError("--config and --config-env exclude each other");
  if (args.flags.get("kubernetes") === true) {
    if (flag("config") !== undefined || envName !== undefined) return usageError("--config/--config-env and --kubernetes exclude each other");
    const nodeName = flag("node-name") ?? process.env["NODE_NAME"];
    if (nodeName === undefined || nodeName === "") return usageError("--kubernetes needs --node-name NAME or $NODE_NAME");
    const { runKubernetesAgent } = await import("./agent-run-kube.js");
    return runKubernetesAgent({
      ...common,
      nodeName,
      cacheDir: flag("cache-dir") ?? "/var/lib/floatip",
      ...(flag("kubeconfig") !== undefined ? { kubeconfig: flag("kubeconfig")! } : {}),
    });
  }
  if (envName !== undefined) {
    if (flag("format") !== undefined) return usageError("--format applies to --config FILE only (--config-env is floatip YAML)");
    const text = process.env[envName];
    if (text === undefined || text.trim() === "") return usageError(`--config-env ${envName}: the environment variable is not set or empty`);
    return runStandaloneAgent({ ...common, source: { type: "text", text, origin: `$${envName}` } });
  }
  const file = flag("config");
  if (file === undefined) return usageError("--config FILE, --config-env NAME or --kubernetes is required");
  const formatFlag = flag("format");
  if (formatFlag !== undefined && formatFlag !== "yaml" && formatFlag !== "keepalived") {
    return usageError(`--format must be yaml or keepalived, got "${formatFlag}"`);
  }
  return runStandaloneAgent({ ...common, source: { type: "file", file, format: formatOf(file, formatFlag as ConfigFormat | undefined) } });
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
