import { test } from "node:test";
import assert from "node:assert/strict";
import { countResult, initialCounter, type ScriptCounter } from "./script-state.js";

function run(start: ScriptCounter, results: string, rise: number, fall: number): string {
  let c = start;
  const out: string[] = [];
  for (const r of results) {
    c = countResult(c, r === "+", { rise, fall });
    out.push(c.health);
  }
  return out.join(" ");
}

test("starts init, or failed with initFail", () => {
  assert.deepEqual(initialCounter(false), { health: "init", streak: 0 });
  assert.deepEqual(initialCounter(true), { health: "failed", streak: 0 });
});

test("from init one result decides, whatever rise and fall are", () => {
  assert.equal(run(initialCounter(false), "+", 5, 5), "ok");
  assert.equal(run(initialCounter(false), "-", 5, 5), "failed");
});

test("fall consecutive failures turn ok into failed; a success resets", () => {
  assert.equal(run(initialCounter(false), "+--+---", 2, 3), "ok ok ok ok ok ok failed");
});

test("rise consecutive successes turn failed into ok; a failure resets", () => {
  assert.equal(run(initialCounter(true), "++-+++", 3, 1), "failed failed failed failed failed ok");
});

test("rise 1 / fall 1 flips on every change", () => {
  assert.equal(run(initialCounter(false), "+-+-", 1, 1), "ok failed ok failed");
});
