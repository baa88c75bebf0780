import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { blocksRun, emptyNovelty, newBlocks, underPrefixes, withBlocks, type ScriptCoverage } from "./novelty.js";

const coverage: ScriptCoverage[] = [
  {
    url: "file:///p/dist/agent/vrrp/codec.js",
    functions: [
      {
        functionName: "decodeAdvert",
        ranges: [
          { startOffset: 10, endOffset: 400, count: 3 },
          { startOffset: 50, endOffset: 80, count: 0 },
          { startOffset: 90, endOffset: 120, count: 1 },
        ],
      },
      { functionName: "unused", ranges: [{ startOffset: 500, endOffset: 600, count: 0 }] },
    ],
  },
  {
    url: "file:///p/node_modules/yaml/dist/index.js",
    functions: [{ functionName: "parse", ranges: [{ startOffset: 0, endOffset: 9, count: 1 }] }],
  },
  { url: "node:internal/buffer", functions: [{ functionName: "from", ranges: [{ startOffset: 0, endOffset: 9, count: 1 }] }] },
];

describe("coverage novelty", () => {
  it("counts the ranges that ran, in the scripts kept by the filter", () => {
    const keep = underPrefixes(["file:///p/dist/agent/"]);
    assert.deepEqual(blocksRun(coverage, keep), ["file:///p/dist/agent/vrrp/codec.js#10-400", "file:///p/dist/agent/vrrp/codec.js#90-120"]);
    assert.equal(blocksRun(coverage, () => true).length, 4);
    assert.deepEqual(blocksRun(coverage, underPrefixes([])), []);
  });

  it("reports a block as new once, and keeps the old bookkeeping unchanged", () => {
    const n0 = emptyNovelty();
    assert.deepEqual(newBlocks(n0, ["a", "b", "a"]), ["a", "b"]);
    const n1 = withBlocks(n0, ["a", "b"]);
    assert.equal(n0.seen.size, 0);
    assert.deepEqual(newBlocks(n1, ["a", "b"]), []);
    assert.deepEqual(newBlocks(n1, ["b", "c"]), ["c"]);
    assert.equal(withBlocks(n1, []), n1);
    assert.equal(withBlocks(n1, ["c"]).seen.size, 3);
  });
});
