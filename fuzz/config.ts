/**
 * Knobs shared by the fuzz properties (fuzz/properties.test.ts) and the
 * byte-level driver (fuzz/run.ts), all from the environment:
 *
 *   FUZZ_RUNS  runs per property (default: the property's small bounded
 *              count, a few thousand, so `make test` stays fast; properties
 *              with large inputs take a fraction of it);
 *   FUZZ_SEED  fast-check seed (default: a fixed seed, so `make test` is
 *              deterministic; "random" picks one and prints it);
 *   FUZZ_SLOW_MS  wall-clock budget of one parser call before it counts as
 *              a hang (default 1000 ms; the inputs are at most ~64 KB).
 */

const DEFAULT_SEED = 20_240_611;

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

/**
 * Runs for one property: FUZZ_RUNS if set, else the property's default. A
 * costly property (large inputs) takes FUZZ_RUNS / `costly` runs, never fewer
 * than its default.
 */
export function runs(defaultRuns: number, costly = 1): number {
  const asked = positiveInt("FUZZ_RUNS", process.env["FUZZ_RUNS"]);
  return asked === undefined ? defaultRuns : Math.max(defaultRuns, Math.ceil(asked / costly));
}

let chosenSeed: number | undefined;

/** The fast-check seed for this process (printed once when random). */
export function seed(): number {
  if (chosenSeed !== undefined) return chosenSeed;
  const text = process.env["FUZZ_SEED"];
  if (text === "random") {
    chosenSeed = (Date.now() ^ (process.pid << 16)) | 0;
    console.error(`fuzz: FUZZ_SEED=${chosenSeed}`);
  } else if (text !== undefined && text !== "") {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new Error(`FUZZ_SEED must be an integer or "random", got ${JSON.stringify(text)}`);
    chosenSeed = n | 0;
  } else {
    chosenSeed = DEFAULT_SEED;
  }
  return chosenSeed;
}

/** Milliseconds one parser call may take before it is reported as a hang. */
export function slowMs(): number {
  return positiveInt("FUZZ_SLOW_MS", process.env["FUZZ_SLOW_MS"]) ?? 1000;
}
