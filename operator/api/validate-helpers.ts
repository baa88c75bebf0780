/**
 * Small readers shared by the VirtualIP validators, on top of the agent's
 * config Reader (which collects errors as {path, message}).
 */
import type { Reader } from "../../agent/config/reader.js";
import { describe, parseDuration } from "../../agent/config/duration.js";
import {
  DURATION_PATTERN,
  INTERFACE_NAME_MAX,
  INTERFACE_NAME_PATTERN,
  LABEL_KEY_MAX,
  LABEL_KEY_PATTERN,
  LABEL_VALUE_MAX,
  LABEL_VALUE_PATTERN,
} from "./limits.js";

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

/** Whether `key` is a Kubernetes label key (prefix/name). */
export const isLabelKey = (key: string): boolean => key.length <= LABEL_KEY_MAX && LABEL_KEY_PATTERN.test(key);

/** A label value, as selectors and nodeSelector compare them. */
export function labelValue(r: Reader, value: string, path: string): string | undefined {
  if (value.length > LABEL_VALUE_MAX) return r.fail(path, `label values have at most ${LABEL_VALUE_MAX} characters`);
  if (!LABEL_VALUE_PATTERN.test(value)) {
    return r.fail(
      path,
      `must be a label value (letters, digits, '-', '_' and '.', starting and ending with a letter or digit), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Labels to match: label keys to label values. Like stringMap, returns the good entries and records the bad ones. */
export function labelMap(r: Reader, value: unknown, path: string): Record<string, string> | undefined {
  const labels = stringMap(r, value, path);
  if (labels === undefined) return undefined;
  for (const [key, text] of Object.entries(labels)) {
    if (!isLabelKey(key))
      r.fail(
        keyPath(path, key),
        `${JSON.stringify(key)} is not a label key (an optional DNS subdomain and "/", then a name of at most 63 letters, digits, '-', '_' and '.')`,
      );
    else labelValue(r, text, keyPath(path, key));
  }
  return labels;
}

export function pattern(r: Reader, value: unknown, path: string, re: RegExp, max: number, what: string): string | undefined {
  const text = r.string(value, path);
  if (text === undefined) return undefined;
  if (text.length > max || !re.test(text))
    return r.fail(path, `must be ${what} (at most ${max} characters matching ${re.source}), got "${text}"`);
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
