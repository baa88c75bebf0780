/**
 * keepalived static_ipaddress: added when the agent starts, on a backup as
 * on a master, changed to the new list on a reload, deleted when the agent
 * stops (as keepalived 2.2.7 does).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeSegment } from "./fakes.js";
import { runClock as run, simulatedAgent, vipConfig } from "./simulated-agents.js";
import { validateAgentConfig } from "../config/validate.js";
import type { AgentConfig } from "../config/types.js";

function config(staticAddresses: unknown[]): AgentConfig {
  const result = validateAgentConfig({
    instances: [{ name: "vip", interface: "eth0", virtualRouterId: 51, addresses: ["192.0.2.5/24"], priority: 100 }],
    staticAddresses,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

describe("static addresses follow the agent, not the VRRP state", () => {
  it("a backup has them from the start; a reload changes only what changed; stop deletes them", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const master = simulatedAgent({ clock, segment, address: "192.0.2.12", addresses: new FakeAddressTable() });
    await master.supervisor.apply(vipConfig("192.0.2.5", { priority: 200 }));
    const table = new FakeAddressTable();
    const { supervisor } = simulatedAgent({ clock, segment, address: "192.0.2.11", addresses: table });
    await supervisor.apply(
      config([
        { address: "192.0.2.9/24", device: "eth0" },
        { address: "2001:db8:9::9/64", device: "eth1" },
      ]),
    );
    await run(clock, 5000);
    assert.equal(supervisor.snapshot()[0]?.phase, "backup");
    assert.ok(table.has("eth0", "192.0.2.9") && table.has("eth1", "2001:db8:9::9"), "both added while backup");
    assert.ok(!table.has("eth0", "192.0.2.5"), "the VIP stays with the master");

    await supervisor.apply(config([{ address: "192.0.2.9/24", device: "eth0" }]));
    assert.ok(table.has("eth0", "192.0.2.9"));
    assert.ok(!table.has("eth1", "2001:db8:9::9"), "the one no longer listed is deleted on reload");

    await supervisor.stop();
    assert.ok(!table.has("eth0", "192.0.2.9"), "deleted at stop");
    await master.supervisor.stop();
  });
});
