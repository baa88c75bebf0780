import { test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_GARP, type InstanceConfig, type Notify } from "../config/types.js";
import { FakeSpawner, memoryLogger, settle } from "../health/fakes.js";
import { systemSpawner } from "../../base/process.js";
import { ManualClock, systemClock } from "../../base/clock.js";
import type { Transition } from "../runtime/router.js";
import type { Phase } from "../vrrp/state-machine.js";
import { Notifier, type CommandReport } from "./notifier.js";
import { parseStateRecord } from "./state-record.js";

const instance = (name: string, notify?: Notify, stateFile?: string): InstanceConfig => ({
  name,
  interface: "eth0",
  virtualRouterId: 51,
  version: 3,
  family: 4,
  priority: 100,
  advertIntervalMs: 1000,
  preempt: true,
  preemptDelayMs: 0,
  initialState: "backup",
  addresses: [{ address: "192.0.2.5", family: 4, prefixLength: 32 }],
  garp: DEFAULT_GARP,
  track: { scripts: [], interfaces: [], files: [] },
  ...(notify !== undefined ? { notify } : {}),
  ...(stateFile !== undefined ? { stateFile } : {}),
});

const transition = (name: string, from: Phase, to: Phase, priority = 100): Transition => ({
  instance: name,
  from,
  to,
  reason: "startup",
  priority,
  at: 0,
});

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "floatip-notify-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Retry `check` until it passes (real file writes finish on their own schedule). */
async function eventually(check: () => Promise<void>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

const notify: Notify = {
  master: "/etc/keepalived/to_master.sh 'VI 1'",
  backup: "/etc/keepalived/to_backup.sh",
  stop: "/etc/keepalived/stop.sh",
  any: "/etc/keepalived/notify.sh --verbose",
  timeoutMs: 5000,
};

test("writes the state file and record at once, then runs the specific command and then notify.any, one at a time", async () => {
  await withDir(async (dir) => {
    const clock = new ManualClock(0);
    let wall = Date.parse("2024-05-01T10:00:00.000Z");
    const spawner = new FakeSpawner();
    const stateFile = join(dir, "keepalived.state");
    const notifier = new Notifier([instance("VI_1", notify, stateFile)], {
      clock,
      wallClock: () => new Date(wall),
      spawner,
      logger: memoryLogger(),
      stateDir: join(dir, "run"),
    });
    notifier.handle(transition("VI_1", "initialize", "backup", 100));
    await eventually(async () => {
      assert.equal(await readFile(stateFile, "utf8"), "INSTANCE VI_1 is in BACKUP state\n");
      const record = parseStateRecord(await readFile(join(dir, "run", "VI_1.json"), "utf8"));
      assert.deepEqual(record, {
        ok: true,
        record: {
          instance: "VI_1",
          state: "BACKUP",
          priority: 100,
          since: "2024-05-01T10:00:00.000Z",
          updated: "2024-05-01T10:00:00.000Z",
        },
      });
    });

    assert.deepEqual(
      spawner.spawned.map((p) => p.argv),
      [["/etc/keepalived/to_backup.sh"]],
    );
    wall += 5000;
    clock.advanceTo(2000);
    notifier.handle({ ...transition("VI_1", "backup", "master", 120), at: 1000 }); // handled 1 s after it happened
    await settle();
    await eventually(async () =>
      assert.equal(await readFile(stateFile, "utf8"), "INSTANCE VI_1 is in MASTER state\n", "files do not wait for commands"),
    );
    assert.equal(spawner.spawned.length, 1, "nothing starts while the previous command runs");
    spawner.spawned[0]!.exit(0);
    await settle();
    assert.deepEqual(spawner.spawned[1]?.argv, ["/etc/keepalived/notify.sh", "--verbose", "INSTANCE", "VI_1", "BACKUP", "100"]);
    spawner.spawned[1]!.exit(3);
    await settle();
    assert.deepEqual(spawner.spawned[2]?.argv, ["/etc/keepalived/to_master.sh", "VI 1"]);
    spawner.spawned[2]!.exit(0);
    await settle();
    assert.deepEqual(spawner.spawned[3]?.argv, ["/etc/keepalived/notify.sh", "--verbose", "INSTANCE", "VI_1", "MASTER", "120"]);
    spawner.spawned[3]!.exit(0);
    await notifier.idle();
    const after = parseStateRecord(await readFile(join(dir, "run", "VI_1.json"), "utf8"));
    assert.equal(after.ok && after.record.since, "2024-05-01T10:00:04.000Z");
    const leftovers = (await readdir(dir)).filter((f) => f.includes("tmp"));
    assert.deepEqual(leftovers, []);
  });
});

test("to initialize is STOP; a hanging command gets SIGTERM after notify.timeoutMs", async () => {
  await withDir(async (dir) => {
    const clock = new ManualClock(0);
    const spawner = new FakeSpawner();
    const reports: CommandReport[] = [];
    const notifier = new Notifier([instance("VI_1", { stop: "/bin/stop", timeoutMs: 1000 })], {
      clock,
      wallClock: () => new Date(0),
      spawner,
      logger: memoryLogger(),
      stateDir: dir,
      killGraceMs: 100,
      onCommand: (r) => reports.push(r),
    });
    notifier.handle(transition("VI_1", "master", "initialize", 100));
    await settle();
    assert.deepEqual(spawner.last?.argv, ["/bin/stop"]);
    clock.advanceTo(1000);
    await notifier.idle();
    assert.equal(spawner.last?.signals[0], "SIGTERM");
    assert.deepEqual(
      reports.map((r) => [r.kind, r.outcome.type]),
      [["stop", "timed-out"]],
    );
    const record = parseStateRecord(await readFile(join(dir, "VI_1.json"), "utf8"));
    assert.equal(record.ok && record.record.state, "STOP");
  });
});

test("instances are independent; records carry the run token and are written on transitions only", async () => {
  await withDir(async (dir) => {
    const clock = new ManualClock(0);
    let wall = 0;
    const spawner = new FakeSpawner();
    const notifier = new Notifier([instance("A", { any: "/bin/a", timeoutMs: 1000 }), instance("B", { any: "/bin/b", timeoutMs: 1000 })], {
      clock,
      wallClock: () => new Date(wall),
      spawner,
      logger: memoryLogger(),
      stateDir: dir,
      run: "run-1",
    });
    notifier.handle(transition("A", "initialize", "backup"));
    notifier.handle(transition("B", "initialize", "backup"));
    await settle();
    assert.equal(spawner.running().length, 2, "A's command does not hold up B's");
    for (const p of spawner.running()) p.exit(0);
    notifier.handle(transition("B", "backup", "initialize"));
    await settle();
    assert.deepEqual(spawner.last?.argv, ["/bin/b", "INSTANCE", "B", "STOP", "100"]);
    spawner.last?.exit(0);
    await notifier.idle();

    wall = 30_000;
    clock.advanceTo(30_000);
    await notifier.idle();
    const a = parseStateRecord(await readFile(join(dir, "A.json"), "utf8"));
    const b = parseStateRecord(await readFile(join(dir, "B.json"), "utf8"));
    assert.deepEqual(a.ok && [a.record.state, a.record.since, a.record.updated, a.record.run], [
      "BACKUP",
      "1970-01-01T00:00:00.000Z",
      "1970-01-01T00:00:00.000Z",
      "run-1",
    ]);
    assert.deepEqual(b.ok && [b.record.state, b.record.updated, b.record.run], ["STOP", "1970-01-01T00:00:00.000Z", "run-1"]);
    await notifier.stop();
  });
});

test("the classic notify script gets INSTANCE name STATE priority (real process)", { timeout: 5000 }, async () => {
  await withDir(async (dir) => {
    const script = join(dir, "notify.sh");
    const out = join(dir, "state");
    await writeFile(script, `#!/bin/sh\necho $1 $2 is in $3 state > ${out}\necho "$4" >> ${out}\n`);
    await chmod(script, 0o755);
    const notifier = new Notifier([instance("VI_1", { any: script, timeoutMs: 2000 })], {
      clock: systemClock(),
      wallClock: () => new Date(),
      spawner: systemSpawner(),
      logger: memoryLogger(),
      stateDir: join(dir, "run"),
    });
    notifier.handle(transition("VI_1", "backup", "master", 150));
    await notifier.idle();
    assert.equal(await readFile(out, "utf8"), "INSTANCE VI_1 is in MASTER state\n150\n");
  });
});

// Issue 13 finding 9: a hung notify command held the agent's stop for as long as it hung.
test("stop waits for notify commands only stopGraceMs, then ends the running one and drops those queued behind it", async () => {
  await withDir(async (dir) => {
    const clock = new ManualClock(0);
    const spawner = new FakeSpawner((p) => (p.ignoreTerm = true));
    const logger = memoryLogger();
    const notifier = new Notifier([instance("VI_1", { master: "/bin/hang", stop: "/bin/stop", timeoutMs: 600_000 })], {
      clock,
      wallClock: () => new Date(0),
      spawner,
      logger,
      stateDir: dir,
      killGraceMs: 100,
      stopGraceMs: 1000,
    });
    notifier.handle(transition("VI_1", "backup", "master"));
    await settle();
    notifier.handle(transition("VI_1", "master", "initialize"));
    let stopped = false;
    const stopping = notifier.stop().then(() => (stopped = true));
    await settle();
    clock.advanceTo(999);
    await settle();
    assert.equal(stopped, false, "notify commands get the grace period");
    clock.advanceTo(1000);
    await settle();
    clock.advanceTo(1100);
    await stopping;
    assert.deepEqual(spawner.spawned[0]!.signals.slice(0, 2), ["SIGTERM", "SIGKILL"], "ended: SIGTERM, then SIGKILL after the kill grace");
    assert.deepEqual(
      spawner.spawned.map((p) => p.argv[0]),
      ["/bin/hang"],
      "the STOP notify queued behind it is dropped",
    );
    assert.ok(
      logger.entries.some((e) => e.level === "warn" && /not run/.test(e.message)),
      "the dropped notify is logged",
    );
  });
});

test("a hung notify command does not stop the agent from exiting (real process)", { timeout: 10_000 }, async () => {
  await withDir(async (dir) => {
    const notifier = new Notifier([instance("VI_1", { master: "/bin/sh -c 'trap \"\" TERM; sleep 600'", timeoutMs: 600_000 })], {
      clock: systemClock(),
      wallClock: () => new Date(),
      spawner: systemSpawner(),
      logger: memoryLogger(),
      stateDir: dir,
      killGraceMs: 200,
      stopGraceMs: 300,
    });
    notifier.handle(transition("VI_1", "backup", "master"));
    await new Promise((r) => setTimeout(r, 200));
    const start = Date.now();
    await notifier.stop();
    assert.ok(Date.now() - start < 2000, `stopped after ${Date.now() - start} ms`);
  });
});

test("a FAULT's record says why, in the words of the transition's cause", async () => {
  await withDir(async (dir) => {
    const notifier = new Notifier([instance("VI_1")], {
      clock: new ManualClock(0),
      wallClock: () => new Date(0),
      spawner: new FakeSpawner(),
      logger: memoryLogger(),
      stateDir: dir,
    });
    notifier.handle({
      ...transition("VI_1", "master", "fault", 100),
      reason: "fault",
      cause: { kind: "fault", faults: ["health"], health: "FAULT after script chk failed (FAULT)" },
    });
    await notifier.idle();
    const record = parseStateRecord(await readFile(join(dir, "VI_1.json"), "utf8"));
    assert.equal(record.ok && record.record.cause, "FAULT after script chk failed (FAULT)");
    notifier.handle({
      ...transition("VI_1", "fault", "backup", 100),
      reason: "recovered",
      cause: { kind: "health", health: "fault cleared after script chk failed (FAULT) cleared" },
    });
    notifier.handle(transition("VI_1", "backup", "master", 100));
    await notifier.idle();
    const next = parseStateRecord(await readFile(join(dir, "VI_1.json"), "utf8"));
    assert.deepEqual(next.ok && [next.record.state, next.record.cause], ["MASTER", undefined]);
  });
});
