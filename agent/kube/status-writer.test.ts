import { it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../runtime/clock.js";
import { StatusWriter } from "./status-writer.js";

const settle = () => new Promise((r) => setImmediate(r));

it("coalesces a burst of updates into at most one write per interval, always the latest", async () => {
  const clock = new ManualClock(0);
  const written: number[] = [];
  const writer = new StatusWriter<number>({ clock, write: async (s) => void written.push(s), minIntervalMs: 500 });
  for (let i = 1; i <= 100; i++) {
    writer.update(i);
    clock.advanceTo(i * 10); // 100 updates over 1 s
    await settle();
  }
  clock.advanceTo(3000);
  await settle();
  assert.ok(written.length <= 4, `wrote ${written.length} times: ${written}`);
  assert.equal(written.at(-1), 100);
});

it("retries a failed write with backoff, with the newest status", async () => {
  const clock = new ManualClock(0);
  const written: string[] = [];
  let up = false;
  const writer = new StatusWriter<string>({
    clock,
    minIntervalMs: 100,
    write: async (s) => {
      if (!up) throw new Error("connection refused");
      written.push(s);
    },
  });
  writer.update("a");
  clock.advanceTo(0);
  await settle();
  writer.update("b");
  for (let t = 100; t <= 5000; t += 100) {
    clock.advanceTo(t);
    await settle();
  }
  assert.deepEqual(written, []);
  up = true;
  for (let t = 5100; t <= 40_000; t += 100) {
    clock.advanceTo(t);
    await settle();
  }
  assert.deepEqual(written, ["b"]);
});

it("retryNow: once the API server answers again, a write waiting out its backoff goes at the normal interval", async () => {
  const clock = new ManualClock(0);
  const written: { at: number; status: string }[] = [];
  let up = false;
  const writer = new StatusWriter<string>({
    clock,
    minIntervalMs: 100,
    write: async (s) => {
      if (!up) throw new Error("connection refused");
      written.push({ at: clock.now(), status: s });
    },
  });
  writer.update("a");
  for (let t = 0; t <= 60_000; t += 100) {
    clock.advanceTo(t);
    await settle();
  }
  // Failed for a minute: the next attempt is up to 30 s away.
  up = true;
  writer.retryNow();
  for (let t = 60_100; t <= 61_000; t += 100) {
    clock.advanceTo(t);
    await settle();
  }
  assert.equal(written.length, 1);
  assert.ok(written[0]!.at <= 60_100, `written at ${written[0]!.at}`);
  writer.retryNow(); // nothing pending, no backoff: no effect
  clock.advanceTo(70_000);
  await settle();
  assert.equal(written.length, 1);
});
