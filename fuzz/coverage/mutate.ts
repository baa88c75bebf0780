/**
 * Mutators of the coverage-guided driver (fuzz/coverage/loop.ts): pure
 * functions of an input, a random source, the corpus (for splicing) and a
 * dictionary of tokens (keepalived keywords, YAML syntax, VRRP field values).
 * Each returns a new Buffer; the input is never changed.
 */

/** A random source: numbers in [0, 1). */
export type Rng = () => number;

/** A seeded random source (mulberry32): the same seed gives the same run. */
export function seededRng(seed: number): Rng {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n) (0 when n <= 0). */
export const below = (rng: Rng, n: number): number => (n <= 0 ? 0 : Math.floor(rng() * n));

export interface MutationContext {
  readonly rng: Rng;
  /** Other inputs to splice with. */
  readonly corpus: readonly Uint8Array[];
  /** Tokens to insert or overwrite with. */
  readonly dictionary: readonly Uint8Array[];
  /** Longest input a mutation may produce. */
  readonly maxLength: number;
}

export type MutationName =
  | "flip-bit"
  | "random-byte"
  | "interesting-byte"
  | "add-to-byte"
  | "insert-bytes"
  | "delete-range"
  | "duplicate-range"
  | "insert-token"
  | "overwrite-token"
  | "splice";

const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x07, 0x08, 0x0a, 0x10, 0x20, 0x21, 0x31, 0x7f, 0x80, 0xfe, 0xff];

function withInsert(data: Uint8Array, at: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([data.subarray(0, at), bytes, data.subarray(at)]);
}

/** One named mutation of `data`. Always returns a fresh Buffer, possibly longer than maxLength (see mutate). */
export function applyMutation(name: MutationName, data: Uint8Array, ctx: MutationContext): Buffer {
  const { rng } = ctx;
  const out = Buffer.from(data);
  const n = out.length;
  switch (name) {
    case "flip-bit":
      if (n > 0) out[below(rng, n)]! ^= 1 << below(rng, 8);
      return out;
    case "random-byte":
      if (n > 0) out[below(rng, n)] = below(rng, 256);
      return out;
    case "interesting-byte":
      if (n > 0) out[below(rng, n)] = INTERESTING[below(rng, INTERESTING.length)]!;
      return out;
    case "add-to-byte":
      if (n > 0) {
        const i = below(rng, n);
        out[i] = (out[i]! + below(rng, 71) - 35) & 0xff;
      }
      return out;
    case "insert-bytes": {
      const bytes = Buffer.alloc(1 + below(rng, 8));
      const fill = rng() < 0.5 ? below(rng, 256) : -1;
      for (let i = 0; i < bytes.length; i++) bytes[i] = fill >= 0 ? fill : below(rng, 256);
      return withInsert(out, below(rng, n + 1), bytes);
    }
    case "delete-range": {
      if (n === 0) return out;
      const at = below(rng, n);
      const len = 1 + below(rng, Math.min(16, n - at));
      return Buffer.concat([out.subarray(0, at), out.subarray(at + len)]);
    }
    case "duplicate-range": {
      if (n === 0) return out;
      const at = below(rng, n);
      const len = 1 + below(rng, Math.min(32, n - at));
      return withInsert(out, below(rng, n + 1), out.subarray(at, at + len));
    }
    case "insert-token":
    case "overwrite-token": {
      if (ctx.dictionary.length === 0) return applyMutation("insert-bytes", data, ctx);
      const token = ctx.dictionary[below(rng, ctx.dictionary.length)]!;
      const at = below(rng, n + 1);
      if (name === "insert-token") return withInsert(out, at, token);
      return Buffer.concat([out.subarray(0, at), token, out.subarray(Math.min(n, at + token.length))]);
    }
    case "splice": {
      if (ctx.corpus.length === 0) return applyMutation("duplicate-range", data, ctx);
      const other = ctx.corpus[below(rng, ctx.corpus.length)]!;
      return Buffer.concat([out.subarray(0, below(rng, n + 1)), other.subarray(below(rng, other.length + 1))]);
    }
  }
}

export const MUTATIONS: readonly MutationName[] = [
  "flip-bit",
  "random-byte",
  "interesting-byte",
  "add-to-byte",
  "insert-bytes",
  "delete-range",
  "duplicate-range",
  "insert-token",
  "overwrite-token",
  "splice",
];

/** A stack of 1 to 4 random mutations (a "havoc" step), cut to maxLength. */
export function mutate(data: Uint8Array, ctx: MutationContext): Buffer {
  let out: Buffer = Buffer.from(data);
  const steps = 1 + below(ctx.rng, 4);
  for (let i = 0; i < steps; i++) out = applyMutation(MUTATIONS[below(ctx.rng, MUTATIONS.length)]!, out, ctx);
  return out.length > ctx.maxLength ? out.subarray(0, ctx.maxLength) : out;
}

/** Random bytes of a random length up to maxLength (the baseline without feedback). */
export function randomInput(rng: Rng, maxLength: number): Buffer {
  const out = Buffer.alloc(below(rng, maxLength + 1));
  for (let i = 0; i < out.length; i++) out[i] = below(rng, 256);
  return out;
}
