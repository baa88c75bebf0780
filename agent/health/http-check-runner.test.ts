import { test } from "node:test";
import assert from "node:assert/strict";
import type { HttpCheckConfig } from "../config/types.js";
import { ManualClock } from "../../base/clock.js";
import { memoryLogger, settle } from "./fakes.js";
import { HttpCheckRunner } from "./http-check-runner.js";
import type { HttpProbeOutcome, HttpProbeRequest, HttpProber } from "./http-probe.js";
import { probeSucceeded } from "./http-probe.js";

const check = (extra: Partial<HttpCheckConfig> = {}): HttpCheckConfig => ({
  name: "apiserver",
  url: "https://127.0.0.1:6443/readyz",
  intervalMs: 1000,
  timeoutMs: 500,
  weight: 0,
  fall: 1,
  rise: 1,
  ...extra,
});

/** Answers each probe with `answer` at once, or holds it until the test settles it. */
class FakeProber implements HttpProber {
  readonly requests: HttpProbeRequest[] = [];
  answer: HttpProbeOutcome | "hang" = { type: "status", code: 200 };
  private held: ((outcome: HttpProbeOutcome) => void)[] = [];
  get(request: HttpProbeRequest): Promise<HttpProbeOutcome> {
    this.requests.push(request);
    if (this.answer !== "hang") return Promise.resolve(this.answer);
    return new Promise((resolve) => {
      this.held.push(resolve);
      request.signal.addEventListener("abort", () => resolve({ type: "error", message: "aborted" }));
    });
  }
  release(outcome: HttpProbeOutcome): void {
    for (const resolve of this.held.splice(0)) resolve(outcome);
  }
}

function setup(config: HttpCheckConfig) {
  const clock = new ManualClock(0);
  const prober = new FakeProber();
  const changes: string[] = [];
  const probes: HttpProbeOutcome[] = [];
  const logger = memoryLogger();
  const runner = new HttpCheckRunner(config, {
    clock,
    prober,
    logger,
    onChange: (from, to) => changes.push(`${from}->${to}`),
    onProbe: (outcome) => probes.push(outcome),
  });
  const at = async (ms: number) => {
    clock.advanceTo(ms);
    await settle();
  };
  return { clock, prober, changes, probes, runner, logger, at };
}

test("success is 200..399; anything else fails", () => {
  const status = (code: number): HttpProbeOutcome => ({ type: "status", code });
  assert.deepEqual(
    [200, 204, 301, 399].map((c) => probeSucceeded(status(c))),
    [true, true, true, true],
  );
  assert.deepEqual(
    [0, 100, 199, 400, 403, 500, 503].map((c) => probeSucceeded(status(c))),
    [false, false, false, false, false, false, false],
  );
  assert.equal(probeSucceeded({ type: "error", message: "connect ECONNREFUSED" }), false);
  assert.equal(probeSucceeded({ type: "timeout", afterMs: 500 }), false);
});

test("first result decides at once; then fall failures / rise successes flip it", async () => {
  const t = setup(check({ fall: 3, rise: 2 }));
  assert.equal(t.prober.requests.length, 0, "constructor does no I/O");
  assert.equal(t.runner.health, "init");
  t.runner.start();
  await settle();
  assert.equal(t.prober.requests.length, 1, "first probe at once");
  assert.equal(t.prober.requests[0]?.url, "https://127.0.0.1:6443/readyz");
  assert.deepEqual(t.changes, ["init->ok"]);

  t.prober.answer = { type: "status", code: 500 };
  await t.at(1000);
  await t.at(2000);
  assert.equal(t.runner.health, "ok", "two failures are not three");
  await t.at(3000);
  assert.deepEqual(t.changes, ["init->ok", "ok->failed"]);

  t.prober.answer = { type: "status", code: 200 };
  await t.at(4000);
  assert.equal(t.runner.health, "failed", "one success is not two");
  t.prober.answer = { type: "status", code: 503 };
  await t.at(5000);
  t.prober.answer = { type: "status", code: 200 };
  await t.at(6000);
  assert.equal(t.runner.health, "failed", "a failure in between resets the streak");
  await t.at(7000);
  assert.deepEqual(t.changes, ["init->ok", "ok->failed", "failed->ok"]);
  assert.equal(t.probes.length, 8);
  assert.ok(t.logger.entries.some((e) => e.message === "HTTP check failed" && e.fields["result"] === "HTTP 500"));
  await t.runner.stop();
});

test("a probe that outlives its timeout is aborted and counts as a failure", async () => {
  const t = setup(check({ timeoutMs: 300 }));
  t.prober.answer = "hang";
  t.runner.start();
  await settle();
  assert.equal(t.prober.requests[0]?.signal.aborted, false);
  await t.at(299);
  assert.equal(t.changes.length, 0);
  await t.at(300);
  assert.equal(t.prober.requests[0]?.signal.aborted, true);
  assert.deepEqual(t.changes, ["init->failed"]);
  assert.deepEqual(t.probes, [{ type: "timeout", afterMs: 300 }]);
  await t.runner.stop();
});

test("one probe at a time: a tick during a slow probe is skipped", async () => {
  const t = setup(check({ intervalMs: 100, timeoutMs: 1000 }));
  t.prober.answer = "hang";
  t.runner.start();
  await t.at(100);
  await t.at(200);
  assert.equal(t.prober.requests.length, 1);
  t.prober.release({ type: "status", code: 200 });
  await settle();
  await t.at(300);
  assert.equal(t.prober.requests.length, 2);
  await t.runner.stop();
});

test("a prober that throws is a failure, not a crash", async () => {
  const clock = new ManualClock(0);
  const changes: string[] = [];
  const runner = new HttpCheckRunner(check(), {
    clock,
    logger: memoryLogger(),
    prober: { get: () => Promise.reject(new Error("boom")) },
    onChange: (from, to, outcome) => changes.push(`${from}->${to} ${JSON.stringify(outcome)}`),
  });
  runner.start();
  await settle();
  assert.deepEqual(changes, ['init->failed {"type":"error","message":"boom"}']);
  await runner.stop();
});

test("stop aborts the probe in progress and reports nothing after it", async () => {
  const t = setup(check({ timeoutMs: 10_000 }));
  t.prober.answer = "hang";
  t.runner.start();
  await settle();
  await t.runner.stop();
  assert.equal(t.prober.requests[0]?.signal.aborted, true);
  assert.deepEqual(t.changes, []);
  await t.at(5000);
  assert.equal(t.prober.requests.length, 1);
});

test("the TLS settings reach the prober", async () => {
  const t = setup(check({ tls: { caFile: "/etc/kubernetes/pki/ca.crt", serverName: "kubernetes", insecureSkipVerify: false } }));
  t.runner.start();
  await settle();
  assert.deepEqual(t.prober.requests[0]?.tls, {
    caFile: "/etc/kubernetes/pki/ca.crt",
    serverName: "kubernetes",
    insecureSkipVerify: false,
  });
  await t.runner.stop();
});
