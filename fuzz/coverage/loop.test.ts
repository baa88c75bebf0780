import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { findingSignature, runLoop, type LoopOptions } from "./loop.js";
import { seededRng } from "./mutate.js";
import type { ScriptCoverage } from "./novelty.js";

/**
 * A fake target with a nested "if" per byte of MAGIC: its fake coverage has
 * one block per matched prefix byte, and it throws once the whole word
 * matches. A fake clock: an input starting with "SLOW" takes 5 s.
 */
function fakeWorld(magic: string) {
  let clock = 0;
  let last: ScriptCoverage[] = [];
  const target = (data: Buffer): void => {
    let depth = 0;
    while (depth < magic.length && data[depth] === magic.charCodeAt(depth)) depth++;
    last = [
      {
        url: "file:///fake/agent.js",
        functions: [
          {
            functionName: "parse",
            ranges: Array.from({ length: depth + 1 }, (_, i) => ({ startOffset: i, endOffset: 100 - i, count: 1 })),
          },
        ],
      },
    ];
    if (data.subarray(0, 4).toString("latin1") === "SLOW") clock += 5000;
    if (depth === magic.length) throw new RangeError(`parser fell over at byte ${depth}`);
  };
  const takeCoverage = (): ScriptCoverage[] => {
    const out = last;
    last = [];
    return out;
  };
  return { target, takeCoverage, now: () => clock++ };
}

const options = (over: Partial<LoopOptions>): LoopOptions => {
  const world = fakeWorld("FUZZ");
  return {
    ...world,
    keep: (url) => url.startsWith("file:///fake/"),
    seeds: [Buffer.from("x")],
    dictionary: [],
    rng: seededRng(1),
    runs: 20_000,
    deadline: Infinity,
    maxLength: 16,
    slowMs: 1000,
    ...over,
  };
};

describe("coverage-guided loop (fake target and coverage)", () => {
  it("climbs a nested comparison byte by byte, keeping each input that adds a block, and reports the crash once", () => {
    const r = runLoop(options({}));
    assert.equal(r.blocks, 5, "all five blocks (depth 0 to 4) reached");
    const starts = r.corpus.map((d) => Buffer.from(d).toString("latin1"));
    assert.equal(starts[0], "x", "the seed stays");
    for (const prefix of ["F", "FU"])
      assert.ok(
        starts.some((s) => s.startsWith(prefix)),
        `an input starting with ${prefix} was kept: ${starts.join(" | ")}`,
      );
    assert.ok(r.corpus.length <= 5, "only inputs that add a block are kept");
    const crashes = r.findings.filter((f) => f.kind === "crash");
    assert.equal(crashes.length, 1, "one bug, however many inputs hit it");
    assert.equal(crashes[0]!.error, "RangeError: parser fell over at byte 4");
    assert.ok(Buffer.from(crashes[0]!.data).subarray(0, 4).equals(Buffer.from("FUZZ")));
    assert.equal(r.executed, 20_001);
  });

  it("without feedback (random bytes, or mutating the seed only) it does not get that deep", () => {
    for (const strategy of ["random", "blind"] as const) {
      const r = runLoop(options({ strategy }));
      assert.ok(r.blocks <= 3, `${strategy}: ${r.blocks} blocks`);
      assert.equal(r.corpus.length, 1, `${strategy} keeps nothing`);
      assert.deepEqual(r.findings, []);
    }
  });

  it("keeps each seed once, also when it adds no block", () => {
    const r = runLoop(options({ seeds: [Buffer.from("x"), Buffer.from("y"), Buffer.from("x")], runs: 0 }));
    assert.deepEqual(
      r.corpus.map((d) => Buffer.from(d).toString()),
      ["x", "y"],
    );
    assert.equal(r.seedCount, 2);
    assert.equal(r.executed, 2);
  });

  it("reports a run above slowMs as a slow finding, and stops at the deadline", () => {
    const r = runLoop(options({ seeds: [Buffer.from("SLOW")], runs: 10 }));
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0]!.kind, "slow");
    assert.match(r.findings[0]!.error, /took 500\d ms \(bound 1000 ms\)/);
    const early = runLoop(options({ deadline: 50 }));
    assert.ok(early.executed < 50, `${early.executed} runs before the deadline`);
  });

  it("stops after maxFindings distinct findings", () => {
    let n = 0;
    const r = runLoop(
      options({
        target: () => {
          throw new Error(`bug ${String.fromCharCode(65 + (n++ % 26))}`);
        },
        maxFindings: 3,
      }),
    );
    assert.equal(r.findings.length, 3);
    assert.ok(r.executed < 10);
    assert.notEqual(findingSignature(r.findings[0]!), findingSignature(r.findings[1]!));
    assert.equal(
      findingSignature({ kind: "crash", data: Buffer.alloc(0), error: "x at 12" }),
      findingSignature({ kind: "crash", data: Buffer.alloc(0), error: "x at 345" }),
    );
  });
});
