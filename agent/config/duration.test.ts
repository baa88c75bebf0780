import { it } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "./duration.js";

it("reads numbers as seconds and strings with units", () => {
  assert.deepEqual(parseDuration(1.5), { ok: true, ms: 1500 });
  assert.deepEqual(parseDuration("100ms"), { ok: true, ms: 100 });
  assert.deepEqual(parseDuration(" 2 s "), { ok: true, ms: 2000 });
  assert.deepEqual(parseDuration("2m"), { ok: true, ms: 120_000 });
  assert.equal(formatDuration(60_000), "60s");
  assert.equal(formatDuration(10), "10ms");
});

it("rejects infinite and absurdly long durations (fuzz findings F5)", () => {
  assert.equal(parseDuration(`${"9".repeat(309)}s`).ok, false);
  assert.equal(parseDuration("99999999999s").ok, false);
  assert.equal(parseDuration(Number.POSITIVE_INFINITY).ok, false);
  assert.equal(parseDuration(1e12).ok, false);
  assert.ok(parseDuration("24d").ok === false);
});

it("answers long runs of blanks without quadratic backtracking (fuzz finding F3)", () => {
  const start = process.hrtime.bigint();
  const result = parseDuration(`1${" ".repeat(200_000)}x`);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.equal(result.ok, false);
  assert.ok(!result.ok && result.message.length < 120, "the message quotes a shortened value");
  assert.ok(ms < 500, `took ${ms} ms`);
});
