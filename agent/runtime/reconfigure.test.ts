/**
 * A reload (standalone SIGHUP, a new VRRPNode spec) that changes a running
 * router's priority, peers, preempt, GARP, notify or address list changes it
 * in place: no new election, a master keeps every address that stays, adds
 * and announces only the new ones, removes only the dropped ones; a backup
 * never adds one. Two agents on the simulated segment.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AgentConfig } from "../config/types.js";
import { ManualClock } from "../../base/clock.js";
import { FakeSpawner } from "../health/fakes.js";
import { FakeAddressTable, FakeAnnouncer, FakeSegment } from "./fakes.js";
import { runClock as run, simulatedAgent, vipConfig } from "./simulated-agents.js";

const A = "192.0.2.11";
const B = "192.0.2.12";

const cfg = (self: string, patch: Record<string, unknown>): AgentConfig =>
  vipConfig("192.0.2.5", {
    priority: self === A ? 150 : 100,
    advertInterval: "100ms",
    addresses: ["192.0.2.5/24", "192.0.2.6/24"],
    unicast: { source: self, peers: [self === A ? B : A] },
    ...patch,
  });

/** Scripts answer at once while `answer.now` is true; otherwise they run until a test ends them. */
const answer = { now: true };

async function pair(first: { a?: AgentConfig } = {}) {
  const clock = new ManualClock(0);
  const segment = new FakeSegment();
  const make = (address: string) => {
    const table = new FakeAddressTable();
    const announcer = new FakeAnnouncer();
    const spawner = new FakeSpawner((p) => {
      if (answer.now) p.exit(0);
    });
    const sim = simulatedAgent({ clock, segment, address, addresses: table, announcer, spawner });
    return { address, table, announcer, spawner, ...sim };
  };
  const a = make(A);
  const b = make(B);
  answer.now = true;
  await a.supervisor.apply(first.a ?? cfg(A, {}));
  await b.supervisor.apply(cfg(B, {}));
  await run(clock, 2000);
  assert.equal(a.supervisor.snapshot()[0]?.phase, "master");
  assert.equal(b.supervisor.snapshot()[0]?.phase, "backup");
  return { clock, segment, a, b };
}

const transitions = (logs: readonly string[]) => logs.filter((l) => / -> /.test(JSON.parse(l).msg as string));

describe("reload changes a running router in place", () => {
  it("priority, unicast peers and the address list (one added, one removed, one kept): no transition, the master touches only the changed addresses", async () => {
    const { clock, a, b } = await pair();
    const before = {
      a: transitions(a.logs).length,
      b: transitions(b.logs).length,
      aTable: a.table.log.length,
      bTable: b.table.log.length,
      announced: a.announcer.announced.length,
    };
    const extraPeer = "192.0.2.13";
    const next = (self: string) =>
      cfg(self, {
        priority: self === A ? 200 : 120,
        addresses: ["192.0.2.5/24", "192.0.2.7/24"],
        unicast: { source: self, peers: [self === A ? B : A, extraPeer] },
      });
    // Master first, then backup: for a moment they disagree on the address list.
    const reportA = await a.supervisor.apply(next(A));
    await run(clock, 300);
    const reportB = await b.supervisor.apply(next(B));
    await run(clock, 2000);

    assert.deepEqual(transitions(a.logs).slice(before.a), [], "no transition on the master");
    assert.deepEqual(transitions(b.logs).slice(before.b), [], "no transition on the backup");
    assert.deepEqual(a.table.log.slice(before.aTable), ["remove eth0 192.0.2.6/24", "add eth0 192.0.2.7/24"]);
    assert.deepEqual(b.table.log.slice(before.bTable), [], "the backup never adds nor removes");
    assert.ok(a.announcer.announced.slice(before.announced).length > 0, "the new address is announced");
    assert.ok(
      a.announcer.announced.slice(before.announced).every((x) => x === "eth0 192.0.2.7"),
      "only the new address is announced",
    );
    assert.equal(a.supervisor.snapshot()[0]?.effectivePriority, 200);
    assert.equal(a.supervisor.snapshot()[0]?.phase, "master");
    assert.equal(b.supervisor.snapshot()[0]?.phase, "backup");
    assert.equal(b.supervisor.snapshot()[0]?.masterAddress, A);
    assert.deepEqual(reportA.updated, ["vip"]);
    assert.deepEqual(reportA.replaced, []);
    assert.deepEqual(reportB.updated, ["vip"]);
  });

  it("addresses moved between the advert and excludedAddresses (a controller's overflow): no transition, no delete, the backup adds none", async () => {
    const { clock, segment, a, b } = await pair();
    const before = { a: transitions(a.logs).length, b: transitions(b.logs).length, aTable: a.table.log.length, bTable: b.table.log.length };
    const moved = { addresses: ["192.0.2.5/24"], excludedAddresses: ["192.0.2.6/24", "198.51.100.7/32"] };
    await a.supervisor.apply(cfg(A, moved));
    await b.supervisor.apply(cfg(B, moved));
    await run(clock, 1000);
    const count = () => segment.sent.filter((p) => p.source === A).at(-1)!.payload[3];
    assert.equal(count(), 1, "the adverts carry the advertised address only");
    assert.deepEqual(a.table.log.slice(before.aTable), ["add eth0 198.51.100.7/32"], "192.0.2.6 stays; only the new one is added");
    await a.supervisor.apply(cfg(A, { excludedAddresses: ["198.51.100.7/32"] }));
    await b.supervisor.apply(cfg(B, { excludedAddresses: ["198.51.100.7/32"] }));
    await run(clock, 1000);
    assert.equal(count(), 2, "back in the advert");
    assert.deepEqual(a.table.log.slice(before.aTable), ["add eth0 198.51.100.7/32"]);
    assert.deepEqual(b.table.log.slice(before.bTable), [], "the backup never adds nor removes");
    assert.deepEqual(transitions(a.logs).slice(before.a), []);
    assert.deepEqual(transitions(b.logs).slice(before.b), []);
    assert.ok(["192.0.2.5", "192.0.2.6", "198.51.100.7"].every((x) => a.table.has("eth0", x)));
  });

  it("changed tracking: until the new check has run once the master keeps its priority and stays out of FAULT", async () => {
    const tracked = (command: string, priority = 150): AgentConfig => {
      const base = cfg(A, { priority });
      const instance = { ...base.instances[0]!, track: { ...base.instances[0]!.track, scripts: [{ name: "chk" }] } };
      return {
        ...base,
        instances: [instance],
        scripts: [
          { name: "chk", command, intervalMs: 1000, timeoutMs: 1000, weight: 0, reverse: false, fall: 1, rise: 1, initFail: false },
        ],
      };
    };
    const { clock, a, b } = await pair({ a: tracked("/bin/true") });
    const before = { a: transitions(a.logs).length, b: transitions(b.logs).length };
    answer.now = false; // the new script's first run takes a while
    await a.supervisor.apply(tracked("/usr/bin/true", 160));
    await run(clock, 500);
    assert.deepEqual(transitions(a.logs).slice(before.a), [], "no FAULT while the new check has not reported");
    assert.equal(a.supervisor.snapshot()[0]?.effectivePriority, 150, "the old result holds meanwhile");
    for (const p of a.spawner.spawned) if (!p.exited) p.exit(0);
    await run(clock, 500);
    assert.equal(a.supervisor.snapshot()[0]?.effectivePriority, 160);
    assert.deepEqual(transitions(a.logs).slice(before.a), []);
    assert.deepEqual(transitions(b.logs).slice(before.b), []);
  });

  it("backup first: the backup accepts the master's older address list (counted) and does not take over", async () => {
    const { clock, a, b } = await pair();
    const before = transitions(b.logs).length;
    await b.supervisor.apply(cfg(B, { addresses: ["192.0.2.5/24", "192.0.2.8/24"] }));
    await run(clock, 2000);
    assert.deepEqual(transitions(b.logs).slice(before), []);
    assert.equal(b.supervisor.snapshot()[0]?.phase, "backup");
    assert.ok((await b.metrics.registry.metrics()).includes("floatip_advert_address_list_mismatch_total{"), "mismatch counted");
    await a.supervisor.apply(cfg(A, { addresses: ["192.0.2.5/24", "192.0.2.8/24"] }));
    await run(clock, 1000);
    assert.equal(a.supervisor.snapshot()[0]?.phase, "master");
    assert.ok(a.table.has("eth0", "192.0.2.8") && !a.table.has("eth0", "192.0.2.6"));
  });

  it("a master lowered below its backup stays master until the backup's advert preempts it (RFC 5798 §6.4.3)", async () => {
    const { clock, a, b } = await pair();
    await a.supervisor.apply(cfg(A, { priority: 50 }));
    await run(clock, 1000);
    // The backup (100, preempt) hears 50 and takes over after its Master_Down_Interval; the old master yields on the backup's advert.
    assert.equal(b.supervisor.snapshot()[0]?.phase, "master");
    assert.equal(a.supervisor.snapshot()[0]?.phase, "backup");
    const masters = [a, b].filter((n) => n.table.has("eth0", "192.0.2.5"));
    assert.equal(masters.length, 1);
  });

  it("preempt, GARP and notify settings change without a transition", async () => {
    const { clock, a, b } = await pair();
    const before = { a: transitions(a.logs).length, b: transitions(b.logs).length, table: a.table.log.length };
    await a.supervisor.apply(cfg(A, { preempt: false, garp: { repeat: 2, delay: "0s", refresh: "1s" }, notify: { master: "/bin/true" } }));
    await b.supervisor.apply(cfg(B, { preemptDelay: "5s" }));
    await run(clock, 3000);
    assert.deepEqual(transitions(a.logs).slice(before.a), []);
    assert.deepEqual(transitions(b.logs).slice(before.b), []);
    assert.deepEqual(a.table.log.slice(before.table), []);
  });

  it("a new VRID re-creates the router (it leaves with priority 0 and joins again)", async () => {
    const { clock, a } = await pair();
    const report = await a.supervisor.apply(cfg(A, { virtualRouterId: 52 }));
    await run(clock, 100);
    assert.deepEqual(report.replaced, ["vip"]);
    assert.ok(a.table.log.some((l) => l.startsWith("remove eth0 192.0.2.5")));
  });
});
