/**
 * SVG plots of the benchmark results (bench/svg.ts, no dependencies). Reads
 * whichever of these exist in --dir (default bench/) and writes beside them:
 *
 *   results-scale.json     → scale-cpu-<interval>.svg (CPU % vs instances,
 *                            floatip vs keepalived, master and backup) and
 *                            scale-rss.svg
 *   results-stability.json → stability.svg (spurious transitions) and
 *                            stability-gaps.svg (largest master advert gap)
 *   results-failover.json  → failover.svg (every failover time, per setting)
 *
 * Usage: node dist/bench/plots.js [--dir bench]
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { FailoverResultsJson } from "./failover.js";
import type { ScaleCell, ScaleResults } from "./scale.js";
import type { StabilityResults } from "./stability.js";
import { summarize } from "./stats.js";
import { barChart, lineChart, stripChart, type Series } from "./svg.js";

const COLORS = { floatip: "#1f77b4", keepalived: "#d62728" } as const;
const IMPLS = ["floatip", "keepalived"] as const;
const interval = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);

export function scalePlots(results: ScaleResults): Record<string, string> {
  const out: Record<string, string> = {};
  const cells = results.cells;
  const counts = [...new Set(cells.map((c) => c.instances))].sort((a, b) => a - b);
  const intervals = [...new Set(cells.map((c) => c.intervalMs))].sort((a, b) => b - a);
  const find = (n: number, ms: number, impl: string, role: string): ScaleCell | undefined =>
    cells.find((c) => c.instances === n && c.intervalMs === ms && c.impl === impl && c.role === role);
  for (const ms of intervals) {
    const series: Series[] = [];
    for (const impl of IMPLS) {
      for (const role of ["master", "backup"] as const) {
        series.push({
          name: `${impl} ${role}`,
          color: COLORS[impl],
          dashed: role === "backup",
          values: counts.map((n) => {
            const c = find(n, ms, impl, role);
            return c === undefined || c.cpu.n === 0 ? undefined : c.cpu.median;
          }),
          hollow: counts.map((n) => (find(n, ms, impl, role)?.unsettled ?? 0) > 0),
        });
      }
    }
    out[`scale-cpu-${ms}ms.svg`] = lineChart({
      title: `CPU vs VRRP instances, ${interval(ms)} adverts (median of ${results.options.repeats}; hollow = election not settled)`,
      yLabel: "CPU % of one core",
      xLabel: "instances on one interface",
      categories: counts.map(String),
      series,
    });
  }
  const categories = counts.flatMap((n) => intervals.map((ms) => `${n} × ${interval(ms)}`));
  const rssSeries: Series[] = IMPLS.flatMap((impl) =>
    (["master", "backup"] as const).map((role) => ({
      name: `${impl} ${role}`,
      color: COLORS[impl],
      dashed: role === "backup",
      values: counts.flatMap((n) =>
        intervals.map((ms) => {
          const c = find(n, ms, impl, role);
          return c === undefined || c.rss.n === 0 ? undefined : c.rss.median;
        }),
      ),
    })),
  );
  out["scale-rss.svg"] = barChart({
    title: "RSS (VmRSS; keepalived: parent + VRRP child)",
    yLabel: "MiB",
    categories,
    series: rssSeries,
    reference: { value: 80, label: "target at 255 instances: 80 MiB" },
  });
  return out;
}

export function stabilityPlots(results: StabilityResults): Record<string, string> {
  const intervals = [...new Set(results.runs.map((r) => r.intervalMs))].sort((a, b) => a - b);
  const median = (impl: string, ms: number, f: (r: StabilityResults["runs"][number]) => number) => {
    const g = results.runs.filter((r) => r.impl === impl && r.intervalMs === ms);
    return g.length === 0 ? undefined : summarize(g.map(f)).median;
  };
  const secs = (results.options.durationMs / 1000).toFixed(0);
  return {
    "stability.svg": barChart({
      title: `Spurious backup → master transitions under CPU load (${secs} s per run)`,
      yLabel: "transitions (median over runs)",
      xLabel: "advert interval",
      categories: intervals.map((ms) => `${ms} ms`),
      series: IMPLS.map((impl) => ({
        name: impl,
        color: COLORS[impl],
        values: intervals.map((ms) => median(impl, ms, (r) => r.spurious)),
      })),
    }),
    "stability-gaps.svg": barChart({
      title: "Largest gap between the master's adverts under CPU load",
      yLabel: "ms (median over runs)",
      xLabel: "advert interval",
      categories: intervals.map((ms) => `${ms} ms`),
      series: IMPLS.map((impl) => ({
        name: impl,
        color: COLORS[impl],
        values: intervals.map((ms) => median(impl, ms, (r) => r.gaps.maxMs)),
      })),
    }),
  };
}

export function failoverPlots(results: FailoverResultsJson): Record<string, string> {
  return {
    "failover.svg": stripChart({
      title: `Failover time, floatip vs keepalived (${results.runs} runs each; box = quartiles, bar = median)`,
      yLabel: "ms from fault to VIP on the backup (log)",
      logY: true,
      groups: results.rows.map((r) => ({
        label: `v${r.version} ${interval(r.intervalMs)} ${r.fault}`,
        samples: IMPLS.map((impl) => ({ name: impl, color: COLORS[impl], values: r.samples[impl] })),
      })),
      width: Math.max(760, 130 * results.rows.length),
    }),
  };
}

function main(): void {
  let dir = "bench";
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--dir") dir = argv[++i] ?? dir;
    else throw new Error(`unknown option ${argv[i]}\nusage: plots.js [--dir DIR]`);
  }
  const read = <T>(name: string): T | undefined => {
    const file = join(dir, name);
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : undefined;
  };
  const files: Record<string, string> = {};
  const scale = read<ScaleResults>("results-scale.json");
  if (scale !== undefined) Object.assign(files, scalePlots(scale));
  const stability = read<StabilityResults>("results-stability.json");
  if (stability !== undefined) Object.assign(files, stabilityPlots(stability));
  const failover = read<FailoverResultsJson>("results-failover.json");
  if (failover !== undefined) Object.assign(files, failoverPlots(failover));
  for (const [name, svg] of Object.entries(files)) {
    writeFileSync(join(dir, name), svg);
    process.stdout.write(`wrote ${join(dir, name)}\n`);
  }
  if (Object.keys(files).length === 0) process.stdout.write(`no results-*.json in ${dir}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
