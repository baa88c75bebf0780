/**
 * MasterAddresses.warm(): a takeover's add and announce run once at start
 * so V8 has compiled them, over ports that do nothing: the host sees no
 * change, and the real add afterwards does exactly what it did without it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { validateAgentConfig } from "../config/validate.js";
import type { InstanceConfig } from "../config/types.js";
import { memoryLogger } from "../health/fakes.js";
import { FakeAddressTable, FakeAnnouncer, FakeRouteTable } from "./fakes.js";
import { MasterAddresses } from "./master-addresses.js";
import { AgentMetrics } from "./metrics.js";

function instance(): InstanceConfig {
  const r = validateAgentConfig({
    instances: [
      {
        name: "i",
        interface: "eth0",
        virtualRouterId: 51,
        priority: 100,
        addresses: ["192.0.2.5/24", "192.0.2.6/24"],
        routes: [{ to: "198.51.100.0/24", via: "192.0.2.1" }],
      },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config.instances[0]!;
}

function setup(master: boolean) {
  const addresses = new FakeAddressTable();
  const announcer = new FakeAnnouncer();
  const routes = new FakeRouteTable();
  const config = instance();
  const owned = new MasterAddresses({
    clock: new ManualClock(),
    addresses,
    announcer,
    routes,
    metrics: new AgentMetrics(),
    labels: { vrrp_instance: "i", interface: "eth0", vrid: "51" },
    log: memoryLogger(),
    config: () => config,
    master: () => master,
    lost: () => assert.fail("nothing is lost"),
  });
  return { owned, addresses, announcer, routes, config };
}

describe("MasterAddresses.warm", () => {
  for (const master of [false, true]) {
    it(`changes nothing on the host (${master ? "master" : "backup"} at start)`, async () => {
      const { owned, addresses, announcer, routes } = setup(master);
      owned.warm();
      await owned.settled();
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(addresses.log, []);
      assert.deepEqual(announcer.announced, []);
      assert.deepEqual(routes.log, []);
    });
  }

  it("a takeover after it adds, routes and announces as without it", async () => {
    const { owned, addresses, announcer, routes, config } = setup(true);
    owned.warm();
    owned.add();
    owned.announce("initial");
    await owned.settled();
    assert.deepEqual(addresses.log, ["add eth0 192.0.2.5/24", "add eth0 192.0.2.6/24"]);
    const round = ["eth0 192.0.2.5", "eth0 192.0.2.6"];
    assert.deepEqual(announcer.announced, Array.from({ length: config.garp.repeat }, () => round).flat(), "garp.repeat rounds");
    assert.equal(routes.log.length, 1);
  });
});
