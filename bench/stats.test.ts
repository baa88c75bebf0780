import { it } from "node:test";
import assert from "node:assert/strict";
import { percentile, summarize } from "./stats.js";

it("median and p95 by nearest rank", () => {
  const s = summarize([5, 1, 4, 2, 3]);
  assert.deepEqual(s, { n: 5, median: 3, p95: 5, min: 1, max: 5 });
  assert.equal(summarize([1, 2, 3, 4]).median, 2.5);
  assert.equal(
    percentile(
      Array.from({ length: 20 }, (_, i) => i + 1),
      95,
    ),
    19,
  );
  assert.ok(Number.isNaN(summarize([]).median));
});
