/**
 * Novelty bookkeeping of the coverage-guided driver over V8 precise block
 * coverage (the result of the inspector's Profiler.takePreciseCoverage):
 * a block is one (script, start offset, end offset) range that ran at least
 * once; an input is kept when it runs a block no earlier input ran. Pure:
 * plain data in, plain data out.
 */

/** The parts of the DevTools protocol's Profiler.ScriptCoverage the driver reads. */
export interface CoverageRange {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}
export interface FunctionCoverage {
  readonly functionName: string;
  readonly ranges: readonly CoverageRange[];
}
export interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly FunctionCoverage[];
}

/** Whether the driver counts blocks of a script (e.g. only the project's own dist/agent/). */
export type ScriptFilter = (url: string) => boolean;

/** The keys of the blocks that ran (count > 0) in the scripts the filter keeps. */
export function blocksRun(coverage: readonly ScriptCoverage[], keep: ScriptFilter): string[] {
  const keys: string[] = [];
  for (const script of coverage) {
    if (!keep(script.url)) continue;
    for (const fn of script.functions) {
      for (const r of fn.ranges) if (r.count > 0) keys.push(`${script.url}#${r.startOffset}-${r.endOffset}`);
    }
  }
  return keys;
}

/** The blocks seen so far, and what a new observation adds to them. */
export interface Novelty {
  readonly seen: ReadonlySet<string>;
}

export const emptyNovelty = (): Novelty => ({ seen: new Set() });

/** The keys in `keys` not in `novelty.seen` (each once). */
export function newBlocks(novelty: Novelty, keys: readonly string[]): string[] {
  const fresh = new Set<string>();
  for (const k of keys) if (!novelty.seen.has(k)) fresh.add(k);
  return [...fresh];
}

/** `novelty` with `keys` added (a new value; the old one is unchanged). */
export function withBlocks(novelty: Novelty, keys: readonly string[]): Novelty {
  if (keys.length === 0) return novelty;
  const seen = new Set(novelty.seen);
  for (const k of keys) seen.add(k);
  return { seen };
}

/** A filter for scripts under one of the given URL prefixes (file:///.../dist/agent/). */
export const underPrefixes =
  (prefixes: readonly string[]): ScriptFilter =>
  (url) =>
    prefixes.some((p) => url.startsWith(p));
