import { it } from "node:test";
import assert from "node:assert/strict";
import { applyMergePatch, mergePatchFor } from "./merge-patch.js";

it("the patch takes the stored object to the wanted one, removals included", () => {
  const cases: [unknown, unknown][] = [
    [
      { master: "a", transitions: 1, nodes: [{ name: "a" }] },
      { transitions: 2, nodes: [] },
    ],
    [{ a: { b: 1, c: 2 } }, { a: { b: 1 } }],
    [{}, { master: "b", conditions: [{ type: "Ready" }] }],
    [{ a: 1 }, { a: { nested: true } }],
  ];
  for (const [stored, wanted] of cases) assert.deepEqual(applyMergePatch(stored, mergePatchFor(stored, wanted)), wanted);
  assert.deepEqual(mergePatchFor({ master: "a", x: 1 }, { x: 1 }), { master: null, x: 1 });
});
