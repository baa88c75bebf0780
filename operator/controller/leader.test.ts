import { it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { jsonLogger } from "../../base/logger.js";
import type { LeaseRecord } from "./kube-api.js";
import { LeaderElector } from "./leader.js";

/** One Lease with resourceVersion checks, like the API server. */
class LeaseStore {
  record: (LeaseRecord & { rv: number }) | undefined;
  down = false;
  async readLease(): Promise<LeaseRecord | undefined> {
    if (this.down) throw new Error("unreachable");
    return this.record === undefined ? undefined : { ...this.record, resourceVersion: String(this.record.rv) };
  }
  async writeLease(
    _ns: string,
    _name: string,
    holder: string | undefined,
    durationSeconds: number,
    now: Date,
    resourceVersion: string | undefined,
  ): Promise<void> {
    if (this.down) throw new Error("unreachable");
    const current = this.record === undefined ? undefined : String(this.record.rv);
    if (current !== resourceVersion) throw Object.assign(new Error("conflict"), { code: 409 });
    this.record = {
      holder,
      renewTime: now,
      leaseDurationSeconds: durationSeconds,
      resourceVersion: undefined,
      rv: (this.record?.rv ?? 0) + 1,
    };
  }
}

it("one of two replicas leads; the other takes over once the lease expires", async () => {
  const clock = new ManualClock(0);
  const wall = () => new Date(1_800_000_000_000 + clock.now());
  const store = new LeaseStore();
  const log = jsonLogger({ write: () => undefined, wallClock: () => new Date(0) });
  const events: string[] = [];
  let aDead = false;
  const aApi = {
    readLease: () => (aDead ? Promise.reject(new Error("killed")) : store.readLease()),
    writeLease: (...args: Parameters<LeaseStore["writeLease"]>) =>
      aDead ? Promise.reject(new Error("killed")) : store.writeLease(...args),
  };
  const make = (identity: string) =>
    new LeaderElector({
      api: identity === "a" ? aApi : store,
      namespace: "floatip-system",
      name: "floatip-controller",
      identity,
      clock,
      wallClock: wall,
      logger: log,
      leaseDurationSeconds: 15,
      retryMs: 2000,
      onStartedLeading: () => events.push(`${identity} leads`),
      onStoppedLeading: () => events.push(`${identity} stops`),
    });
  const a = make("a");
  const b = make("b");
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 500) {
      clock.advanceTo(clock.now() + 500);
      await new Promise((r) => setImmediate(r));
    }
  };
  a.start();
  await run(100);
  b.start();
  await run(10_000);
  assert.deepEqual(events, ["a leads"]);
  assert.ok(a.isLeader && !b.isLeader);
  aDead = true; // a is killed without releasing: b waits until it has seen no renewal for a lease duration
  await run(10_000);
  assert.ok(!b.isLeader, "not before the lease expired");
  await run(10_000);
  assert.ok(b.isLeader);
  assert.deepEqual(events.sort(), ["a leads", "a stops", "b leads"]);
  await Promise.all([a.stop(), b.stop()]);
});

it("a leader that cannot renew (API server away) stops leading", async () => {
  const clock = new ManualClock(0);
  const store = new LeaseStore();
  const events: string[] = [];
  const e = new LeaderElector({
    api: store,
    namespace: "n",
    name: "l",
    identity: "a",
    clock,
    wallClock: () => new Date(clock.now()),
    logger: jsonLogger({ write: () => undefined, wallClock: () => new Date(0) }),
    leaseDurationSeconds: 6,
    retryMs: 1000,
    onStartedLeading: () => events.push("leads"),
    onStoppedLeading: () => events.push("stops"),
  });
  e.start();
  for (let i = 0; i < 4; i++) {
    clock.advanceTo(clock.now() + 1000);
    await new Promise((r) => setImmediate(r));
  }
  store.down = true;
  for (let i = 0; i < 10; i++) {
    clock.advanceTo(clock.now() + 1000);
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(events, ["leads", "stops"]);
});
