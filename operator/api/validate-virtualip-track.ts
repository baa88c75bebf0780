/**
 * Validation of a VirtualIP's `track`: ready pods on the node, scripts,
 * interfaces, files and HTTP checks (the last four as the agent has them;
 * an HTTP check is read by the agent's own reader, so both accept the same).
 */
import type { Reader } from "../../agent/config/reader.js";
import { describe } from "../../agent/config/duration.js";
import { readHttpCheck as readAgentHttpCheck } from "../../agent/config/validate-http.js";
import type { HttpCheckConfig } from "../../agent/config/types.js";
import {
  FALL_RISE_MAX,
  FILE_WEIGHT_MAX,
  FILE_WEIGHT_MIN,
  SCRIPT_WEIGHT_MAX,
  SCRIPT_WEIGHT_MIN,
  TRACK_NAME_PATTERN,
  TRACK_LIST_MAX,
  TRACK_PODS_WEIGHT_MAX,
  TRACK_PODS_WEIGHT_MIN,
  SELECTOR_VALUES_MAX,
  DNS_LABEL,
  DNS_LABEL_MAX,
  TRACK_NAME_MAX,
} from "./limits.js";
import type { LabelSelector, LabelSelectorRequirement } from "./types.js";
import type { FileSettings, InterfaceSettings, PodTracking, ScriptSettings, TrackSettings } from "./virtualip-config.js";
import { durationMs, interfaceName, isLabelKey, labelMap, labelValue, pattern } from "./validate-helpers.js";

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;

export function readTrack(r: Reader, value: unknown, path: string): TrackSettings | undefined {
  const o = r.object(value, path, ["pods", "scripts", "interfaces", "files", "httpChecks"]);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const pods = o["pods"] === undefined ? undefined : readPods(r, o["pods"], `${path}.pods`);
  const scripts = o["scripts"] === undefined ? [] : readList(r, o["scripts"], `${path}.scripts`, readScript);
  const interfaces = o["interfaces"] === undefined ? [] : readList(r, o["interfaces"], `${path}.interfaces`, readInterface);
  const files = o["files"] === undefined ? [] : readList(r, o["files"], `${path}.files`, readFile);
  const httpChecks = o["httpChecks"] === undefined ? [] : readList(r, o["httpChecks"], `${path}.httpChecks`, readHttpCheck);
  if (r.errors.length > before || scripts === undefined || interfaces === undefined || files === undefined || httpChecks === undefined)
    return undefined;
  return { ...(pods !== undefined ? { pods } : {}), scripts, interfaces, files, ...(httpChecks.length > 0 ? { httpChecks } : {}) };
}

function readList<T extends { name: string }>(
  r: Reader,
  value: unknown,
  path: string,
  read: (r: Reader, item: unknown, path: string) => T | undefined,
): T[] | undefined {
  const items = r.list(value, path);
  if (items === undefined) return undefined;
  if (items.length > TRACK_LIST_MAX) return r.fail(path, `must list at most ${TRACK_LIST_MAX} entries, got ${items.length}`);
  const out: T[] = [];
  items.forEach((item, i) => {
    const parsed = read(r, item, `${path}[${i}]`);
    if (parsed === undefined) return;
    if (out.some((x) => x.name === parsed.name)) r.fail(`${path}[${i}].name`, `"${parsed.name}" is listed twice`);
    out.push(parsed);
  });
  return out.length === items.length ? out : undefined;
}

function readPods(r: Reader, value: unknown, path: string): PodTracking | undefined {
  const o = r.object(value, path, ["namespace", "selector", "weight", "mode"]);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const namespace =
    o["namespace"] === undefined
      ? r.fail(`${path}.namespace`, "is required: the namespace of the pods to follow")
      : pattern(r, o["namespace"], `${path}.namespace`, DNS_LABEL, DNS_LABEL_MAX, "a namespace name");
  const selector =
    o["selector"] === undefined
      ? r.fail(`${path}.selector`, "is required: a label selector for the pods to follow")
      : readSelector(r, o["selector"], `${path}.selector`);
  const weight =
    o["weight"] === undefined ? undefined : r.integer(o["weight"], `${path}.weight`, TRACK_PODS_WEIGHT_MIN, TRACK_PODS_WEIGHT_MAX);
  if (o["mode"] !== undefined && o["mode"] !== "fault") r.fail(`${path}.mode`, `must be "fault", got ${describe(o["mode"])}`);
  if (o["weight"] !== undefined && o["mode"] !== undefined)
    r.fail(`${path}.mode`, "weight and mode are mutually exclusive: set weight (added while a ready pod runs on the node) or mode: fault");
  if (o["weight"] === undefined && o["mode"] === undefined)
    r.fail(`${path}.weight`, "set weight (added while a ready pod runs on the node) or mode: fault (FAULT while none does)");
  if (r.errors.length > before || namespace === undefined || selector === undefined) return undefined;
  return { namespace, selector, weight: weight ?? 0 };
}

function readSelector(r: Reader, value: unknown, path: string): LabelSelector | undefined {
  const o = r.object(value, path, ["matchLabels", "matchExpressions"]);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const matchLabels = o["matchLabels"] === undefined ? undefined : labelMap(r, o["matchLabels"], `${path}.matchLabels`);
  const list = o["matchExpressions"] === undefined ? undefined : r.list(o["matchExpressions"], `${path}.matchExpressions`);
  if (list !== undefined && list.length > TRACK_LIST_MAX)
    r.fail(`${path}.matchExpressions`, `must list at most ${TRACK_LIST_MAX} requirements`);
  const matchExpressions = list?.map((item, i) => readRequirement(r, item, `${path}.matchExpressions[${i}]`));
  if (Object.keys(matchLabels ?? {}).length === 0 && (list ?? []).length === 0) {
    r.fail(path, "must select by matchLabels or matchExpressions (an empty selector would follow every pod in the namespace)");
  }
  if (r.errors.length > before) return undefined;
  return {
    ...(matchLabels !== undefined && Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions !== undefined && matchExpressions.length > 0
      ? { matchExpressions: matchExpressions as LabelSelectorRequirement[] }
      : {}),
  };
}

export function readRequirement(r: Reader, value: unknown, path: string): LabelSelectorRequirement | undefined {
  const o = r.object(value, path, ["key", "operator", "values"]);
  if (o === undefined) return undefined;
  const key = r.string(o["key"], `${path}.key`);
  if (key !== undefined && !isLabelKey(key))
    r.fail(
      `${path}.key`,
      `must be a label key (an optional DNS subdomain and "/", then a name of at most 63 letters, digits, '-', '_' and '.'), got ${JSON.stringify(key)}`,
    );
  const operator = OPERATORS.find((op) => op === o["operator"]);
  if (operator === undefined) return r.fail(`${path}.operator`, `must be one of ${OPERATORS.join(", ")}, got ${describe(o["operator"])}`);
  const items = o["values"] === undefined ? [] : r.list(o["values"], `${path}.values`);
  if (items === undefined) return undefined;
  if (items.length > SELECTOR_VALUES_MAX) return r.fail(`${path}.values`, `must list at most ${SELECTOR_VALUES_MAX} values`);
  const values = items.map((v, i) => {
    if (typeof v !== "string") return r.fail(`${path}.values[${i}]`, `must be a string, got ${describe(v)}`);
    return labelValue(r, v, `${path}.values[${i}]`);
  });
  const needsValues = operator === "In" || operator === "NotIn";
  if (needsValues && values.length === 0) return r.fail(`${path}.values`, `must not be empty for operator ${operator}`);
  if (!needsValues && values.length > 0) return r.fail(`${path}.values`, `must be empty for operator ${operator}`);
  if (key === undefined || !isLabelKey(key) || values.some((v) => v === undefined)) return undefined;
  return { key, operator, ...(needsValues ? { values: values as string[] } : {}) };
}

function trackName(r: Reader, value: unknown, path: string): string | undefined {
  return pattern(r, value, path, TRACK_NAME_PATTERN, TRACK_NAME_MAX, "a name of letters, digits, '-', '_' and '.'");
}

function readScript(r: Reader, value: unknown, path: string): ScriptSettings | undefined {
  const o = r.object(value, path, ["name", "command", "interval", "timeout", "weight", "reverse", "fall", "rise", "initFail", "user"]);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const name = trackName(r, o["name"], `${path}.name`);
  const command = r.string(o["command"], `${path}.command`);
  const intervalMs = durationMs(r, o["interval"] ?? "1s", `${path}.interval`);
  if (intervalMs === 0) r.fail(`${path}.interval`, "must be more than 0");
  const timeoutMs = o["timeout"] === undefined ? undefined : durationMs(r, o["timeout"], `${path}.timeout`);
  const weight = o["weight"] === undefined ? 0 : r.integer(o["weight"], `${path}.weight`, SCRIPT_WEIGHT_MIN, SCRIPT_WEIGHT_MAX);
  const reverse = o["reverse"] === undefined ? false : r.boolean(o["reverse"], `${path}.reverse`);
  const fall = o["fall"] === undefined ? 1 : r.integer(o["fall"], `${path}.fall`, 1, FALL_RISE_MAX);
  const rise = o["rise"] === undefined ? 1 : r.integer(o["rise"], `${path}.rise`, 1, FALL_RISE_MAX);
  const initFail = o["initFail"] === undefined ? false : r.boolean(o["initFail"], `${path}.initFail`);
  const user = o["user"] === undefined ? undefined : r.string(o["user"], `${path}.user`);
  if (r.errors.length > before) return undefined;
  return {
    name: name!,
    command: command!,
    intervalMs: intervalMs!,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    weight: weight!,
    reverse: reverse!,
    fall: fall!,
    rise: rise!,
    initFail: initFail!,
    ...(user !== undefined ? { user } : {}),
  };
}

function readHttpCheck(r: Reader, value: unknown, path: string): HttpCheckConfig | undefined {
  const before = r.errors.length;
  const o = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  // The name becomes part of the rendered "<vip>/<name>": the same rule as scripts and files.
  if (o !== undefined && typeof o["name"] === "string") trackName(r, o["name"], `${path}.name`);
  // Durations with a unit, as everywhere in the CRD (the agent also reads a bare number as seconds).
  const rest = o === undefined ? value : { ...o };
  for (const key of ["interval", "timeout"] as const) {
    if (o?.[key] !== undefined && durationMs(r, o[key], `${path}.${key}`) === undefined) delete (rest as Record<string, unknown>)[key];
  }
  const check = readAgentHttpCheck(r, rest, path);
  return r.errors.length > before ? undefined : check;
}

function readInterface(r: Reader, value: unknown, path: string): InterfaceSettings | undefined {
  const o = r.object(value, path, ["name", "weight", "reverse"]);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const name = interfaceName(r, o["name"], `${path}.name`);
  const weight = o["weight"] === undefined ? undefined : r.integer(o["weight"], `${path}.weight`, SCRIPT_WEIGHT_MIN, SCRIPT_WEIGHT_MAX);
  const reverse = o["reverse"] === undefined ? undefined : r.boolean(o["reverse"], `${path}.reverse`);
  if (r.errors.length > before) return undefined;
  return { name: name!, ...(weight !== undefined ? { weight } : {}), ...(reverse !== undefined ? { reverse } : {}) };
}

function readFile(r: Reader, value: unknown, path: string): FileSettings | undefined {
  const o = r.object(value, path, ["name", "path", "weight", "reverse"]);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const name = trackName(r, o["name"], `${path}.name`);
  const file = r.string(o["path"], `${path}.path`);
  if (file !== undefined && !file.startsWith("/")) r.fail(`${path}.path`, `must be an absolute path, got "${file}"`);
  const weight = o["weight"] === undefined ? 1 : r.integer(o["weight"], `${path}.weight`, FILE_WEIGHT_MIN, FILE_WEIGHT_MAX);
  const reverse = o["reverse"] === undefined ? false : r.boolean(o["reverse"], `${path}.reverse`);
  if (r.errors.length > before) return undefined;
  return { name: name!, path: file!, weight: weight!, reverse: reverse! };
}
