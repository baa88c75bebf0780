/**
 * Whole agents on the simulated segment, fed link and address events the
 * way the kernel sends them: VIPs removed behind the master's back, its
 * interface deleted / re-created / renamed / down, its source address
 * removed, a tracked interface down, and a socket that cannot send.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import type { InstanceConfig } from "../config/types.js";
import { linkDownTriggers } from "./router.js";
import { FakeAddressTable, FakeLinkMonitor, FakeSegment, fakeTransports } from "./fakes.js";
import { runClock as run, simulatedAgent, vipConfig } from "./simulated-agents.js";
import { SOCKET_ERROR_WINDOW_MS } from "./agent.js";

const VIP = "192.0.2.5";
const A = "192.0.2.11";
const B = "192.0.2.12";

async function pair(patch: Record<string, unknown> = {}) {
  const clock = new ManualClock(0);
  const segment = new FakeSegment();
  const node = (address: string, priority: number) => {
    const table = new FakeAddressTable({ eth0: [address] });
    const monitor = new FakeLinkMonitor();
    const transports = fakeTransports(segment, address);
    const { supervisor, logs } = simulatedAgent({ clock, segment, address, addresses: table, monitor, transports });
    return { address, table, monitor, transports, supervisor, logs, phase: () => supervisor.snapshot()[0]?.phase, priority, patch };
  };
  const a = node(A, 200);
  const b = node(B, 100);
  await a.supervisor.apply(vipConfig(VIP, { priority: 200, ...patch }));
  await b.supervisor.apply(vipConfig(VIP, { priority: 100, ...patch }));
  await run(clock, 4000);
  assert.equal(a.phase(), "master");
  assert.equal(b.phase(), "backup");
  const holders = () => [a, b].filter((n) => n.table.has("eth0", VIP)).map((n) => n.address);
  const masters = () => [a, b].filter((n) => n.phase() === "master").map((n) => n.address);
  return { clock, segment, a, b, holders, masters, stop: () => Promise.all([a.supervisor.stop(), b.supervisor.stop()]) };
}

describe("agents following the kernel's link and address events", () => {
  it("a master whose VIP is removed behind its back adds it again at once and announces it", async () => {
    const l = await pair();
    l.a.table.aliased.get("eth0")!.delete(VIP);
    l.a.monitor.address("eth0", VIP, { gone: true });
    await run(l.clock, 5, 1);
    assert.deepEqual(l.holders(), [A]);
    assert.equal(l.a.phase(), "master");
    await l.stop();
  });

  it("a master that cannot put its VIP back leaves master, and tries again once the interface changes", async () => {
    const l = await pair();
    const add = l.a.table.add.bind(l.a.table);
    l.a.table.add = async () => {
      throw new Error("no usable primary address");
    };
    l.a.table.aliased.get("eth0")!.delete(VIP);
    l.a.monitor.address("eth0", VIP, { gone: true });
    await run(l.clock, 5, 1);
    assert.equal(l.a.phase(), "fault");
    await run(l.clock, 1000);
    assert.deepEqual(l.holders(), [B]);
    l.a.table.add = add;
    l.a.monitor.address("eth0", A, { gone: false });
    await run(l.clock, 5000);
    assert.deepEqual(l.masters(), [A]);
    assert.deepEqual(l.holders(), [A]);
    await l.stop();
  });

  it("a master whose interface is deleted goes to FAULT with a priority-0 advert; re-created, the socket is reopened", async () => {
    const l = await pair();
    const sentBefore = l.segment.sent.length;
    l.a.monitor.link("eth0", { gone: true, up: false });
    await run(l.clock, 5, 1);
    assert.equal(l.a.phase(), "fault");
    assert.ok(
      l.segment.sent.slice(sentBefore).some((p) => p.source === A && p.payload[2] === 0),
      "priority-0 advert",
    );
    await run(l.clock, 1000);
    assert.deepEqual(l.holders(), [B]);
    assert.deepEqual(l.masters(), [B]);
    const sends = l.segment.sent.length;
    await run(l.clock, 1000);
    assert.ok(!l.segment.sent.slice(sends).some((p) => p.source === A), "nothing sent while the interface is gone");
    // Re-created under a new index: a new socket, and A (higher priority, preempt) is master again.
    l.a.monitor.link("eth0", { index: 9, up: false });
    l.a.monitor.link("eth0", { index: 9, up: true });
    await run(l.clock, 5000);
    assert.equal(l.a.transports.opened.length, 2, "the socket was opened again");
    assert.deepEqual(l.masters(), [A]);
    assert.deepEqual(l.holders(), [A]);
    await l.stop();
  });

  it("re-created with another source address (a new link-local), the routers advertise from the new one", async () => {
    const l = await pair();
    const again = fakeTransports(l.segment, "192.0.2.21");
    const open = l.a.transports.open.bind(l.a.transports);
    let opens = 0;
    l.a.transports.open = (options) => (++opens === 1 ? again.open(options) : open(options));
    l.a.monitor.link("eth0", { gone: true, up: false });
    await run(l.clock, 1000);
    l.a.monitor.link("eth0", { index: 9, up: true });
    await run(l.clock, 5000);
    assert.deepEqual(l.masters(), [A]);
    assert.deepEqual(l.holders(), [A]);
    const recent = l.segment.sent.filter((p) => p.source !== B).slice(-3);
    assert.ok(
      recent.every((p) => p.source === "192.0.2.21"),
      "adverts leave from the new source",
    );
    assert.equal(l.b.phase(), "backup", "B accepts them (checksum over the new source)");
    await l.stop();
  });

  it("an interface renamed away is gone for its old name; renamed back, it serves again", async () => {
    const l = await pair();
    l.a.monitor.link("eth7", { index: 2, up: true });
    await run(l.clock, 1000);
    assert.equal(l.a.phase(), "fault");
    assert.deepEqual(l.masters(), [B]);
    l.a.monitor.link("eth0", { index: 2, up: true });
    await run(l.clock, 5000);
    assert.deepEqual(l.masters(), [A]);
    await l.stop();
  });

  it("carrier loss on the master's own interface is FAULT until it is back", async () => {
    const l = await pair();
    l.a.monitor.link("eth0", { up: false });
    await run(l.clock, 5, 1);
    assert.equal(l.a.phase(), "fault");
    await run(l.clock, 1000);
    assert.deepEqual(l.holders(), [B]);
    l.a.monitor.link("eth0", { up: true });
    await run(l.clock, 5000);
    assert.deepEqual(l.masters(), [A]);
    assert.equal(l.a.transports.opened.length, 1, "same interface: the socket is kept");
    await l.stop();
  });

  it("the master's source address removed: FAULT with a priority-0 advert, the backup takes over; added back, it recovers", async () => {
    const l = await pair();
    l.a.monitor.address("eth0", A, { gone: true });
    await run(l.clock, 5, 1);
    assert.equal(l.a.phase(), "fault");
    // Skew_Time at priority 100 is (256 - 100) / 256 s.
    await run(l.clock, 700);
    assert.deepEqual(l.holders(), [B]);
    l.a.monitor.address("eth0", A, { gone: false });
    await run(l.clock, 5000);
    assert.deepEqual(l.masters(), [A]);
    await l.stop();
  });

  it("a tracked interface going down faults the master at once; the backup holds the VIP after Skew_Time", async () => {
    const l = await pair({ track: { interfaces: [{ name: "up0" }] } });
    l.a.monitor.link("up0", { index: 5, up: false });
    await run(l.clock, 5, 1);
    assert.equal(l.a.phase(), "fault");
    await run(l.clock, 620, 1); // Skew_Time 609 ms + margin
    assert.deepEqual(l.holders(), [B]);
    l.a.monitor.link("up0", { index: 5, up: true });
    await run(l.clock, 5000);
    assert.deepEqual(l.masters(), [A], "preempts back");
    await l.stop();
  });

  it("a master arms its priority-0 advert for the tracked interfaces whose loss means FAULT (weight 0, not reversed)", async () => {
    const interfaces = [
      { name: "up0" },
      { name: "up1", weight: -20 },
      { name: "up2", weight: 10, reverse: true },
      { name: "up3", weight: 0 },
    ];
    const l = await pair({ track: { interfaces } });
    const armed = l.segment.farewells.filter((f) => f.state === "armed");
    assert.deepEqual(
      armed.map((f) => [f.source, f.linkDown]),
      [[A, ["up0", "up3"]]],
    );
    await l.stop();
    // A reversed weight-0 interface faults while up: its going down never calls for a priority 0.
    const reversed = { track: { interfaces: [{ name: "up0", weight: 0, reverse: true }, { name: "up1" }] } } as unknown as InstanceConfig;
    assert.deepEqual(linkDownTriggers(reversed), ["up1"]);
  });

  it("a tracked interface down: the advert the link trigger sent is the master's only priority 0, and the backup holds the VIP after Skew_Time", async () => {
    const l = await pair({ track: { interfaces: [{ name: "up0" }] } });
    const mark = l.segment.sent.length;
    // The native trigger sends first; the agent sees the same event a little later.
    l.segment.linkDown(A, "up0");
    await run(l.clock, 1, 1);
    l.a.monitor.link("up0", { index: 5, up: false });
    await run(l.clock, 5, 1);
    assert.equal(l.a.phase(), "fault");
    await run(l.clock, 620, 1);
    assert.deepEqual(l.holders(), [B]);
    const zeros = l.segment.sent.slice(mark).filter((s) => s.source === A && s.payload[2] === 0);
    assert.equal(zeros.length, 1, "one priority-0 advert (a second would restart the backup's Skew_Time)");
    await l.stop();
  });

  it("a socket that cannot send makes the agent unhealthy, logged at most once per 10 s; healthy again once it sends", async () => {
    const l = await pair();
    assert.deepEqual(l.a.supervisor.health(), []);
    l.segment.breakSends(A, Object.assign(new Error("Operation not permitted"), { code: "EPERM" }));
    await run(l.clock, 3000);
    const problems = l.a.supervisor.health();
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.component, "vrrp-socket");
    assert.ok(l.a.logs.filter((line) => line.includes("VRRP socket error")).length <= 1, "no log flood");
    l.segment.breakSends(A, undefined);
    await run(l.clock, SOCKET_ERROR_WINDOW_MS + 100);
    assert.deepEqual(l.a.supervisor.health(), []);
    await l.stop();
  });

  it("a broken link monitor makes the agent unhealthy; readiness is config applied and routers running", async () => {
    const l = await pair();
    assert.equal(l.a.supervisor.ready(), true);
    l.a.monitor.break(new Error("the rtnetlink monitor socket closed"));
    assert.deepEqual(l.a.supervisor.health(), [{ component: "link-monitor", error: "the rtnetlink monitor socket closed" }]);
    await l.stop();
    const fresh = simulatedAgent({ clock: l.clock, segment: l.segment, address: "192.0.2.13", addresses: new FakeAddressTable() });
    assert.equal(fresh.supervisor.ready(), false, "not ready before a config is applied");
  });
});
