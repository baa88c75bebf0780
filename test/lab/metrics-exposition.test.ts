/**
 * The agent binary's real /metrics, scraped from a master and a backup in a namespace lab after an
 * election, checked by `promtool check metrics` (what Prometheus would lint).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../chart/helm.js";
import { promtool } from "../prom/promtool.js";
import { agentMetrics, soleHolder, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

const VIP = "192.0.2.60";
const PORT = 9152;

describe("the agent's /metrics", { timeout: 120_000 }, () => {
  const fx = useLab({ nodes: 2, client: false, stopSignal: "SIGKILL" });

  it("promtool check metrics accepts a master's and a backup's, with floatip_build_info", async () => {
    for (const [i, host] of fx.lab.nodes.entries()) {
      const config = {
        instances: [
          {
            name: "web",
            interface: "eth0",
            virtualRouterId: 60,
            version: 3,
            priority: 200 - i * 50,
            advertInterval: "100ms",
            addresses: [`${VIP}/32`],
            garp: { repeat: 1, delay: 0 },
          },
        ],
      };
      fx.running.push(startAgent({ lab: fx.lab, host, scratch: fx.scratch, config, metricsPort: PORT }));
    }
    assert.equal(await soleHolder(fx.lab, VIP, 10_000), fx.lab.nodes[0]!.name);
    const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
    for (const host of fx.lab.nodes) {
      const text = await agentMetrics(fx.lab, host, PORT);
      assert.match(text, /^floatip_instance_state\{vrrp_instance="web",/m);
      assert.ok(text.includes(`floatip_build_info{version="${version}",node_version="${process.version}"} 1`), text);
      const r = await promtool(["check", "metrics"], text);
      assert.equal(r.code, 0, `${host.name}: ${r.output}`);
    }
  });
});
