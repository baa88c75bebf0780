/**
 * VRRP speakers in a Lab: floatip agents and real keepalived, started by the
 * test inside node namespaces and stopped by pid, plus a watcher that records
 * when a virtual address appears or disappears on each node (from
 * `ip -ts monitor address`, microsecond timestamps from the kernel events).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import type { Lab, LabHost } from "./netns.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const FLOATIP_BIN = join(REPO, "bin", "floatip");

export interface Speaker {
  readonly kind: "agent" | "keepalived";
  readonly host: LabHost;
  readonly child: ChildProcess;
  /** Everything it wrote to stderr/stdout so far (agent: JSON log lines). */
  readonly output: () => string;
  /** The config file it was started with (rewrite it and send SIGHUP to reload). */
  readonly configFile?: string;
}

export interface AddressEvent {
  readonly host: string;
  readonly address: string;
  readonly added: boolean;
  /** The interface it was added to or deleted from. */
  readonly ifname: string;
  /** Wall-clock ms (kernel event as printed by ip -ts). */
  readonly at: number;
}

/** Scratch directory for config files; removed by cleanup(). */
export class Scratch {
  readonly dir: string;
  /** A fresh directory under `base` (default: the OS temp directory). */
  constructor(base: string = tmpdir()) {
    this.dir = mkdtempSync(join(base, "floatip-lab-"));
  }
  write(name: string, text: string): string {
    const file = join(this.dir, name);
    writeFileSync(file, text);
    return file;
  }
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function capture(child: ChildProcess): () => string {
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
  return () => text;
}

export interface AgentStart {
  readonly lab: Lab;
  readonly host: LabHost;
  readonly scratch: Scratch;
  /** The agent config: floatip's YAML schema as an object, or a keepalived.conf's text. */
  readonly config: unknown;
  readonly metricsPort?: number;
  readonly extraArgs?: readonly string[];
  /** Extra environment for the agent process (e.g. LD_PRELOAD of libfaketime). */
  readonly env?: Readonly<Record<string, string>>;
  /** Another build's bin/floatip (a benchmark comparing two builds); default this checkout's. */
  readonly bin?: string;
}

export function startAgent(options: AgentStart): Speaker {
  const keepalived = typeof options.config === "string";
  const file = options.scratch.write(
    `${options.host.name}-${Date.now()}-${Math.random().toString(16).slice(2, 6)}.${keepalived ? "conf" : "yaml"}`,
    keepalived ? (options.config as string) : yaml.dump(options.config),
  );
  const stateDir = join(options.scratch.dir, `state-${options.host.name}`);
  const args = [process.execPath, options.bin ?? FLOATIP_BIN, "agent", "--config", file, "--log-level", "debug", "--state-dir", stateDir];
  if (options.metricsPort !== undefined) args.push("--metrics-address", `${options.host.ipv4}:${options.metricsPort}`);
  const env = options.env === undefined ? {} : { env: { ...process.env, ...options.env } };
  const child = options.lab.spawnIn(options.host.ns, [...args, ...(options.extraArgs ?? [])], env);
  return { kind: "agent", host: options.host, child, output: capture(child), configFile: file };
}

export interface KeepalivedStart {
  readonly lab: Lab;
  readonly host: LabHost;
  readonly scratch: Scratch;
  readonly conf: string;
}

export function startKeepalived(options: KeepalivedStart): Speaker {
  const tag = `${options.host.name}-${Date.now()}`;
  const conf = options.scratch.write(`${tag}.conf`, options.conf);
  const pid = join(options.scratch.dir, `${tag}.pid`);
  const child = options.lab.spawnIn(options.host.ns, [
    "keepalived",
    "-n",
    "-l",
    "-D",
    "-G",
    "-P",
    "-f",
    conf,
    "-p",
    pid,
    "-r",
    join(options.scratch.dir, `${tag}.vrrp.pid`),
  ]);
  return { kind: "keepalived", host: options.host, child, output: capture(child), configFile: conf };
}

/** A keepalived vrrp_instance in the lab. */
export function keepalivedConf(options: {
  readonly ifname: string;
  readonly vrid: number;
  readonly priority: number;
  readonly version: 2 | 3;
  readonly advertInt: string;
  readonly vips: readonly string[];
  readonly password?: string;
  readonly nopreempt?: boolean;
  readonly extra?: string;
}): string {
  const auth =
    options.password === undefined ? "" : `    authentication {\n        auth_type PASS\n        auth_pass ${options.password}\n    }\n`;
  return `global_defs {
    router_id lab
    vrrp_garp_master_delay 0
    enable_script_security
}
vrrp_instance lab {
    state BACKUP
    interface ${options.ifname}
    virtual_router_id ${options.vrid}
    priority ${options.priority}
    version ${options.version}
    advert_int ${options.advertInt}
${options.nopreempt === true ? "    nopreempt\n" : ""}${auth}    virtual_ipaddress {
${options.vips.map((v) => `        ${v}`).join("\n")}
    }
${options.extra ?? ""}}
`;
}

/** Records address add/delete events on every host's interface. */
export class AddressWatch {
  readonly events: AddressEvent[] = [];
  private readonly children: ChildProcess[] = [];

  constructor(private readonly lab: Lab) {}

  async start(hosts: readonly LabHost[]): Promise<void> {
    for (const host of hosts) {
      const child = this.lab.spawnIn(this.lab.switchNs, ["ip", "-ts", "-n", host.ns, "monitor", "address"]);
      this.children.push(child);
      let pending = "";
      child.stdout?.on("data", (d: Buffer) => {
        pending += d.toString();
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) this.parse(host.name, line);
      });
    }
    await new Promise((r) => setTimeout(r, 200)); // let ip monitor subscribe
  }

  private parse(host: string, line: string): void {
    const m = /^\[([0-9T:.-]+)\]\s+(Deleted\s+)?\d+:\s+(\S+)\s+inet6?\s+([0-9a-f.:]+)\//.exec(line);
    if (m === null) return;
    // `ip -ts` prints microseconds: keep them (a failover at 10 ms adverts takes a few ms).
    const stamp = m[1]!;
    const at = Date.parse(`${stamp.slice(0, 19)}Z`) + Number(`0${stamp.slice(19)}`) * 1000;
    this.events.push({ host, address: m[4]!, added: m[2] === undefined, ifname: m[3]!, at });
  }

  /** First event for address after `since` (wall ms, fractional) matching added. */
  first(address: string, added: boolean, since: number, host?: string): AddressEvent | undefined {
    return this.events.find((e) => e.address === address && e.added === added && e.at >= since && (host === undefined || e.host === host));
  }

  /** Events (added or removed) of any address not in allowed: what an agent must never touch. */
  unexpected(allowed: readonly string[]): AddressEvent[] {
    return this.events.filter((e) => !allowed.includes(e.address));
  }

  /** Events for address at or after `since` (wall ms), optionally on one host, in order. */
  since(address: string, since: number, host?: string): AddressEvent[] {
    return this.events.filter((e) => e.address === address && e.at >= since && (host === undefined || e.host === host));
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.map((c) => this.lab.kill(c)));
  }
}

/** Names of the hosts whose interface carries address now. */
export async function holders(lab: Lab, address: string, hosts: readonly LabHost[] = lab.nodes): Promise<string[]> {
  const out: string[] = [];
  for (const host of hosts) {
    const list = await lab.addresses(host.ns, host.ifname);
    if (list.some((a) => a.address === address)) out.push(host.name);
  }
  return out;
}

/**
 * Waits until exactly one host holds address and keeps holding it for
 * stableMs (elections pass through short-lived masters while speakers start),
 * and returns its name.
 */
export async function soleHolder(
  lab: Lab,
  address: string,
  timeoutMs: number,
  hosts: readonly LabHost[] = lab.nodes,
  stableMs = 1000,
): Promise<string> {
  let candidate: string | undefined;
  let since = 0;
  return lab.waitFor(
    async () => {
      const list = await holders(lab, address, hosts);
      const now = Date.now();
      const one = list.length === 1 ? list[0] : undefined;
      if (one !== candidate) {
        candidate = one;
        since = now;
      }
      return candidate !== undefined && now - since >= stableMs ? candidate : undefined;
    },
    timeoutMs,
    `exactly one stable holder of ${address}`,
  );
}

/** GET a URL from inside a namespace (the lab's addresses are not reachable from the root namespace). */
export async function httpGetIn(lab: Lab, host: LabHost, url: string): Promise<string> {
  const script = `fetch(${JSON.stringify(url)}).then(r=>r.text()).then(t=>process.stdout.write(t),e=>{console.error(String(e));process.exit(1)})`;
  return lab.exec(host.ns, [process.execPath, "-e", script], { timeoutMs: 10_000 });
}

/** Sum of a Prometheus counter's samples whose labels include every given pair. */
export function metricSum(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

/** A metric's samples summed per value of one label (e.g. transitions per instance). */
export function metricByLabel(text: string, name: string, label: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const value = new RegExp(`[{,]${label}="([^"]*)"`).exec(line)?.[1];
    if (value === undefined) continue;
    sums.set(value, (sums.get(value) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return sums;
}

/** Each instance's current state, from floatip_instance_state (the sample that is 1). */
export function instanceStates(text: string): Map<string, string> {
  const states = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("floatip_instance_state{") || !line.endsWith(" 1")) continue;
    const instance = /[{,]vrrp_instance="([^"]*)"/.exec(line)?.[1];
    const state = /[{,]state="([^"]*)"/.exec(line)?.[1];
    if (instance !== undefined && state !== undefined) states.set(instance, state);
  }
  return states;
}

/** The Prometheus text of an agent started with metricsPort. */
export function agentMetrics(lab: Lab, host: LabHost, port: number): Promise<string> {
  return httpGetIn(lab, host, `http://${host.ipv4}:${port}/metrics`);
}

/** Stops a speaker with a signal and waits for it to exit. */
export async function stopSpeaker(lab: Lab, speaker: Speaker, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  await lab.kill(speaker.child, signal);
}
