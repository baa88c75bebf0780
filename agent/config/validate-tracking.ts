/**
 * Validation of health tracking and notification settings: scripts, track
 * files, per-instance track references, notify commands, the state file.
 */
import type {
  HttpCheckConfig,
  InstanceConfig,
  LabelSelector,
  Notify,
  PodTracking,
  ScriptConfig,
  TrackFileConfig,
  TrackRef,
  Tracking,
} from "./types.js";
import type { Reader } from "./reader.js";
import { describe } from "./duration.js";

const WEIGHT_MIN = -253;
const WEIGHT_MAX = 253;

export function readScripts(r: Reader, value: unknown, path: string): ScriptConfig[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: ScriptConfig[] = [];
  list.forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const o = r.object(raw, p, ["name", "command", "interval", "timeout", "weight", "reverse", "fall", "rise", "initFail", "user"]);
    if (o === undefined) return;
    const before = r.errors.length;
    const name = r.string(o["name"], `${p}.name`);
    const command = r.string(o["command"], `${p}.command`);
    const intervalMs = o["interval"] === undefined ? 1000 : r.duration(o["interval"], `${p}.interval`);
    if (intervalMs === 0) r.fail(`${p}.interval`, "must be more than 0");
    const timeoutMs = o["timeout"] === undefined ? intervalMs : r.duration(o["timeout"], `${p}.timeout`);
    const weight = o["weight"] === undefined ? 0 : r.integer(o["weight"], `${p}.weight`, WEIGHT_MIN, WEIGHT_MAX);
    const reverse = o["reverse"] === undefined ? false : r.boolean(o["reverse"], `${p}.reverse`);
    const fall = o["fall"] === undefined ? 1 : r.integer(o["fall"], `${p}.fall`, 1, 1_000_000);
    const rise = o["rise"] === undefined ? 1 : r.integer(o["rise"], `${p}.rise`, 1, 1_000_000);
    const initFail = o["initFail"] === undefined ? false : r.boolean(o["initFail"], `${p}.initFail`);
    const user = o["user"] === undefined ? undefined : r.string(o["user"], `${p}.user`);
    if (r.errors.length > before) return;
    out.push({
      name: name!,
      command: command!,
      intervalMs: intervalMs!,
      timeoutMs: timeoutMs!,
      weight: weight!,
      reverse: reverse!,
      fall: fall!,
      rise: rise!,
      initFail: initFail!,
      ...(user !== undefined ? { user } : {}),
    });
  });
  uniqueNames(r, out, path);
  return out;
}

export function readTrackFiles(r: Reader, value: unknown, path: string): TrackFileConfig[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: TrackFileConfig[] = [];
  list.forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const o = r.object(raw, p, ["name", "path", "weight"]);
    if (o === undefined) return;
    const name = r.string(o["name"], `${p}.name`);
    const file = r.string(o["path"], `${p}.path`);
    const weight = o["weight"] === undefined ? 1 : r.integer(o["weight"], `${p}.weight`, -254, 254);
    if (name !== undefined && file !== undefined && weight !== undefined) out.push({ name, path: file, weight });
  });
  uniqueNames(r, out, path);
  return out;
}

export function readTracking(r: Reader, value: unknown, path: string): Tracking | undefined {
  const o = r.object(value, path, ["scripts", "interfaces", "files", "httpChecks", "pods", "processes"]);
  if (o === undefined) return undefined;
  const pods = o["pods"] === undefined ? undefined : readPods(r, o["pods"], `${path}.pods`);
  if (o["pods"] !== undefined && pods === undefined) return undefined;
  const refs = (key: string, min: number, max: number) => (o[key] === undefined ? [] : readRefs(r, o[key], `${path}.${key}`, min, max));
  const scripts = refs("scripts", WEIGHT_MIN, WEIGHT_MAX);
  const interfaces = refs("interfaces", WEIGHT_MIN, WEIGHT_MAX);
  const files = refs("files", -254, 254);
  const httpChecks = o["httpChecks"] === undefined ? undefined : readRefs(r, o["httpChecks"], `${path}.httpChecks`, WEIGHT_MIN, WEIGHT_MAX);
  if (scripts === undefined || interfaces === undefined || files === undefined) return undefined;
  if (o["httpChecks"] !== undefined && httpChecks === undefined) return undefined;
  const processes = o["processes"] === undefined ? undefined : readRefs(r, o["processes"], `${path}.processes`, -254, 254);
  if (o["processes"] !== undefined && processes === undefined) return undefined;
  return {
    scripts,
    interfaces,
    files,
    ...(httpChecks !== undefined ? { httpChecks } : {}),
    ...(pods !== undefined ? { pods } : {}),
    ...(processes !== undefined ? { processes } : {}),
  };
}

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;

function readPods(r: Reader, value: unknown, path: string): PodTracking | undefined {
  const o = r.object(value, path, ["namespace", "selector", "weight"]);
  if (o === undefined) return undefined;
  const namespace = r.string(o["namespace"], `${path}.namespace`);
  const selector = readSelector(r, o["selector"], `${path}.selector`);
  const weight = o["weight"] === undefined ? 0 : r.integer(o["weight"], `${path}.weight`, 0, WEIGHT_MAX);
  if (namespace === undefined || selector === undefined || weight === undefined) return undefined;
  return { namespace, selector, weight };
}

function readSelector(r: Reader, value: unknown, path: string): LabelSelector | undefined {
  const o = r.object(value, path, ["matchLabels", "matchExpressions"]);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  let matchLabels: Record<string, string> | undefined;
  if (o["matchLabels"] !== undefined) {
    const labels = r.mapping(o["matchLabels"], `${path}.matchLabels`);
    if (labels !== undefined) {
      matchLabels = {};
      for (const [k, v] of Object.entries(labels)) {
        if (typeof v !== "string") r.fail(`${path}.matchLabels.${k}`, "must be a string");
        else matchLabels[k] = v;
      }
    }
  }
  const expressions: NonNullable<LabelSelector["matchExpressions"]>[number][] = [];
  if (o["matchExpressions"] !== undefined) {
    (r.list(o["matchExpressions"], `${path}.matchExpressions`) ?? []).forEach((raw, i) => {
      const p = `${path}.matchExpressions[${i}]`;
      const e = r.object(raw, p, ["key", "operator", "values"]);
      if (e === undefined) return;
      const key = r.string(e["key"], `${p}.key`);
      const operator = e["operator"];
      if (!OPERATORS.includes(operator as (typeof OPERATORS)[number])) r.fail(`${p}.operator`, `must be one of ${OPERATORS.join(", ")}`);
      const values = e["values"] === undefined ? undefined : r.list(e["values"], `${p}.values`);
      if (values?.some((v) => typeof v !== "string")) r.fail(`${p}.values`, "must be strings");
      if (key !== undefined) {
        expressions.push({
          key,
          operator: operator as (typeof OPERATORS)[number],
          ...(values !== undefined ? { values: values as string[] } : {}),
        });
      }
    });
  }
  if (matchLabels === undefined && expressions.length === 0 && r.errors.length === before) {
    r.fail(path, "must have matchLabels or matchExpressions (an empty selector would follow every pod)");
  }
  if (r.errors.length > before) return undefined;
  return { ...(matchLabels !== undefined ? { matchLabels } : {}), ...(expressions.length > 0 ? { matchExpressions: expressions } : {}) };
}

function readRefs(r: Reader, value: unknown, path: string, min: number, max: number): TrackRef[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: TrackRef[] = [];
  list.forEach((raw, i) => {
    const p = `${path}[${i}]`;
    if (typeof raw === "string") {
      out.push({ name: raw });
      return;
    }
    const o = r.object(raw, p, ["name", "weight", "reverse"]);
    if (o === undefined) return;
    const name = r.string(o["name"], `${p}.name`);
    const weight = o["weight"] === undefined ? undefined : r.integer(o["weight"], `${p}.weight`, min, max);
    const reverse = o["reverse"] === undefined ? undefined : r.boolean(o["reverse"], `${p}.reverse`);
    if (name === undefined) return;
    out.push({ name, ...(weight !== undefined ? { weight } : {}), ...(reverse !== undefined ? { reverse } : {}) });
  });
  return out;
}

export function readNotify(r: Reader, value: unknown, path: string): Notify | undefined {
  const o = r.object(value, path, ["any", "master", "backup", "fault", "stop", "timeout", "user"]);
  if (o === undefined) return undefined;
  const cmd = (key: string) => (o[key] === undefined ? undefined : r.string(o[key], `${path}.${key}`));
  const commands = { any: cmd("any"), master: cmd("master"), backup: cmd("backup"), fault: cmd("fault"), stop: cmd("stop") };
  const user = cmd("user");
  const timeoutMs = o["timeout"] === undefined ? 30_000 : r.duration(o["timeout"], `${path}.timeout`);
  if (timeoutMs === undefined) return undefined;
  const set = Object.fromEntries(Object.entries(commands).filter(([, v]) => v !== undefined)) as Partial<Notify>;
  return { ...set, timeoutMs, ...(user !== undefined ? { user } : {}) };
}

export function readStateFile(r: Reader, value: unknown, path: string): string | undefined {
  const file = r.string(value, path);
  if (file !== undefined && !file.startsWith("/")) return r.fail(path, `must be an absolute path, got ${describe(value)}`);
  return file;
}

export interface Trackables {
  readonly scripts: readonly ScriptConfig[];
  readonly files: readonly TrackFileConfig[];
  readonly httpChecks: readonly HttpCheckConfig[];
  readonly processes?: readonly { readonly name: string }[];
}

/** `indices[i]`: the list index of `instances[i]` (valid instances only are checked), for the error path. */
export function checkTrackReferences(
  r: Reader,
  instances: readonly InstanceConfig[],
  { scripts, files, httpChecks, processes }: Trackables,
  indices?: readonly number[],
): void {
  const processNames = new Set((processes ?? []).map((p) => p.name));
  const scriptNames = new Set(scripts.map((s) => s.name));
  const fileNames = new Set(files.map((f) => f.name));
  const httpCheckNames = new Set(httpChecks.map((c) => c.name));
  instances.forEach((inst, k) => {
    const i = indices?.[k] ?? k;
    inst.track.scripts.forEach((ref, j) => {
      if (!scriptNames.has(ref.name)) r.fail(`instances[${i}].track.scripts[${j}]`, `no script named "${ref.name}" under scripts`);
    });
    inst.track.files.forEach((ref, j) => {
      if (!fileNames.has(ref.name)) r.fail(`instances[${i}].track.files[${j}]`, `no track file named "${ref.name}" under trackFiles`);
    });
    (inst.track.httpChecks ?? []).forEach((ref, j) => {
      if (!httpCheckNames.has(ref.name))
        r.fail(`instances[${i}].track.httpChecks[${j}]`, `no HTTP check named "${ref.name}" under httpChecks`);
    });
    (inst.track.processes ?? []).forEach((ref, j) => {
      if (!processNames.has(ref.name))
        r.fail(`instances[${i}].track.processes[${j}]`, `no tracked process named "${ref.name}" under trackProcesses`);
    });
  });
}

function uniqueNames(r: Reader, items: readonly { name: string }[], path: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.name)) r.fail(path, `name "${item.name}" is used twice`);
    seen.add(item.name);
  }
}
