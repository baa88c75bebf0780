/**
 * Small readers shared by the VirtualIP validators, on top of the agent's
 * config Reader (which collects errors as {path, message}).
 */
import type { Reader } from "../../agent/config/validate.js";
import { describe, parseDuration } from "../../agent/config/duration.js";
import { DURATION_PATTERN, INTERFACE_NAME_MAX, INTERFACE_NAME_PATTERN } from "./limits.js";

type Obj = Record<string, unknown>;

/** A duration string with a unit, as the CRD's pattern and CEL duration() accept. */
export function durationMs(r: Reader, value: unknown, path: string): number | undefined {
  if (typeof value !== "string" || !DURATION_PATTERN.test(value)) {
    return r.fail(path, `must be a duration with a unit such as "1s", "1.5s" or "100ms", got ${describe(value)}`);
  }
  const parsed = parseDuration(value);
  return parsed.ok ? parsed.ms : r.fail(path, parsed.message);
}

/** A mapping with free-form keys. */
export function mapping(r: Reader, value: unknown, path: string): Obj | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return r.fail(path, `must be a mapping, got ${describe(value)}`);
  return value as Obj;
}

/** `path.key`, or `path["key"]` when the key is not a plain identifier (label keys, node names with dots). */
export function keyPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export function stringMap(r: Reader, value: unknown, path: string): Record<string, string> | undefined {
  const o = mapping(r, value, path);
  if (o === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(o).sort()) {
    if (key === "") r.fail(path, "keys must not be empty");
    else if (typeof o[key] !== "string") r.fail(keyPath(path, key), `must be a string, got ${describe(o[key])}`);
    else out[key] = o[key] as string;
  }
  return out;
}

export function pattern(r: Reader, value: unknown, path: string, re: RegExp, max: number, what: string): string | undefined {
  const text = r.string(value, path);
  if (text === undefined) return undefined;
  if (text.length > max || !re.test(text)) return r.fail(path, `must be ${what} (at most ${max} characters matching ${re.source}), got "${text}"`);
  return text;
}

export function interfaceName(r: Reader, value: unknown, path: string): string | undefined {
  const name = r.string(value, path);
  if (name === undefined) return undefined;
  if (!INTERFACE_NAME_PATTERN.test(name)) {
    return r.fail(path, `must be an interface name (at most ${INTERFACE_NAME_MAX} characters, no "/" or spaces), got "${name}"`);
  }
  return name;
}

