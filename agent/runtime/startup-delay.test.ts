import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeSegment } from "./fakes.js";
import { FakeSpawner } from "../health/fakes.js";
import { validateAgentConfig } from "../config/validate.js";
import type { AgentConfig } from "../config/types.js";
import { runClock, simulatedAgent } from "./simulated-agents.js";
import { startupHoldUntil } from "./startup-delay.js";

const VIP = "192.0.2.5";

/** One instance alone on the segment (Master_Down_Interval ~3.6 s), with vrrp_startup_delay. */
function config(startupDelay: string | undefined, name = "vip", vrid = 51): AgentConfig {
  const result = validateAgentConfig({
    ...(startupDelay !== undefined ? { startupDelay } : {}),
    instances: [{ name, interface: "eth0", virtualRouterId: vrid, priority: 100, addresses: [`${VIP}/24`] }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

function states(logs: readonly string[]): string[] {
  return logs.filter((l) => l.includes(" -> ")).map((l) => (JSON.parse(l) as { to: string }).to.toUpperCase());
}

function agentOn(clock: ManualClock) {
  return simulatedAgent({
    clock,
    segment: new FakeSegment(),
    address: "192.0.2.11",
    addresses: new FakeAddressTable(),
    spawner: new FakeSpawner(),
    minLevel: "info",
  });
}

describe("startupHoldUntil", () => {
  it("holds until start + delay, and not at all without a delay or after it", () => {
    assert.equal(startupHoldUntil(1000, 5000, 1000), 6000);
    assert.equal(startupHoldUntil(1000, 5000, 5999), 6000);
    assert.equal(startupHoldUntil(1000, 5000, 6000), undefined);
    assert.equal(startupHoldUntil(1000, 0, 1000), undefined);
  });
});

describe("vrrp_startup_delay (keepalived 2.2.7: BACKUP at once, no takeover during the delay)", () => {
  it("alone on the segment: BACKUP at start, MASTER only after the delay", async () => {
    const clock = new ManualClock(0);
    const agent = agentOn(clock);
    await agent.supervisor.apply(config("10s"));
    await runClock(clock, 9000);
    assert.deepEqual(states(agent.logs), ["BACKUP"], "Master_Down_Interval passed, but the delay has not");
    await runClock(clock, 5000);
    assert.deepEqual(states(agent.logs), ["BACKUP", "MASTER"]);
    await agent.supervisor.stop();
  });

  it("without the delay the same instance is MASTER within 4 s", async () => {
    const clock = new ManualClock(0);
    const agent = agentOn(clock);
    await agent.supervisor.apply(config(undefined));
    await runClock(clock, 4000);
    assert.deepEqual(states(agent.logs), ["BACKUP", "MASTER"]);
    await agent.supervisor.stop();
  });

  it("counts from the agent's start: an instance added by a reload after the delay is not held", async () => {
    const clock = new ManualClock(0);
    const agent = agentOn(clock);
    await agent.supervisor.apply(config("5s"));
    await runClock(clock, 9000);
    assert.deepEqual(states(agent.logs), ["BACKUP", "MASTER"]);
    await agent.supervisor.apply(config("5s", "other", 52));
    await runClock(clock, 4000);
    assert.deepEqual(states(agent.logs).slice(-2), ["BACKUP", "MASTER"], "the new instance went master after one Master_Down_Interval");
    await agent.supervisor.stop();
  });
});
