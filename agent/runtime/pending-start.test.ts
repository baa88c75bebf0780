import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeSegment } from "./fakes.js";
import { FakeSpawner } from "../health/fakes.js";
import { validateAgentConfig } from "../config/validate.js";
import type { AgentConfig } from "../config/types.js";
import { runClock, simulatedAgent } from "./simulated-agents.js";

const VIP = "192.0.2.5";

/** One instance alone on the segment tracking a weight-0 script (keepalived's default weight). */
function config(instance: Record<string, unknown> = {}): AgentConfig {
  const result = validateAgentConfig({
    scripts: [{ name: "chk", command: "/usr/bin/check", interval: "2s", timeout: "5s", weight: 0 }],
    instances: [
      {
        name: "vip",
        interface: "eth0",
        virtualRouterId: 51,
        priority: 100,
        addresses: [`${VIP}/24`],
        track: { scripts: [{ name: "chk" }] },
        ...instance,
      },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

/** The states the instance went through, from its transition log lines. */
function states(logs: readonly string[]): string[] {
  return logs
    .filter((l) => l.includes(" -> "))
    .map((l) => JSON.parse(l) as { to: string })
    .map((l) => l.to.toUpperCase());
}

describe("start with a weight-0 script that has not reported yet (keepalived 2.2.7)", () => {
  it("waits as BACKUP for the first result, then becomes MASTER: no FAULT on the way", async () => {
    const clock = new ManualClock(0);
    const spawner = new FakeSpawner();
    const agent = simulatedAgent({
      clock,
      segment: new FakeSegment(),
      address: "192.0.2.11",
      addresses: new FakeAddressTable(),
      spawner,
      minLevel: "info",
    });
    await agent.supervisor.apply(config());
    await runClock(clock, 4500);
    assert.deepEqual(states(agent.logs), ["BACKUP"], "no result yet: backup, not master, not fault");
    spawner.last!.exit(0);
    await runClock(clock, 4000);
    assert.deepEqual(states(agent.logs), ["BACKUP", "MASTER"]);
    await agent.supervisor.stop();
  });

  it("a script that hangs puts the instance in FAULT at its timeout, not before", async () => {
    const clock = new ManualClock(0);
    const spawner = new FakeSpawner();
    const agent = simulatedAgent({
      clock,
      segment: new FakeSegment(),
      address: "192.0.2.11",
      addresses: new FakeAddressTable(),
      spawner,
      minLevel: "info",
    });
    await agent.supervisor.apply(config());
    await runClock(clock, 4900);
    assert.deepEqual(states(agent.logs), ["BACKUP"]);
    await runClock(clock, 200);
    assert.deepEqual(states(agent.logs), ["BACKUP", "FAULT"]);
    await agent.supervisor.stop();
  });

  it("an address owner (priority 255) waits for the result too before it takes the address", async () => {
    const clock = new ManualClock(0);
    const spawner = new FakeSpawner();
    const table = new FakeAddressTable();
    const agent = simulatedAgent({ clock, segment: new FakeSegment(), address: "192.0.2.11", addresses: table, spawner, minLevel: "info" });
    await agent.supervisor.apply(config({ priority: 255 }));
    await runClock(clock, 500);
    assert.ok(!table.has("eth0", VIP), "no address before the script reported");
    spawner.last!.exit(0);
    await runClock(clock, 4000);
    assert.equal(states(agent.logs).at(-1), "MASTER");
    assert.ok(!states(agent.logs).includes("FAULT"));
    await agent.supervisor.stop();
  });
});
