import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { HeardPeers } from "./heard-peers.js";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeSegment } from "./fakes.js";
import { runClock, simulatedAgent, vipConfig } from "./simulated-agents.js";
import { encodeAdvert } from "../vrrp/codec.js";

/** The n-th of 2^24 distinct forged sources (10.x.y.z: any address will do for a forger). */
const forged = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

describe("heard unicast peers", () => {
  it("remembers configured peers only: a million forged sources leave it at the peers", () => {
    const heard = new HeardPeers(["192.0.2.12", "192.0.2.13"]);
    for (let i = 0; i < 1_000_000; i++) heard.note(forged(i));
    heard.note("192.0.2.12");
    assert.equal(heard.size, 1);
    assert.equal(heard.has("192.0.2.12"), true);
    assert.equal(heard.has("192.0.2.13"), false);
    assert.equal(heard.has(forged(7)), false);
  });

  it("a multicast instance remembers nothing", () => {
    const heard = new HeardPeers();
    for (let i = 0; i < 1000; i++) heard.note(forged(i));
    assert.equal(heard.size, 0);
  });

  // Issue 13 finding 4: every source went into the router's set, forged or not (+192 MiB after 1M).
  it("adverts from 300,000 forged sources do not grow the agent's heap", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const { supervisor } = simulatedAgent({ clock, segment, address: "192.0.2.11", addresses: new FakeAddressTable(), minLevel: "info" });
    await supervisor.apply(vipConfig("192.0.2.5", { version: 2, priority: 200 }));
    await runClock(clock, 5000);
    // v2 checksums do not cover the source: one payload serves every forged source. Wrong address list: dropped.
    const advert = {
      version: 2,
      family: 4,
      virtualRouterId: 51,
      priority: 254,
      advertIntervalMs: 1000,
      addresses: ["192.0.2.99"],
      authType: 0,
    } as const;
    const payload = encodeAdvert(advert, { source: "10.0.0.1", destination: "224.0.0.18" });
    const flood = (from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        segment.inject({ family: 4, payload, source: forged(i), destination: "224.0.0.18", ttl: 255, ifindex: 2 });
      }
    };
    flood(0, 20_000); // warm up: whatever the drop path allocates once
    gc();
    const before = process.memoryUsage().heapUsed;
    flood(20_000, 300_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    await supervisor.stop();
    assert.ok(grown < 4 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MiB after 300,000 forged sources`);
  });
});
