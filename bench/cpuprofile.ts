/**
 * Summarises a V8 .cpuprofile (node --cpu-prof, e.g. from
 * `scale.js --cpu-prof DIR`): the functions with the most self time and the
 * most inclusive time (self + callees, counted once per sample), with their
 * source location. Usage:
 *   node dist/bench/cpuprofile.js FILE.cpuprofile [--top 25] [--filter SUBSTRING] [--range FROM:TO]
 * --range keeps the samples between FROM and TO seconds after the profile's
 * start (negative: before its end), e.g. --range 6:-2 for a steady-state window.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface FunctionCost {
  readonly name: string;
  readonly selfMs: number;
  readonly totalMs: number;
}

function label(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, "$1/");
  const where = url === "" ? "" : ` ${url}:${frame.lineNumber + 1}`;
  return `${frame.functionName || "(anonymous)"}${where}`;
}

/** Seconds from the start (negative: from the end) to a sample time in µs; undefined: open end. */
export interface SampleRange {
  readonly fromS?: number;
  readonly toS?: number;
}

export function summarizeProfile(
  profile: Profile,
  range: SampleRange = {},
): { wallMs: number; sampledMs: number; functions: FunctionCost[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const edge = (s: number | undefined, open: number) =>
    s === undefined ? open : s >= 0 ? profile.startTime + s * 1e6 : profile.endTime + s * 1e6;
  const from = edge(range.fromS, -Infinity);
  const to = edge(range.toS, Infinity);
  let sampledMs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from || at > to) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    sampledMs += ms;
    const node = byId.get(id);
    if (node === undefined) return;
    const leaf = label(node.callFrame);
    self.set(leaf, (self.get(leaf) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!.callFrame);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + ms);
    }
  });
  const functions = [...total.keys()].map((name) => ({ name, selfMs: self.get(name) ?? 0, totalMs: total.get(name) ?? 0 }));
  const wallUs = Math.min(to, profile.endTime) - Math.max(from, profile.startTime);
  return { wallMs: wallUs / 1000, sampledMs, functions };
}

function main(): void {
  const argv = process.argv.slice(2);
  let top = 25;
  let filter: string | undefined;
  let range: SampleRange = {};
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--top") top = Number(argv[++i]);
    else if (argv[i] === "--filter") filter = argv[++i];
    else if (argv[i] === "--range") {
      const [a, b] = (argv[++i] ?? "").split(":");
      range = { ...(a ? { fromS: Number(a) } : {}), ...(b ? { toS: Number(b) } : {}) };
    } else files.push(argv[i]!);
  }
  if (files.length === 0) throw new Error("usage: cpuprofile.js FILE.cpuprofile [--top N] [--filter SUBSTRING] [--range FROM:TO]");
  for (const file of files) {
    const { wallMs, sampledMs, functions } = summarizeProfile(JSON.parse(readFileSync(file, "utf8")) as Profile, range);
    const idle = functions.find((f) => f.name.startsWith("(idle)"))?.selfMs ?? 0;
    const busy = sampledMs - idle;
    const pct = (ms: number) => `${((100 * ms) / Math.max(1, busy)).toFixed(1).padStart(5)} %`;
    process.stdout.write(
      `${file}\n  wall ${(wallMs / 1000).toFixed(1)} s, busy ${(busy / 1000).toFixed(2)} s (${((100 * busy) / wallMs).toFixed(1)} % of wall); shares below are of busy time\n`,
    );
    const shown = functions.filter((f) => !f.name.startsWith("(idle)") && (filter === undefined || f.name.includes(filter)));
    process.stdout.write("  self:\n");
    for (const f of [...shown].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)) process.stdout.write(`    ${pct(f.selfMs)}  ${f.name}\n`);
    process.stdout.write("  inclusive:\n");
    for (const f of [...shown].sort((a, b) => b.totalMs - a.totalMs).slice(0, top))
      process.stdout.write(`    ${pct(f.totalMs)}  ${f.name}\n`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
