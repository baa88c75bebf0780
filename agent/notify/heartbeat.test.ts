import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryLogger } from "../health/fakes.js";
import { ManualClock } from "../../base/clock.js";
import { Heartbeat } from "./heartbeat.js";
import { parseHeartbeat } from "./state-record.js";

test("the heartbeat is written at start and every refreshMs, then stops and stays", async () => {
  const dir = await mkdtemp(join(tmpdir(), "floatip-heartbeat-"));
  try {
    const clock = new ManualClock(0);
    let wall = 1_000;
    const stateDir = join(dir, "run");
    const heartbeat = new Heartbeat({
      clock,
      wallClock: () => new Date(wall),
      logger: memoryLogger(),
      run: "r1",
      pid: 42,
      stateDir,
      refreshMs: 10_000,
    });
    const read = async () => parseHeartbeat(await readFile(join(stateDir, ".heartbeat"), "utf8"));
    heartbeat.start();
    heartbeat.start(); // no second timer
    await heartbeat.idle();
    assert.deepEqual(await read(), { ok: true, heartbeat: { pid: 42, run: "r1", updated: "1970-01-01T00:00:01.000Z" } });

    wall = 11_000;
    clock.advanceTo(9_999);
    await heartbeat.idle();
    assert.deepEqual(
      await read(),
      { ok: true, heartbeat: { pid: 42, run: "r1", updated: "1970-01-01T00:00:01.000Z" } },
      "not before refreshMs",
    );
    clock.advanceTo(10_000);
    await heartbeat.idle();
    assert.deepEqual(await read(), { ok: true, heartbeat: { pid: 42, run: "r1", updated: "1970-01-01T00:00:11.000Z" } });

    await heartbeat.stop();
    wall = 21_000;
    clock.advanceTo(30_000);
    await heartbeat.idle();
    assert.deepEqual(
      await read(),
      { ok: true, heartbeat: { pid: 42, run: "r1", updated: "1970-01-01T00:00:11.000Z" } },
      "stopped: it ages",
    );
    assert.deepEqual(await readdir(stateDir), [".heartbeat"], "no temp files left");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a failed write is logged, and the next beat tries again", async () => {
  const dir = await mkdtemp(join(tmpdir(), "floatip-heartbeat-"));
  try {
    const clock = new ManualClock(0);
    const logger = memoryLogger();
    const blocker = join(dir, "file");
    await writeFile(blocker, "x"); // the state dir cannot be created under a file
    const heartbeat = new Heartbeat({
      clock,
      wallClock: () => new Date(0),
      logger,
      run: "r1",
      pid: 42,
      stateDir: join(blocker, "run"),
      refreshMs: 1000,
    });
    heartbeat.start();
    await heartbeat.idle();
    clock.advanceTo(1000);
    await heartbeat.idle();
    assert.equal(logger.entries.filter((e) => e.message === "writing the agent heartbeat failed").length, 2);
    await heartbeat.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
