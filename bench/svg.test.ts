import { it } from "node:test";
import assert from "node:assert/strict";
import { barChart, escapeXml, lineChart, stripChart, ticks } from "./svg.js";

it("ticks: 1-2-5 steps, linear and log", () => {
  assert.deepEqual(ticks(0, 10, false), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(ticks(1, 100, true), [1, 2, 5, 10, 20, 50, 100]);
});

it("escapes text and writes well-formed charts", () => {
  assert.equal(escapeXml(`a<b & "c">`), "a&lt;b &amp; &quot;c&quot;&gt;");
  const line = lineChart({
    title: "t <x>",
    yLabel: "y",
    categories: ["1", "64"],
    series: [{ name: "a", values: [1, Number.NaN], hollow: [true, false] }],
  });
  assert.match(line, /^<svg [^>]*>/);
  assert.match(line, /t &lt;x&gt;/);
  assert.equal((line.match(/<circle /g) ?? []).length, 1, "NaN values are skipped");
  const bar = barChart({
    title: "b",
    yLabel: "MiB",
    categories: ["x"],
    series: [{ name: "s", values: [42] }],
    reference: { value: 80, label: "target" },
  });
  assert.match(bar, /<rect x=/);
  assert.match(bar, />target</);
  const strip = stripChart({
    title: "s",
    yLabel: "ms",
    logY: true,
    groups: [{ label: "g", samples: [{ name: "a", values: [5, 10, 20] }] }],
  });
  assert.equal((strip.match(/<circle /g) ?? []).length, 3);
});
