import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultCheckDeps, evaluateCheck, runCheckCommand, type CheckDeps } from "./check-command.js";

const NOW = Date.parse("2024-05-01T12:00:42.000Z");

async function withRecords(records: Record<string, unknown>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "floatip-check-"));
  try {
    for (const [name, content] of Object.entries(records)) {
      await writeFile(join(dir, `${name}.json`), typeof content === "string" ? content : JSON.stringify(content));
    }
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function run(argv: string[], overrides: Partial<CheckDeps> = {}): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await runCheckCommand(argv, {
    write: (t) => void (out += t),
    now: () => new Date(NOW),
    readFile: (path) => readFile(path, "utf8"),
    getJson: async () => {
      throw new Error("no network in this test");
    },
    ...overrides,
  });
  return { code, out };
}

const record = (state: string, extra: Record<string, unknown> = {}) => ({
  instance: "VI_1",
  state,
  priority: 100,
  since: "2024-05-01T12:00:00.000Z",
  updated: "2024-05-01T12:00:40.000Z",
  ...extra,
});

test("0 OK: in the expected state, with priority and seconds in state as perfdata", async () => {
  await withRecords({ VI_1: record("MASTER") }, async (dir) => {
    const r = await run(["--instance", "VI_1", "--expect", "MASTER", "--state-dir", dir, "--max-age", "30"]);
    assert.equal(r.code, 0);
    assert.equal(r.out, "FLOATIP OK - VI_1 is MASTER (expected MASTER) | priority=100;;;; seconds_in_state=42s;;;;\n");
  });
});

test("1 WARNING: FAULT, or stopped", async () => {
  await withRecords({ VI_1: record("FAULT"), VI_2: record("STOP", { instance: "VI_2" }) }, async (dir) => {
    const fault = await run(["--instance", "VI_1", "--expect", "backup", "--state-dir", dir]);
    assert.equal(fault.code, 1);
    assert.equal(fault.out, "FLOATIP WARNING - VI_1 is FAULT (expected BACKUP) | priority=100;;;; seconds_in_state=42s;;;;\n");
    const stopped = await run(["--instance=VI_2", "--expect=MASTER", `--state-dir=${dir}`]);
    assert.equal(stopped.code, 1);
  });
});

test("2 CRITICAL: the other state", async () => {
  await withRecords({ VI_1: record("BACKUP", { priority: 90 }) }, async (dir) => {
    const r = await run(["--instance", "VI_1", "--expect", "MASTER", "--state-dir", dir]);
    assert.equal(r.code, 2);
    assert.equal(r.out, "FLOATIP CRITICAL - VI_1 is BACKUP (expected MASTER) | priority=90;;;; seconds_in_state=42s;;;;\n");
  });
});

test("3 UNKNOWN: no record, unreadable record, stale record, bad usage", async () => {
  await withRecords({ BROKEN: "{not json", VI_1: record("MASTER") }, async (dir) => {
    const missing = await run(["--instance", "NOPE", "--expect", "MASTER", "--state-dir", dir]);
    assert.equal(missing.code, 3);
    assert.match(missing.out, /^FLOATIP UNKNOWN - no state record for NOPE/);
    const broken = await run(["--instance", "BROKEN", "--expect", "MASTER", "--state-dir", dir]);
    assert.equal(broken.code, 3);
    assert.match(broken.out, /^FLOATIP UNKNOWN - bad state record/);
    const stale = await run(["--instance", "VI_1", "--expect", "MASTER", "--state-dir", dir, "--max-age", "1"]);
    assert.equal(stale.code, 3);
    assert.match(stale.out, /stale: written 2s ago \(max 1s\)/);
    for (const argv of [
      [],
      ["--instance", "VI_1"],
      ["--instance", "VI_1", "--expect", "FAULT"],
      ["--bogus"],
      ["--instance", "VI_1", "--expect", "MASTER", "--url", "http://x", "--state-dir", dir],
    ]) {
      const bad = await run(argv);
      assert.equal(bad.code, 3, `argv ${argv.join(" ")}`);
      assert.match(bad.out, /^FLOATIP UNKNOWN - /);
    }
  });
});

test("--max-age: the agent's heartbeat keeps a record of its own run fresh, never a STOP or an earlier run's record", async () => {
  const heartbeat = { pid: 7, run: "r1", updated: "2024-05-01T12:00:41.000Z" };
  const old = { updated: "2024-05-01T12:00:00.000Z" };
  await withRecords(
    {
      VI_1: record("MASTER", { ...old, run: "r1" }),
      VI_2: record("STOP", { ...old, instance: "VI_2", run: "r1" }),
      VI_3: record("MASTER", { ...old, instance: "VI_3", run: "r0" }),
      VI_4: record("MASTER", { ...old, instance: "VI_4" }),
    },
    async (dir) => {
      const args = (name: string) => ["--instance", name, "--expect", "MASTER", "--state-dir", dir, "--max-age", "5"];
      const noHeartbeat = await run(args("VI_1"));
      assert.equal(noHeartbeat.code, 3);
      assert.match(noHeartbeat.out, /stale: written 42s ago \(max 5s\)/);
      await writeFile(join(dir, ".heartbeat"), JSON.stringify(heartbeat));
      const fresh = await run(args("VI_1"));
      assert.equal(fresh.out, "FLOATIP OK - VI_1 is MASTER (expected MASTER) | priority=100;;;; seconds_in_state=42s;;;;\n");
      assert.match((await run(args("VI_2"))).out, /^FLOATIP UNKNOWN - state record of VI_2 is stale: written 42s ago/);
      assert.match((await run(args("VI_3"))).out, /^FLOATIP UNKNOWN - state record of VI_3 is stale: written 42s ago/);
      assert.match((await run(args("VI_4"))).out, /^FLOATIP UNKNOWN - state record of VI_4 is stale: written 42s ago/);
      await writeFile(join(dir, ".heartbeat"), JSON.stringify({ ...heartbeat, updated: "2024-05-01T12:00:30.000Z" }));
      assert.match(
        (await run(args("VI_1"))).out,
        /stale: its agent's heartbeat last written 12s ago \(max 5s\)/,
        "the agent died: its heartbeat ages",
      );
      await writeFile(join(dir, ".heartbeat"), "{broken");
      assert.equal((await run(args("VI_1"))).code, 3, "an unreadable heartbeat vouches for nothing");
    },
  );
});

test("--url reads the agent's /state (no seconds in state from monotonic times)", { timeout: 5000 }, async () => {
  const server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({
        instances: [
          { name: "VI_1", phase: "master", priority: 100, effectivePriority: 80, masterAddress: null, since: 12345.6 },
          { name: "VI_3", phase: "initialize", priority: 50, effectivePriority: 50, since: 1 },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/state`;
    const real = defaultCheckDeps();
    const ok = await run(["--instance", "VI_1", "--expect", "MASTER", "--url", url], { getJson: real.getJson });
    assert.deepEqual(ok, { code: 0, out: "FLOATIP OK - VI_1 is MASTER (expected MASTER) | priority=80;;;;\n" });
    const starting = await run(["--instance", "VI_3", "--expect", "MASTER", "--url", url], { getJson: real.getJson });
    assert.equal(starting.code, 1);
    // Issue 13 finding 10: the line names the instance checked (it said "vrrp" for every instance).
    assert.match(starting.out, /^FLOATIP WARNING - VI_3 is INITIALIZE \(expected MASTER\)/);
    const absent = await run(["--instance", "VI_2", "--expect", "MASTER", "--url", url], { getJson: real.getJson });
    assert.equal(absent.code, 3);
  } finally {
    server.close();
  }
  const down = await run(["--instance", "VI_1", "--expect", "MASTER", "--url", "http://127.0.0.1:1/state"], {
    getJson: defaultCheckDeps().getJson,
  });
  assert.equal(down.code, 3);
});

test("evaluateCheck is the whole verdict", () => {
  assert.equal(evaluateCheck("VI_1", "BACKUP", { state: "BACKUP", priority: 50 }).status, 0);
  assert.equal(evaluateCheck("VI_1", "BACKUP", { state: "MASTER", priority: 50 }).status, 2);
  assert.equal(evaluateCheck("VI_1", "BACKUP", { state: "INITIALIZE", priority: 50 }).status, 1);
});

test("without --max-age, the record of an agent that died (killed -9) is UNKNOWN once its heartbeat is 30 s old (issue 16)", async () => {
  const old = { updated: "2024-05-01T12:00:00.000Z", run: "r1" };
  await withRecords({ VI_1: record("MASTER", old), VI_2: record("STOP", { ...old, instance: "VI_2" }) }, async (dir) => {
    const args = (name: string, ...extra: string[]) => ["--instance", name, "--expect", "MASTER", "--state-dir", dir, ...extra];
    await writeFile(join(dir, ".heartbeat"), JSON.stringify({ pid: 7, run: "r1", updated: "2024-05-01T12:00:11.000Z" }));
    const dead = await run(args("VI_1"));
    assert.equal(dead.code, 3);
    assert.equal(dead.out, "FLOATIP UNKNOWN - state record of VI_1 is stale: its agent's heartbeat last written 31s ago (max 30s)\n");
    // A clean stop is a known state, not a stale one.
    assert.equal((await run(args("VI_2"))).code, 1);
    // --max-age 0 turns the check off.
    assert.equal((await run(args("VI_1", "--max-age", "0"))).code, 0);
    await writeFile(join(dir, ".heartbeat"), JSON.stringify({ pid: 7, run: "r1", updated: "2024-05-01T12:00:35.000Z" }));
    assert.equal((await run(args("VI_1"))).code, 0, "a running agent's heartbeat (every 10 s) keeps it fresh");
  });
});

test("-t / --timeout: UNKNOWN when no answer comes in time (Nagios plugin convention)", async () => {
  const hang: Partial<CheckDeps> = { readFile: () => new Promise(() => undefined) };
  for (const flag of ["-t", "--timeout"]) {
    const r = await run(["--instance", "VI_1", "--expect", "MASTER", flag, "0.05"], hang);
    assert.deepEqual(r, { code: 3, out: "FLOATIP UNKNOWN - no answer within 0.05s (--timeout)\n" });
  }
  const bad = await run(["--instance", "VI_1", "--expect", "MASTER", "--timeout", "soon"]);
  assert.equal(bad.out, 'FLOATIP UNKNOWN - --timeout must be a positive number of seconds, got "soon"\n');
});
