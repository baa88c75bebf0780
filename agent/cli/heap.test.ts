import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { tuneAgentHeap } from "./heap.js";

describe("tuneAgentHeap", () => {
  it("leaves heap sizes given to node alone", () => {
    assert.deepEqual(tuneAgentHeap(["--max-semi-space-size=8", "--max-old-space-size=256", "--flush-bytecode", "--maglev"], ""), []);
    assert.deepEqual(tuneAgentHeap([], "--max_semi_space_size=4 --inspect"), [
      "--heap-growing-percent=30",
      "--no-flush-bytecode",
      "--no-maglev",
    ]);
  });
  it("otherwise keeps the young generation at its initial size, the old one near its live size, bytecode, and Maglev off", () => {
    assert.deepEqual(tuneAgentHeap(["--enable-source-maps"], ""), [
      "--semi-space-growth-factor=1",
      "--heap-growing-percent=30",
      "--no-flush-bytecode",
      "--no-maglev",
    ]);
  });
});
