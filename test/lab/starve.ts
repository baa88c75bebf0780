/**
 * CPU starvation of one lab process, two ways:
 *
 * - freeze(): SIGSTOP, and thaw() SIGCONT: the process gets no CPU at all for
 *   a bounded time (the limit of starvation; its sockets keep queueing).
 * - CpuThrottle: a cgroup with a CFS bandwidth limit (cgroup v2 `cpu.max`,
 *   or cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` where the cpu
 *   controller is mounted v1); the process runs for `quotaMs` per `periodMs`.
 *   The cgroup is created with a unique name, the process moved back to its
 *   old cgroup on release(), and the cgroup removed.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";

export function freeze(pid: number): void {
  process.kill(pid, "SIGSTOP");
}

export function thaw(pid: number): void {
  process.kill(pid, "SIGCONT");
}

interface Hierarchy {
  readonly kind: "v2" | "v1";
  /** Where new cgroups are made and the pid returns to. */
  readonly root: string;
}

function findHierarchy(): Hierarchy {
  const unified = "/sys/fs/cgroup";
  if (
    existsSync(join(unified, "cgroup.controllers")) &&
    readFileSync(join(unified, "cgroup.controllers"), "utf8").split(/\s+/).includes("cpu")
  ) {
    return { kind: "v2", root: unified };
  }
  for (const root of ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"]) {
    if (existsSync(join(root, "cpu.cfs_quota_us"))) return { kind: "v1", root };
  }
  throw new Error(
    "no cgroup cpu controller found (neither cgroup v2 with cpu in /sys/fs/cgroup/cgroup.controllers nor a v1 cpu hierarchy)",
  );
}

/** The pid's cgroup path in the cpu hierarchy, from /proc/PID/cgroup. */
function currentCgroup(pid: number, kind: Hierarchy["kind"]): string {
  for (const line of readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n")) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined) continue;
    if (kind === "v2" ? controllers === "" : controllers!.split(",").includes("cpu")) return path;
  }
  return "/";
}

export class CpuThrottle {
  private constructor(
    private readonly dir: string,
    private readonly home: string,
    private readonly pid: number,
  ) {}

  /** Moves pid (all its threads) into a new cgroup limited to quotaMs of CPU per periodMs. */
  static apply(pid: number, options: { readonly quotaMs: number; readonly periodMs: number }): CpuThrottle {
    const hierarchy = findHierarchy();
    if (hierarchy.kind === "v2") {
      const control = readFileSync(join(hierarchy.root, "cgroup.subtree_control"), "utf8");
      if (!control.split(/\s+/).includes("cpu")) writeFileSync(join(hierarchy.root, "cgroup.subtree_control"), "+cpu");
    }
    const home = join(hierarchy.root, currentCgroup(pid, hierarchy.kind));
    const dir = join(hierarchy.root, `floatip-lab-${randomBytes(3).toString("hex")}`);
    mkdirSync(dir);
    const quotaUs = Math.round(options.quotaMs * 1000);
    const periodUs = Math.round(options.periodMs * 1000);
    try {
      if (hierarchy.kind === "v2") writeFileSync(join(dir, "cpu.max"), `${quotaUs} ${periodUs}`);
      else {
        writeFileSync(join(dir, "cpu.cfs_period_us"), String(periodUs));
        writeFileSync(join(dir, "cpu.cfs_quota_us"), String(quotaUs));
      }
      writeFileSync(join(dir, "cgroup.procs"), String(pid));
    } catch (error) {
      rmdirSync(dir);
      throw error;
    }
    return new CpuThrottle(dir, home, pid);
  }

  /** CPU time the cgroup was throttled for so far, in ms (from cpu.stat). */
  throttledMs(): number {
    const stat = readFileSync(join(this.dir, "cpu.stat"), "utf8");
    const v2 = /^throttled_usec (\d+)/m.exec(stat);
    if (v2 !== null) return Number(v2[1]) / 1000;
    const v1 = /^throttled_time (\d+)/m.exec(stat);
    return v1 === null ? 0 : Number(v1[1]) / 1e6;
  }

  /** Moves the process back to its cgroup (if it still runs) and removes the new one. */
  release(): void {
    try {
      writeFileSync(join(this.home, "cgroup.procs"), String(this.pid));
    } catch {
      // the process is gone
    }
    rmdirSync(this.dir);
  }
}
