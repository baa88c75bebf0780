/**
 * The Reader that validate.ts and the section readers in their own files (validate-http.ts,
 * validate-process.ts, validate-sync.ts, validate-tracking.ts) share: in a file of its own so they
 * need not import validate.ts, which imports them.
 */
import { describe, parseDuration } from "./duration.js";

export interface ConfigError {
  /** Field path, e.g. "instances[0].virtualRouterID". */
  readonly path: string;
  readonly message: string;
}

type Obj = Record<string, unknown>;

/** Collects errors while reading one object; every reader returns a value or undefined. */
export class Reader {
  readonly errors: ConfigError[] = [];
  /** Fields read under an old spelling, by path (renamed-fields.ts). */
  readonly deprecated: ConfigError[] = [];
  fail(path: string, message: string): undefined {
    this.errors.push({ path, message });
    return undefined;
  }
  /** A mapping with any keys. */
  mapping(value: unknown, path: string): Obj | undefined {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      return this.fail(path, `must be a mapping, got ${describe(value)}`);
    return value as Obj;
  }
  /** A mapping whose keys are all in `allowed` (a short list). */
  object(value: unknown, path: string, allowed: readonly string[]): Obj | undefined {
    const obj = this.mapping(value, path);
    if (obj === undefined) return undefined;
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail(`${path}.${key}`, `unknown field (allowed: ${allowed.join(", ")})`);
    }
    return obj;
  }
  integer(value: unknown, path: string, min: number, max: number): number | undefined {
    if (typeof value !== "number" || !Number.isInteger(value)) return this.fail(path, `must be an integer, got ${describe(value)}`);
    if (value < min || value > max) return this.fail(path, `must be between ${min} and ${max}, got ${value}`);
    return value;
  }
  string(value: unknown, path: string): string | undefined {
    if (typeof value !== "string" || value.length === 0) return this.fail(path, `must be a non-empty string, got ${describe(value)}`);
    return value;
  }
  boolean(value: unknown, path: string): boolean | undefined {
    if (typeof value !== "boolean") return this.fail(path, `must be true or false, got ${describe(value)}`);
    return value;
  }
  duration(value: unknown, path: string): number | undefined {
    const parsed = parseDuration(value);
    return parsed.ok ? parsed.ms : this.fail(path, parsed.message);
  }
  list(value: unknown, path: string): readonly unknown[] | undefined {
    if (!Array.isArray(value)) return this.fail(path, `must be a list, got ${describe(value)}`);
    return value;
  }
}
