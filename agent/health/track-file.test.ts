import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { memoryLogger, settle } from "./fakes.js";
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
