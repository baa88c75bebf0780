import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { FakeDirectoryWatcher, memoryLogger, settle } from "./fakes.js";
import { parseTrackFileValue, TrackFileWatch } from "./track-file.js";

const values: readonly [string, number | "ignored"][] = [
  ["42\n", 42],
  ["  -7 trailing words", -7],
  ["+3", 3],
  ["0x1F", 31],
  ["0X10", 16],
  ["010", 8],
  ["08", 0],
  ["0x", 0],
  ["", 0],
  ["abc", 0],
  ["-", 0],
  ["2147483648", 2147483648],
  ["-2147483648", -2147483648],
  ["2147483649", "ignored"],
  ["99999999999999999999999", "ignored"],
];

for (const [text, expected] of values) {
  test(`parseTrackFileValue(${JSON.stringify(text)})`, () => {
    const parsed = parseTrackFileValue(text);
    if (expected === "ignored") assert.equal(parsed.ok, false);
    else assert.deepEqual(parsed, { ok: true, value: expected });
  });
}

test("reads at start, then polls; missing file is 0, invalid value keeps the last one", async () => {
  const clock = new ManualClock(0);
  const files: Record<string, string | undefined> = { "/run/maint": "5\n" };
  const changes: string[] = [];
  const watch = new TrackFileWatch([{ name: "maint", path: "/run/maint", weight: 1 }], {
    clock,
    logger: memoryLogger(),
    pollMs: 1000,
    readFile: async (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      return text;
    },
    onChange: (name, value) => changes.push(`${name}=${value}`),
  });
  assert.equal(watch.value("maint"), 0);
  await watch.start();
  assert.equal(watch.value("maint"), 5);
  assert.deepEqual(changes, []);

  files["/run/maint"] = "99999999999";
  clock.advanceTo(1000);
  await settle();
  assert.equal(watch.value("maint"), 5);

  files["/run/maint"] = undefined;
  clock.advanceTo(2000);
  await settle();
  assert.equal(watch.value("maint"), 0);
  assert.deepEqual(changes, ["maint=0"]);
  await watch.stop();
});

/** A watch over `files` with a directory watcher the test fires, a 10 s resync and 5 ms event delay. */
function watched(files: Record<string, string | undefined>, dirs: readonly string[], paths: Record<string, string>) {
  const clock = new ManualClock(0);
  const watcher = new FakeDirectoryWatcher(dirs);
  const changes: string[] = [];
  let reads = 0;
  const logger = memoryLogger();
  const watch = new TrackFileWatch(
    Object.entries(paths).map(([name, path]) => ({ name, path, weight: 1 })),
    {
      clock,
      logger,
      watcher,
      pollMs: 10_000,
      eventDelayMs: 5,
      readFile: async (path) => {
        reads++;
        const text = files[path];
        if (text === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        return text;
      },
      onChange: (name, value) => changes.push(`${name}=${value}`),
    },
  );
  return { clock, watcher, changes, watch, logger, reads: () => reads };
}

test("a change its directory reports is read after the event delay, without waiting for the poll", async () => {
  const files: Record<string, string | undefined> = { "/run/maint": "5\n" };
  const { clock, watcher, changes, watch } = watched(files, ["/", "/run"], { maint: "/run/maint" });
  await watch.start();
  assert.deepEqual(watcher.watched(), ["/run"]);
  files["/run/maint"] = "";
  watcher.emit("/run", "maint"); // `echo 7 > /run/maint`: truncated ...
  files["/run/maint"] = "7\n";
  watcher.emit("/run", "maint"); // ... then written; one read of both
  clock.advanceTo(4);
  await settle();
  assert.equal(watch.value("maint"), 5);
  clock.advanceTo(5);
  await settle();
  assert.equal(watch.value("maint"), 7);
  assert.deepEqual(changes, ["maint=7"]); // never the empty file's 0

  files["/run/maint"] = undefined; // rm /run/maint
  watcher.emit("/run", "maint");
  clock.advanceTo(10);
  await settle();
  assert.deepEqual(changes, ["maint=7", "maint=0"]);
  await watch.stop();
  assert.deepEqual(watcher.watched(), []);
});

test("other entries of the directory do not cause reads", async () => {
  const { clock, watcher, watch, reads } = watched({ "/run/maint": "1" }, ["/", "/run"], { maint: "/run/maint" });
  await watch.start();
  const before = reads();
  watcher.emit("/run", "sshd.pid");
  clock.advanceTo(100);
  await settle();
  assert.equal(reads(), before);
  await watch.stop();
});

test("a directory that does not exist yet is followed from its parent: created with the file, read at once", async () => {
  const files: Record<string, string | undefined> = {};
  const { clock, watcher, changes, watch } = watched(files, ["/", "/run"], { drain: "/run/floatip/drain" });
  await watch.start();
  assert.deepEqual(watcher.watched(), ["/run"]);
  // mkdir /run/floatip && echo 3 > /run/floatip/drain, before the watch has moved down
  watcher.dirs.add("/run/floatip");
  files["/run/floatip/drain"] = "3";
  watcher.emit("/run", "floatip");
  clock.advanceTo(5);
  await settle();
  assert.deepEqual(changes, ["drain=3"]);
  assert.deepEqual(watcher.watched(), ["/run/floatip"]);
  await watch.stop();
});

test("a read that started before a change never overwrites the value read after it", async () => {
  const clock = new ManualClock(0);
  const watcher = new FakeDirectoryWatcher(["/", "/run"]);
  const files: Record<string, string> = { "/run/maint": "5" };
  const pending: (() => void)[] = [];
  const watch = new TrackFileWatch([{ name: "maint", path: "/run/maint", weight: 1 }], {
    clock,
    logger: memoryLogger(),
    watcher,
    pollMs: 10_000,
    eventDelayMs: 5,
    // Each read sees the file as it is when the read starts, and finishes when the test says.
    readFile: (path) => {
      const text = files[path]!;
      return new Promise((resolve) => pending.push(() => resolve(text)));
    },
  });
  const started = watch.start();
  await settle();
  pending.shift()!();
  await started;
  clock.advanceTo(10_000); // the resync's read starts and sees 5 ...
  files["/run/maint"] = "7"; // ... the file changes ...
  watcher.emit("/run", "maint");
  clock.advanceTo(10_005); // ... and the event's read is due
  await settle();
  // Finish the newest read first, as a slow disk or a scheduler might.
  while (pending.length > 0) {
    pending.pop()!();
    await settle();
  }
  assert.equal(watch.value("maint"), 7);
  await watch.stop();
});

test("a directory that cannot be watched is logged once, and its files are still polled", async () => {
  const files: Record<string, string | undefined> = { "/run/maint": "1" };
  const { clock, watcher, watch, logger } = watched(files, ["/", "/run"], { maint: "/run/maint" });
  watcher.watch = () => {
    throw Object.assign(new Error("ENOSPC: System limit for number of file watchers reached"), { code: "ENOSPC" });
  };
  await watch.start();
  files["/run/maint"] = "2";
  clock.advanceTo(10_000);
  await settle();
  clock.advanceTo(20_000);
  await settle();
  assert.equal(watch.value("maint"), 2);
  assert.equal(logger.entries.filter((e) => e.message.startsWith("cannot watch")).length, 1);
  await watch.stop();
});
