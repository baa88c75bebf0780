/**
 * Per-process CPU and memory from /proc, for benchmarks.
 *
 * CPU: utime + stime of /proc/PID/stat (fields 14 and 15, clock ticks; they
 * cover every thread of the process). RSS: VmRSS of /proc/PID/status. A
 * "tree" is a process and its descendants (keepalived: the parent and its
 * VRRP child), found through /proc/PID/task/TID/children.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

let ticksPerSecond: number | undefined;

/** sysconf(_SC_CLK_TCK), 100 on Linux unless configured otherwise. */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of one process in clock ticks; undefined once it is gone. */
export function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // rest[0] is field 3 (state); utime is field 14, stime field 15.
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return undefined;
  }
}

/** A numeric field of /proc/PID/status in KiB (VmRSS, VmHWM, ...); undefined once the process is gone. */
export function statusKiB(pid: number, field: string): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(text);
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/** Proportional set size in KiB from /proc/PID/smaps_rollup (shared pages split between sharers). */
export function pssKiB(pid: number): number | undefined {
  try {
    const m = /^Pss:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/** The command name (/proc/PID/comm). */
export function comm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Direct children of pid, over all its threads. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      if (text !== "") for (const c of text.split(/\s+/)) out.push(Number(c));
    } catch {
      // thread exited meanwhile
    }
  }
  return out;
}

/** pid and all its descendants, breadth first (bounded to 64 processes). */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && out.length < 64) {
    const next = queue.shift()!;
    if (cpuTicks(next) === undefined) continue;
    out.push(next);
    queue.push(...childrenOf(next));
  }
  return out;
}

export interface TreeSample {
  readonly pids: readonly number[];
  /** Summed utime + stime (ticks). */
  readonly ticks: number;
  /** Summed VmRSS (KiB); shared pages of forked children are counted once per process. */
  readonly rssKiB: number;
  /** Summed Pss (KiB). */
  readonly pssKiB: number;
}

/** One sample of a fixed set of processes (take the set once, so a window's start and end add up the same pids). */
export function sample(pids: readonly number[]): TreeSample {
  let ticks = 0;
  let rss = 0;
  let pss = 0;
  const alive: number[] = [];
  for (const pid of pids) {
    const t = cpuTicks(pid);
    if (t === undefined) continue;
    alive.push(pid);
    ticks += t;
    rss += statusKiB(pid, "VmRSS") ?? 0;
    pss += pssKiB(pid) ?? 0;
  }
  return { pids: alive, ticks, rssKiB: rss, pssKiB: pss };
}

/** CPU % of one core between two samples of the same pids, over wall-clock ms. */
export function cpuPercent(before: TreeSample, after: TreeSample, wallMs: number): number {
  return ((after.ticks - before.ticks) / clockTicks() / (wallMs / 1000)) * 100;
}
