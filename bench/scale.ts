/**
 * Scale benchmark: floatip against keepalived with 1, 64 and 255 VRRP
 * instances on one interface, at 1 s and 100 ms adverts, on the same
 * namespace lab in the same run.
 *
 * Two nodes: n2 is master of every instance (priority 150), n1 backup (100).
 * Instance i has VRID i and one /32 VIP (bench/multi.ts: 192.0.2.20-254, then
 * 198.51.100.x, then 203.0.113.x). Once the election has settled (n2 carries
 * every VIP, n1 none, for a while, counted with one `ip -j addr` per node) and
 * after a warm-up, CPU is sampled over a window from /proc/PID/stat
 * (utime + stime, every thread; keepalived: the parent and its VRRP child
 * summed) and RSS from /proc/PID/status VmRSS (keepalived: parent + child) at
 * its end. The election is checked again at the end of the window, and any
 * VIP appearing on the backup during it is counted (AddressWatch). The
 * master's interface transmit counter gives the adverts actually sent per
 * second, so a speaker that falls behind its interval shows.
 *
 * The implementations alternate (which one goes first flips each repeat) so
 * drift on a shared machine hits both alike. Usage:
 *   node dist/bench/scale.js [--instances 1,64,255] [--intervals 1000,100]
 *     [--repeats 3] [--window 20] [--warmup 2] [--settle-timeout 30]
 *     [--impls floatip,keepalived,floatip-kube]   # floatip-kube: the agent with --kubernetes (bench/kube-speaker.ts)
 *     [--out bench/results-scale.md] [--json bench/results-scale.json]
 *     [--cpu-prof DIR]   # floatip agents run with node --cpu-prof, stopped by SIGTERM
 *     [--agent-node-args "ARGS"]   # node options for the floatip agents (space-separated), e.g. V8 flags to measure
 *     [--perf-stat]   # also count, over the window, each role's main thread with perf stat (CPU time, context
 *                     # switches, poll and receive system calls; keepalived: its VRRP child), printed per run
 *   node dist/bench/scale.js --render bench/results-scale.json bench/results-scale.md
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { createLab, type Lab } from "../test/lab/netns.js";
import { AddressWatch, Scratch, stopSpeaker, type Speaker } from "../test/lab/vrrp-lab.js";
import {
  IMPLS,
  machine,
  numberList,
  removeVips,
  settledOn,
  sleep,
  startMulti,
  vipCounts,
  vipsFor,
  waitSettled,
  type Impl,
  type MultiSettings,
  benchScratch,
} from "./multi.js";
import { comm, cpuPercent, processTree, sample } from "./procstat.js";
import { startKubeRun, type KubeRun } from "./kube-speaker.js";
import { summarize, type Summary } from "./stats.js";

const MASTER_PRIORITY = 150;
const BACKUP_PRIORITY = 100;
const MiB = 1024;

export type Role = "master" | "backup";
/** keepalived, the standalone agent, and the agent following VRRPNodes from the API test server. */
export type ScaleImpl = Impl | "floatip-kube";
export const SCALE_IMPLS: readonly ScaleImpl[] = [...IMPLS, "floatip-kube"];

export interface ScaleOptions {
  readonly instances: readonly number[];
  readonly intervals: readonly number[];
  readonly repeats: number;
  readonly windowMs: number;
  readonly warmupMs: number;
  /** Give up waiting for the election after this (+ 10 intervals); the run is measured anyway and flagged. */
  readonly settleTimeoutMs: number;
  readonly impls: readonly ScaleImpl[];
  readonly out: string;
  readonly json: string | undefined;
  readonly cpuProf: string | undefined;
  readonly agentNodeArgs: readonly string[];
  readonly perfStat: boolean;
}

/** One measurement of one speaker. */
export interface RoleSample {
  readonly cpuPercent: number;
  readonly rssMiB: number;
  readonly pssMiB: number;
  readonly processes: number;
}

/** One run: one implementation, both nodes, one setting. */
export interface ScaleRun {
  readonly instances: number;
  readonly intervalMs: number;
  readonly impl: ScaleImpl;
  readonly repeat: number;
  readonly settleMs: number;
  readonly windowMs: number;
  readonly master: RoleSample;
  readonly backup: RoleSample;
  /** Packets per second the master's interface sent during the window (adverts). */
  readonly advertsPerSecond: number;
  /** Expected: instances × 1000 / interval. */
  readonly expectedPerSecond: number;
  /** VIPs added on the backup during the window (0 when the election held). */
  readonly backupTakeovers: number;
  /** Still settled on the master at the end of the window. */
  readonly settledAtEnd: boolean;
  /** VIPs each node carried at the end of the window. */
  readonly vipsAtEnd: Readonly<Record<string, number>>;
  /** Set when a speaker exited before or during the window (its exit status and last log lines). */
  readonly exited?: string;
}

export interface ScaleCell {
  readonly instances: number;
  readonly intervalMs: number;
  readonly impl: ScaleImpl;
  readonly role: Role;
  readonly cpu: Summary;
  readonly rss: Summary;
  readonly pss: Summary;
  readonly advertsPerSecond: Summary;
  /** Runs in which the election had not settled (or did not hold through the window). */
  readonly unsettled: number;
  /** Runs in which a speaker exited (no figures from them). */
  readonly exited: number;
  readonly runs: number;
}

export interface ScaleResults {
  readonly date: string;
  readonly machine: string;
  readonly version: 2 | 3;
  readonly options: Omit<ScaleOptions, "out" | "json" | "cpuProf" | "agentNodeArgs" | "perfStat">;
  readonly runs: readonly ScaleRun[];
  readonly cells: readonly ScaleCell[];
}

function parseArgs(argv: readonly string[]): ScaleOptions {
  let instances = [1, 64, 255];
  let intervals = [1000, 100];
  let repeats = 3;
  let windowMs = 20_000;
  let warmupMs = 2000;
  let settleTimeoutMs = 30_000;
  let impls: ScaleImpl[] = [...SCALE_IMPLS];
  let out = "bench/results-scale.md";
  let json: string | undefined = "bench/results-scale.json";
  let cpuProf: string | undefined;
  let agentNodeArgs: string[] = [];
  let perfStat = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--instances") instances = numberList(next(), arg);
    else if (arg === "--intervals") intervals = numberList(next(), arg);
    else if (arg === "--repeats") repeats = Number(next());
    else if (arg === "--window") windowMs = Number(next()) * 1000;
    else if (arg === "--warmup") warmupMs = Number(next()) * 1000;
    else if (arg === "--settle-timeout") settleTimeoutMs = Number(next()) * 1000;
    else if (arg === "--out") out = next();
    else if (arg === "--json") json = next() || undefined;
    else if (arg === "--cpu-prof") cpuProf = resolve(next());
    else if (arg === "--perf-stat") perfStat = true;
    else if (arg === "--agent-node-args")
      agentNodeArgs = next()
        .split(" ")
        .filter((a) => a !== "");
    else if (arg === "--impls") {
      impls = next().split(",") as ScaleImpl[];
      if (impls.length === 0 || impls.some((x) => !SCALE_IMPLS.includes(x))) throw new Error(`--impls: any of ${SCALE_IMPLS.join(",")}`);
    } else
      throw new Error(
        `unknown option ${arg}\nusage: scale.js [--instances 1,64,255] [--intervals 1000,100] [--repeats N] [--window S] [--warmup S] [--settle-timeout S] [--impls floatip,keepalived,floatip-kube] [--out FILE] [--json FILE] [--cpu-prof DIR] [--agent-node-args "ARGS"] [--perf-stat]`,
      );
  }
  if (instances.some((n) => !Number.isInteger(n) || n < 1 || n > 255)) throw new Error("--instances: each 1..255");
  if (intervals.some((ms) => ms < 10 || ms % 10 !== 0)) throw new Error("--intervals: milliseconds, multiples of 10 (VRRPv3)");
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 50) throw new Error("--repeats: 1..50");
  if (!(windowMs >= 1000 && windowMs <= 600_000)) throw new Error("--window: 1..600 seconds");
  if (!(warmupMs >= 0 && warmupMs <= 60_000)) throw new Error("--warmup: 0..60 seconds");
  if (!(settleTimeoutMs >= 1000 && settleTimeoutMs <= 600_000)) throw new Error("--settle-timeout: 1..600 seconds");
  return { instances, intervals, repeats, windowMs, warmupMs, settleTimeoutMs, impls, out, json, cpuProf, agentNodeArgs, perfStat };
}

async function txPackets(lab: Lab, ns: string, ifname: string): Promise<number> {
  const out = await lab.exec(ns, ["ip", "-j", "-s", "link", "show", "dev", ifname]);
  const link = (JSON.parse(out) as { stats64?: { tx?: { packets?: number } } }[])[0];
  return Number(link?.stats64?.tx?.packets ?? Number.NaN);
}

/** Which speakers have exited, with their status and last log lines; undefined if none. */
function exitNotes(speakers: readonly Speaker[]): string | undefined {
  const notes = speakers
    .filter((sp) => sp.child.exitCode !== null || sp.child.signalCode !== null)
    .map((sp) => {
      const lines = sp.output().trim().split("\n");
      const lastError = [...lines].reverse().find((l) => l.includes('"level":"error"'));
      const last = lines.slice(-2).map((l) => l.slice(0, 300));
      return `${sp.host.name} exited (${sp.child.exitCode ?? sp.child.signalCode}); ${lastError !== undefined ? `last error: ${lastError.slice(0, 300)}; ` : ""}last log lines: ${last.join(" | ")}`;
    });
  return notes.length === 0 ? undefined : notes.join("; ");
}

const PERF_EVENTS = [
  "task-clock",
  "context-switches",
  "syscalls:sys_enter_epoll_pwait",
  "syscalls:sys_enter_epoll_wait",
  "syscalls:sys_enter_recvmmsg",
  "syscalls:sys_enter_recvmsg",
];

/**
 * perf stat on one thread (a process's main thread has its pid; keepalived's
 * VRRP child has one thread) for windowMs: "event=count" pairs, or why not.
 */
function perfStat(tid: number, windowMs: number): Promise<string> {
  return new Promise((done) => {
    execFile(
      "perf",
      ["stat", "-x,", "-t", String(tid), "-e", PERF_EVENTS.join(","), "--", "sleep", String(windowMs / 1000)],
      { timeout: windowMs + 10_000 },
      (error, _stdout, stderr) => {
        if (error !== null && stderr === "") return done(`perf stat failed: ${error.message}`);
        const counts = stderr
          .split("\n")
          .map((line) => line.split(","))
          .filter((f) => f.length > 2 && PERF_EVENTS.includes(f[2]!))
          .map((f) => `${f[2]!.replace("syscalls:sys_enter_", "")}=${f[0]}${f[1] ? ` ${f[1]}` : ""}`);
        done(counts.length > 0 ? counts.join(" ") : `perf stat: ${stderr.trim().slice(0, 200)}`);
      },
    );
  });
}

/** Stop by SIGTERM and wait (for --cpu-prof: node writes the profile on a clean exit), bounded. */
async function stopGracefully(lab: Lab, speaker: Speaker, timeoutMs: number): Promise<void> {
  const child = speaker.child;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  process.kill(child.pid, "SIGTERM");
  await Promise.race([exited, sleep(timeoutMs)]);
  await stopSpeaker(lab, speaker, "SIGKILL");
}

class ScaleBench {
  private readonly watch: AddressWatch;
  constructor(
    private readonly lab: Lab,
    private readonly scratch: Scratch,
    private readonly options: ScaleOptions,
  ) {
    this.watch = new AddressWatch(lab);
  }

  start(): Promise<void> {
    return this.watch.start(this.lab.nodes);
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }

  private startSpeaker(
    impl: ScaleImpl,
    index: number,
    s: MultiSettings,
    priority: number,
    profileDir: string | undefined,
    kube: KubeRun | undefined,
  ): Speaker {
    const host = this.lab.nodes[index]!;
    const profile = impl === "keepalived" || profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", profileDir];
    if (profileDir !== undefined && profile.length > 0) mkdirSync(profileDir, { recursive: true });
    const nodeArgs = impl === "keepalived" ? [] : [...this.options.agentNodeArgs, ...profile];
    if (impl === "floatip-kube") return kube!.startAgent(host, nodeArgs);
    return startMulti(this.lab, this.scratch, impl, host, s, priority, nodeArgs);
  }

  /** A run in which a speaker exited: no CPU / memory figures (NaN), the reason kept. */
  private failedRun(
    impl: ScaleImpl,
    s: MultiSettings,
    repeat: number,
    settleMs: number,
    why: string,
    counts: ReadonlyMap<string, number>,
  ): ScaleRun {
    const none: RoleSample = { cpuPercent: Number.NaN, rssMiB: Number.NaN, pssMiB: Number.NaN, processes: 0 };
    return {
      instances: s.count,
      intervalMs: s.intervalMs,
      impl,
      repeat,
      settleMs,
      windowMs: 0,
      master: none,
      backup: none,
      advertsPerSecond: Number.NaN,
      expectedPerSecond: (s.count * 1000) / s.intervalMs,
      backupTakeovers: 0,
      settledAtEnd: false,
      vipsAtEnd: Object.fromEntries(counts),
      exited: why,
    };
  }

  async once(impl: ScaleImpl, s: MultiSettings, repeat: number): Promise<ScaleRun> {
    const [n1, n2] = [this.lab.nodes[0]!, this.lab.nodes[1]!];
    const vips = vipsFor(s.count);
    const tag = `${impl === "floatip-kube" ? "kube-" : ""}${s.count}x${s.intervalMs}ms-r${repeat}`;
    const prof = this.options.cpuProf;
    const kube =
      impl === "floatip-kube" ? await startKubeRun(this.lab, this.scratch, s, [BACKUP_PRIORITY, MASTER_PRIORITY], tag) : undefined;
    const backup = this.startSpeaker(impl, 0, s, BACKUP_PRIORITY, prof && join(prof, `${tag}-backup`), kube);
    const master = this.startSpeaker(impl, 1, s, MASTER_PRIORITY, prof && join(prof, `${tag}-master`), kube);
    try {
      const stableMs = Math.max(3 * s.intervalMs, 2000);
      // An election that never settles is a result too: measure anyway and flag the run.
      const settleMs = await waitSettled(this.lab, vips, n2.name, stableMs, this.options.settleTimeoutMs + 10 * s.intervalMs).catch(
        (error: unknown) => {
          process.stdout.write(`${impl} ${tag}: ${error instanceof Error ? error.message : String(error)}\n`);
          return Number.NaN;
        },
      );
      await sleep(this.options.warmupMs);
      const early = exitNotes([master, backup]);
      if (early !== undefined) {
        process.stdout.write(`${impl} ${tag}: ${early}\n`);
        return this.failedRun(impl, s, repeat, settleMs, early, await vipCounts(this.lab, vips));
      }
      const trees = [master, backup].map((sp) => {
        const tree = processTree(sp.child.pid ?? -1);
        const want = impl === "keepalived" ? 2 : 1;
        if (tree.length !== want)
          throw new Error(
            `${impl} on ${sp.host.name}: expected ${want} process(es), found ${tree.map((p) => `${p}(${comm(p)})`).join(", ") || "none"}`,
          );
        return tree;
      });
      const watchFrom = Date.now();
      const tx0 = await txPackets(this.lab, n2.ns, n2.ifname);
      const before = trees.map(sample);
      const t0 = performance.now();
      const perf = this.options.perfStat ? trees.map((tree) => perfStat(tree[tree.length - 1]!, this.options.windowMs)) : [];
      await sleep(this.options.windowMs);
      for (const [k, counts] of (await Promise.all(perf)).entries())
        process.stdout.write(`${impl} ${tag} ${k === 0 ? "master" : "backup"} main thread: ${counts}\n`);
      const after = trees.map(sample);
      const wallMs = performance.now() - t0;
      const tx1 = await txPackets(this.lab, n2.ns, n2.ifname);
      const txWallMs = Date.now() - watchFrom;
      const counts = await vipCounts(this.lab, vips);
      const late = exitNotes([master, backup]);
      if (late !== undefined) {
        process.stdout.write(`${impl} ${tag}: during the window: ${late}\n`);
        return this.failedRun(impl, s, repeat, settleMs, `during the window: ${late}`, counts);
      }
      const role = (k: number): RoleSample => ({
        cpuPercent: cpuPercent(before[k]!, after[k]!, wallMs),
        rssMiB: after[k]!.rssKiB / MiB,
        pssMiB: after[k]!.pssKiB / MiB,
        processes: after[k]!.pids.length,
      });
      return {
        instances: s.count,
        intervalMs: s.intervalMs,
        impl,
        repeat,
        settleMs,
        windowMs: wallMs,
        master: role(0),
        backup: role(1),
        advertsPerSecond: (tx1 - tx0) / (txWallMs / 1000),
        expectedPerSecond: (s.count * 1000) / s.intervalMs,
        backupTakeovers: this.watch.events.filter((e) => e.host === n1.name && e.added && e.at >= watchFrom && vips.includes(e.address))
          .length,
        settledAtEnd: settledOn(counts, n2.name, vips.length),
        vipsAtEnd: Object.fromEntries(counts),
      };
    } finally {
      if (prof !== undefined && impl !== "keepalived") {
        await stopGracefully(this.lab, backup, 15_000);
        await stopGracefully(this.lab, master, 15_000);
      } else {
        await Promise.all([master, backup].map((sp) => stopSpeaker(this.lab, sp, "SIGKILL")));
      }
      await kube?.stop();
      await removeVips(this.lab, this.scratch, vips);
      this.watch.events.length = 0;
    }
  }
}

/** JSON turns NaN into null; back to NaN. */
function revive(run: ScaleRun): ScaleRun {
  const n = (x: unknown) => (typeof x === "number" ? x : Number.NaN);
  const role = (r: RoleSample): RoleSample => ({ ...r, cpuPercent: n(r.cpuPercent), rssMiB: n(r.rssMiB), pssMiB: n(r.pssMiB) });
  return {
    ...run,
    settleMs: n(run.settleMs),
    advertsPerSecond: n(run.advertsPerSecond),
    master: role(run.master),
    backup: role(run.backup),
  };
}

/** The election settled before the window and held through it. */
export const runSettled = (r: ScaleRun) => Number.isFinite(r.settleMs) && r.settledAtEnd && r.backupTakeovers === 0;

const finite = (xs: readonly number[]) => xs.filter((x) => Number.isFinite(x));

export function summarizeRuns(runs: readonly ScaleRun[]): ScaleCell[] {
  const cells: ScaleCell[] = [];
  const keys = new Set(runs.map((r) => `${r.instances}/${r.intervalMs}/${r.impl}`));
  for (const key of keys) {
    const group = runs.filter((r) => `${r.instances}/${r.intervalMs}/${r.impl}` === key);
    const first = group[0]!;
    for (const role of ["master", "backup"] as const) {
      cells.push({
        instances: first.instances,
        intervalMs: first.intervalMs,
        impl: first.impl,
        role,
        cpu: summarize(finite(group.map((r) => r[role].cpuPercent))),
        rss: summarize(finite(group.map((r) => r[role].rssMiB))),
        pss: summarize(finite(group.map((r) => r[role].pssMiB))),
        advertsPerSecond: summarize(finite(group.map((r) => r.advertsPerSecond))),
        unsettled: group.filter((r) => !runSettled(r)).length,
        exited: group.filter((r) => r.exited !== undefined).length,
        runs: group.length,
      });
    }
  }
  return cells;
}

const interval = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);
/** A number for a table cell; "—" when there is none (a run whose speaker exited). */
const fx = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "—");
const ratio = (a: number, b: number) =>
  !Number.isFinite(a) || !Number.isFinite(b) ? "—" : b > 0 ? (a / b).toFixed(2) : a > 0 ? "∞ (keepalived 0)" : "—";
const spread = (s: Summary, digits: number) => (s.n > 1 ? ` (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : "");

export function scaleTable(cells: readonly ScaleCell[]): string {
  const lines = [
    "| instances | interval | impl | role | CPU % median (min–max) | RSS MiB median | PSS MiB median | adverts/s sent (master link) | CPU ratio floatip/keepalived | RSS ratio floatip/keepalived |",
    "|---:|---:|---|---|---:|---:|---:|---:|---:|---:|",
  ];
  const find = (c: ScaleCell, impl: ScaleImpl) =>
    cells.find((x) => x.instances === c.instances && x.intervalMs === c.intervalMs && x.role === c.role && x.impl === impl);
  const sorted = [...cells].sort(
    (a, b) => a.instances - b.instances || b.intervalMs - a.intervalMs || a.role.localeCompare(b.role) * -1 || a.impl.localeCompare(b.impl),
  );
  for (const c of sorted) {
    const other = c.impl !== "keepalived" ? find(c, "keepalived") : undefined;
    lines.push(
      `| ${c.instances} | ${interval(c.intervalMs)} | ${c.impl}${c.exited > 0 ? ` ⚠ exited in ${c.exited}/${c.runs}` : ""}${c.unsettled - c.exited > 0 ? ` ⚠ not settled in ${c.unsettled - c.exited}/${c.runs}` : ""} | ${c.role} | ${fx(c.cpu.median, 2)}${spread(c.cpu, 2)} | ${fx(c.rss.median, 1)}${spread(c.rss, 1)} | ${fx(c.pss.median, 1)} | ${c.role === "master" ? fx(c.advertsPerSecond.median, 0) : ""} | ${other ? ratio(c.cpu.median, other.cpu.median) : ""} | ${other ? ratio(c.rss.median, other.rss.median) : ""} |`,
    );
  }
  return lines.join("\n");
}

/**
 * Issue 20's targets: CPU at 255 × 100 ms ≤ 1.0× keepalived in both roles; at
 * 1 × 1 s ≤ 0.1 % of a core; RSS at 255 instances ≤ 50 MiB standalone and
 * ≤ 64 MiB with --kubernetes.
 */
export function targetChecks(cells: readonly ScaleCell[]): string[] {
  const out: string[] = [];
  const get = (n: number, ms: number, impl: ScaleImpl, role: Role) =>
    cells.find((c) => c.instances === n && c.intervalMs === ms && c.impl === impl && c.role === role);
  const failed = (c: ScaleCell) =>
    c.exited > 0 ? `FAIL (${c.impl} exited)` : c.unsettled > 0 ? `FAIL (${c.impl}'s election did not settle)` : undefined;
  for (const impl of ["floatip", "floatip-kube"] as const) {
    for (const role of ["master", "backup"] as const) {
      const f = get(255, 100, impl, role);
      const k = get(255, 100, "keepalived", role);
      if (f && k) {
        const r = k.cpu.median > 0 ? f.cpu.median / k.cpu.median : Number.POSITIVE_INFINITY;
        out.push(
          `- CPU at 255 × 100 ms, ${impl}, ${role}: ${fx(f.cpu.median, 2)} % vs keepalived ${fx(k.cpu.median, 2)} % = ${fx(r, 2)}× (target ≤ 1.0×): **${failed(f) ?? (r <= 1 ? "PASS" : "FAIL")}**`,
        );
      }
    }
  }
  for (const c of cells.filter((x) => x.instances === 1 && x.intervalMs === 1000 && x.impl !== "keepalived")) {
    out.push(
      `- CPU at 1 × 1 s, ${c.impl}, ${c.role}: ${fx(c.cpu.median, 2)} % (target ≤ 0.1 %): **${failed(c) ?? (c.cpu.median <= 0.1 ? "PASS" : "FAIL")}**`,
    );
  }
  for (const c of cells.filter((x) => x.instances === 255 && x.impl !== "keepalived")) {
    const limit = c.impl === "floatip-kube" ? 64 : 50;
    const verdict = c.exited === c.runs ? `FAIL (${c.impl} exited)` : c.rss.median <= limit ? "PASS" : "FAIL";
    out.push(
      `- RSS at 255 instances, ${interval(c.intervalMs)}, ${c.impl}, ${c.role}: ${fx(c.rss.median, 1)} MiB (target ≤ ${limit} MiB): **${verdict}**`,
    );
  }
  if (out.length === 0) out.push("- (the run did not include 255 instances at 100 ms or 1 instance at 1 s)");
  return out;
}

function report(results: ScaleResults): string {
  const o = results.options;
  const bad = results.runs.filter((r) => !runSettled(r));
  const slow = results.runs.filter((r) => r.exited === undefined && r.advertsPerSecond < 0.9 * r.expectedPerSecond);
  return [
    "# Scale: floatip vs keepalived",
    "",
    `${results.date} on ${results.machine}`,
    "",
    `Two nodes on one bridge, VRRPv${results.version}, one interface; instance i has VRID i and one /32 VIP. n2 is master of every instance (priority 150), n1 backup (100). ` +
      `${o.repeats} repeat(s) per cell, the implementations alternating; CPU over a ${(o.windowMs / 1000).toFixed(0)} s window that starts ${(o.warmupMs / 1000).toFixed(0)} s after the election settled ` +
      `(utime + stime from /proc/PID/stat, all threads, % of one core); RSS = VmRSS at the end of the window. floatip-kube is the agent with \`--kubernetes\`: the same instances as each node's VRRPNode, from the project's Kubernetes API test server in the lab (its CPU not counted). keepalived runs with -P (VRRP only): its figures are the parent and the VRRP child summed ` +
      `(RSS counts their shared pages twice; PSS splits them). floatip keeps its state records (--state-dir) on tmpfs, as /run/floatip is in production. adverts/s = packets the master's interface sent during the window (expected: instances × 1000 / interval; floatip's also include its duplicate-address probes, one ARP frame per VIP every 10 s, e.g. +25.5/s at 255 instances).`,
    "",
    scaleTable(results.cells),
    "",
    "## Targets",
    "",
    ...targetChecks(results.cells),
    "",
    "## Checks",
    "",
    bad.length === 0
      ? "- every run: the master carried every VIP and the backup none at the end of the window, and no VIP appeared on the backup during it"
      : bad
          .map(
            (r) =>
              `- **${r.impl} ${r.instances} × ${interval(r.intervalMs)} repeat ${r.repeat}: ${r.exited !== undefined ? "a speaker exited" : "election not settled"}** — ` +
              (r.exited !== undefined ? `${r.exited.replace(/\|/g, "/")}; ` : "") +
              `${Number.isFinite(r.settleMs) ? `settled after ${r.settleMs} ms` : `not settled within ${(results.options.settleTimeoutMs / 1000).toFixed(0)} s + 10 intervals (measured anyway)`}; ` +
              `VIPs at the end of the window ${JSON.stringify(r.vipsAtEnd)} of ${r.instances} (want all on n2); VIPs added on the backup during the window: ${r.backupTakeovers}`,
          )
          .join("\n"),
    slow.length === 0
      ? "- every run sent at least 90 % of the expected adverts per second"
      : slow
          .map(
            (r) =>
              `- ${r.impl} ${r.instances} × ${interval(r.intervalMs)} repeat ${r.repeat}: sent ${r.advertsPerSecond.toFixed(0)}/s of ${r.expectedPerSecond.toFixed(0)}/s expected`,
          )
          .join("\n"),
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--render") {
    // Re-render the markdown from a results JSON: scale.js --render FILE.json OUT.md
    const results = JSON.parse(readFileSync(argv[1] ?? "bench/results-scale.json", "utf8")) as ScaleResults;
    writeFileSync(argv[2] ?? "bench/results-scale.md", report({ ...results, cells: summarizeRuns(results.runs.map(revive)) }));
    return;
  }
  const options = parseArgs(argv);
  const version = 3 as const;
  const startedOn = machine();
  // The client namespace hosts the API test server for floatip-kube.
  const lab = await createLab({ nodes: 2, client: options.impls.includes("floatip-kube") });
  const scratch = benchScratch();
  const bench = new ScaleBench(lab, scratch, options);
  const runs: ScaleRun[] = [];
  try {
    await bench.start();
    for (const count of options.instances) {
      for (const intervalMs of options.intervals) {
        for (let repeat = 0; repeat < options.repeats; repeat++) {
          const order = repeat % 2 === 0 ? options.impls : [...options.impls].reverse();
          for (const impl of order) {
            const run = await bench.once(impl, { count, intervalMs, version }, repeat);
            runs.push(run);
            process.stdout.write(
              `${impl.padEnd(10)} ${String(count).padStart(3)} × ${interval(intervalMs).padStart(6)} r${repeat}: ` +
                `master ${fx(run.master.cpuPercent, 2)} % ${fx(run.master.rssMiB, 1)} MiB, backup ${fx(run.backup.cpuPercent, 2)} % ${fx(run.backup.rssMiB, 1)} MiB, ` +
                `${fx(run.advertsPerSecond, 0)}/${run.expectedPerSecond} adverts/s, settled in ${run.settleMs} ms${runSettled(run) ? "" : ` NOT SETTLED ${JSON.stringify(run.vipsAtEnd)}`}\n`,
            );
          }
        }
      }
    }
  } finally {
    await bench.stop().catch(() => undefined);
    await lab.destroy();
    scratch.cleanup();
  }
  const { out, json, cpuProf: _p, agentNodeArgs, perfStat: _s, ...rest } = options;
  const results: ScaleResults = {
    date: new Date().toISOString(),
    machine: startedOn,
    version,
    options: rest,
    runs,
    cells: summarizeRuns(runs),
  };
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
