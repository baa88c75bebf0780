import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fnv1a32, fnv1a32Bytes, mix32, rendezvousOrder, rendezvousScore } from "./hash.js";

describe("hash", () => {
  const vectors: ReadonlyArray<readonly [string, number]> = [
    ["", 0x811c9dc5],
    ["a", 0xe40c292c],
    ["foobar", 0xbf9cf968],
  ];
  for (const [text, expected] of vectors) {
    it(`FNV-1a 32 of ${JSON.stringify(text)}`, () => assert.equal(fnv1a32(text), expected));
  }

  it("hashes the UTF-8 bytes of non-ASCII text", () => {
    assert.equal(fnv1a32("nœud-é"), fnv1a32Bytes(Buffer.from("nœud-é", "utf8")));
    assert.notEqual(fnv1a32("nœud-é"), fnv1a32("noeud-e"));
  });

  it("mixes to unsigned 32-bit values", () => {
    assert.equal(mix32(0), 0);
    for (const v of [1, 0xffffffff, 0x12345678]) {
      const m = mix32(v);
      assert.ok(Number.isInteger(m) && m >= 0 && m <= 0xffffffff);
    }
    assert.equal(rendezvousScore("web", "node-1"), mix32(fnv1a32("web/node-1")));
  });

  it("orders nodes the same whatever the input order", () => {
    const names = Array.from({ length: 20 }, (_, i) => `node-${i}`);
    const order = rendezvousOrder("web", names);
    assert.deepEqual(rendezvousOrder("web", [...names].reverse()), order);
    assert.deepEqual([...order].sort(), [...names].sort());
    assert.notDeepEqual(rendezvousOrder("db", names), order, "another key gives another order");
  });
});
