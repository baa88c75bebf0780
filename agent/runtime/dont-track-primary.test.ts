/**
 * keepalived dont_track_primary (YAML trackInterface: false): the instance
 * ignores faults of its own interface (carrier loss, set down), as for
 * cross-connected routers whose VRRP link may go down while the service
 * link still works. By default such a fault is FAULT (kernel-events.test.ts).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeLinkMonitor, FakeSegment, fakeTransports } from "./fakes.js";
import { runClock as run, simulatedAgent, vipConfig } from "./simulated-agents.js";

const VIP = "192.0.2.5";

describe("dont_track_primary", () => {
  it("a master whose own interface loses carrier stays master and keeps its VIP", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const table = new FakeAddressTable({ eth0: ["192.0.2.11"] });
    const monitor = new FakeLinkMonitor();
    const transports = fakeTransports(segment, "192.0.2.11");
    const { supervisor } = simulatedAgent({ clock, segment, address: "192.0.2.11", addresses: table, monitor, transports });
    await supervisor.apply(vipConfig(VIP, { priority: 200, trackInterface: false }));
    await run(clock, 4000);
    assert.equal(supervisor.snapshot()[0]?.phase, "master");
    monitor.link("eth0", { up: false });
    await run(clock, 3000);
    assert.equal(supervisor.snapshot()[0]?.phase, "master");
    assert.ok(table.has("eth0", VIP));
    await supervisor.stop();
  });

  it("a backup whose own interface is down still takes over when it hears no master", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const table = new FakeAddressTable({ eth0: ["192.0.2.12"] });
    const monitor = new FakeLinkMonitor();
    const { supervisor } = simulatedAgent({
      clock,
      segment,
      address: "192.0.2.12",
      addresses: table,
      monitor,
      transports: fakeTransports(segment, "192.0.2.12"),
    });
    await supervisor.apply(vipConfig(VIP, { priority: 100, trackInterface: false }));
    monitor.link("eth0", { up: false });
    await run(clock, 5000);
    assert.equal(supervisor.snapshot()[0]?.phase, "master");
    await supervisor.stop();
  });
});
