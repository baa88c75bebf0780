/**
 * The stop signal's priority-0 advert (armed while master, sent by the
 * native handler: FakeSegment.stopSignal stands in for it) and protocol
 * timers that start from a packet's arrival, on the simulated segment.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeSegment } from "./fakes.js";
import { runClock as run, simulatedAgent, vipConfig } from "./simulated-agents.js";

const VIP = "192.0.2.5";
const BACKUP = "192.0.2.11";
const MASTER = "192.0.2.12";

function pair(patch: Record<string, unknown> = {}) {
  const clock = new ManualClock(0);
  const segment = new FakeSegment();
  const node = (address: string, priority: number) => {
    const table = new FakeAddressTable();
    const { supervisor, metrics, logs } = simulatedAgent({ clock, segment, address, addresses: table });
    return { address, supervisor, metrics, logs, table, config: vipConfig(VIP, { priority, advertInterval: "100ms", ...patch }) };
  };
  const backup = node(BACKUP, 100);
  const master = node(MASTER, 150);
  const phase = (n: typeof backup) => n.supervisor.snapshot()[0]?.phase;
  /** Priorities of the adverts a host sent since index `from` of segment.sent. */
  const sentBy = (address: string, from = 0) =>
    segment.sent
      .slice(from)
      .filter((s) => s.source === address)
      .map((s) => s.payload[2]);
  return { clock, segment, backup, master, phase, sentBy };
}

async function until(clock: ManualClock, done: () => boolean, limitMs: number): Promise<number> {
  const start = clock.now();
  while (!done()) {
    if (clock.now() - start > limitMs) throw new Error(`not done within ${limitMs} ms`);
    await run(clock, 0.25, 0.25);
  }
  return clock.now() - start;
}

describe("farewell adverts (priority 0 from the stop signal's handler)", () => {
  it("a master keeps exactly one armed per destination; a backup none", async () => {
    const { clock, segment, backup, master } = pair();
    await backup.supervisor.apply(backup.config);
    await master.supervisor.apply(master.config);
    await run(clock, 1000);
    const armed = segment.farewells.filter((f) => f.state === "armed");
    assert.deepEqual(
      armed.map((f) => [f.source, f.destination, f.payload[2]]),
      [[MASTER, "224.0.0.18", 0]],
    );
  });

  it("the signal's advert hands over at Skew_Time, and the stop path sends no second one nor any later advert", async () => {
    const { clock, segment, backup, master, phase, sentBy } = pair();
    await backup.supervisor.apply(backup.config);
    await master.supervisor.apply(master.config);
    await run(clock, 1000);
    const mark = segment.sent.length;
    segment.stopSignal(MASTER);
    // An advert falls due before the JS stop path runs: it must not undo the priority 0.
    await run(clock, 150);
    await master.supervisor.stop();
    assert.deepEqual(sentBy(MASTER, mark), [0], "one priority-0 advert, nothing after it");
    assert.equal(master.table.has("eth0", VIP), false);
    assert.equal(phase(backup), "master", "Skew_Time (60.9 ms) has passed");
    assert.ok(master.logs.some((l) => l.includes("went out from the stop signal's handler")));
  });

  it("without the signal the stop path sends the priority-0 advert itself", async () => {
    const { clock, segment, backup, master, sentBy } = pair();
    await backup.supervisor.apply(backup.config);
    await master.supervisor.apply(master.config);
    await run(clock, 1000);
    const mark = segment.sent.length;
    await master.supervisor.stop();
    assert.deepEqual(sentBy(MASTER, mark), [0]);
    assert.ok(
      segment.farewells.every((f) => f.state === "disarmed"),
      "disarmed once it is no longer master",
    );
  });

  it("a master that lost mastership disarms: the signal then sends nothing", async () => {
    const { clock, segment, backup, master, phase, sentBy } = pair();
    await backup.supervisor.apply(vipConfig(VIP, { priority: 200, advertInterval: "100ms", preempt: true }));
    await master.supervisor.apply(master.config);
    // The master alone first, then the higher priority comes up and preempts it.
    segment.setUp(BACKUP, false);
    await run(clock, 1000);
    assert.equal(phase(master), "master");
    segment.setUp(BACKUP, true);
    await run(clock, 1000);
    assert.equal(phase(master), "backup");
    const mark = segment.sent.length;
    segment.stopSignal(MASTER);
    assert.deepEqual(sentBy(MASTER, mark), []);
    await master.supervisor.stop();
    assert.deepEqual(sentBy(MASTER, mark), [], "a backup sends no priority 0 when it stops");
  });
});

describe("protocol timers start from a packet's arrival", () => {
  it("an advert that waited 2 ms in the socket: the backup takes over 2 ms sooner after the priority 0", async () => {
    const took = async (ageMs: number) => {
      const { clock, segment, backup, master, phase } = pair();
      await backup.supervisor.apply(backup.config);
      await master.supervisor.apply(master.config);
      await run(clock, 1000);
      segment.ageMs = ageMs;
      segment.stopSignal(MASTER);
      return until(clock, () => phase(backup) === "master", 1000);
    };
    // Skew_Time for priority 100 at 100 ms: 60.9375 ms; the loop steps 0.25 ms.
    const fresh = await took(0);
    const waited = await took(2);
    assert.ok(fresh >= 60.9 && fresh <= 61.5, `fresh: ${fresh} ms`);
    assert.ok(Math.abs(fresh - waited - 2) <= 0.5, `waited: ${waited} ms vs fresh ${fresh} ms`);
  });

  it("an age beyond a quarter of the advert interval is a clock step, not a wait: it is ignored", async () => {
    const { clock, segment, backup, master, phase } = pair();
    await backup.supervisor.apply(backup.config);
    await master.supervisor.apply(master.config);
    await run(clock, 1000);
    segment.ageMs = 40; // > 100 ms / 4
    segment.stopSignal(MASTER);
    const took = await until(clock, () => phase(backup) === "master", 1000);
    assert.ok(took >= 60.9, `took ${took} ms`);
  });
});
