/**
 * `floatip controller`: watches VirtualIPs, VRRPNodes and Nodes; the replica
 * holding the Lease plans and writes. Serves /metrics, /healthz (live: the
 * event loop is not stalled; an API server outage is not a liveness
 * failure, the election retries) and /readyz (the election loop runs).
 */
import { hostname } from "node:os";
import { KubeConfig } from "@kubernetes/client-node";
import { parseArgs } from "../../base/args.js";
import { systemClock } from "../../base/clock.js";
import { parseListenAddress, startHttpEndpoint } from "../../base/http.js";
import { stderrLogger, type Level } from "../../base/logger.js";
import { assessLiveness, LoopWatch } from "../../base/liveness.js";
import { Controller } from "./controller.js";
import { DEFAULT_MAX_CANDIDATES } from "../planner/index.js";
import { MAX_CANDIDATES_MAX } from "../api/limits.js";
import { clientNodeControllerApi } from "./kube-api.js";
import { LeaderElector } from "./leader.js";
import { ControllerMetrics } from "./metrics.js";
import { readBuildInfo } from "../../base/build-info.js";

import { CONTROLLER_USAGE } from "./usage.js";

export { CONTROLLER_USAGE };

export async function runControllerCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [
    ...["kubeconfig", "namespace", "lease-name", "identity", "metrics-address", "log-level", "max-candidates"].map((name) => ({
      name,
      takesValue: true,
    })),
    { name: "default-load-balancer-class", takesValue: false },
  ]);
  if (!args.ok) return usage(args.message);
  const flag = (name: string) => {
    const v = args.flags.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const level = (flag("log-level") ?? "info") as Level;
  const listen = parseListenAddress(flag("metrics-address") ?? "0.0.0.0:9120");
  if (listen === undefined) return usage("--metrics-address must be HOST:PORT");
  const maxText = flag("max-candidates") ?? String(DEFAULT_MAX_CANDIDATES);
  const maxCandidates = /^\d{1,3}$/.test(maxText) && Number(maxText) <= MAX_CANDIDATES_MAX ? Number(maxText) : undefined;
  if (maxCandidates === undefined)
    return usage(`--max-candidates must be an integer from 0 to ${MAX_CANDIDATES_MAX}, got ${JSON.stringify(maxText)}`);
  const namespace = flag("namespace") ?? process.env["POD_NAMESPACE"] ?? "floatip-system";
  const identity = flag("identity") ?? process.env["POD_NAME"] ?? hostname();
  const logger = stderrLogger(level).child({ component: "controller", identity });
  const kc = new KubeConfig();
  const kubeconfig = flag("kubeconfig");
  if (kubeconfig !== undefined) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  const api = clientNodeControllerApi(kc, namespace);
  const clock = systemClock();
  const metrics = new ControllerMetrics(readBuildInfo());
  let controller: Controller | undefined;
  const elector = new LeaderElector({
    api,
    namespace,
    name: flag("lease-name") ?? "floatip-controller",
    identity,
    clock,
    wallClock: () => new Date(),
    logger,
    onStartedLeading: () => {
      metrics.isLeader(true);
      const loadBalancers = { api, defaultClass: args.flags.get("default-load-balancer-class") === true };
      controller = new Controller({
        api,
        clock,
        wallClock: () => new Date(),
        logger,
        metrics,
        secretNamespace: namespace,
        maxCandidates,
        loadBalancers,
      });
      void controller.start().catch((error: unknown) => logger.log("error", "controller failed to start", { error: String(error) }));
    },
    onStoppedLeading: async () => {
      metrics.isLeader(false);
      const stopping = controller;
      controller = undefined;
      await stopping?.stop();
    },
  });
  const loop = new LoopWatch({ clock });
  let electing = false;
  loop.start();
  const server = await startHttpEndpoint({
    ...listen,
    registry: metrics.registry,
    healthy: () => true,
    liveness: () => assessLiveness({ problems: [], loopStallMs: loop.stallMs() }),
    ready: () => electing,
    state: () => ({ leader: elector.isLeader }),
  });
  elector.start();
  electing = true;
  logger.log("info", "controller started", { namespace });
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once("SIGTERM", done);
    process.once("SIGINT", done);
  });
  electing = false;
  // Stops the controller, then releases the Lease so another replica leads at once.
  await elector.stop();
  loop.stop();
  server.close();
  return 0;
}

function usage(message: string): number {
  process.stderr.write(`floatip controller: ${message}\n\n${CONTROLLER_USAGE}\n`);
  return 2;
}
