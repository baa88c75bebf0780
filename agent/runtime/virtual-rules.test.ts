/**
 * keepalived virtual_rules: an instance's policy rules are installed when it
 * becomes master, after its routes (a rule points at a table they fill), and
 * removed when it leaves master, before its routes, on failover and on stop.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeRouteTable, FakeSegment } from "./fakes.js";
import { runClock as run, simulatedAgent, vipConfig } from "./simulated-agents.js";

const VIP = "192.0.2.5";
const ROUTES = [{ to: "0.0.0.0/0", via: "192.0.2.1", table: 100 }];
const RULES = [
  { from: VIP, table: 100, priority: 1000 },
  { fwmark: 7, fwmask: 255, iif: "eth0", table: 100 },
];

function node(clock: ManualClock, segment: FakeSegment, address: string, priority: number) {
  const routes = new FakeRouteTable();
  const { supervisor } = simulatedAgent({ clock, segment, address, addresses: new FakeAddressTable(), routes });
  return { supervisor, routes, config: vipConfig(VIP, { priority, routes: ROUTES, rules: RULES }) };
}

describe("virtual rules follow master state", () => {
  it("only the master has the rules; they come after the routes, go before them, and move with a failover", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const high = node(clock, segment, "192.0.2.12", 150);
    const low = node(clock, segment, "192.0.2.11", 100);
    await high.supervisor.apply(high.config);
    await low.supervisor.apply(low.config);
    await run(clock, 5000);
    const route = "0.0.0.0/0 via 192.0.2.1 table 100";
    const rules = ["rule priority 1000 from 192.0.2.5/32 table 100", "rule from all iif eth0 fwmark 7/255 table 100"];
    assert.deepEqual([...high.routes.installed], [route, ...rules]);
    assert.deepEqual([...low.routes.installed], []);

    await high.supervisor.stop();
    await run(clock, 5000);
    assert.deepEqual([...high.routes.installed], []);
    assert.deepEqual(high.routes.log, [
      `add ${route}`,
      ...rules.map((r) => `add ${r}`),
      ...rules.map((r) => `remove ${r}`),
      `remove ${route}`,
    ]);
    assert.deepEqual([...low.routes.installed], [route, ...rules]);
    await low.supervisor.stop();
    assert.deepEqual([...low.routes.installed], []);
  });
});
