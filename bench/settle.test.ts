import { test } from "node:test";
import assert from "node:assert/strict";
import { settle, type SettleRule } from "./settle.js";

const rule: SettleRule = { windowMs: 500, maxPercent: 10, timeoutMs: 2000 };

/** A fake clock the windows advance, and a list of window CPU readings. */
function run(readings: number[]) {
  let t = 0;
  const asked: number[] = [];
  const windowCpu = async (ms: number) => {
    asked.push(ms);
    t += ms;
    return readings.shift() ?? 0;
  };
  return { asked, outcome: settle(rule, windowCpu, () => t) };
}

test("settle: waits through busy windows until one is at or below the limit", async () => {
  const { asked, outcome } = run([80, 35, 10, 2]);
  assert.deepEqual(await outcome, { kind: "settled", afterMs: 1500, lastPercent: 10 });
  assert.deepEqual(asked, [500, 500, 500]);
});

test("settle: a speaker that never quietens is reported, not waited on for ever", async () => {
  const { outcome } = run([50, 50, 50, 50, 50, 50]);
  assert.deepEqual(await outcome, { kind: "timed-out", afterMs: 2000, lastPercent: 50 });
});
