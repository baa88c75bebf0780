/**
 * The per-instance state record the notifier keeps under a directory
 * (default /run/floatip/<instance>.json) and `floatip check` reads, plus
 * the keepalived-style state file line and an atomic file write.
 */
import { writeFile } from "node:fs";
import * as fsp from "node:fs/promises";
import { join } from "node:path";
import type { Phase } from "../vrrp/state-machine.js";

export const DEFAULT_STATE_DIR = "/run/floatip";

/** keepalived's names for the states notify scripts are told about. */
export type NotifyState = "MASTER" | "BACKUP" | "FAULT" | "STOP";

export interface StateRecord {
  readonly instance: string;
  readonly state: NotifyState;
  /** Effective priority at the transition. */
  readonly priority: number;
  /** Wall time of the transition into `state`, ISO 8601. */
  readonly since: string;
  /** Wall time the agent wrote the record, ISO 8601 (at the transition; the heartbeat shows it is still alive). */
  readonly updated: string;
  /** The run token of the agent that wrote it (records of older versions have none). */
  readonly run?: string;
  /** Why it entered `state` beyond the protocol (runtime/transition.ts describeCause), e.g. "FAULT after script chk failed (FAULT)". */
  readonly cause?: string;
}

/**
 * The agent's heartbeat (<stateDir>/.heartbeat), rewritten periodically
 * while the agent runs: a record whose run token matches is as fresh as the
 * heartbeat (one file per refresh instead of every record).
 */
export interface AgentHeartbeat {
  readonly pid: number;
  /** Unique per agent run; the records it writes carry the same token. */
  readonly run: string;
  /** Wall time of the last write, ISO 8601. */
  readonly updated: string;
}

/** The router phase a transition went to, as keepalived names it (initialize = the agent stopping). */
export function notifyState(phase: Phase): NotifyState {
  switch (phase) {
    case "master":
      return "MASTER";
    case "backup":
      return "BACKUP";
    case "fault":
      return "FAULT";
    case "initialize":
      return "STOP";
  }
}

/** What the classic `echo $1 $2 is in $3 state > FILE` notify script writes. */
export function stateFileLine(instance: string, state: NotifyState): string {
  return `INSTANCE ${instance} is in ${state} state\n`;
}

/** <dir>/<instance>.json, with path separators in the name replaced so it cannot leave the directory. */
export function stateRecordPath(dir: string, instance: string): string {
  let file = instance.replace(/[/\\\0]/g, "_");
  if (file === "" || file === "." || file === "..") file = `_${file}`;
  return join(dir, `${file}.json`);
}

/** <dir>/.heartbeat: records are <name>.json, so no instance name can collide with it. */
export function heartbeatPath(dir: string): string {
  return join(dir, ".heartbeat");
}

export type ParsedRecord = { readonly ok: true; readonly record: StateRecord } | { readonly ok: false; readonly message: string };

const STATES: readonly NotifyState[] = ["MASTER", "BACKUP", "FAULT", "STOP"];

/** The JSON object in text, or why it is not one. */
function jsonObject(
  text: string,
): { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof raw !== "object" || raw === null) return { ok: false, message: "not a JSON object" };
  return { ok: true, value: raw as Record<string, unknown> };
}

export function parseStateRecord(text: string): ParsedRecord {
  const parsed = jsonObject(text);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  const { instance, state, priority, since, updated } = o;
  if (typeof instance !== "string") return { ok: false, message: "instance missing" };
  if (typeof state !== "string" || !STATES.includes(state as NotifyState))
    return { ok: false, message: `unknown state ${JSON.stringify(state)}` };
  if (typeof priority !== "number" || !Number.isInteger(priority)) return { ok: false, message: "priority missing" };
  if (typeof since !== "string" || Number.isNaN(Date.parse(since))) return { ok: false, message: "since missing or not a time" };
  if (typeof updated !== "string" || Number.isNaN(Date.parse(updated))) return { ok: false, message: "updated missing or not a time" };
  const { run } = o;
  if (run !== undefined && typeof run !== "string") return { ok: false, message: "run is not a string" };
  const { cause } = o;
  if (cause !== undefined && typeof cause !== "string") return { ok: false, message: "cause is not a string" };
  return {
    ok: true,
    record: {
      instance,
      state: state as NotifyState,
      priority,
      since,
      updated,
      ...(run !== undefined ? { run } : {}),
      ...(cause !== undefined ? { cause } : {}),
    },
  };
}

export function formatStateRecord(record: StateRecord): string {
  const { instance, state, priority, since, updated, run, cause } = record;
  return JSON.stringify({ instance, state, priority, since, updated, run, cause }) + "\n";
}

export type ParsedHeartbeat = { readonly ok: true; readonly heartbeat: AgentHeartbeat } | { readonly ok: false; readonly message: string };

export function parseHeartbeat(text: string): ParsedHeartbeat {
  const parsed = jsonObject(text);
  if (!parsed.ok) return parsed;
  const { pid, run, updated } = parsed.value;
  if (typeof pid !== "number" || !Number.isInteger(pid)) return { ok: false, message: "pid missing" };
  if (typeof run !== "string" || run === "") return { ok: false, message: "run missing" };
  if (typeof updated !== "string" || Number.isNaN(Date.parse(updated))) return { ok: false, message: "updated missing or not a time" };
  return { ok: true, heartbeat: { pid, run, updated } };
}

export function formatHeartbeat(heartbeat: AgentHeartbeat): string {
  const { pid, run, updated } = heartbeat;
  return JSON.stringify({ pid, run, updated }) + "\n";
}

/**
 * When the agent last vouched for a record (ms since the epoch): its own
 * `updated`, or the heartbeat's if the same agent run wrote both and the
 * record is not STOP (a STOP record is final; a record of an earlier run
 * never looks fresh because another agent runs now).
 */
export function recordFreshAt(record: StateRecord, heartbeat: AgentHeartbeat | undefined): number {
  const own = Date.parse(record.updated);
  if (heartbeat === undefined || record.run === undefined || record.run !== heartbeat.run || record.state === "STOP") return own;
  return Math.max(own, Date.parse(heartbeat.updated));
}

/** The file operations the notifier needs (node:fs/promises fits). */
export interface NotifyFs {
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
}

export function nodeNotifyFs(): NotifyFs {
  return {
    // The callback form: no FileHandle per write (records of hundreds of instances are rewritten every refresh).
    writeFile: (path, data) => new Promise((resolve, reject) => writeFile(path, data, (error) => (error ? reject(error) : resolve()))),
    rename: (from, to) => fsp.rename(from, to),
    unlink: (path) => fsp.unlink(path),
    mkdir: (path, options) => fsp.mkdir(path, options),
  };
}

/** Write to `<path>.<tmpSuffix>` and rename over `path`, so readers see the old or the new content, never a part. */
export async function writeFileAtomic(fs: NotifyFs, path: string, content: string, tmpSuffix: string): Promise<void> {
  const tmp = `${path}.${tmpSuffix}`;
  try {
    await fs.writeFile(tmp, content);
    await fs.rename(tmp, path);
  } catch (error) {
    await fs.unlink(tmp).catch(() => undefined);
    throw error;
  }
}
