import { it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { StatusWriter } from "./status-writer.js";

const settle = () => new Promise((r) => setImmediate(r));

/** Advance from `from` to `to` (inclusive) in 100 ms steps, settling after each. */
async function stepTo(clock: ManualClock, from: number, to: number): Promise<void> {
  for (let t = from; t <= to; t += 100) {
    clock.advanceTo(t);
    await settle();
  }
}

/** A writer (100 ms apart) whose API server refuses until `api.up` is set; `record` sees each status written. */
function writerBehindApi<T>(clock: ManualClock, record: (status: T) => void) {
  const api = { up: false };
  const writer = new StatusWriter<T>({
    clock,
    minIntervalMs: 100,
    write: async (s) => {
      if (!api.up) throw new Error("connection refused");
      record(s);
    },
  });
  return { api, writer };
}

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
  const { api, writer } = writerBehindApi<string>(clock, (s) => written.push(s));
  writer.update("a");
  clock.advanceTo(0);
  await settle();
  writer.update("b");
  await stepTo(clock, 100, 5000);
  assert.deepEqual(written, []);
  api.up = true;
  await stepTo(clock, 5100, 40_000);
  assert.deepEqual(written, ["b"]);
});

it("retryNow: once the API server answers again, a write waiting out its backoff goes at the normal interval", async () => {
  const clock = new ManualClock(0);
  const written: { at: number; status: string }[] = [];
  const { api, writer } = writerBehindApi<string>(clock, (s) => written.push({ at: clock.now(), status: s }));
  writer.update("a");
  await stepTo(clock, 0, 60_000);
  // Failed for a minute: the next attempt is up to 30 s away.
  api.up = true;
  writer.retryNow();
  await stepTo(clock, 60_100, 61_000);
  assert.equal(written.length, 1);
  assert.ok(written[0]!.at <= 60_100, `written at ${written[0]!.at}`);
  writer.retryNow(); // nothing pending, no backoff: no effect
  clock.advanceTo(70_000);
  await settle();
  assert.equal(written.length, 1);
});
