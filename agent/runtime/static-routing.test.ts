/**
 * keepalived static_routes / static_rules: installed when the agent starts,
 * on a backup as on a master, changed to the new set on a reload, removed
 * when the agent stops (as keepalived 2.2.7 does).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeRouteTable, FakeSegment } from "./fakes.js";
import { runClock as run, simulatedAgent, vipConfig } from "./simulated-agents.js";
import { validateAgentConfig } from "../config/validate.js";
import type { AgentConfig } from "../config/types.js";

function config(statics: Record<string, unknown>, priority: number): AgentConfig {
  const result = validateAgentConfig({
    instances: [{ name: "vip", interface: "eth0", virtualRouterId: 51, addresses: ["192.0.2.5/24"], priority }],
    ...statics,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

describe("static routes and rules follow the agent, not the VRRP state", () => {
  it("a backup has them from the start; a reload changes only what changed; stop removes them", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const master = simulatedAgent({
      clock,
      segment,
      address: "192.0.2.12",
      addresses: new FakeAddressTable(),
      routes: new FakeRouteTable(),
    });
    await master.supervisor.apply(vipConfig("192.0.2.5", { priority: 200 }));
    const routes = new FakeRouteTable();
    const { supervisor } = simulatedAgent({ clock, segment, address: "192.0.2.11", addresses: new FakeAddressTable(), routes });
    const first = config(
      {
        staticRoutes: [
          { to: "198.51.100.0/24", via: "192.0.2.1" },
          { to: "0.0.0.0/0", via: "192.0.2.254", table: 200 },
        ],
        staticRules: [{ from: "192.0.2.0/24", table: 200 }],
      },
      100,
    );
    await supervisor.apply(first);
    await run(clock, 5000);
    assert.equal(supervisor.snapshot()[0]?.phase, "backup");
    assert.deepEqual(routes.log, [
      "add 198.51.100.0/24 via 192.0.2.1",
      "add 0.0.0.0/0 via 192.0.2.254 table 200",
      "add rule from 192.0.2.0/24 table 200",
    ]);

    routes.log.length = 0;
    await supervisor.apply(config({ staticRoutes: [{ to: "198.51.100.0/24", via: "192.0.2.1" }] }, 100));
    assert.deepEqual(routes.log, ["remove rule from 192.0.2.0/24 table 200", "remove 0.0.0.0/0 via 192.0.2.254 table 200"]);

    routes.log.length = 0;
    await supervisor.stop();
    assert.deepEqual(routes.log, ["remove 198.51.100.0/24 via 192.0.2.1"]);
    assert.deepEqual([...routes.installed], []);
    await master.supervisor.stop();
  });
});
