/**
 * The coverage-guided loop: pick an input from the corpus, mutate it, run
 * the target, keep the input when it ran a block no earlier input ran. A
 * throw from the target (the target throws only for a parser throw, a
 * broken contract or a slow call, fuzz/contracts.ts) or a run longer than
 * `slowMs` is a finding. The target, the coverage and the clock are
 * injected (fuzz/coverage/session.ts is the real coverage), so the loop
 * runs the same with fakes.
 */
import { createHash } from "node:crypto";
import { below, mutate, randomInput, type Rng } from "./mutate.js";
import { blocksRun, emptyNovelty, newBlocks, withBlocks, type Novelty, type ScriptCoverage, type ScriptFilter } from "./novelty.js";

export interface LoopFinding {
  readonly kind: "crash" | "slow";
  readonly data: Uint8Array;
  /** First line of the error, or the time taken. */
  readonly error: string;
}

export interface LoopOptions {
  readonly target: (data: Buffer) => void;
  readonly takeCoverage: () => readonly ScriptCoverage[];
  readonly keep: ScriptFilter;
  readonly seeds: readonly Uint8Array[];
  readonly dictionary: readonly Uint8Array[];
  readonly rng: Rng;
  readonly now: () => number;
  /** Inputs to run after the seeds. */
  readonly runs: number;
  /** Stop at this time (of `now`) even if runs remain. */
  readonly deadline: number;
  readonly maxLength: number;
  /** A run longer than this (ms) is a "slow" finding. */
  readonly slowMs: number;
  /**
   * "guided" (default) is the coverage-guided loop; the baselines keep no
   * input: "blind" mutates the seeds only, "random" feeds random bytes.
   */
  readonly strategy?: "guided" | "blind" | "random";
  /** Stop after this many distinct findings. */
  readonly maxFindings?: number;
}

export interface LoopResult {
  readonly executed: number;
  readonly corpus: readonly Uint8Array[];
  readonly seedCount: number;
  readonly blocks: number;
  readonly findings: readonly LoopFinding[];
  readonly ms: number;
}

const firstLine = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).split("\n")[0]!;

/** The error message without numbers, so one bug found through many inputs counts once. */
export const findingSignature = (f: LoopFinding): string => `${f.kind}:${f.error.replace(/\d+/g, "N").slice(0, 120)}`;

export function runLoop(o: LoopOptions): LoopResult {
  const start = o.now();
  const corpus: Uint8Array[] = [];
  const known = new Set<string>();
  const findings: LoopFinding[] = [];
  const signatures = new Set<string>();
  let novelty: Novelty = emptyNovelty();
  let executed = 0;
  o.takeCoverage(); // drop what ran before the loop

  const execute = (data: Buffer): boolean => {
    const t0 = o.now();
    let error: unknown;
    let threw = false;
    try {
      o.target(data);
    } catch (e) {
      threw = true;
      error = e;
    }
    const ms = o.now() - t0;
    executed++;
    const fresh = newBlocks(novelty, blocksRun(o.takeCoverage(), o.keep));
    novelty = withBlocks(novelty, fresh);
    const finding: LoopFinding | undefined = threw
      ? { kind: "crash", data, error: firstLine(error) }
      : ms > o.slowMs
        ? { kind: "slow", data, error: `took ${Math.round(ms)} ms (bound ${o.slowMs} ms)` }
        : undefined;
    if (finding !== undefined) {
      const sig = findingSignature(finding);
      if (!signatures.has(sig)) {
        signatures.add(sig);
        findings.push(finding);
      }
      return false;
    }
    if (fresh.length === 0 || (o.strategy ?? "guided") !== "guided") return false;
    const hash = createHash("sha1").update(data).digest("hex");
    if (known.has(hash)) return false;
    known.add(hash);
    corpus.push(data);
    return true;
  };

  for (const seed of o.seeds) {
    // Seeds stay even when they add nothing, each once.
    const hash = createHash("sha1").update(seed).digest("hex");
    if (known.has(hash) || execute(Buffer.from(seed))) continue;
    known.add(hash);
    corpus.push(seed);
  }
  const seedCount = corpus.length;
  if (corpus.length === 0) corpus.push(Buffer.alloc(0));
  const maxFindings = o.maxFindings ?? 5;
  for (let i = 0; i < o.runs && findings.length < maxFindings && o.now() < o.deadline; i++) {
    const input =
      o.strategy === "random"
        ? randomInput(o.rng, o.maxLength)
        : mutate(corpus[below(o.rng, corpus.length)]!, { rng: o.rng, corpus, dictionary: o.dictionary, maxLength: o.maxLength });
    execute(input);
  }
  return { executed, corpus, seedCount, blocks: novelty.seen.size, findings, ms: o.now() - start };
}
