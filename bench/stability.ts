/**
 * Timer stability under CPU load: floatip against keepalived at 10 ms and
 * 50 ms adverts (VRRPv3) while a CPU hog keeps every core busy, on the same
 * namespace lab in the same run.
 *
 * Two nodes, one instance (VRID 51, VIP 192.0.2.5/32): n2 master (priority
 * 150), n1 backup (100). Once the election has settled the hog starts
 * (`stress-ng --cpu N`, or N bounded busy-loops in node children when
 * stress-ng is missing) and the pair runs for --duration seconds. Counted on
 * the backup, while the master is alive the whole time:
 *
 *   spurious transitions  the backup declaring itself master: floatip's JSON
 *                         log `"msg":"backup -> master"`, keepalived's
 *                         "Entering MASTER STATE";
 *   VIP events            the VIP added on the backup (kernel address events);
 *   advert gaps           gaps between the master's adverts as captured by
 *                         tcpdump on the backup (kernel timestamps): the
 *                         largest, the 99.9th percentile, and how many exceed
 *                         3 intervals (a backup's Master_Down_Interval is
 *                         3 intervals + Skew_Time).
 *
 * Usage:
 *   node dist/bench/stability.js [--duration 300] [--intervals 10,50]
 *     [--repeats 1] [--hog stress-ng|node|none] [--hog-workers 2]
 *     [--impls floatip,keepalived] [--out bench/results-stability.md]
 *     [--json bench/results-stability.json]
 */
import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createLab, type Lab } from "../test/lab/netns.js";
import { AddressWatch, Scratch, keepalivedConf, startAgent, startKeepalived, stopSpeaker, type Speaker } from "../test/lab/vrrp-lab.js";
import { IMPLS, benchScratch, machine, numberList, removeVips, sleep, tcpdumpLines, waitSettled, type Impl } from "./multi.js";
import { cpuPercent, processTree, sample } from "./procstat.js";
import { percentile, summarize, type Summary } from "./stats.js";

const VIP = "192.0.2.5";
/** RFC 5798 §6.1: 3 × Master_Adver_Interval + Skew_Time, Skew_Time = ((256 − priority) × interval) / 256. */
export const masterDownMs = (intervalMs: number, priority: number) => 3 * intervalMs + ((256 - priority) * intervalMs) / 256;
const VRID = 51;
const MASTER_PRIORITY = 150;
const BACKUP_PRIORITY = 100;

export type HogKind = "stress-ng" | "node" | "none";

export interface StabilityOptions {
  readonly durationMs: number;
  readonly intervals: readonly number[];
  readonly repeats: number;
  readonly hog: HogKind;
  readonly hogWorkers: number;
  readonly impls: readonly Impl[];
  readonly out: string;
  readonly json: string | undefined;
}

export interface GapStats {
  /** Adverts from the master captured on the backup during the window. */
  readonly adverts: number;
  readonly maxMs: number;
  readonly p999Ms: number;
  /** Gaps longer than 3 advert intervals. */
  readonly over3: number;
  /** Gaps longer than the backup's Master_Down_Interval (3 intervals + Skew_Time): a backup must take over then. */
  readonly overMasterDown: number;
}

export interface StabilityRun {
  readonly intervalMs: number;
  readonly impl: Impl;
  readonly repeat: number;
  readonly hog: HogKind;
  readonly durationMs: number;
  /** Backup → master transitions the backup logged during the window. */
  readonly spurious: number;
  /** Times the VIP was added on the backup during the window (kernel events). */
  readonly vipOnBackup: number;
  /** Times the VIP was removed from the master during the window. */
  readonly vipOffMaster: number;
  /** Adverts the backup itself sent during the window (it only sends as master). */
  readonly backupAdverts: number;
  readonly gaps: GapStats;
  readonly masterCpu: number;
  readonly backupCpu: number;
  /** CPU % of the hog (all its processes; 100 per busy core). */
  readonly hogCpu: number;
  /** The master still held the VIP and the backup did not, at the end. */
  readonly heldAtEnd: boolean;
}

export interface StabilityResults {
  readonly date: string;
  readonly machine: string;
  readonly options: Omit<StabilityOptions, "out" | "json">;
  readonly runs: readonly StabilityRun[];
}

function parseArgs(argv: readonly string[]): StabilityOptions {
  let durationMs = 300_000;
  let intervals = [10, 50];
  let repeats = 1;
  let hog: HogKind | undefined;
  let hogWorkers = cpus().length;
  let impls: Impl[] = [...IMPLS];
  let out = "bench/results-stability.md";
  let json: string | undefined = "bench/results-stability.json";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--duration") durationMs = Number(next()) * 1000;
    else if (arg === "--intervals") intervals = numberList(next(), arg);
    else if (arg === "--repeats") repeats = Number(next());
    else if (arg === "--hog") hog = next() as HogKind;
    else if (arg === "--hog-workers") hogWorkers = Number(next());
    else if (arg === "--out") out = next();
    else if (arg === "--json") json = next() || undefined;
    else if (arg === "--impls") {
      impls = next().split(",") as Impl[];
      if (impls.length === 0 || impls.some((x) => !IMPLS.includes(x))) throw new Error(`--impls: floatip and/or keepalived`);
    } else
      throw new Error(
        `unknown option ${arg}\nusage: stability.js [--duration S] [--intervals 10,50] [--repeats N] [--hog stress-ng|node|none] [--hog-workers N] [--impls floatip,keepalived] [--out FILE] [--json FILE]`,
      );
  }
  if (!(durationMs >= 1000 && durationMs <= 3_600_000)) throw new Error("--duration: 1..3600 seconds");
  if (intervals.some((ms) => ms < 10 || ms % 10 !== 0)) throw new Error("--intervals: milliseconds, multiples of 10 (VRRPv3)");
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20) throw new Error("--repeats: 1..20");
  if (!Number.isInteger(hogWorkers) || hogWorkers < 1 || hogWorkers > 64) throw new Error("--hog-workers: 1..64");
  if (hog === undefined) hog = spawnSync("stress-ng", ["--version"]).status === 0 ? "stress-ng" : "node";
  if (!["stress-ng", "node", "none"].includes(hog)) throw new Error("--hog: stress-ng, node or none");
  return { durationMs, intervals, repeats, hog, hogWorkers, impls, out, json };
}

/** The CPU hog: started in the lab (killed by pid on destroy) and bounded in time by itself too. */
function startHog(lab: Lab, kind: HogKind, workers: number, ms: number): ChildProcess[] {
  const seconds = Math.ceil(ms / 1000);
  if (kind === "none") return [];
  if (kind === "stress-ng") {
    return [
      lab.spawnIn(lab.switchNs, ["stress-ng", "--cpu", String(workers), "--cpu-method", "all", "--timeout", `${seconds}s`, "--quiet"], {
        stdio: "ignore",
      }),
    ];
  }
  const loop = `const end = Date.now() + ${seconds * 1000}; let x = 0; while (Date.now() < end) x = (x + 1) % 1e9;`;
  return Array.from({ length: workers }, () => lab.spawnIn(lab.switchNs, [process.execPath, "-e", loop], { stdio: "ignore" }));
}

/** Master adverts seen by tcpdump on the backup: kernel timestamps (seconds) by source address. */
class AdvertCapture {
  readonly times = new Map<string, number[]>();
  private child: ChildProcess | undefined;

  async start(lab: Lab, ns: string, ifname: string): Promise<void> {
    const child = tcpdumpLines(lab, ns, ["-i", ifname, "-n", "-tt", "-l", "-p", "-B", "4096", "ip proto 112"], (line) => {
      const m = /^(\d+\.\d+) IP (\S+) > \S+: VRRP/.exec(line);
      if (m === null) return;
      const list = this.times.get(m[2]!) ?? [];
      list.push(Number(m[1]));
      this.times.set(m[2]!, list);
    });
    this.child = child;
    // tcpdump prints "listening on ..." on stderr once it captures.
    await lab
      .waitFor(() => (child.stderr?.readableLength ?? 0) > 0 || child.exitCode !== null || undefined, 5000, "tcpdump to start")
      .catch(() => undefined);
    await sleep(200);
  }

  async stop(lab: Lab): Promise<void> {
    if (this.child !== undefined) await lab.kill(this.child, "SIGINT");
  }

  count(source: string, fromMs: number, toMs: number): number {
    return (this.times.get(source) ?? []).filter((t) => t * 1000 >= fromMs && t * 1000 <= toMs).length;
  }

  gaps(source: string, fromMs: number, toMs: number, intervalMs: number, masterDownMs: number): GapStats {
    const times = (this.times.get(source) ?? []).filter((t) => t * 1000 >= fromMs && t * 1000 <= toMs);
    const gaps: number[] = [];
    for (let i = 1; i < times.length; i++) gaps.push((times[i]! - times[i - 1]!) * 1000);
    // A window with no advert at all is one long gap.
    if (times.length === 0) gaps.push(toMs - fromMs);
    const sorted = gaps.sort((a, b) => a - b);
    return {
      adverts: times.length,
      maxMs: sorted[sorted.length - 1] ?? 0,
      p999Ms: percentile(sorted, 99.9),
      over3: gaps.filter((g) => g > 3 * intervalMs).length,
      overMasterDown: gaps.filter((g) => g > masterDownMs).length,
    };
  }
}

/** Lines of `text` that record the backup becoming master. */
export function countBecameMaster(impl: Impl, text: string): number {
  let n = 0;
  for (const line of text.split("\n")) {
    if (impl === "keepalived") {
      if (/Entering MASTER STATE/.test(line)) n++;
    } else if (line.includes('"msg":"backup -> master"')) n++;
  }
  return n;
}

class StabilityBench {
  private readonly watch: AddressWatch;
  constructor(
    private readonly lab: Lab,
    private readonly scratch: Scratch,
    private readonly options: StabilityOptions,
  ) {
    this.watch = new AddressWatch(lab);
  }

  start(): Promise<void> {
    return this.watch.start(this.lab.nodes);
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }

  private speaker(impl: Impl, index: number, intervalMs: number, priority: number): Speaker {
    const host = this.lab.nodes[index]!;
    if (impl === "keepalived") {
      const conf = keepalivedConf({
        ifname: host.ifname,
        vrid: VRID,
        priority,
        version: 3,
        advertInt: String(intervalMs / 1000),
        vips: [`${VIP}/32`],
      });
      return startKeepalived({ lab: this.lab, host, scratch: this.scratch, conf });
    }
    const config = {
      instances: [
        {
          name: "bench",
          interface: host.ifname,
          virtualRouterID: VRID,
          version: 3,
          priority,
          advertisementInterval: `${intervalMs}ms`,
          addresses: [`${VIP}/32`],
          garp: { repeat: 1, delay: 0 },
        },
      ],
    };
    return startAgent({ lab: this.lab, host, scratch: this.scratch, config, extraArgs: ["--log-level", "info"] });
  }

  async once(impl: Impl, intervalMs: number, repeat: number): Promise<StabilityRun> {
    const [n1, n2] = [this.lab.nodes[0]!, this.lab.nodes[1]!];
    const { durationMs, hog, hogWorkers } = this.options;
    const backup = this.speaker(impl, 0, intervalMs, BACKUP_PRIORITY);
    const master = this.speaker(impl, 1, intervalMs, MASTER_PRIORITY);
    const capture = new AdvertCapture();
    let hogs: ChildProcess[] = [];
    try {
      await waitSettled(this.lab, [VIP], n2.name, Math.max(30 * intervalMs, 1000), 30_000);
      await capture.start(this.lab, n1.ns, n1.ifname);
      const trees = [master, backup].map((sp) => processTree(sp.child.pid ?? -1));
      hogs = startHog(this.lab, hog, hogWorkers, durationMs + 5000);
      await sleep(500); // let the hog spin up before the window opens
      const hogTree = hogs.flatMap((h) => processTree(h.pid ?? -1));
      const logFrom = backup.output().length;
      const t0 = Date.now();
      const p0 = performance.now();
      const before = [...trees.map(sample), sample(hogTree)];
      // Bounded wait in 1 s steps; stop early if a speaker dies.
      while (performance.now() - p0 < durationMs) {
        await sleep(Math.min(1000, durationMs - (performance.now() - p0)));
        for (const sp of [master, backup]) {
          if (sp.child.exitCode !== null || sp.child.signalCode !== null)
            throw new Error(`${impl} on ${sp.host.name} exited:\n${sp.output().slice(-2000)}`);
        }
      }
      const after = [...trees.map(sample), sample(hogTree)];
      const wallMs = performance.now() - p0;
      const t1 = Date.now();
      await Promise.all(hogs.map((h) => this.lab.kill(h)));
      await sleep(Math.max(200, 5 * intervalMs)); // let the election calm down before checking who holds the VIP
      const held = await Promise.all(
        this.lab.nodes.map(async (h) => (await this.lab.addresses(h.ns, h.ifname)).some((a) => a.address === VIP)),
      );
      await sleep(100); // the last packets reach tcpdump
      const events = this.watch.events.filter((e) => e.address === VIP && e.at >= t0 && e.at <= t1);
      return {
        intervalMs,
        impl,
        repeat,
        hog,
        durationMs: wallMs,
        spurious: countBecameMaster(impl, backup.output().slice(logFrom)),
        vipOnBackup: events.filter((e) => e.host === n1.name && e.added).length,
        vipOffMaster: events.filter((e) => e.host === n2.name && !e.added).length,
        backupAdverts: capture.count(n1.ipv4, t0, t1),
        gaps: capture.gaps(n2.ipv4, t0, t1, intervalMs, masterDownMs(intervalMs, BACKUP_PRIORITY)),
        masterCpu: cpuPercent(before[0]!, after[0]!, wallMs),
        backupCpu: cpuPercent(before[1]!, after[1]!, wallMs),
        hogCpu: cpuPercent(before[2]!, after[2]!, wallMs),
        heldAtEnd: held[1] === true && held[0] === false,
      };
    } finally {
      await Promise.all(hogs.map((h) => this.lab.kill(h, "SIGKILL")));
      await capture.stop(this.lab);
      await Promise.all([master, backup].map((sp) => stopSpeaker(this.lab, sp, "SIGKILL")));
      await removeVips(this.lab, this.scratch, [VIP]);
      this.watch.events.length = 0;
    }
  }
}

const fmt = (s: Summary, digits = 0) =>
  s.n > 1 ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : s.median.toFixed(digits);

export function stabilityTable(runs: readonly StabilityRun[]): string {
  const lines = [
    "| adverts | impl | runs × s | spurious backup→master (log) median (min–max) | VIP added on backup | VIP removed from master | adverts sent by backup | master advert gap max / p99.9 (ms) | gaps > 3 intervals | gaps > Master_Down_Interval | spurious without such a gap (backup late) | CPU % master / backup | hog CPU % |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const keys = [...new Set(runs.map((r) => `${r.intervalMs}/${r.impl}`))];
  for (const key of keys) {
    const g = runs.filter((r) => `${r.intervalMs}/${r.impl}` === key);
    const r0 = g[0]!;
    const s = (f: (r: StabilityRun) => number) => summarize(g.map(f));
    lines.push(
      `| ${r0.intervalMs} ms | ${r0.impl} | ${g.length} × ${(r0.durationMs / 1000).toFixed(0)} | **${fmt(s((r) => r.spurious))}** | ${fmt(s((r) => r.vipOnBackup))} | ${fmt(s((r) => r.vipOffMaster))} | ${fmt(s((r) => r.backupAdverts))} | ` +
        `${fmt(
          s((r) => r.gaps.maxMs),
          1,
        )} / ${fmt(
          s((r) => r.gaps.p999Ms),
          1,
        )} | ${fmt(s((r) => r.gaps.over3))} | ${fmt(s((r) => r.gaps.overMasterDown))} | ${fmt(s((r) => Math.max(0, r.spurious - r.gaps.overMasterDown)))} | ${fmt(
          s((r) => r.masterCpu),
          1,
        )} / ${fmt(
          s((r) => r.backupCpu),
          1,
        )} | ${fmt(s((r) => r.hogCpu))} |`,
    );
  }
  return lines.join("\n");
}

function report(results: StabilityResults): string {
  const o = results.options;
  const hog =
    o.hog === "stress-ng"
      ? `\`stress-ng --cpu ${o.hogWorkers} --cpu-method all\``
      : o.hog === "node"
        ? `${o.hogWorkers} busy-looping node processes`
        : "no CPU hog";
  const lost = results.runs.filter((r) => !r.heldAtEnd);
  return [
    "# Timer stability under CPU load: floatip vs keepalived",
    "",
    `${results.date} on ${results.machine}`,
    "",
    `Two nodes, one VRRPv3 instance; n2 master (priority 150), n1 backup (100), both at default scheduling priority, with ${hog} running for the whole window (started after the election settled). ` +
      `Spurious transitions are the backup declaring itself master while the master runs: floatip's \`"msg":"backup -> master"\` log lines, keepalived's "Entering MASTER STATE". ` +
      `VIP events come from the kernel (ip monitor). Advert gaps are between the master's adverts as tcpdump on the backup saw them (kernel timestamps); ` +
      `a backup's Master_Down_Interval is 3 intervals + Skew_Time (3.61 intervals at priority 100), so a gap longer than that makes a takeover correct by the protocol (the master was late); ` +
      `a spurious transition without such a gap means the backup itself ran late (its timer fired before it read an advert that had arrived).`,
    "",
    stabilityTable(results.runs),
    "",
    lost.length === 0
      ? "At the end of every run the master held the VIP and the backup did not."
      : lost.map((r) => `- ${r.impl} ${r.intervalMs} ms repeat ${r.repeat}: the master did not hold the VIP alone at the end`).join("\n"),
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const startedOn = machine();
  const lab = await createLab({ nodes: 2, client: false });
  const scratch = benchScratch();
  const bench = new StabilityBench(lab, scratch, options);
  const runs: StabilityRun[] = [];
  try {
    await bench.start();
    for (const intervalMs of options.intervals) {
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        const order = repeat % 2 === 0 ? options.impls : [...options.impls].reverse();
        for (const impl of order) {
          const run = await bench.once(impl, intervalMs, repeat);
          runs.push(run);
          process.stdout.write(
            `${impl.padEnd(10)} ${String(intervalMs).padStart(3)} ms r${repeat}: spurious ${run.spurious}, VIP on backup ${run.vipOnBackup}, ` +
              `master gaps max ${run.gaps.maxMs.toFixed(1)} ms, > Master_Down ${run.gaps.overMasterDown}, CPU ${run.masterCpu.toFixed(1)} / ${run.backupCpu.toFixed(1)} %, hog ${run.hogCpu.toFixed(0)} %\n`,
          );
        }
      }
    }
  } finally {
    await bench.stop().catch(() => undefined);
    await lab.destroy();
    scratch.cleanup();
  }
  const { out, json, ...rest } = options;
  const results: StabilityResults = { date: new Date().toISOString(), machine: startedOn, options: rest, runs };
  const text = report(results);
  writeFileSync(out, text);
  if (json !== undefined) writeFileSync(json, JSON.stringify(results, null, 1) + "\n");
  process.stdout.write(`\n${text}`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
