/**
 * `floatip check`: a Nagios / NRPE plugin reporting whether an instance is
 * in the state it should be in. Reads the instance's JSON state record
 * (written by agent/notify on transitions, kept fresh by the agent's
 * heartbeat) or the agent's /state endpoint.
 *
 * Exit codes (plugin guidelines): 0 OK = the expected state; 1 WARNING =
 * FAULT, stopped or initializing; 2 CRITICAL = the other of MASTER/BACKUP;
 * 3 UNKNOWN = no data, unreadable, stale, or bad usage. One line of output:
 *
 *   FLOATIP OK - VI_1 is MASTER (expected MASTER) | priority=100;;;; seconds_in_state=42s;;;;
 *
 * Performance data is 'label'=value[UOM];[warn];[crit];[min];[max], with
 * empty fields for thresholds we do not set; seconds_in_state only comes
 * from a state record (the /state endpoint reports monotonic times).
 */
import { readFile } from "node:fs/promises";
import {
  heartbeatPath,
  parseHeartbeat,
  parseStateRecord,
  recordFreshAt,
  stateRecordPath,
  DEFAULT_STATE_DIR,
  type AgentHeartbeat,
  type StateRecord,
} from "../notify/state-record.js";
import { parseArgs } from "../../base/args.js";

/**
 * A running agent rewrites its heartbeat every 10 s (DEFAULT_HEARTBEAT_MS),
 * whatever the advert interval: the record can be no fresher than that, so
 * three missed heartbeats mean the agent is gone (killed, hung).
 */
export const DEFAULT_MAX_AGE_S = 30;
/** Nagios plugins give up after 10 s by default. */
export const DEFAULT_TIMEOUT_S = 10;

export const CHECK_USAGE = `usage: floatip check --instance NAME --expect MASTER|BACKUP [options]

Nagios/NRPE plugin: is the VRRP instance NAME in the expected state?

options:
  --instance NAME        instance to check (required)
  --expect STATE         MASTER or BACKUP (required)
  --state-dir DIR        read DIR/NAME.json written by the agent (default ${DEFAULT_STATE_DIR})
  --url URL              ask the agent instead, e.g. http://127.0.0.1:9650/state
  --max-age SECONDS      UNKNOWN if the agent last vouched for the record longer
                         ago (its own time, or the agent's heartbeat DIR/.heartbeat
                         when the same agent run wrote both and it is not STOP);
                         default ${DEFAULT_MAX_AGE_S} (three heartbeats) for a record a running
                         agent keeps fresh, none for STOP and older records; 0 = off
  -t, --timeout SECONDS  UNKNOWN if no answer within SECONDS (default ${DEFAULT_TIMEOUT_S})

Exit codes: 0 OK (expected state), 1 WARNING (FAULT, stopped or starting),
2 CRITICAL (the other state), 3 UNKNOWN (no data, unreadable, stale, bad usage).`;

export type PluginStatus = 0 | 1 | 2 | 3;
const STATUS_NAMES = ["OK", "WARNING", "CRITICAL", "UNKNOWN"] as const;

export type Expected = "MASTER" | "BACKUP";
export type ObservedState = "MASTER" | "BACKUP" | "FAULT" | "STOP" | "INITIALIZE";

export interface Observation {
  readonly state: ObservedState;
  readonly priority: number;
  /** Only when known from wall-clock times. */
  readonly secondsInState?: number;
}

export interface CheckResult {
  readonly status: PluginStatus;
  readonly line: string;
}

export function unknown(message: string): CheckResult {
  return { status: 3, line: `FLOATIP UNKNOWN - ${message}` };
}

/** The verdict on an observed state of the instance named `instance`. */
export function evaluateCheck(instance: string, expected: Expected, observed: Observation): CheckResult {
  const status: PluginStatus = observed.state === expected ? 0 : observed.state === "MASTER" || observed.state === "BACKUP" ? 2 : 1;
  const perf = [`priority=${observed.priority};;;;`];
  if (observed.secondsInState !== undefined) perf.push(`seconds_in_state=${observed.secondsInState}s;;;;`);
  return { status, line: `FLOATIP ${STATUS_NAMES[status]} - ${instance} is ${observed.state} (expected ${expected}) | ${perf.join(" ")}` };
}

export interface CheckDeps {
  readonly write: (text: string) => void;
  readonly now: () => Date;
  readonly readFile: (path: string) => Promise<string>;
  /** GET a URL and return its parsed JSON body; rejects on HTTP errors and timeouts. */
  readonly getJson: (url: string) => Promise<unknown>;
}

export function defaultCheckDeps(): CheckDeps {
  return {
    write: (text) => void process.stdout.write(text),
    now: () => new Date(),
    readFile: (path) => readFile(path, "utf8"),
    getJson: async (url) => {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    },
  };
}

export async function runCheckCommand(argv: readonly string[], deps: CheckDeps = defaultCheckDeps()): Promise<number> {
  const result = await check(argv, deps);
  deps.write(result.line + "\n");
  return result.status;
}

async function check(argv: readonly string[], deps: CheckDeps): Promise<CheckResult> {
  const args = parseArgs(
    argv.map((a) => (a === "-t" ? "--timeout" : a)),
    [
      { name: "timeout", takesValue: true },
      { name: "instance", takesValue: true },
      { name: "expect", takesValue: true },
      { name: "state-dir", takesValue: true },
      { name: "url", takesValue: true },
      { name: "max-age", takesValue: true },
    ],
  );
  if (!args.ok) return unknown(`${args.message} (see floatip check --help)`);
  const get = (name: string) => {
    const v = args.flags.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const instance = get("instance");
  const expect = get("expect")?.toUpperCase();
  const stateDir = get("state-dir");
  const url = get("url");
  const maxAgeText = get("max-age");
  if (args.positional.length > 0) return unknown(`unexpected argument "${args.positional[0]}"`);
  if (instance === undefined || instance === "") return unknown("--instance NAME is required");
  if (expect !== "MASTER" && expect !== "BACKUP") return unknown("--expect must be MASTER or BACKUP");
  if (stateDir !== undefined && url !== undefined) return unknown("give --state-dir or --url, not both");
  const maxAge = maxAgeText === undefined ? undefined : Number(maxAgeText);
  if (maxAge !== undefined && (!Number.isFinite(maxAge) || maxAge < 0))
    return unknown(`--max-age must be a number of seconds (0 = off), got "${maxAgeText}"`);
  const timeoutText = get("timeout");
  const timeout = timeoutText === undefined ? DEFAULT_TIMEOUT_S : Number(timeoutText);
  if (!Number.isFinite(timeout) || timeout <= 0) return unknown(`--timeout must be a positive number of seconds, got "${timeoutText}"`);

  const answer =
    url !== undefined
      ? fromEndpoint(url, instance, expect, deps)
      : fromRecord(stateDir ?? DEFAULT_STATE_DIR, instance, expect, maxAge, deps);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve(unknown(`no answer within ${timeout}s (--timeout)`)), timeout * 1000);
  });
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function fromRecord(
  dir: string,
  instance: string,
  expect: Expected,
  maxAge: number | undefined,
  deps: CheckDeps,
): Promise<CheckResult> {
  const path = stateRecordPath(dir, instance);
  let text: string;
  try {
    text = await deps.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return unknown(code === "ENOENT" ? `no state record for ${instance} (${path})` : `cannot read ${path}: ${code ?? String(error)}`);
  }
  const parsed = parseStateRecord(text);
  if (!parsed.ok) return unknown(`bad state record ${path}: ${parsed.message}`);
  const { record } = parsed;
  if (record.instance !== instance) return unknown(`${path} is the record of ${record.instance}, not ${instance}`);
  const now = deps.now().getTime();
  // Without --max-age: only records a running agent keeps fresh (its run token; not STOP) can go stale.
  const limit = maxAge ?? (record.run !== undefined && record.state !== "STOP" ? DEFAULT_MAX_AGE_S : 0);
  if (limit > 0) {
    const heartbeat = await heartbeatFor(dir, record, deps);
    const age = (now - recordFreshAt(record, heartbeat)) / 1000;
    if (age > limit) {
      const byHeartbeat = recordFreshAt(record, heartbeat) !== Date.parse(record.updated);
      const what = byHeartbeat ? "its agent's heartbeat last written" : "written";
      return unknown(`state record of ${instance} is stale: ${what} ${Math.floor(age)}s ago (max ${limit}s)`);
    }
  }
  const secondsInState = Math.max(0, Math.floor((now - Date.parse(record.since)) / 1000));
  return evaluateCheck(instance, expect, { state: record.state, priority: record.priority, secondsInState });
}

/** The agent's heartbeat, when it could vouch for the record (an unreadable one vouches for nothing). */
async function heartbeatFor(dir: string, record: StateRecord, deps: CheckDeps): Promise<AgentHeartbeat | undefined> {
  if (record.run === undefined || record.state === "STOP") return undefined;
  let text: string;
  try {
    text = await deps.readFile(heartbeatPath(dir));
  } catch {
    return undefined;
  }
  const parsed = parseHeartbeat(text);
  return parsed.ok ? parsed.heartbeat : undefined;
}

async function fromEndpoint(url: string, instance: string, expect: Expected, deps: CheckDeps): Promise<CheckResult> {
  let body: unknown;
  try {
    body = await deps.getJson(url);
  } catch (error) {
    return unknown(`cannot get ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const list = (body as { instances?: unknown } | null)?.instances;
  if (!Array.isArray(list)) return unknown(`${url} did not return {instances: [...]}`);
  const entry = list.find((i: unknown) => (i as { name?: unknown } | null)?.name === instance) as Record<string, unknown> | undefined;
  if (entry === undefined) return unknown(`agent at ${url} has no instance ${instance}`);
  const phase = String(entry["phase"]);
  const state = Object.hasOwn(PHASES, phase) ? PHASES[phase] : undefined;
  const priority = entry["effectivePriority"] ?? entry["priority"];
  if (state === undefined || typeof priority !== "number") return unknown(`agent at ${url} reported an unreadable state for ${instance}`);
  return evaluateCheck(instance, expect, { state, priority });
}

const PHASES: Readonly<Record<string, ObservedState>> = { master: "MASTER", backup: "BACKUP", fault: "FAULT", initialize: "INITIALIZE" };
