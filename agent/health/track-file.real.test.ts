/**
 * Track files on the real filesystem (a temporary directory, inotify through
 * fs.watch): the ways files are usually changed each reach the watch long
 * before its poll (60 s here) would: written in place, renamed over,
 * deleted and created again, and a directory created or deleted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rename, rm, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fsDirectoryWatcher } from "../os/directory-watcher.js";
import { systemClock } from "../../base/clock.js";
import { memoryLogger } from "./fakes.js";
import { TrackFileWatch } from "./track-file.js";

/** Well under the 60 s poll: only an event can be this quick. */
const WITHIN_MS = 50;

test("track files on a real filesystem: every kind of change is seen within 50 ms, without a poll", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "floatip-trackfile-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const maint = join(dir, "maint");
  const later = join(dir, "later", "deeper", "drain"); // its directories do not exist yet
  await writeFile(maint, "1\n");
  const waiting: { name: string; value: number; resolve: () => void }[] = [];
  const watch = new TrackFileWatch(
    [
      { name: "maint", path: maint, weight: 1 },
      { name: "drain", path: later, weight: 1 },
    ],
    {
      clock: systemClock(),
      logger: memoryLogger(),
      watcher: fsDirectoryWatcher(),
      pollMs: 60_000,
      readFile: (path) => readFile(path, "utf8"),
      onChange: (name, value) => {
        for (const w of waiting.splice(0)) {
          if (w.name === name && w.value === value) w.resolve();
          else waiting.push(w);
        }
      },
    },
  );
  await watch.start();
  t.after(() => watch.stop());
  assert.equal(watch.value("maint"), 1);

  /** Runs change, then returns the ms until the watch reported name = value (fails after a second). */
  const seen = async (name: string, value: number, change: () => Promise<void>): Promise<number> => {
    const reported = new Promise<void>((resolve, reject) => {
      waiting.push({ name, value, resolve });
      setTimeout(() => reject(new Error(`${name}=${value} not seen within 1 s`)), 1000).unref();
    });
    await change();
    const from = performance.now();
    await reported;
    return performance.now() - from;
  };

  const cases: [string, string, number, () => Promise<void>][] = [
    ["written in place (echo 2 > file)", "maint", 2, () => writeFile(maint, "2\n")],
    [
      "renamed over (an editor's save)",
      "maint",
      3,
      async () => {
        await writeFile(join(dir, ".maint.swp"), "3\n");
        await rename(join(dir, ".maint.swp"), maint);
      },
    ],
    ["deleted", "maint", 0, () => rm(maint)],
    ["created again", "maint", 4, () => writeFile(maint, "4")],
    [
      "created with directories that did not exist",
      "drain",
      5,
      async () => {
        await mkdir(join(dir, "later", "deeper"), { recursive: true });
        await writeFile(later, "5");
      },
    ],
    ["its directory deleted", "drain", 0, () => rm(join(dir, "later"), { recursive: true })],
    [
      "its directory created again",
      "drain",
      6,
      async () => {
        await mkdir(join(dir, "later", "deeper"), { recursive: true });
        await writeFile(later, "6");
      },
    ],
  ];
  for (const [what, name, value, change] of cases) {
    const ms = await seen(name, value, change);
    assert.ok(ms <= WITHIN_MS, `${what}: seen after ${ms.toFixed(1)} ms`);
  }
});
