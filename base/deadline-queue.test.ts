import { test } from "node:test";
import assert from "node:assert/strict";
import { DeadlineQueue } from "./deadline-queue.js";
import { systemClock } from "./clock.js";

/** A queue over a fake system timer: records the wake-ups asked for. */
function fakeQueue() {
  let now = 0;
  const wakes: (number | undefined)[] = [];
  const queue = new DeadlineQueue({ now: () => now, wakeAt: (at) => void wakes.push(at) });
  const fired: string[] = [];
  const named = (name: string) => queue.deadline(() => fired.push(`${name}@${now}`));
  return { queue, wakes, fired, named, at: (t: number) => void (now = t) };
}

test("deadlines fire in order, never before they are due, with one wake-up for the earliest", () => {
  const q = fakeQueue();
  const a = q.named("a");
  const b = q.named("b");
  const c = q.named("c");
  b.set(20);
  a.set(10);
  c.set(30);
  assert.deepEqual(q.wakes, [20, 10], "asked again only when the earliest got earlier");
  q.at(9.5); // the system timer fired a fraction early
  q.queue.run();
  assert.deepEqual(q.fired, []);
  assert.deepEqual(q.wakes.at(-1), 10, "asks again for the same deadline");
  q.at(20);
  q.queue.run();
  assert.deepEqual(q.fired, ["a@20", "b@20"], "both due: one wake-up, in deadline order");
  assert.equal(q.wakes.at(-1), 30);
  q.at(31);
  q.queue.run();
  assert.deepEqual(q.fired, ["a@20", "b@20", "c@31"]);
  assert.equal(q.queue.size, 0);
});

test("set again moves a deadline (no second entry), cancel removes it, an empty queue needs no wake-up", () => {
  const q = fakeQueue();
  const a = q.named("a");
  const b = q.named("b");
  a.set(10);
  a.set(50); // later: the wake-up at 10 stays (a spurious run is cheaper than a new system timer)
  b.set(40);
  assert.equal(q.queue.size, 2);
  q.at(10);
  q.queue.run();
  assert.deepEqual(q.fired, []);
  assert.equal(q.wakes.at(-1), 40);
  b.cancel();
  b.cancel();
  a.cancel();
  assert.equal(q.queue.size, 0);
  assert.equal(q.wakes.at(-1), undefined, "nothing left: the system timer is cleared");
  a.set(60);
  q.at(60);
  q.queue.run();
  assert.deepEqual(q.fired, ["a@60"]);
});

test("a callback may set deadlines again (due ones fire in the same run, later ones get the next wake-up)", () => {
  const q = fakeQueue();
  let count = 0;
  const again = q.queue.deadline(() => {
    count++;
    if (count < 3) again.set(5 * count); // 5 is due at once, 10 is not
  });
  again.set(1);
  q.at(7);
  q.queue.run();
  assert.equal(count, 2);
  assert.equal(q.wakes.at(-1), 10);
  q.at(10);
  q.queue.run();
  assert.equal(count, 3);
});

test("heap order holds over many moves and cancels (against a sorted list)", () => {
  const q = fakeQueue();
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const entries = Array.from({ length: 300 }, (_, i) => ({
    name: `e${i}`,
    at: undefined as number | undefined,
    deadline: q.named(`e${i}`),
  }));
  for (let round = 0; round < 3000; round++) {
    const e = entries[Math.floor(random() * entries.length)]!;
    if (random() < 0.2) {
      e.deadline.cancel();
      e.at = undefined;
    } else {
      e.at = Math.floor(random() * 1000);
      e.deadline.set(e.at);
    }
  }
  const expected = entries.filter((e) => e.at !== undefined).sort((x, y) => x.at! - y.at!);
  for (let t = 0; t <= 1000; t++) {
    q.at(t);
    q.queue.run();
  }
  const firedAt = q.fired.map((f) => Number(f.split("@")[1]));
  assert.equal(q.fired.length, expected.length);
  assert.deepEqual(
    firedAt,
    expected.map((e) => e.at),
    "each at its deadline, in order",
  );
});

test("a deadline with an earliest rides along with another's wake-up, never before its earliest, never past its at", () => {
  const q = fakeQueue();
  const a = q.named("a");
  const b = q.named("b");
  const c = q.named("c");
  a.set(10);
  b.set(20, 8);
  c.set(30, 25);
  assert.deepEqual(q.wakes, [10], "one wake-up asked, for the earliest at");
  q.at(7);
  q.queue.run(); // spurious: nothing may fire before its earliest
  assert.deepEqual(q.fired, []);
  q.at(10);
  q.queue.run();
  assert.deepEqual(q.fired, ["a@10", "b@10"], "b came early, with a's wake-up; c's earliest has not come");
  assert.equal(q.wakes.at(-1), 30);
  q.at(30);
  q.queue.run();
  assert.deepEqual(q.fired, ["a@10", "b@10", "c@30"]);
  b.set(50, 60); // an earliest after at counts as at
  c.set(55, 40);
  c.cancel();
  q.at(49);
  q.queue.run();
  assert.deepEqual(q.fired.slice(3), []);
  q.at(50);
  q.queue.run();
  assert.deepEqual(q.fired.slice(3), ["b@50"]);
  assert.equal(q.queue.size, 0);
});

test("early deadlines over many moves and cancels: each fires once per set, not before its earliest, by the first run at its at", () => {
  const q = fakeQueue();
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let now = 0;
  let fires = 0;
  let early = 0;
  const entries = Array.from({ length: 200 }, (_, i) => {
    const e = {
      i,
      at: 0,
      earliest: 0,
      pending: false,
      deadline: q.queue.deadline(() => {
        assert.ok(e.pending, `entry ${i} fired without a set`);
        assert.ok(now >= e.earliest, `entry ${i} fired at ${now}, before its earliest ${e.earliest}`);
        if (now < e.at) early++;
        e.pending = false;
        fires++;
      }),
    };
    return e;
  });
  for (now = 0; now < 3000; now += 1 + Math.floor(random() * 3)) {
    q.at(now);
    q.queue.run();
    for (const e of entries) assert.ok(!e.pending || e.at > now, `entry ${e.i} not fired at ${now}, due at ${e.at}`);
    for (let k = 0; k < 5; k++) {
      const e = entries[Math.floor(random() * entries.length)]!;
      if (random() < 0.1) {
        e.deadline.cancel();
        e.pending = false;
        continue;
      }
      e.at = now + 1 + Math.floor(random() * 300);
      e.earliest = e.at - Math.floor(random() * 40);
      e.deadline.set(e.at, e.earliest);
      e.pending = true;
    }
  }
  assert.ok(fires > 1000, `fires: ${fires}`);
  assert.ok(early > 0, "some came early");
});

test("systemClock deadlines: never early, moved ones fire once at the new time", { timeout: 5000 }, async () => {
  const clock = systemClock();
  const start = clock.now();
  const fired: { name: string; at: number }[] = [];
  const done = new Promise<void>((resolve) => {
    const a = clock.deadline(() => fired.push({ name: "a", at: clock.now() - start }));
    const b = clock.deadline(() => {
      fired.push({ name: "b", at: clock.now() - start });
      resolve();
    });
    const c = clock.deadline(() => fired.push({ name: "c", at: clock.now() - start }));
    a.set(start + 5);
    b.set(start + 10);
    b.set(start + 30); // moved later
    c.set(start + 1);
    c.cancel();
  });
  await done;
  assert.deepEqual(
    fired.map((f) => f.name),
    ["a", "b"],
  );
  assert.ok(fired[0]!.at >= 5, `a fired at ${fired[0]!.at}`);
  assert.ok(fired[1]!.at >= 30, `b fired at ${fired[1]!.at}`);
});
