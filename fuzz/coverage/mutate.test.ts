import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MUTATIONS, applyMutation, below, mutate, randomInput, seededRng, type MutationContext } from "./mutate.js";

const data = Buffer.from("vrrp_instance VI_1 {\n  priority 100\n}\n");
const ctx = (seed: number, over: Partial<MutationContext> = {}): MutationContext => ({
  rng: seededRng(seed),
  corpus: [Buffer.from("ABCDEFGH")],
  dictionary: [Buffer.from("virtual_router_id")],
  maxLength: 256,
  ...over,
});
const bitsDiffering = (a: Uint8Array, b: Uint8Array): number =>
  a.reduce((n, x, i) => n + [...((x ^ b[i]!) >>> 0).toString(2)].filter((c) => c === "1").length, 0);
/** Whether `b` is `a` with one contiguous range taken out. */
function isDeletion(a: Buffer, b: Buffer): boolean {
  for (let at = 0; at <= b.length; at++) {
    if (a.subarray(0, at).equals(b.subarray(0, at)) && a.subarray(a.length - (b.length - at)).equals(b.subarray(at))) return true;
  }
  return false;
}

describe("coverage mutators", () => {
  it("seededRng: the same seed repeats, values lie in [0, 1), below() in [0, n)", () => {
    const a = seededRng(7);
    const b = seededRng(7);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(
      xs,
      Array.from({ length: 1000 }, () => b()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.ok(new Set(xs).size > 990);
    const r = seededRng(8);
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[below(r, 5)]!++;
    assert.ok(
      counts.every((c) => c > 800),
      `every value of below(5) comes up: ${counts}`,
    );
    assert.equal(below(r, 0), 0);
  });

  it("never change the input and return a new buffer", () => {
    const before = Buffer.from(data);
    for (const name of MUTATIONS) {
      for (let s = 0; s < 20; s++) {
        const out = applyMutation(name, data, ctx(s));
        assert.notEqual(out, data);
        assert.ok(data.equals(before), name);
      }
    }
  });

  it("flip-bit changes one bit, byte mutations change at most one byte, keeping the length", () => {
    for (let s = 0; s < 50; s++) {
      assert.equal(bitsDiffering(data, applyMutation("flip-bit", data, ctx(s))), 1);
      for (const name of ["random-byte", "interesting-byte", "add-to-byte"] as const) {
        const out = applyMutation(name, data, ctx(s));
        assert.equal(out.length, data.length);
        assert.ok(out.reduce((n, x, i) => n + (x === data[i] ? 0 : 1), 0) <= 1, name);
      }
    }
  });

  it("insert-bytes adds 1 to 8 bytes and delete-range removes 1 to 16 contiguous bytes", () => {
    for (let s = 0; s < 50; s++) {
      const grown = applyMutation("insert-bytes", data, ctx(s));
      assert.ok(grown.length > data.length && grown.length <= data.length + 8);
      assert.ok(isDeletion(grown, data), "the original bytes are still there around the insert");
      const cut = applyMutation("delete-range", data, ctx(s));
      assert.ok(cut.length < data.length && cut.length >= data.length - 16);
      assert.ok(isDeletion(data, cut));
    }
  });

  it("insert-token puts a dictionary token in whole; overwrite-token writes it over the bytes", () => {
    const token = Buffer.from("virtual_router_id");
    for (let s = 0; s < 30; s++) {
      const ins = applyMutation("insert-token", data, ctx(s));
      assert.equal(ins.length, data.length + token.length);
      assert.ok(ins.includes(token) && isDeletion(ins, data));
      const over = applyMutation("overwrite-token", data, ctx(s));
      assert.ok(over.includes(token) && over.length >= data.length);
    }
  });

  it("splice joins a prefix of the input to a suffix of a corpus entry", () => {
    const other = Buffer.from("ABCDEFGH");
    for (let s = 0; s < 50; s++) {
      const out = applyMutation("splice", data, ctx(s));
      const ok = Array.from({ length: data.length + 1 }, (_, i) => i).some(
        (i) => out.subarray(0, i).equals(data.subarray(0, i)) && other.toString().endsWith(out.subarray(i).toString()),
      );
      assert.ok(ok, out.toString());
    }
  });

  it("work on empty input and without corpus or dictionary", () => {
    const empty = Buffer.alloc(0);
    for (const name of MUTATIONS) {
      for (let s = 0; s < 10; s++) applyMutation(name, empty, ctx(s, { corpus: [], dictionary: [] }));
    }
    assert.ok(applyMutation("insert-token", empty, ctx(1, { dictionary: [] })).length > 0, "falls back to random bytes");
  });

  it("mutate stays within maxLength, changes the input most of the time, and is deterministic per seed", () => {
    const c1 = ctx(3, { maxLength: 40 });
    const c2 = ctx(3, { maxLength: 40 });
    let changed = 0;
    for (let i = 0; i < 500; i++) {
      const a = mutate(data, c1);
      assert.ok(a.length <= 40);
      assert.ok(a.equals(mutate(data, c2)));
      if (!a.equals(data.subarray(0, 40))) changed++;
    }
    assert.ok(changed > 450, `${changed} of 500 changed`);
  });

  it("randomInput gives lengths 0..maxLength", () => {
    const r = seededRng(1);
    const lengths = Array.from({ length: 500 }, () => randomInput(r, 16).length);
    assert.ok(lengths.every((n) => n >= 0 && n <= 16));
    assert.ok(lengths.includes(0) && lengths.includes(16));
  });
});
