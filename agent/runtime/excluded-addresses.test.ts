/**
 * keepalived virtual_ipaddress_excluded (YAML excludedAddresses): added and
 * removed with master state like the virtual addresses, but not carried in
 * the adverts, so a peer that lists only the virtual addresses (as
 * keepalived peers do) accepts them.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeAnnouncer, FakeSegment } from "./fakes.js";
import { runClock as run, simulatedAgent, vipConfig } from "./simulated-agents.js";

const VIP = "192.0.2.5";
const EXCLUDED = ["198.51.100.7", { address: "2001:db8::7/64", device: "eth1" }];

describe("excluded addresses", () => {
  it("follow master state on their interfaces and stay out of the adverts", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const tables = [new FakeAddressTable(), new FakeAddressTable()];
    const high = simulatedAgent({ clock, segment, address: "192.0.2.12", addresses: tables[0]! });
    const low = simulatedAgent({ clock, segment, address: "192.0.2.11", addresses: tables[1]! });
    await high.supervisor.apply(vipConfig(VIP, { priority: 150, excludedAddresses: EXCLUDED }));
    // The peer lists only the VIP: adverts carrying the excluded addresses would not match its list.
    await low.supervisor.apply(vipConfig(VIP, { priority: 100 }));
    await run(clock, 6000);
    assert.equal(high.supervisor.snapshot()[0]?.phase, "master");
    assert.equal(low.supervisor.snapshot()[0]?.phase, "backup");
    assert.deepEqual(tables[0]!.log, ["add eth0 192.0.2.5/24", "add eth0 198.51.100.7/32", "add eth1 2001:db8::7/64"]);
    await high.supervisor.stop();
    assert.ok(!tables[0]!.has("eth0", "198.51.100.7") && !tables[0]!.has("eth1", "2001:db8::7"));
    await low.supervisor.stop();
  });

  it("are announced (gratuitous ARP / NA) with the virtual addresses when a node becomes master, so clients follow a failover", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const announcer = new FakeAnnouncer();
    const agent = simulatedAgent({ clock, segment, address: "192.0.2.12", addresses: new FakeAddressTable(), announcer });
    await agent.supervisor.apply(vipConfig(VIP, { priority: 150, excludedAddresses: EXCLUDED }));
    await run(clock, 6000);
    assert.equal(agent.supervisor.snapshot()[0]?.phase, "master");
    for (const a of ["eth0 192.0.2.5", "eth0 198.51.100.7", "eth1 2001:db8::7"])
      assert.ok(announcer.announced.includes(a), `${a} announced`);
    await agent.supervisor.stop();
  });
});
