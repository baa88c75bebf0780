import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, type Clock } from "../../base/clock.js";
import { RouterTimer } from "./router-timer.js";

/** A ManualClock that records what the timer asks of it. */
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
          inner.set(at);
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
