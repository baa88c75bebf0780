import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { forEachLimited } from "./parallel.js";

/** A task whose calls are released by hand, recording how many run at once. */
function gated() {
  const waiting: Array<{ item: number; release: (error?: Error) => void }> = [];
  const started: number[] = [];
  let running = 0;
  let peak = 0;
  const task = (item: number) =>
    new Promise<void>((resolve, reject) => {
      started.push(item);
      peak = Math.max(peak, ++running);
      waiting.push({
        item,
        release: (error) => {
          running--;
          if (error === undefined) resolve();
          else reject(error);
        },
      });
    });
  const turn = () => new Promise((r) => setImmediate(r));
  return { task, waiting, started, peak: () => peak, turn };
}

describe("forEachLimited", () => {
  it("starts items in order, never more than the limit at once", async () => {
    const g = gated();
    const done = forEachLimited([1, 2, 3, 4, 5], 2, g.task);
    await g.turn();
    assert.deepEqual(g.started, [1, 2]);
    g.waiting.shift()!.release();
    await g.turn();
    assert.deepEqual(g.started, [1, 2, 3]);
    while (g.waiting.length > 0) {
      g.waiting.shift()!.release();
      await g.turn();
    }
    await done;
    assert.deepEqual(g.started, [1, 2, 3, 4, 5]);
    assert.equal(g.peak(), 2);
  });

  it("rejects with the first failure in item order, after every item has settled", async () => {
    const g = gated();
    let settled = false;
    const done = forEachLimited([1, 2, 3], 3, g.task).finally(() => (settled = true));
    await g.turn();
    const [one, two, three] = g.waiting.splice(0);
    three!.release(new Error("three"));
    two!.release(new Error("two"));
    await g.turn();
    assert.equal(settled, false, "item 1 is still in flight");
    one!.release();
    await assert.rejects(done, /two/);
  });

  it("does nothing for no items", async () => {
    await forEachLimited([], 4, () => Promise.reject(new Error("not called")));
  });
});
