/**
 * Coverage-guided fuzz driver without native code (the stand-in for
 * Jazzer.js, fuzz/README.md): V8 precise block coverage through
 * node:inspector tells which blocks of dist/agent/ an input ran; inputs that
 * run new blocks join the corpus and are mutated further
 * (fuzz/coverage/loop.ts). Runs the targets of fuzz/targets/ one after the
 * other in this thread.
 *
 *   node dist/fuzz/coverage.js [--runs N] [--seconds S] [--targets a,b] [--save-corpus]
 *
 * --runs: inputs per target (default FUZZ_COVERAGE_RUNS, else 20000);
 * --seconds: time per target (default FUZZ_COVERAGE_SECONDS, else 60);
 * the seed is FUZZ_SEED, the slow bound FUZZ_SLOW_MS (fuzz/config.ts).
 * The corpus starts from fuzz/corpus/<target>/ when it exists, plus the
 * seeds of fuzz/coverage/seeds.ts; --save-corpus writes the grown corpus
 * there. A finding is saved as fuzz/findings/new-<target>-<hash>.bin (+ .txt),
 * and the exit status is then 1.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { seed as seedFromEnv, slowMs } from "./config.js";
import { tolerateOpen, type TargetName } from "./findings.js";
import { runLoop } from "./coverage/loop.js";
import { seededRng } from "./coverage/mutate.js";
import { underPrefixes } from "./coverage/novelty.js";
import { targetSeeds } from "./coverage/seeds.js";
import { startCoverage } from "./coverage/session.js";

const TARGETS: readonly TargetName[] = ["decode-advert", "keepalived-config", "yaml-config"];
const MAX_LENGTH: Record<TargetName, number> = { "decode-advert": 512, "keepalived-config": 4096, "yaml-config": 4096 };
const root = new URL("../../", import.meta.url);
const corpusDir = (t: TargetName): URL => new URL(`fuzz/corpus/${t}/`, root);
const findingsDir = new URL("fuzz/findings/", root);

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!(Number.isFinite(n) && n > 0)) throw new Error(`${name} must be a positive number, got ${JSON.stringify(text)}`);
  return n;
}

function loadCorpus(t: TargetName): Uint8Array[] {
  const dir = corpusDir(t);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => readFileSync(new URL(f, dir)));
}

const sha = (data: Uint8Array): string => createHash("sha1").update(data).digest("hex").slice(0, 10);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: "string" }, seconds: { type: "string" }, targets: { type: "string" }, "save-corpus": { type: "boolean" } },
  });
  const runs = Math.floor(positive("--runs", values.runs ?? process.env["FUZZ_COVERAGE_RUNS"], 20_000));
  const seconds = positive("--seconds", values.seconds ?? process.env["FUZZ_COVERAGE_SECONDS"], 60);
  const targets = (values.targets?.split(",") ?? TARGETS) as TargetName[];
  for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t}; known: ${TARGETS.join(", ")}`);
  const seed = seedFromEnv();
  const keep = underPrefixes([new URL("dist/agent/", root).href]);
  console.log(`fuzz coverage: ${targets.length} target(s), up to ${runs} inputs or ${seconds} s each, seed ${seed}`);
  const coverage = startCoverage();
  let found = 0;
  try {
    for (const [i, t] of targets.entries()) {
      const { fuzz } = (await import(`./targets/${t}.js`)) as { fuzz: (data: Buffer) => void };
      const { seeds, dictionary } = targetSeeds(t);
      const now = (): number => performance.now();
      const r = runLoop({
        target: tolerateOpen(t, fuzz),
        takeCoverage: coverage.take,
        keep,
        seeds: [...loadCorpus(t), ...seeds],
        dictionary,
        rng: seededRng((seed + i) | 0),
        now,
        runs,
        deadline: now() + seconds * 1000,
        maxLength: MAX_LENGTH[t],
        slowMs: slowMs(),
      });
      const rate = Math.round(r.executed / (r.ms / 1000));
      console.log(
        `  ${t}: ${r.executed} inputs in ${(r.ms / 1000).toFixed(1)} s (${rate}/s), corpus ${r.seedCount} -> ${r.corpus.length}, ${r.blocks} blocks, ${r.findings.length} finding(s)`,
      );
      for (const f of r.findings) {
        mkdirSync(findingsDir, { recursive: true });
        const name = `new-${t}-${sha(f.data)}`;
        writeFileSync(new URL(`${name}.bin`, findingsDir), f.data);
        writeFileSync(new URL(`${name}.txt`, findingsDir), `${f.kind}: ${f.error}\n(coverage-guided driver, seed ${seed})\n`);
        console.log(`    ${f.kind}: ${f.error} -> fuzz/findings/${name}.bin`);
        found++;
      }
      if (values["save-corpus"]) {
        mkdirSync(corpusDir(t), { recursive: true });
        for (const data of r.corpus) writeFileSync(new URL(sha(data), corpusDir(t)), data);
      }
    }
  } finally {
    coverage.stop();
  }
  if (found > 0) process.exitCode = 1;
}

await main();
