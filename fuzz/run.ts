/**
 * Byte-level fuzz driver for the targets in fuzz/targets/ (the stand-in for
 * Jazzer.js where it cannot run, see fuzz/README.md): fast-check generates
 * each target's input bytes, one worker thread per target, and a watchdog
 * saves the input a worker is stuck on. A throw from a parser or a broken
 * contract is shrunk by fast-check and saved under fuzz/findings/ as
 * new-<target>-<hash>.bin (+ .txt); inputs that hit an open finding
 * (fuzz/findings.ts) are counted, not saved, and fuzzing goes on.
 *
 *   node dist/fuzz/run.js [--runs N] [--targets decode-advert,keepalived-config,yaml-config] [--hang-seconds S]
 *
 * --runs defaults to FUZZ_RUNS, else 10000, per target; the seed is FUZZ_SEED.
 * Exit status 1 when there is a new finding.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { mkdirSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { runs as runsFromEnv, seed as seedFromEnv } from "./config.js";
import { openHits, tolerateOpen, type TargetName } from "./findings.js";

const TARGETS: readonly TargetName[] = ["decode-advert", "keepalived-config", "yaml-config"];
const MAX_FINDINGS_PER_TARGET = 5;
const INPUT_SLOT = 1 << 20; // largest input the watchdog can save

interface Job {
  readonly target: TargetName;
  readonly runs: number;
  readonly seed: number;
  readonly shared: SharedArrayBuffer;
}

type Message =
  | { readonly kind: "finding"; readonly data: Uint8Array; readonly error: string; readonly seed: number }
  | { readonly kind: "done"; readonly executed: number; readonly openHits: Record<string, number> };

// ---------------------------------------------------------------------------
// worker: run one target

async function work(job: Job): Promise<void> {
  const progress = new Int32Array(job.shared, 0, 2); // [inputs started, length of the current input or -1]
  const slot = new Uint8Array(job.shared, 8);
  const { targetInputs } = await import("./arbitraries.js");
  const { fuzz } = (await import(`./targets/${job.target}.js`)) as { fuzz: (data: Buffer) => void };
  const target = tolerateOpen(job.target, fuzz);
  const publish = (data: Buffer): void => {
    if (data.length <= slot.length) {
      slot.set(data);
      Atomics.store(progress, 1, data.length);
    } else {
      Atomics.store(progress, 1, -1);
    }
    Atomics.add(progress, 0, 1);
  };
  const property = fc.property(targetInputs[job.target], (data) => {
    publish(data);
    target(data);
  });
  let remaining = job.runs;
  let seed = job.seed;
  let executed = 0;
  let findings = 0;
  while (remaining > 0 && findings < MAX_FINDINGS_PER_TARGET) {
    const out = fc.check(property, { numRuns: remaining, seed });
    executed += out.numRuns;
    remaining -= out.numRuns;
    if (!out.failed) break;
    findings++;
    const data = out.counterexample?.[0];
    const error =
      out.errorInstance instanceof Error ? `${out.errorInstance.name}: ${out.errorInstance.message}` : String(out.errorInstance);
    if (data !== undefined) parentPort!.postMessage({ kind: "finding", data: Uint8Array.from(data), error, seed } satisfies Message);
    seed = (seed + 0x9e3779b9) | 0; // go on with fresh inputs
  }
  parentPort!.postMessage({ kind: "done", executed, openHits: Object.fromEntries(openHits) } satisfies Message);
}

// ---------------------------------------------------------------------------
// main: start the workers, watch them, save findings

const findingsDir = new URL("../../fuzz/findings/", import.meta.url);

function save(target: TargetName, data: Uint8Array, description: string): string {
  mkdirSync(findingsDir, { recursive: true });
  const name = `new-${target}-${createHash("sha1").update(data).digest("hex").slice(0, 10)}`;
  writeFileSync(new URL(`${name}.bin`, findingsDir), data);
  writeFileSync(new URL(`${name}.txt`, findingsDir), `${description}\n`);
  return `fuzz/findings/${name}.bin`;
}

interface Outcome {
  readonly target: TargetName;
  executed: number;
  readonly findings: string[];
  openHits: Record<string, number>;
  hung: boolean;
}

function runTarget(job: Job, hangSeconds: number): Promise<Outcome> {
  const outcome: Outcome = { target: job.target, executed: 0, findings: [], openHits: {}, hung: false };
  const progress = new Int32Array(job.shared, 0, 2);
  const slot = new Uint8Array(job.shared, 8);
  const worker = new Worker(new URL(import.meta.url), { workerData: job });
  return new Promise((resolve) => {
    let last = -1;
    let since = Date.now();
    const watchdog = setInterval(() => {
      const started = Atomics.load(progress, 0);
      if (started !== last) {
        last = started;
        since = Date.now();
        return;
      }
      if (Date.now() - since < hangSeconds * 1000) return;
      const length = Atomics.load(progress, 1);
      const input = length >= 0 ? slot.slice(0, length) : new Uint8Array();
      const where = save(
        job.target,
        input,
        `hang: no progress for ${hangSeconds} s on input #${started} (${length < 0 ? "too large to keep" : `${length} bytes`})`,
      );
      outcome.findings.push(`hang (> ${hangSeconds} s) on ${where}`);
      outcome.executed = started;
      outcome.hung = true;
      clearInterval(watchdog);
      void worker.terminate();
    }, 1000);
    worker.on("message", (m: Message) => {
      if (m.kind === "finding") {
        const where = save(job.target, m.data, `${m.error}\n(fast-check seed ${m.seed}, shrunk)`);
        outcome.findings.push(`${m.error.split("\n")[0]} -> ${where}`);
      } else {
        outcome.executed = m.executed;
        outcome.openHits = m.openHits;
      }
    });
    worker.on("error", (e) => {
      outcome.findings.push(`worker crashed: ${e instanceof Error ? e.stack : String(e)}`);
    });
    worker.on("exit", () => {
      clearInterval(watchdog);
      resolve(outcome);
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: "string" }, targets: { type: "string" }, "hang-seconds": { type: "string" } },
  });
  const runs = values.runs !== undefined ? Number(values.runs) : runsFromEnv(10_000);
  const hangSeconds = Number(values["hang-seconds"] ?? 30);
  const targets = (values.targets?.split(",") ?? TARGETS) as TargetName[];
  for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t}; known: ${TARGETS.join(", ")}`);
  if (!Number.isSafeInteger(runs) || runs <= 0 || !(hangSeconds > 0)) throw new Error("--runs and --hang-seconds must be positive");
  const seed = seedFromEnv();
  console.log(`fuzz: ${targets.length} target(s) × ${runs} inputs, seed ${seed}, hang after ${hangSeconds} s`);
  const start = Date.now();
  const jobs = targets.map((target, i): Job => ({ target, runs, seed: (seed + i) | 0, shared: new SharedArrayBuffer(8 + INPUT_SLOT) }));
  const ticker = setInterval(() => {
    const counts = jobs.map((j) => `${j.target} ${Atomics.load(new Int32Array(j.shared, 0, 1), 0)}`).join(", ");
    console.log(`fuzz: ${Math.round((Date.now() - start) / 1000)} s: ${counts}`);
  }, 60_000);
  const outcomes = await Promise.all(jobs.map((job) => runTarget(job, hangSeconds)));
  clearInterval(ticker);
  let total = 0;
  let found = 0;
  for (const o of outcomes) {
    total += o.executed;
    found += o.findings.length;
    const open = Object.entries(o.openHits)
      .map(([id, n]) => `${id}×${n}`)
      .join(" ");
    console.log(`  ${o.target}: ${o.executed} inputs, ${o.findings.length} new finding(s)${open ? `, open findings hit: ${open}` : ""}`);
    for (const f of o.findings) console.log(`    ${f}`);
  }
  console.log(`fuzz: ${total} inputs in ${((Date.now() - start) / 1000).toFixed(1)} s, ${found} new finding(s)`);
  if (found > 0) process.exitCode = 1;
}

if (isMainThread) {
  await main();
} else {
  await work(workerData as Job);
}
