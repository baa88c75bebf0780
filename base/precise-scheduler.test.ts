import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { loadFloatipNet } from "../agent/os/transport.js";
import { systemClock } from "./clock.js";
import { PreciseScheduler, type NativePreciseTimer } from "./precise-scheduler.js";

/** A native timer stand-in on a hand-moved clock. */
function fakeTimer() {
  const state = { now: 0, armedAt: undefined as number | undefined, opened: 0, closed: false, onFire: () => undefined as void };
  const timer: NativePreciseTimer = {
    arm: (delayMs) => void (state.armedAt = state.now + Math.max(0, delayMs)),
    disarm: () => void (state.armedAt = undefined),
    close: () => void (state.closed = true),
  };
  const scheduler = new PreciseScheduler({
    now: () => state.now,
    open: (onFire) => {
      state.opened++;
      state.onFire = onFire;
      return timer;
    },
  });
  /** Moves the clock to `to`, firing the native timer if it is due. */
  const advance = (to: number) => {
    state.now = to;
    if (state.armedAt !== undefined && state.armedAt <= to) {
      state.armedAt = undefined;
      state.onFire();
    }
  };
  return { state, scheduler, advance };
}

describe("PreciseScheduler", () => {
  it("opens the native timer only when first used", () => {
    const { state, scheduler } = fakeTimer();
    assert.equal(state.opened, 0);
    scheduler.at(5, () => undefined);
    assert.equal(state.opened, 1);
    scheduler.at(6, () => undefined);
    assert.equal(state.opened, 1);
  });

  it("runs deadlines in order, never before they are due, arming for the earliest", () => {
    const { state, scheduler, advance } = fakeTimer();
    const ran: string[] = [];
    scheduler.at(3.5, () => ran.push("c"));
    scheduler.at(1.25, () => ran.push("a"));
    scheduler.at(2, () => ran.push("b"));
    assert.equal(state.armedAt, 1.25);
    advance(1.2);
    assert.deepEqual(ran, []);
    advance(2.5);
    assert.deepEqual(ran, ["a", "b"]);
    assert.equal(state.armedAt, 3.5);
    advance(3.5);
    assert.deepEqual(ran, ["a", "b", "c"]);
    assert.equal(state.armedAt, undefined);
  });

  it("a cancelled deadline does not run; cancelling the only one disarms", () => {
    const { state, scheduler, advance } = fakeTimer();
    const ran: string[] = [];
    const first = scheduler.at(1, () => ran.push("first"));
    scheduler.at(2, () => ran.push("second"));
    first.cancel();
    assert.equal(state.armedAt, 2);
    advance(5);
    assert.deepEqual(ran, ["second"]);
    const lone = scheduler.at(9, () => ran.push("lone"));
    lone.cancel();
    lone.cancel();
    assert.equal(state.armedAt, undefined);
    advance(10);
    assert.deepEqual(ran, ["second"]);
  });

  it("a deadline set from a running one is kept; one already due runs on the next firing", () => {
    const { state, scheduler, advance } = fakeTimer();
    const ran: string[] = [];
    scheduler.at(1, () => {
      ran.push("a");
      scheduler.at(0.5, () => ran.push("past"));
      scheduler.at(4, () => ran.push("later"));
    });
    advance(1);
    // "past" was due when set during the firing: it ran in the same pass.
    assert.deepEqual(ran, ["a", "past"]);
    assert.equal(state.armedAt, 4);
    advance(4);
    assert.deepEqual(ran, ["a", "past", "later"]);
  });

  it("close drops pending deadlines and closes the native timer", () => {
    const { state, scheduler, advance } = fakeTimer();
    let ran = false;
    scheduler.at(1, () => (ran = true));
    scheduler.close();
    advance(2);
    assert.equal(ran, false);
    assert.equal(state.closed, true);
  });

  it("on the real timerfd: deadlines run in order and never early", async () => {
    const native = loadFloatipNet();
    const scheduler = new PreciseScheduler({ now: () => performance.now(), open: (onFire) => native.openPreciseTimer(onFire) });
    try {
      const start = performance.now();
      const deadlines = [2.5, 0.75, 4.25, 1.5].map((d) => start + d);
      const ran = await new Promise<{ at: number; ranAt: number }[]>((resolve) => {
        const out: { at: number; ranAt: number }[] = [];
        for (const at of deadlines) {
          scheduler.at(at, () => {
            out.push({ at, ranAt: performance.now() });
            if (out.length === deadlines.length) resolve(out);
          });
        }
        scheduler.at(start + 3, () => assert.fail("cancelled")).cancel();
      });
      assert.deepEqual(
        ran.map((r) => r.at),
        [...deadlines].sort((a, b) => a - b),
      );
      for (const r of ran) assert.ok(r.ranAt >= r.at, `ran ${r.at - r.ranAt} ms early`);
    } finally {
      scheduler.close();
    }
  });

  it("the system clock sends precise timers, and only those, to it", async () => {
    const taken: number[] = [];
    const clock = systemClock({ precise: { at: (at) => (taken.push(at), { cancel: () => undefined }) } });
    clock.at(clock.now() + 1_000, () => undefined, { precise: true }).cancel();
    const coarse = await new Promise<boolean>((resolve) => clock.at(clock.now() + 1, () => resolve(true)));
    assert.equal(taken.length, 1);
    assert.equal(coarse, true);
  });
});

describe("PreciseScheduler with earlyMs", () => {
  it("arms the timer early and waits out the rest: the deadline runs at its time, not before", () => {
    let now = 0;
    let armedAt: number | undefined;
    let onFire = () => undefined as void;
    const ranAt: number[] = [];
    const scheduler = new PreciseScheduler({
      // Each reading moves time on a little, as a spinning CPU would see it.
      now: () => (now += 0.01),
      open: (fire) => {
        onFire = fire;
        return { arm: (d) => void (armedAt = now + d), disarm: () => void (armedAt = undefined), close: () => undefined };
      },
      earlyMs: 0.1,
    });
    scheduler.at(5, () => ranAt.push(now));
    scheduler.at(5.05, () => ranAt.push(now));
    assert.ok(armedAt !== undefined && armedAt < 4.95 && armedAt > 4.8, `armed for ${armedAt}`);
    now = armedAt!;
    onFire();
    assert.equal(ranAt.length, 2, "both within earlyMs of the wake-up");
    assert.ok(ranAt[0]! >= 5 && ranAt[0]! < 5.05, `first ran at ${ranAt[0]}`);
    assert.ok(ranAt[1]! >= 5.05, `second ran at ${ranAt[1]}`);
  });
});
