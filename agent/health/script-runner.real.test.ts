/**
 * Against real processes: exit statuses, a missing program, and the kill
 * path (SIGTERM to the process group, SIGKILL when TERM is ignored).
 * Every case is bounded well under a few seconds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScriptConfig } from "../config/types.js";
import { systemClock } from "../../base/clock.js";
import { memoryLogger } from "./fakes.js";
import { runCommand, systemSpawner, type RunOutcome } from "../../base/process.js";
import { ScriptRunner } from "./script-runner.js";
import type { ScriptHealth } from "./script-state.js";

const config = (command: string, timeoutMs = 2000): ScriptConfig => ({
  name: "real",
  command,
  intervalMs: 60_000,
  timeoutMs,
  weight: 0,
  reverse: false,
  fall: 1,
  rise: 1,
  initFail: false,
});

/** Start a runner, wait for its first run, stop it. */
async function firstRun(command: string, timeoutMs?: number): Promise<{ outcome: RunOutcome; health: ScriptHealth; ms: number }> {
  const started = Date.now();
  let resolve!: (v: { outcome: RunOutcome; health: ScriptHealth }) => void;
  const ran = new Promise<{ outcome: RunOutcome; health: ScriptHealth }>((r) => (resolve = r));
  const runner = new ScriptRunner(config(command, timeoutMs), {
    clock: systemClock(),
    spawner: systemSpawner(),
    logger: memoryLogger(),
    killGraceMs: 300,
    onRun: (outcome, health) => resolve({ outcome, health }),
  });
  runner.start();
  const result = await ran;
  await runner.stop();
  return { ...result, ms: Date.now() - started };
}

/** Running (not gone, and not a zombie that an init without reaping leaves behind). */
async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

test("exit 1 is a failure, true is a success", { timeout: 5000 }, async () => {
  const failed = await firstRun("/bin/sh -c 'exit 1'");
  assert.deepEqual(failed.outcome, { type: "exited", code: 1 });
  assert.equal(failed.health, "failed");
  const ok = await firstRun("true");
  assert.deepEqual(ok.outcome, { type: "exited", code: 0 });
  assert.equal(ok.health, "ok");
});

test("sleep 10 with a 200 ms timeout is killed and counts as failed", { timeout: 5000 }, async () => {
  const run = await firstRun("sleep 10", 200);
  assert.deepEqual(run.outcome, { type: "timed-out", afterMs: 200 });
  assert.equal(run.health, "failed");
  assert.ok(run.ms < 2000, `took ${run.ms} ms`);
});

test("a missing program is a spawn error", { timeout: 5000 }, async () => {
  const run = await firstRun("/nonexistent/floatip-check");
  assert.equal(run.outcome.type, "spawn-error");
  assert.equal(run.health, "failed");
});

test("the kill reaches the whole process group, and SIGKILL follows an ignored SIGTERM", { timeout: 5000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "floatip-kill-"));
  try {
    const pidFile = join(dir, "pid");
    const started = Date.now();
    const running = runCommand({
      spawner: systemSpawner(),
      clock: systemClock(),
      argv: ["/bin/sh", "-c", `trap '' TERM; sleep 10 & echo $! > ${pidFile}; wait`],
      timeoutMs: 200,
      killGraceMs: 300,
    });
    const outcome = await running.done;
    assert.deepEqual(outcome, { type: "timed-out", afterMs: 200 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 450 && elapsed < 2000, `took ${elapsed} ms`);
    const child = Number((await readFile(pidFile, "utf8")).trim());
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await alive(child), false, "background child of the script survived");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
