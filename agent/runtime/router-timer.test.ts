import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, type Clock } from "../../base/clock.js";
import { RouterTimer } from "./router-timer.js";
import { DeadlineQueue } from "../../base/deadline-queue.js";

/**
 * A ManualClock that records what the timer asks of it. Deadlines fire at
 * their latest moment here (the `earliest` of an early check is recorded,
 * not used); the early checks have their own tests below.
 */
function recordingClock() {
  const manual = new ManualClock(0);
  const calls: string[] = [];
  const clock: Clock = {
    now: () => manual.now(),
    at: (at, fn, options) => {
      calls.push(`at ${at}${options?.precise === true ? " precise" : ""}`);
      return manual.at(at, fn);
    },
    afterIo: (fn) => {
      calls.push(`afterIo @${manual.now()}`);
      return manual.afterIo(fn);
    },
    deadline: (fn) => {
      const inner = manual.deadline(fn);
      return {
        set: (at) => {
          calls.push(`deadline ${at}`);
          inner.set(at); // at its latest: see above
        },
        cancel: () => inner.cancel(),
      };
    },
  };
  return { manual, calls, clock };
}

function timer(finalStretch: () => boolean) {
  const r = recordingClock();
  const expired: number[] = [];
  const t = new RouterTimer({ clock: r.clock, finalStretch, expire: () => expired.push(r.manual.now()) });
  return { ...r, expired, t };
}

test("Master_Down: armed 2 ms short, moved deadlines re-arm once, the last stretch is precise and reads waiting I/O first", () => {
  const { manual, calls, expired, t } = timer(() => true);
  t.set(100);
  t.set(150); // an advert moved it: nothing new armed
  t.set(250);
  assert.deepEqual(calls, ["deadline 98"]);
  manual.advanceTo(98);
  assert.deepEqual(calls, ["deadline 98", "deadline 248"], "fired short of a moved deadline: re-armed once");
  manual.advanceTo(248);
  assert.deepEqual(calls.slice(2), ["at 250 precise"]);
  manual.advanceTo(249.9);
  assert.deepEqual(expired, []);
  manual.advanceTo(250);
  assert.deepEqual(calls.slice(3), ["afterIo @250"]);
  assert.deepEqual(expired, [250]);
});

test("an advert read in the final loop turn still moves the deadline", () => {
  const { manual, clock, expired, t } = timer(() => true);
  t.set(100);
  manual.advanceTo(99);
  // The precise stretch ends at 100; afterIo runs at the current time on the next advanceTo.
  clock.at(100, () => t.set(200)); // due with the precise stretch, queued before its afterIo: like an advert waiting on the socket
  manual.advanceTo(100);
  assert.deepEqual(expired, []);
  manual.advanceTo(200);
  assert.deepEqual(expired, [200]);
});

test("an earlier deadline re-arms at once; cancel stops every stage", () => {
  const { manual, calls, expired, t } = timer(() => true);
  t.set(100);
  t.set(40); // priority 0: Skew_Time only
  manual.advanceTo(40);
  assert.deepEqual(expired, [40]);
  assert.deepEqual(calls, ["deadline 98", "deadline 38", "at 40 precise", "afterIo @40"]);
  t.set(300);
  manual.advanceTo(299); // in the precise stretch
  t.cancel();
  manual.advanceTo(1000);
  assert.deepEqual(expired, [40]);
});

test("other timers (Adver, garp) fire at their deadline without a final stretch; finalStretch is asked at each arming", () => {
  let backup = false;
  const { manual, calls, expired, t } = timer(() => backup);
  t.set(100); // master: Adver_Timer
  backup = true; // became backup: the Master_Down deadline is later, so it only moves
  t.set(361);
  manual.advanceTo(100);
  assert.deepEqual(calls, ["deadline 100", "deadline 359"]);
  manual.advanceTo(361);
  assert.deepEqual(expired, [361]);
  assert.deepEqual(calls.slice(2), ["at 361 precise", "afterIo @361"]);
});

test("with readWaiting the final stretch reads the socket itself: an advert waiting there moves the deadline, none expires it at once", () => {
  const r = recordingClock();
  const expired: number[] = [];
  let waiting: number | undefined = 180; // an advert that moved the deadline sits on the socket
  let reads = 0;
  const t: RouterTimer = new RouterTimer({
    clock: r.clock,
    finalStretch: () => true,
    expire: () => expired.push(r.manual.now()),
    readWaiting: () => {
      reads++;
      if (waiting !== undefined) t.set(waiting);
      waiting = undefined;
    },
  });
  t.set(100);
  r.manual.advanceTo(100);
  assert.equal(reads, 1);
  assert.deepEqual(expired, [], "the waiting advert moved the deadline");
  assert.ok(!r.calls.some((c) => c.startsWith("afterIo")), "no extra loop turn");
  r.manual.advanceTo(180);
  assert.equal(reads, 2);
  assert.deepEqual(expired, [180], "nothing waiting: expires within the same callback");
});

test("an early coarse check (ManualClock fires it at its earliest) still expires at the deadline exactly, and a later advert still moves it", () => {
  const manual = new ManualClock(0);
  const expired: number[] = [];
  const t = new RouterTimer({ clock: manual, finalStretch: () => true, expire: () => expired.push(manual.now()) });
  t.set(100); // coarse check at 98, from 98 - 98/8 = 85.75 on
  manual.advanceTo(86);
  assert.deepEqual(expired, [], "the check came early and found the deadline unmoved: the precise stretch waits for 100");
  manual.advanceTo(99.9);
  assert.deepEqual(expired, []);
  manual.advanceTo(100);
  assert.deepEqual(expired, [100]);

  t.set(300); // armed at 100: check at 298, from 298 - 198/8 on
  manual.advanceTo(280); // the early check has run; the precise stretch waits for 300
  t.set(400); // an advert moved the deadline meanwhile
  manual.advanceTo(300);
  assert.deepEqual(expired, [100], "the precise stretch found the deadline moved and re-armed");
  manual.advanceTo(399.9);
  assert.deepEqual(expired, [100]);
  manual.advanceTo(400);
  assert.deepEqual(expired, [100, 400]);
});

/**
 * A clock over a real DeadlineQueue and a fake system: the queue's wake-ups
 * come at the time asked (counted), precise timers exactly on time.
 */
function simulatedClock() {
  let now = 0;
  let wake: number | undefined;
  let wakeUps = 0;
  const queue = new DeadlineQueue({ now: () => now, wakeAt: (at) => void (wake = at) });
  let precise: { at: number; fn: () => void; live: boolean }[] = [];
  const clock: Clock = {
    now: () => now,
    at(at, fn) {
      const p = { at, fn, live: true };
      precise.push(p);
      return { cancel: () => void (p.live = false) };
    },
    afterIo: (fn) => clock.at(now, fn),
    deadline: (fn) => queue.deadline(fn),
  };
  const advanceTo = (to: number) => {
    for (;;) {
      precise = precise.filter((p) => p.live);
      const p = precise.reduce<(typeof precise)[number] | undefined>((min, x) => (min === undefined || x.at < min.at ? x : min), undefined);
      const next = Math.min(p?.at ?? Infinity, wake ?? Infinity);
      if (next > to) break;
      now = Math.max(now, next);
      if (p !== undefined && p.at === next) {
        p.live = false;
        p.fn();
      } else {
        wake = undefined;
        wakeUps++;
        queue.run();
      }
    }
    now = Math.max(now, to);
  };
  return { clock, advanceTo, wakeUps: () => wakeUps, now: () => now };
}

test("255 backups at 100 ms adverts share their coarse wake-ups; those whose master stops expire at Master_Down exactly", () => {
  const sim = simulatedClock();
  const intervalMs = 100;
  const masterDownMs = 3 * intervalMs + ((256 - 100) * intervalMs) / 256; // RFC 5798 6.1, priority 100
  const routers = 255;
  const expired: { router: number; at: number }[] = [];
  let coarseChecks = 0;
  const timers = Array.from({ length: routers }, (_, i) => {
    const clock: Clock = {
      ...sim.clock,
      deadline: (fn) =>
        sim.clock.deadline(() => {
          coarseChecks++;
          fn();
        }),
    };
    return new RouterTimer({ clock, finalStretch: () => true, expire: () => expired.push({ router: i, at: sim.now() }) });
  });
  // Adverts from each master at its own phase; masters 0-9 stop after 5 s.
  const lastAdvert = new Map<number, number>();
  const adverts: { at: number; router: number }[] = [];
  for (let i = 0; i < routers; i++) {
    const phase = ((i * 37) % intervalMs) + i / routers;
    for (let at = phase; at < (i < 10 ? 5000 : 10_000); at += intervalMs) adverts.push({ at, router: i });
  }
  adverts.sort((a, b) => a.at - b.at);
  for (const advert of adverts) {
    sim.advanceTo(advert.at);
    timers[advert.router]!.set(advert.at + masterDownMs);
    lastAdvert.set(advert.router, advert.at);
  }
  sim.advanceTo(10_000);
  assert.deepEqual(
    expired.map((e) => e.router).sort((a, b) => a - b),
    Array.from({ length: 10 }, (_, i) => i),
    "only the routers whose master stopped",
  );
  for (const e of expired) assert.equal(e.at, lastAdvert.get(e.router)! + masterDownMs, `router ${e.router} at Master_Down exactly`);
  // Every router checks about once per Master_Down - interval (about 800 checks/s); sharing wake-ups makes them a few each.
  assert.ok(coarseChecks > 5000, `coarse checks: ${coarseChecks}`);
  assert.ok(sim.wakeUps() < coarseChecks / 5, `${sim.wakeUps()} wake-ups for ${coarseChecks} checks`);
});
