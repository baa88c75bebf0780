/**
 * `floatip agent --config FILE`: validate the config (exit 2 on any error,
 * nothing touched), build the real edges, run until SIGTERM/SIGINT, then hand
 * over (priority 0) and remove the VIPs before exiting.
 */
import { formatOf, type ConfigFormat } from "../config/load.js";
import { parseListenAddress } from "../runtime/http.js";
import type { Level } from "../runtime/logger.js";
import { parseArgs } from "./args.js";
import { tuneAgentHeap } from "./heap.js";
import { runStandaloneAgent } from "./agent-run.js";

export const AGENT_USAGE = `usage: floatip agent --config FILE [options]

Runs the VRRP instances described in FILE: floatip YAML, or an existing
keepalived.conf (any name ending in .conf is read as keepalived syntax).

In a cluster, --kubernetes takes the config from the node's VRRPNode instead.

options:
  --config FILE              agent config (standalone mode)
  --kubernetes               follow this node's VRRPNode (in-cluster credentials or --kubeconfig)
  --node-name NAME           this node (default: $NODE_NAME)
  --kubeconfig FILE          kubeconfig to use instead of the in-cluster service account
  --cache-dir DIR            where the last applied VRRPNode config is cached (default /var/lib/floatip)
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
    { name: "kubernetes", takesValue: false },
    { name: "node-name", takesValue: true },
    { name: "kubeconfig", takesValue: true },
    { name: "cache-dir", takesValue: true },
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
  const common = { level, ...(listen !== undefined ? { listen } : {}), ...(flag("state-dir") !== undefined ? { stateDir: flag("state-dir")! } : {}) };
  tuneAgentHeap();

  if (args.flags.get("kubernetes") === true) {
    if (flag("config") !== undefined) return usageError("--config and --kubernetes exclude each other");
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
  const file = flag("config");
  if (file === undefined) return usageError("--config FILE (or --kubernetes) is required");
  const formatFlag = flag("format");
  if (formatFlag !== undefined && formatFlag !== "yaml" && formatFlag !== "keepalived") {
    return usageError(`--format must be yaml or keepalived, got "${formatFlag}"`);
  }
  return runStandaloneAgent({ ...common, file, format: formatOf(file, formatFlag as ConfigFormat | undefined) });
}

function usageError(message: string): number {
  process.stderr.write(`floatip agent: ${message}\n\n${AGENT_USAGE}\n`);
  return 2;
}
