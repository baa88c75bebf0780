/**
 * Prometheus series of health checks on a simulated agent: per instance
 * (label vrrp_instance) and check, the counted health and the runs by
 * result, for scripts and HTTP checks alike; gone with the instance.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "../config/validate.js";
import { FakeSpawner } from "../health/fakes.js";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeSegment } from "./fakes.js";
import { runClock, simulatedAgent } from "./simulated-agents.js";

const series = async (registry: { metrics(): Promise<string> }, prefix: string) =>
  (await registry.metrics())
    .split("\n")
    .filter((l) => l.startsWith(prefix))
    .sort();

describe("health check metrics", () => {
  it("floatip_script_* and floatip_http_check_* per vrrp_instance and check, counted after fall; removed with the instance", async () => {
    const clock = new ManualClock(0);
    let code = 200;
    let exitCode = 0;
    const spawner = new FakeSpawner((p) => queueMicrotask(() => p.exit(exitCode)));
    const { supervisor, metrics } = simulatedAgent({
      clock,
      segment: new FakeSegment(),
      address: "192.0.2.11",
      addresses: new FakeAddressTable(),
      spawner,
      prober: { get: async () => ({ type: "status", code }) },
    });
    const parsed = validateAgentConfig({
      scripts: [{ name: "web/chk", command: "/bin/check", interval: "1s" }],
      httpChecks: [{ name: "web/ready", url: "http://127.0.0.1:8080/healthz", interval: "1s", fall: 2 }],
      instances: [
        {
          name: "web",
          interface: "eth0",
          virtualRouterId: 51,
          addresses: ["192.0.2.5/24"],
          track: { scripts: ["web/chk"], httpChecks: ["web/ready"] },
        },
      ],
    });
    assert.ok(parsed.ok, JSON.stringify(parsed));
    await supervisor.apply(parsed.config);
    await runClock(clock, 2500);
    assert.deepEqual(await series(metrics.registry, "floatip_http_check_healthy{"), [
      'floatip_http_check_healthy{vrrp_instance="web",http_check="web/ready"} 1',
    ]);
    assert.deepEqual(await series(metrics.registry, "floatip_script_healthy{"), [
      'floatip_script_healthy{vrrp_instance="web",script="web/chk"} 1',
    ]);
    code = 503;
    exitCode = 1;
    await runClock(clock, 1000);
    assert.deepEqual(
      await series(metrics.registry, "floatip_http_check_healthy{"),
      ['floatip_http_check_healthy{vrrp_instance="web",http_check="web/ready"} 1'],
      "one failure of fall 2: still OK",
    );
    assert.deepEqual(await series(metrics.registry, "floatip_script_healthy{"), [
      'floatip_script_healthy{vrrp_instance="web",script="web/chk"} 0',
    ]);
    await runClock(clock, 1000);
    assert.deepEqual(await series(metrics.registry, "floatip_http_check_healthy{"), [
      'floatip_http_check_healthy{vrrp_instance="web",http_check="web/ready"} 0',
    ]);
    const runs = await series(metrics.registry, "floatip_http_check_runs_total{");
    assert.equal(runs.length, 2);
    assert.match(runs[0]!, /^floatip_http_check_runs_total\{vrrp_instance="web",http_check="web\/ready",result="failure"\} 2$/);
    assert.match(runs[1]!, /^floatip_http_check_runs_total\{vrrp_instance="web",http_check="web\/ready",result="success"\} [23]$/);
    assert.equal((await series(metrics.registry, "floatip_script_runs_total{")).length, 2);
    await supervisor.apply({ ...parsed.config, instances: [] });
    assert.deepEqual(await series(metrics.registry, "floatip_http_check_"), []);
    assert.deepEqual(await series(metrics.registry, "floatip_script_"), []);
    await supervisor.stop();
  });
});
