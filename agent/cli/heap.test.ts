import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { keepYoungGenerationSmall } from "./heap.js";

describe("keepYoungGenerationSmall", () => {
  it("leaves a semi-space size given to node alone", () => {
    assert.equal(keepYoungGenerationSmall(["--max-semi-space-size=8"], ""), false);
    assert.equal(keepYoungGenerationSmall([], "--max_semi_space_size=4 --inspect"), false);
  });
  it("otherwise stops the young generation from growing", () => {
    assert.equal(keepYoungGenerationSmall(["--enable-source-maps"], "--max-old-space-size=256"), true);
  });
});
