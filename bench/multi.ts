/**
 * Shared pieces of the scale and stability benchmarks: many VRRP instances on
 * one interface for floatip and for keepalived with the same settings, the
 * virtual addresses they use (documentation ranges only), checks that an
 * election has settled, and clean-up of addresses left behind by a SIGKILL.
 */
import { execFileSync, spawnSync, type ChildProcess } from "node:child_process";
import { cpus, loadavg } from "node:os";
import type { Lab, LabHost } from "../test/lab/netns.js";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { FLOATIP_BIN, Scratch, startAgent, startKeepalived, type Speaker } from "../test/lab/vrrp-lab.js";

export type Impl = "floatip" | "keepalived";
export const IMPLS: readonly Impl[] = ["floatip", "keepalived"];

/**
 * The virtual address of instance i (1..255): 192.0.2.20-254 first (the lab's
 * nodes are 192.0.2.11 and up; 192.0.2.100, the lab client, is skipped), then
 * 198.51.100.1-254, then 203.0.113.1-254.
 */
export function vipFor(i: number): string {
  if (!Number.isInteger(i) || i < 1 || i > 255) throw new RangeError(`instance index 1..255, got ${i}`);
  return VIP_POOL[i - 1]!;
}

const VIP_POOL: readonly string[] = (() => {
  const out: string[] = [];
  for (let h = 20; h <= 254 && out.length < 255; h++) if (h !== 100) out.push(`192.0.2.${h}`);
  for (let h = 1; h <= 254 && out.length < 255; h++) out.push(`198.51.100.${h}`);
  for (let h = 1; h <= 254 && out.length < 255; h++) out.push(`203.0.113.${h}`);
  return out;
})();

export function vipsFor(count: number): string[] {
  return Array.from({ length: count }, (_, k) => vipFor(k + 1));
}

export interface MultiSettings {
  /** Instances 1..count, VRID = index, one /32 VIP each. */
  readonly count: number;
  readonly intervalMs: number;
  readonly version: 2 | 3;
}

/** keepalived.conf with `count` instances on ifname (VRIDs 1..count). */
export function keepalivedMultiConf(ifname: string, s: MultiSettings, priority: number): string {
  const blocks: string[] = [];
  for (let i = 1; i <= s.count; i++) {
    blocks.push(`vrrp_instance vi${i} {
    state BACKUP
    interface ${ifname}
    virtual_router_id ${i}
    priority ${priority}
    version ${s.version}
    advert_int ${s.intervalMs / 1000}
    virtual_ipaddress {
        ${vipFor(i)}/32
    }
}`);
  }
  return `global_defs {
    router_id bench
    vrrp_garp_master_delay 0
    enable_script_security
}
${blocks.join("\n")}
`;
}

/** The same as a floatip agent config (GARP: keepalived's defaults with the delayed burst off, as in the keepalived conf). */
export function floatipMultiConfig(ifname: string, s: MultiSettings, priority: number): unknown {
  return {
    instances: Array.from({ length: s.count }, (_, k) => ({
      name: `vi${k + 1}`,
      interface: ifname,
      virtualRouterID: k + 1,
      version: s.version,
      priority,
      advertisementInterval: `${s.intervalMs}ms`,
      addresses: [`${vipFor(k + 1)}/32`],
      garp: { repeat: 5, delay: 0 },
    })),
  };
}

/**
 * Starts one speaker (floatip agent at log level info, or keepalived) with
 * `count` instances. nodeArgs (e.g. --cpu-prof, which NODE_OPTIONS may not
 * carry) go to the agent's node before the script.
 */
export function startMulti(
  lab: Lab,
  scratch: Scratch,
  impl: Impl,
  host: LabHost,
  s: MultiSettings,
  priority: number,
  nodeArgs: readonly string[] = [],
): Speaker {
  if (impl === "keepalived") return startKeepalived({ lab, host, scratch, conf: keepalivedMultiConf(host.ifname, s, priority) });
  const config = floatipMultiConfig(host.ifname, s, priority);
  if (nodeArgs.length === 0) return startAgent({ lab, host, scratch, config, extraArgs: ["--log-level", "info"] });
  return startAgentWith(lab, scratch, host, config, nodeArgs, ["--log-level", "info"]);
}

/** vrrp-lab's startAgent with node options in front of the CLI. */
export function startAgentWith(
  lab: Lab,
  scratch: Scratch,
  host: LabHost,
  config: unknown,
  nodeArgs: readonly string[],
  extraArgs: readonly string[],
): Speaker {
  const file = scratch.write(`${host.name}-${Date.now()}-${Math.random().toString(16).slice(2, 6)}.yaml`, yaml.dump(config));
  const stateDir = join(scratch.dir, `state-${host.name}`);
  const child = lab.spawnIn(host.ns, [
    process.execPath,
    ...nodeArgs,
    FLOATIP_BIN,
    "agent",
    "--config",
    file,
    "--state-dir",
    stateDir,
    ...extraArgs,
  ]);
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
  return { kind: "agent", host, child, output: () => text };
}

/** How many of `vips` each host carries now (one `ip -j addr` per host). */
export async function vipCounts(lab: Lab, vips: readonly string[], hosts: readonly LabHost[] = lab.nodes): Promise<Map<string, number>> {
  const wanted = new Set(vips);
  const counts = new Map<string, number>();
  for (const host of hosts) {
    const list = await lab.addresses(host.ns, host.ifname);
    counts.set(host.name, list.filter((a) => wanted.has(a.address)).length);
  }
  return counts;
}

/** Whether `master` carries every VIP and no other host carries any. */
export function settledOn(counts: ReadonlyMap<string, number>, master: string, total: number): boolean {
  for (const [name, n] of counts) if (n !== (name === master ? total : 0)) return false;
  return true;
}

/**
 * Waits until `master` alone carries every VIP and that has held for stableMs
 * (polled every 250 ms); throws with the last counts after timeoutMs.
 */
export async function waitSettled(lab: Lab, vips: readonly string[], master: string, stableMs: number, timeoutMs: number): Promise<number> {
  const start = Date.now();
  let since: number | undefined;
  let last = new Map<string, number>();
  while (Date.now() - start < timeoutMs) {
    last = await vipCounts(lab, vips);
    const ok = settledOn(last, master, vips.length);
    const now = Date.now();
    if (!ok) since = undefined;
    else if (since === undefined) since = now;
    else if (now - since >= stableMs) return since - start;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `election did not settle on ${master} within ${timeoutMs} ms; VIPs held: ${JSON.stringify(Object.fromEntries(last))} of ${vips.length}`,
  );
}

/** Removes any of `vips` from every node (after a SIGKILL), in one `ip -batch` per node. */
export async function removeVips(lab: Lab, scratch: Scratch, vips: readonly string[]): Promise<void> {
  for (const host of lab.nodes) {
    const file = scratch.write(`del-${host.name}.batch`, vips.map((v) => `addr del ${v}/32 dev ${host.ifname}`).join("\n") + "\n");
    await lab.exec(host.ns, ["ip", "-force", "-batch", file]).catch(() => undefined);
  }
}

/** One line describing the machine, and its load when the run started. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const kernel = execFileSync("uname", ["-r"]).toString().trim();
  const ka = spawnSync("keepalived", ["--version"], { encoding: "utf8" }).stderr ?? "";
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  return `${cpus().length} × ${cpu}, Linux ${kernel}, Node ${process.version}, ${ka.split("\n")[0] || "keepalived"}; load average at start ${load}`;
}

/**
 * Scratch space for a benchmark on tmpfs (/dev/shm) when there is one: the
 * agents keep their state records there (rewritten every 10 s per instance),
 * and in production that directory is tmpfs too (/run/floatip; the chart
 * mounts an emptyDir with medium Memory). On a disk filesystem the renames
 * would cost the agent CPU in journal work it does not do in production.
 */
export function benchScratch(): Scratch {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return new Scratch("/dev/shm");
  } catch {
    return new Scratch();
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Parses a comma-separated list of numbers ("1,64,255"). */
export function numberList(text: string, what: string): number[] {
  const out = text.split(",").map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((n) => !Number.isFinite(n) || n <= 0))
    throw new Error(`${what}: expected a comma-separated list of positive numbers, got "${text}"`);
  return out;
}

/** Runs tcpdump (with `args`) in ns and calls onLine for each whole line it prints. */
export function tcpdumpLines(lab: Lab, ns: string, args: readonly string[], onLine: (line: string) => void): ChildProcess {
  const child = lab.spawnIn(ns, ["tcpdump", ...args]);
  let pending = "";
  child.stdout?.on("data", (d: Buffer) => {
    pending += d.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
  return child;
}
