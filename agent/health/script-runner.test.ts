import { test } from "node:test";
import assert from "node:assert/strict";
import type { ScriptConfig } from "../config/types.js";
import { ManualClock } from "../../base/clock.js";
import { FakeSpawner, memoryLogger, settle } from "./fakes.js";
import { ScriptRunner, type ScriptChange } from "./script-runner.js";

const base: ScriptConfig = {
  name: "chk",
  command: "/usr/local/bin/check --port '8080'",
  intervalMs: 1000,
  timeoutMs: 500,
  weight: -20,
  reverse: false,
  fall: 2,
  rise: 2,
  initFail: false,
};

function setup(overrides: Partial<ScriptConfig> = {}, behaviour?: ConstructorParameters<typeof FakeSpawner>[0]) {
  const clock = new ManualClock(0);
  const spawner = new FakeSpawner(behaviour);
  const changes: ScriptChange[] = [];
  const logger = memoryLogger();
  const runner = new ScriptRunner(
    { ...base, ...overrides },
    { clock, spawner, logger, killGraceMs: 100, onChange: (c) => changes.push(c) },
  );
  return { clock, spawner, changes, runner, logger };
}

async function advance(clock: ManualClock, to: number): Promise<void> {
  clock.advanceTo(to);
  await settle();
}

test("constructor does nothing; start runs at once with the parsed argv, then every interval", async () => {
  const { clock, spawner, runner } = setup({}, (p) => p.exit(0));
  assert.equal(spawner.spawned.length, 0);
  runner.start();
  await settle();
  assert.equal(spawner.spawned.length, 1);
  assert.deepEqual(spawner.last?.argv, ["/usr/local/bin/check", "--port", "8080"]);
  await advance(clock, 999);
  assert.equal(spawner.spawned.length, 1);
  await advance(clock, 1000);
  await advance(clock, 2000);
  assert.equal(spawner.spawned.length, 3);
  await runner.stop();
});

test("first result decides from init; then fall failures / rise successes flip it", async () => {
  const codes = [0, 1, 0, 1, 1, 0, 0];
  const { clock, runner, changes } = setup({}, (p) => p.exit(codes.shift() ?? 0));
  assert.equal(runner.health, "init");
  runner.start();
  await settle();
  assert.equal(runner.health, "ok");
  for (let t = 1000; t <= 6000; t += 1000) await advance(clock, t);
  assert.deepEqual(
    changes.map((c) => `${c.from}->${c.to}`),
    ["init->ok", "ok->failed", "failed->ok"],
  );
  assert.deepEqual(changes[1]?.outcome, { type: "exited", code: 1 });
  await runner.stop();
});

test("initFail starts failed and needs rise successes", async () => {
  const { clock, runner, changes } = setup({ initFail: true }, (p) => p.exit(0));
  assert.equal(runner.health, "failed");
  runner.start();
  await settle();
  assert.equal(runner.health, "failed");
  await advance(clock, 1000);
  assert.equal(runner.health, "ok");
  assert.deepEqual(
    changes.map((c) => `${c.from}->${c.to}`),
    ["failed->ok"],
  );
  await runner.stop();
});

test("a run still going at the next tick makes that tick skip; runs never overlap", async () => {
  const { clock, spawner, runner } = setup({ timeoutMs: 5000 });
  runner.start();
  await settle();
  await advance(clock, 1000);
  await advance(clock, 2000);
  assert.equal(spawner.spawned.length, 1);
  spawner.last?.exit(0);
  await settle();
  await advance(clock, 3000);
  assert.equal(spawner.spawned.length, 2);
  assert.equal(spawner.running().length, 1);
  spawner.last?.exit(0);
  await runner.stop();
});

test("timeout sends SIGTERM, then SIGKILL after the grace period, and counts as a failure", async () => {
  const { clock, spawner, runner, changes } = setup({ fall: 1 }, (p) => {
    if (spawner.spawned.length === 1) p.exit(0);
    else p.ignoreTerm = true;
  });
  runner.start();
  await settle();
  assert.equal(runner.health, "ok");
  await advance(clock, 1000);
  const stuck = spawner.last!;
  await advance(clock, 1499);
  assert.deepEqual(stuck.signals, []);
  await advance(clock, 1500);
  assert.deepEqual(stuck.signals, ["SIGTERM"]);
  await advance(clock, 1600);
  assert.equal(stuck.signals[1], "SIGKILL");
  assert.equal(runner.health, "failed");
  assert.deepEqual(changes.at(-1)?.outcome, { type: "timed-out", afterMs: 500 });
  await runner.stop();
});

test("spawn errors and signals are failures", async () => {
  const outcomes = [
    { type: "exited", code: 0 },
    { type: "spawn-error", message: "ENOENT" },
    { type: "exited", code: 0 },
    { type: "signaled", signal: "SIGSEGV" },
  ] as const;
  let n = 0;
  const { clock, runner, changes } = setup({ fall: 1, rise: 1 }, (p) => p.finish(outcomes[n++ % outcomes.length]!));
  runner.start();
  await settle();
  for (let t = 1000; t <= 3000; t += 1000) await advance(clock, t);
  assert.deepEqual(
    changes.map((c) => `${c.to}:${c.outcome.type}`),
    ["ok:exited", "failed:spawn-error", "ok:exited", "failed:signaled"],
  );
  await runner.stop();
});

test("a command that cannot be parsed fails every run without spawning", async () => {
  const { spawner, runner } = setup({ command: "check 'unterminated" });
  runner.start();
  await settle();
  assert.equal(spawner.spawned.length, 0);
  assert.equal(runner.health, "failed");
  await runner.stop();
});

test("user is resolved once and passed as uid/gid; an unknown user fails the run", async () => {
  const clock = new ManualClock(0);
  const spawner = new FakeSpawner((p) => p.exit(0));
  let lookups = 0;
  const runner = new ScriptRunner(
    { ...base, user: "chk" },
    {
      clock,
      spawner,
      logger: memoryLogger(),
      lookupUser: async () => (lookups++, { ok: true, ids: { uid: 1001, gid: 1002 } }),
    },
  );
  runner.start();
  await settle();
  clock.advanceTo(1000);
  await settle();
  assert.equal(lookups, 1);
  assert.equal(spawner.spawned[1]?.request.uid, 1001);
  assert.equal(spawner.spawned[1]?.request.gid, 1002);
  await runner.stop();

  const missing = new ScriptRunner(
    { ...base, user: "nosuch" },
    { clock, spawner: new FakeSpawner(), logger: memoryLogger(), lookupUser: async () => ({ ok: false, message: "unknown user" }) },
  );
  missing.start();
  await settle();
  assert.equal(missing.health, "failed");
  await missing.stop();
});

test("stop terminates a run in progress and reports nothing for it", async () => {
  const { spawner, runner, changes } = setup({ timeoutMs: 10_000 });
  runner.start();
  await settle();
  const running = spawner.last!;
  await runner.stop();
  assert.deepEqual(running.signals, ["SIGTERM", "SIGKILL"]);
  assert.deepEqual(changes, []);
  assert.equal(runner.health, "init");
});
