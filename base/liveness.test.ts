import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "./clock.js";
import { assessLiveness, describeLiveness, LoopWatch } from "./liveness.js";

test("live unless a component reports a problem or the loop stalled past the bound", () => {
  const cases: { name: string; input: Parameters<typeof assessLiveness>[0]; ok: boolean; body?: RegExp }[] = [
    { name: "nothing wrong", input: { problems: [], loopStallMs: 40 }, ok: true, body: /^ok\n$/ },
    { name: "a stall at the bound", input: { problems: [], loopStallMs: 5000 }, ok: true },
    { name: "a stall past the bound", input: { problems: [], loopStallMs: 5001 }, ok: false, body: /event-loop: .*5001 ms/ },
    { name: "own bound", input: { problems: [], loopStallMs: 300, maxLoopStallMs: 200 }, ok: false },
    {
      name: "a VRRP socket erroring",
      input: { problems: [{ component: "vrrp-socket", interface: "eth0", error: "Operation not permitted" }], loopStallMs: 0 },
      ok: false,
      body: /^vrrp-socket eth0: Operation not permitted\n$/,
    },
    { name: "link monitor broken", input: { problems: [{ component: "link-monitor", error: "closed" }], loopStallMs: 0 }, ok: false },
  ];
  for (const c of cases) {
    const result = assessLiveness(c.input);
    assert.equal(result.ok, c.ok, c.name);
    if (c.body !== undefined) assert.match(describeLiveness(result), c.body, c.name);
  }
});

test("the loop watch reports the worst lateness in its window, and a stall going on now", () => {
  const clock = new ManualClock(0);
  let real = 0;
  const tick = (to: number) => {
    real = to;
    clock.advanceTo(to);
  };
  const watch = new LoopWatch({ clock, tickMs: 500, windowMs: 10_000, now: () => real });
  assert.equal(watch.stallMs(), 0);
  watch.start();
  for (let t = 500; t <= 3000; t += 500) tick(t);
  assert.equal(watch.stallMs(), 0);
  real = 9000; // the loop does not turn: the tick due at 3500 is overdue
  assert.equal(watch.stallMs(), 5500, "a stall going on now");
  clock.advanceTo(3500); // it finally runs, at 9000
  assert.equal(watch.stallMs(), 5500);
  for (let t = 9500; t <= 18_000; t += 500) tick(t);
  assert.equal(watch.stallMs(), 5500, "still within the window");
  for (let t = 18_500; t <= 20_000; t += 500) tick(t);
  assert.equal(watch.stallMs(), 0, "aged out");
  watch.stop();
});
