/**
 * keepalived virtual_routes: an instance's routes are installed when it
 * becomes master (after its addresses: a route may use one as source) and
 * removed when it leaves master (before its addresses), on failover and on stop.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeRouteTable, FakeSegment } from "./fakes.js";
import { runClock as run, simulatedAgent, vipConfig } from "./simulated-agents.js";

const VIP = "192.0.2.5";
const ROUTES = [
  { to: "198.51.100.0/24", via: "192.0.2.1", source: VIP },
  { type: "blackhole", to: "203.0.113.0/24" },
];

function node(clock: ManualClock, segment: FakeSegment, address: string, priority: number) {
  const table = new FakeAddressTable();
  const routes = new FakeRouteTable();
  const { supervisor } = simulatedAgent({ clock, segment, address, addresses: table, routes });
  return { supervisor, table, routes, config: vipConfig(VIP, { priority, routes: ROUTES }) };
}

describe("virtual routes follow master state", () => {
  it("only the master has the routes; they move with a failover and leave on stop", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const high = node(clock, segment, "192.0.2.12", 150);
    const low = node(clock, segment, "192.0.2.11", 100);
    await high.supervisor.apply(high.config);
    await low.supervisor.apply(low.config);
    await run(clock, 5000);
    const installed = ["198.51.100.0/24 via 192.0.2.1 src 192.0.2.5", "blackhole 203.0.113.0/24"];
    assert.deepEqual([...high.routes.installed], installed);
    assert.deepEqual([...low.routes.installed], []);
    // The address goes on before the route that uses it as source.
    assert.deepEqual(high.table.log, ["add eth0 192.0.2.5/24"]);

    await high.supervisor.stop();
    await run(clock, 5000);
    assert.deepEqual([...high.routes.installed], []);
    assert.deepEqual(high.routes.log, installed.map((r) => `add ${r}`).concat(installed.map((r) => `remove ${r}`)));
    assert.deepEqual([...low.routes.installed], installed);
    await low.supervisor.stop();
    assert.deepEqual([...low.routes.installed], []);
  });
});

describe("a virtual route or rule that cannot be installed", () => {
  it("is counted in floatip_route_errors_total, not as an address error; the other routes go in", async () => {
    const clock = new ManualClock(0);
    const routes = new (class extends FakeRouteTable {
      override async add(route: Parameters<FakeRouteTable["add"]>[0]): Promise<void> {
        if (route.to === "203.0.113.0/24") throw new Error("RTNETLINK answers: File exists");
        return super.add(route);
      }
      override async addRule(): Promise<void> {
        throw new Error("RTNETLINK answers: Operation not supported");
      }
    })();
    const { supervisor, metrics } = simulatedAgent({
      clock,
      segment: new FakeSegment(),
      address: "192.0.2.12",
      addresses: new FakeAddressTable(),
      routes,
    });
    await supervisor.apply(vipConfig(VIP, { priority: 150, routes: ROUTES, rules: [{ from: VIP, table: 100, priority: 1000 }] }));
    await run(clock, 5000);
    assert.deepEqual([...routes.installed], ["198.51.100.0/24 via 192.0.2.1 src 192.0.2.5"]);
    const text = await metrics.registry.metrics();
    const labels = 'vrrp_instance="vip",interface="eth0",vrid="51"';
    assert.match(text, new RegExp(`floatip_route_errors_total\\{${labels},operation="add",kind="route"\\} 1`));
    assert.match(text, new RegExp(`floatip_route_errors_total\\{${labels},operation="add",kind="rule"\\} 1`));
    assert.doesNotMatch(text, /floatip_address_errors_total\{/);
    await supervisor.stop();
  });
});
