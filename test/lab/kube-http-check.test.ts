/**
 * HTTP checks on a VirtualIP end to end (issue 14 item 5): the test API
 * server, the controller and three `floatip agent --kubernetes` in the lab,
 * driven by the VRRPNodes the controller renders. Each node namespace runs
 * a small HTTP server on its own 127.0.0.1:18080 that answers 200 while a
 * file exists and 503 otherwise. The VirtualIP tracks it with weight 0
 * (FAULT while failed): when the master's server starts failing the VIP
 * moves; when it recovers the higher-priority node takes it back.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LabHost } from "./netns.js";
import { agentMetrics, holders, metricSum, soleHolder } from "./vrrp-lab.js";
import { KubeCluster } from "./kube-cluster.js";

const VIP = "192.0.2.21";
const METRICS_PORT = 9113;
const CHECK_MS = 200;

describe("a VirtualIP tracking an HTTP check", { timeout: 120_000 }, () => {
  let cluster: KubeCluster;
  const fail = (e: unknown): never => assert.fail(`${String(e)}\n${cluster.diag()}`);
  const upFile = (host: LabHost) => join(cluster.scratch.dir, `up-${host.name}`);

  before(async () => {
    cluster = await KubeCluster.start({ nodes: 3, startAgents: false });
    const { lab } = cluster;
    for (const host of lab.nodes) {
      writeFileSync(upFile(host), "");
      const serve = `require("node:http").createServer((q, s) => { s.statusCode = require("node:fs").existsSync(${JSON.stringify(upFile(host))}) ? 200 : 503; s.end(); }).listen(18080, "127.0.0.1")`;
      lab.spawnIn(host.ns, [process.execPath, "-e", serve]);
      cluster.startAgent(host, ["--metrics-address", `${host.ipv4}:${METRICS_PORT}`]);
    }
  });
  after(async () => {
    await cluster?.stop();
  });

  it("the master's check fails → the VIP moves within a check interval and a failover; it recovers → back", async () => {
    const { lab } = cluster;
    const [n1, n2] = [lab.nodes[0]!, lab.nodes[1]!];
    await cluster.apply({
      apiVersion: "floatip.io/v1alpha1",
      kind: "VirtualIP",
      metadata: { name: "checked" },
      spec: {
        addresses: [`${VIP}/24`],
        advertisementInterval: "100ms",
        priorities: { n1: 250, n2: 200, n3: 150 },
        track: { httpChecks: [{ name: "app", url: "http://127.0.0.1:18080/healthz", interval: `${CHECK_MS}ms`, timeout: "150ms" }] },
      },
    });
    assert.equal(await soleHolder(lab, VIP, 30_000).catch(fail), "n1");
    const nodes = await cluster.getJson<{ items: { metadata: { name: string }; spec: { httpChecks?: { name: string }[] } }[] }>([
      "get",
      "vrrpnodes",
    ]);
    assert.deepEqual(
      nodes.items.map((n) => n.spec.httpChecks?.map((c) => c.name)),
      [["checked/app"], ["checked/app"], ["checked/app"]],
    );
    const metrics = await agentMetrics(lab, n1, METRICS_PORT);
    assert.equal(metricSum(metrics, "floatip_http_check_healthy", { vrrp_instance: "vrid-1", http_check: "checked/app" }), 1, metrics);

    rmSync(upFile(n1));
    const since = Date.now();
    const moved = await lab.waitFor(() => cluster.watch.first(VIP, true, since, "n2"), 5000, "VIP on n2").catch(fail);
    // One probe interval to see the failure, then FAULT and a priority-0 advert: n2 takes over at once (Skew_Time).
    assert.ok(moved.at - since <= CHECK_MS + 500, `moved after ${moved.at - since} ms`);
    assert.deepEqual(await holders(lab, VIP), ["n2"]);
    const failed = await agentMetrics(lab, n1, METRICS_PORT);
    assert.equal(metricSum(failed, "floatip_http_check_healthy", { http_check: "checked/app" }), 0);
    assert.ok(metricSum(failed, "floatip_http_check_runs_total", { http_check: "checked/app", result: "failure" }) >= 1);
    await lab
      .waitFor(
        async () => (await cluster.getJson<{ status?: { master?: string } }>(["get", "vip", "checked"])).status?.master === "n2",
        15_000,
        "status.master n2",
      )
      .catch(fail);

    writeFileSync(upFile(n1), "");
    assert.ok(existsSync(upFile(n1)));
    assert.equal(await soleHolder(lab, VIP, 10_000, lab.nodes, 500).catch(fail), "n1", "preempts back once its check passes");
    assert.deepEqual(await holders(lab, VIP), ["n1"]);
    await cluster.kubectl(["delete", "vip", "checked", "--wait=true", "--timeout=30s"]);
    assert.equal(n2.name, "n2");
  });
});
