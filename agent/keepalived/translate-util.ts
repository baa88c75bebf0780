/**
 * Shared pieces of the keepalived → floatip translation: the error and
 * source-map collector, argument checks, value parsing and keyword dispatch
 * with "did you mean" suggestions.
 */
import type { SourceError } from "./lexer.js";
import type { Block } from "./parser.js";
import { formatDuration } from "../config/duration.js";

/** Where a translated field came from. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly keyword: string;
}

/** Collects errors, warnings and the field-path → source map of one translation. */
export interface Ctx {
  readonly errors: SourceError[];
  /** Accepted statements whose keepalived meaning floatip does not (or need not) carry out. */
  readonly warnings: SourceError[];
  readonly sources: Map<string, SourceRef>;
  /** Messages may show secrets (floatip convert, whose output holds them anyway); never in the agent's log. */
  readonly showSecrets: boolean;
}

export const newCtx = (showSecrets = false): Ctx => ({ errors: [], warnings: [], sources: new Map(), showSecrets });

export function warn(ctx: Ctx, b: Block, message: string): void {
  ctx.warnings.push({ file: b.file, line: b.line, keyword: b.keyword, message });
}

export function fail(ctx: Ctx, b: Block, message: string): undefined {
  ctx.errors.push({ file: b.file, line: b.line, keyword: b.keyword, message });
  return undefined;
}

/** Records that the field at `path` came from statement `b`. */
export function mark(ctx: Ctx, path: string, b: Block): void {
  ctx.sources.set(path, { file: b.file, line: b.line, keyword: b.keyword });
}

/** Checks the argument count and that there is no block; false after reporting. */
export function args(ctx: Ctx, b: Block, min: number, max: number = min, usage?: string): boolean {
  if (b.children !== undefined) {
    fail(ctx, b, "does not take a { } block");
    return false;
  }
  if (b.args.length < min || b.args.length > max) {
    const want = min === max ? `${min} argument${min === 1 ? "" : "s"}` : `${min} to ${max} arguments`;
    const count = min === 0 && max === 0 ? "takes no arguments" : `takes ${want}`;
    fail(ctx, b, `${count}, got ${b.args.length}${usage !== undefined ? ` (${usage})` : ""}`);
    return false;
  }
  return true;
}

/** Checks that `b` has a `{ }` block and `nargs` arguments; returns the children. */
export function block(ctx: Ctx, b: Block, nargs: number, usage: string): readonly Block[] | undefined {
  if (b.children === undefined) return fail(ctx, b, `needs a { } block (${usage})`);
  if (b.args.length !== nargs)
    return fail(
      ctx,
      b,
      `takes ${nargs === 0 ? "no arguments" : `${nargs} argument${nargs === 1 ? "" : "s"}`} before '{', got ${b.args.length} (${usage})`,
    );
  return b.children;
}

export function integer(ctx: Ctx, b: Block, text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return fail(ctx, b, `must be an integer, got "${text}"`);
  return Number(text);
}

/** Decimal seconds (keepalived's timer syntax) → milliseconds, exactly. */
export function secondsToMs(text: string): { ok: true; ms: number } | { ok: false; message: string } {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return { ok: false, message: `must be a number of seconds, got "${text}"` };
  const fraction = (m[2] ?? "").padEnd(3, "0");
  if (/[1-9]/.test(fraction.slice(3))) return { ok: false, message: `"${text}" is finer than floatip's 1 ms resolution` };
  return { ok: true, ms: Number(m[1]) * 1000 + Number(fraction.slice(0, 3)) };
}

/** Reads a decimal number of seconds and returns the floatip duration string ("1s", "100ms"). */
export function seconds(ctx: Ctx, b: Block, text: string, wholeOnly = false): string | undefined {
  const parsed =
    wholeOnly && !/^\d+$/.test(text)
      ? { ok: false as const, message: `must be a whole number of seconds, got "${text}"` }
      : secondsToMs(text);
  return parsed.ok ? formatDuration(parsed.ms) : fail(ctx, b, parsed.message);
}

/** Parses the `N [reverse]` that follows a `weight` keyword. */
export function weightArgs(ctx: Ctx, b: Block, rest: readonly string[]): { weight: number; reverse: boolean } | undefined {
  const [n, option, ...extra] = rest;
  if (n === undefined) return fail(ctx, b, "weight needs a value");
  const weight = integer(ctx, b, n);
  if (weight === undefined) return undefined;
  if (option !== undefined && option !== "reverse") return fail(ctx, b, `unknown weight option "${option}" (only "reverse")`);
  if (extra.length > 0) return fail(ctx, b, `unexpected "${extra.join(" ")}" after the weight`);
  return { weight, reverse: option === "reverse" };
}

export interface KeywordSpec<S> {
  readonly run: (b: Block, state: S) => void;
  /** May appear more than once in the same block. */
  readonly repeatable?: boolean;
}

/** The keywords of one block floatip does not translate: ignored with a warning, or refused, each with its reason. */
export interface Untranslated {
  readonly ignored?: Readonly<Record<string, string>>;
  readonly unsupported?: Readonly<Record<string, string>>;
}

/**
 * Runs the handler of each statement; unknown keywords, keepalived features
 * floatip lacks and repeated one-off keywords are errors; harmless ones are
 * warnings.
 */
export function dispatch<S>(
  ctx: Ctx,
  blocks: readonly Block[],
  where: string,
  specs: Readonly<Record<string, KeywordSpec<S>>>,
  untranslated: Untranslated,
  state: S,
): void {
  const seen = new Map<string, Block>();
  const ignored = untranslated.ignored ?? {};
  const unsupported = untranslated.unsupported ?? {};
  for (const b of blocks) {
    const spec = Object.hasOwn(specs, b.keyword) ? specs[b.keyword] : undefined;
    if (spec === undefined && Object.hasOwn(ignored, b.keyword)) {
      warn(ctx, b, `ignored: ${ignored[b.keyword]}`);
      continue;
    }
    if (spec === undefined) {
      unknownKeyword(ctx, b, where, [...Object.keys(specs), ...Object.keys(ignored)], unsupported);
      continue;
    }
    const first = seen.get(b.keyword);
    if (first !== undefined && spec.repeatable !== true) {
      fail(ctx, b, `given twice in ${where} (first at ${first.file}:${first.line})`);
      continue;
    }
    seen.set(b.keyword, b);
    spec.run(b, state);
  }
}

function unknownKeyword(ctx: Ctx, b: Block, where: string, known: readonly string[], unsupported: Readonly<Record<string, string>>): void {
  if (Object.hasOwn(unsupported, b.keyword)) {
    fail(ctx, b, `keepalived feature not supported by floatip (in ${where}): ${unsupported[b.keyword]}`);
    return;
  }
  const near = [...known, ...Object.keys(unsupported)].filter((k) => editDistance(k, b.keyword) <= Math.max(1, Math.floor(k.length / 4)));
  const hint = near.length > 0 ? `; did you mean ${near.map((k) => `"${k}"`).join(" or ")}?` : "";
  fail(ctx, b, `unknown keyword in ${where}${hint}`);
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
