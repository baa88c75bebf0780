/**
 * `floatip agent --kubernetes`: the real edges plus the Kubernetes client,
 * loaded only in this mode (the agent's own thin client, agent/kube/api.ts).
 */
import { restAgentApi } from "../kube/api.js";
import { loadEndpoint } from "../kube/endpoint.js";
import { fileConfigCache } from "../kube/config-cache.js";
import { KubeAgent } from "../kube/kube-agent.js";
import { PodIndex } from "../kube/pod-index.js";
import { openAddressTable, openSystemEdges } from "../os/system.js";
import { systemClock } from "../../base/clock.js";
import { guardStdio, stderrLogger } from "../../base/logger.js";
import { AgentMetrics } from "../runtime/metrics.js";
import { readBuildInfo } from "../../base/build-info.js";
import { AgentSupervisor } from "../runtime/supervisor.js";
import { serve, stopSignalsFirst, supervisorDeps, type Common } from "./agent-run.js";

export async function runKubernetesAgent(
  options: Common & {
    readonly nodeName: string;
    readonly cacheDir: string;
    readonly kubeconfig?: string;
    readonly statusRefreshMs?: number;
    readonly allowScripts?: boolean;
  },
): Promise<number> {
  const signals = stopSignalsFirst(options.signals); // SIGHUP: nothing to reload here, so it is only ever noted
  const metrics = new AgentMetrics(readBuildInfo());
  const logger = stderrLogger(options.level, (code) => metrics.logWriteFailed(code)).child({ node: options.nodeName });
  guardStdio((code) => metrics.logWriteFailed(code));
  const endpoint = await loadEndpoint(options.kubeconfig);
  const table = await openAddressTable();
  const edges = await openSystemEdges(table);
  const pods = new PodIndex();
  const late: { kube?: KubeAgent } = {};
  const supervisor = new AgentSupervisor({
    ...supervisorDeps(options, edges, logger, metrics, () => late.kube?.conflictsChanged()),
    pods,
    onTransition: (t) => late.kube?.transitioned(t),
    onHealthChange: () => late.kube?.healthChanged(),
  });
  const kube = new KubeAgent({
    api: restAgentApi(endpoint),
    nodeName: options.nodeName,
    runner: supervisor,
    pods,
    cache: fileConfigCache(options.cacheDir, (message) => logger.log("warn", message)),
    links: () => table.links(),
    clock: systemClock(),
    wallClock: () => new Date(),
    logger,
    ...(options.statusRefreshMs !== undefined ? { statusRefreshMs: options.statusRefreshMs } : {}),
    allowScripts: options.allowScripts === true,
  });
  late.kube = kube;
  return serve({
    common: options,
    logger,
    metrics,
    supervisor,
    signals,
    start: async () => {
      await kube.start();
      logger.log("info", "agent started, following VRRPNode", { vrrpnode: options.nodeName });
    },
    cleanup: async () => {
      await kube.stop();
      edges.close();
    },
  });
}
