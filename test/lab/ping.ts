/**
 * Ping from a lab namespace, bounded in count and time: pingSweep() asks many
 * addresses once each with a fixed number of pings in flight (fping is not
 * installed; iputils ping is), and steadyPing() sends a fixed count at a fixed
 * interval to one address while a test changes things, then reports what was
 * lost.
 */
import type { ChildProcess } from "node:child_process";
import type { Lab, LabHost } from "./netns.js";

/** At most this many `ping` processes at once (the machine has 2 cores; each waits on the network, not the CPU). */
const SWEEP_PARALLEL = 64;

/**
 * The addresses of `addresses` that answered one echo request within
 * `waitSeconds`; the others did not. One `xargs -P` in the namespace, so the
 * whole sweep takes about ceil(n / 64) × the slowest reply, at most
 * ceil(n / 64) × waitSeconds.
 */
export async function pingSweep(lab: Lab, from: LabHost, addresses: readonly string[], waitSeconds = 1): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const script = `printf '%s\\n' "$@" | xargs -P ${SWEEP_PARALLEL} -n 1 sh -c 'ping -n -q -c 1 -W ${waitSeconds} "$0" >/dev/null 2>&1 && echo "$0"; exit 0'`;
  const timeoutMs = (Math.ceil(addresses.length / SWEEP_PARALLEL) * waitSeconds + 10) * 1000;
  const out = await lab.exec(from.ns, ["sh", "-c", script, "sweep", ...addresses], { timeoutMs });
  return new Set(out.split("\n").filter((l) => l !== ""));
}

/** Pings until everything answers (retrying only the silent ones) or timeoutMs passes; returns the ones still silent. */
export async function pingUntilAll(lab: Lab, from: LabHost, addresses: readonly string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let silent = [...addresses];
  while (silent.length > 0 && Date.now() < deadline) {
    const answered = await pingSweep(lab, from, silent);
    silent = silent.filter((a) => !answered.has(a));
    if (silent.length > 0) await new Promise((r) => setTimeout(r, 250));
  }
  return silent;
}

export interface PingResult {
  readonly transmitted: number;
  readonly received: number;
  /** ping's summary line, for messages. */
  readonly summary: string;
}

/** `ping -c count -i interval address` running in a namespace; done resolves with ping's counts when it exits. */
export interface SteadyPing {
  readonly child: ChildProcess;
  readonly done: Promise<PingResult>;
}

/**
 * Starts a bounded ping: exactly `count` requests, `intervalSeconds` apart (below
 * 0.2 s needs root, which lab tests have), each waiting at most 1 s for its reply.
 */
export function steadyPing(lab: Lab, from: LabHost, address: string, count: number, intervalSeconds: number): SteadyPing {
  const child = lab.spawnIn(from.ns, ["ping", "-n", "-q", "-c", String(count), "-i", String(intervalSeconds), "-W", "1", address]);
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
  const done = new Promise<PingResult>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", () => {
      const m = /(\d+) packets transmitted, (\d+) received/.exec(text);
      if (m === null) reject(new Error(`ping printed no summary: ${text}`));
      else resolve({ transmitted: Number(m[1]), received: Number(m[2]), summary: m[0] });
    });
  });
  return { child, done };
}
