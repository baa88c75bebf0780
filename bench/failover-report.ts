/**
 * The failover benchmark's report: its rows, the Markdown table and notes,
 * the JSON it writes, and merging cells that were run one at a time.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { execFileSync, spawnSync } from "node:child_process";
import { SETTLE, type SettleOutcome } from "./settle.js";
import { summarize, type Summary } from "./stats.js";

export type Impl = "floatip" | "keepalived";
export type Fault = "node-loss" | "handover" | "tracked-interface";

export interface Setting {
  readonly intervalMs: number;
  readonly version: 2 | 3;
}

export interface Row {
  readonly setting: Setting;
  readonly fault: Fault;
  readonly floorMs: number;
  readonly results: Record<Impl, Summary>;
  readonly samples?: Record<Impl, number[]>;
  /** Node loss: from the master's last advert to the VIP on the backup (floor: MDI). */
  readonly sinceLastAdvert?: Record<Impl, Summary>;
  /** Tracked interface loss: from before the `ip` command that causes it (the method before 2026-12-06 evening). */
  readonly fromCommand?: Record<Impl, Summary>;
  /** Tracked interface loss with --split: from the kernel's link event to the priority-0 advert on the bridge. */
  readonly toAdvert?: Record<Impl, Summary>;
  /** How long the speakers took to settle before the fault, and how many runs gave up waiting. */
  readonly settle?: Record<Impl, { readonly medianMs: number; readonly timedOut: number }>;
}

/** What --json writes. */
export interface FailoverResultsJson {
  readonly date: string;
  readonly machine: string;
  readonly runs: number;
  /** Faults injected once the speakers settled (absent in files written before 2026-12-06 evening: false). */
  readonly settleFirst?: boolean;
  readonly rows: readonly {
    readonly intervalMs: number;
    readonly version: 2 | 3;
    readonly fault: Fault;
    readonly floorMs: number;
    readonly results: Record<Impl, Summary>;
    /** Milliseconds from the fault to the VIP on the new master, in run order. */
    readonly samples: Record<Impl, number[]>;
    /** Node loss: from the master's last advert before the fault to the VIP on the new master. */
    readonly sinceLastAdvert?: Record<Impl, Summary>;
    /** Tracked interface loss: from before the `ip` command (samples are from the kernel's link event). */
    readonly fromCommand?: Record<Impl, Summary>;
    readonly toAdvert?: Record<Impl, Summary>;
    readonly settle?: Record<Impl, { readonly medianMs: number; readonly timedOut: number }>;
  }[];
}

export function settleSummary(outcomes: readonly SettleOutcome[]): { medianMs: number; timedOut: number } {
  return {
    medianMs: Math.round(summarize(outcomes.map((o) => o.afterMs)).median),
    timedOut: outcomes.filter((o) => o.kind === "timed-out").length,
  };
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const kernel = execFileSync("uname", ["-r"]).toString().trim();
  const ka = spawnSync("keepalived", ["--version"], { encoding: "utf8" }).stderr ?? "";
  return `${cpus().length} × ${cpu}, Linux ${kernel}, Node ${process.version}, ${ka.split("\n")[0] || "keepalived"}`;
}

function sinceLast(r: Row): string {
  const s = r.sinceLastAdvert ?? r.fromCommand;
  if (s === undefined) return "";
  return `${s.floatip.median.toFixed(1)} / ${s.keepalived.median.toFixed(1)}, ${(s.floatip.median / s.keepalived.median).toFixed(3)}`;
}

export function table(rows: readonly Row[], runs: number, settleFirst: boolean): string {
  const fmt = (n: number) => n.toFixed(1);
  const lines = [
    `| adverts | fault | protocol floor (ms) | floatip median / p95 (ms) | keepalived median / p95 (ms) | ratio floatip/keepalived (median) | node loss from the master's last advert, tracked interface loss from before the ip command: floatip / keepalived median (ms), ratio |`,
    `|---|---|---|---|---|---|---|`,
  ];
  for (const r of rows) {
    const f = r.results.floatip;
    const k = r.results.keepalived;
    lines.push(
      `| v${r.setting.version} ${r.setting.intervalMs} ms | ${r.fault} | ${fmt(r.floorMs)} | ${fmt(f.median)} / ${fmt(f.p95)} | ${fmt(k.median)} / ${fmt(k.p95)} | ${(f.median / k.median).toFixed(3)} | ${sinceLast(r)} |`,
    );
  }
  lines.push(
    "",
    `${runs} runs per cell; floor = Master_Down_Interval of the backup (node loss, an upper bound: the last advert's phase shortens it) or its Skew_Time (handover, tracked interface loss). ` +
      "Node losses fall at phases spread evenly over the advert interval after a master advert (the same for both implementations; the port goes down a few ms later, when the ip command has run). " +
      "The last column times node loss from the master's last advert that crossed the lab bridge (tcpdump), so where in the interval the fault fell does not matter; its floor is Master_Down_Interval. " +
      "A tracked interface loss is timed from the kernel's announcement of up0's carrier loss (`ip -ts monitor link` in the master's namespace) or, where tcpdump ran (`--split`) and saw it earlier, from the master's priority-0 advert on the bridge (the monitor is a process woken with the speakers and can print after the advert the event caused); the last column times it from before the `ip` command that sets up0's peer down, as earlier runs did. " +
      (settleFirst
        ? `Each fault is injected once the elected pair has settled: their summed CPU over a ${SETTLE.windowMs} ms window at or below ${SETTLE.maxPercent} % of a core (bench/settle.ts, the same rule for both implementations).`
        : "Faults are injected as soon as the election has settled (`--settle off`)."),
  );
  return lines.join("\n");
}

/** One results file from cells run separately (the same runs and method each). */
export function mergeCells(files: readonly string[], out: string, json: string | undefined): void {
  const cells = files.map((f) => JSON.parse(readFileSync(f, "utf8")) as FailoverResultsJson);
  const first = cells[0]!;
  if (cells.some((c) => c.runs !== first.runs || (c.settleFirst ?? false) !== (first.settleFirst ?? false))) {
    throw new Error("--merge: the cells differ in --runs or --settle");
  }
  const rows: Row[] = cells.flatMap((c) => c.rows.map((r) => ({ ...r, setting: { intervalMs: r.intervalMs, version: r.version } })));
  const when = cells.map((c) => c.date).sort();
  const text =
    `# Failover: floatip vs keepalived\n\n${when[0]} to ${when.at(-1)} on ${first.machine} ` +
    `(${cells.length} cells run one at a time under the lab lock, merged)\n\n${table(rows, first.runs, first.settleFirst ?? false)}\n`;
  writeFileSync(out, text);
  if (json !== undefined)
    writeFileSync(json, JSON.stringify({ ...first, date: when.at(-1)!, rows: cells.flatMap((c) => c.rows) }, null, 1) + "\n");
  process.stdout.write(text);
}
