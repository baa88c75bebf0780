/**
 * keepalived's config preprocessor (keepalived.conf(5), "ADVANCED
 * CONFIGURATION"), applied to each physical line before it is split into
 * tokens:
 *
 * - `$NAME=VALUE` defines a parameter; a value ending in `\` goes on over the
 *   next lines (a multi-line definition, blank lines skipped).
 * - `$NAME` followed by a space or the line end, and `${NAME}` anywhere, are
 *   replaced by the value; the result is read again (definitions, `@ID`
 *   prefixes and parameters in it count), as keepalived does. An undefined
 *   name stays as written, so a `$` in an existing script line is safe.
 *   Built in: `${_PWD}` (directory of the current file), `${_INSTANCE}` (the
 *   config id), `${_HASH}` (#), `${_BANG}` (!).
 * - `@ID` / `@^ID` line prefixes: see conditionals.ts.
 * - `~SEQ(VAR, [START, [STEP,]] END)`, `~SEQx(...)` (hexadecimal) and
 *   `~LST(VAR, V1, V2 ...)` / `~LST({A, B}, {1, 2}, {3, 4})` repeat the rest
 *   of the line for each value of VAR.
 *
 * Pure: the state (definitions, a multi-line definition being read, the
 * output budget) is one object per lex() run, shared by the files it
 * includes, since keepalived's definitions carry into included files.
 */
import { conditional } from "./conditionals.js";

export interface MacroState {
  readonly configId: string | undefined;
  /** Parameter → its value's lines (one for a single-line definition). */
  readonly params: Map<string, readonly string[]>;
  /** A multi-line definition still being read. */
  pending?: { readonly name: string; readonly lines: string[]; readonly line: number };
  /** Lines produced so far by ~SEQ / ~LST and multi-line parameters (bounded). */
  produced: number;
}

/** A config that expands to more lines than this is refused rather than read (keepalived's own example makes 65024 instances). */
export const MAX_PRODUCED_LINES = 100_000;
const MAX_DEPTH = 32;
const NAME = "[A-Za-z_][A-Za-z0-9_]*";

export const newMacroState = (configId: string | undefined): MacroState => ({ configId, params: new Map(), produced: 0 });

export interface MacroError {
  /** The construct in error, for the message's keyword: `$NAME`, `@`, `~SEQ`. */
  readonly keyword: string;
  readonly message: string;
}

/**
 * One physical line → the lines to tokenise. `raw: true`: the line is
 * untouched and still has its comment (the common case: no `$`, `@` or `~`
 * in it); otherwise comments are already removed, and `#` / `!` in the
 * output are text (they can only come from a value, e.g. `${_HASH}`).
 */
export type Preprocessed =
  | { readonly raw: true; readonly lines: readonly [string]; readonly errors: readonly MacroError[] }
  | { readonly raw: false; readonly lines: readonly string[]; readonly errors: readonly MacroError[] };

export function preprocessLine(text: string, line: number, dir: string, state: MacroState): Preprocessed {
  const errors: MacroError[] = [];
  const pending = state.pending;
  if (pending !== undefined) {
    const body = stripComment(text).trim();
    if (body === "") return { raw: false, lines: [], errors };
    const more = body.endsWith("\\");
    pending.lines.push(more ? body.slice(0, -1).trimEnd() : body);
    if (!more) {
      state.params.set(
        pending.name,
        pending.lines.filter((l) => l !== ""),
      );
      delete state.pending;
    }
    return { raw: false, lines: [], errors };
  }
  if (!/[$@~]/.test(text)) return { raw: true, lines: [text], errors };
  const out: string[] = [];
  expand(stripComment(text), { line, dir, state, errors, out }, 0);
  return { raw: false, lines: out, errors };
}

/** A multi-line definition still open at the end of a file is an error at its first line. */
export function finishFile(state: MacroState): { readonly line: number; readonly error: MacroError } | undefined {
  const pending = state.pending;
  if (pending === undefined) return undefined;
  delete state.pending;
  return {
    line: pending.line,
    error: { keyword: `$${pending.name}`, message: "the multi-line definition is not finished: its last line ends with \\" },
  };
}

interface Run {
  readonly line: number;
  readonly dir: string;
  readonly state: MacroState;
  readonly errors: MacroError[];
  readonly out: string[];
}

function expand(text: string, run: Run, depth: number): void {
  if (depth > MAX_DEPTH)
    return void run.errors.push({
      keyword: "$",
      message: `parameters nest more than ${MAX_DEPTH} deep; does a parameter refer to itself?`,
    });
  const cond = conditional(text, run.state.configId);
  if (cond.kind === "error") return void run.errors.push({ keyword: "@", message: cond.message });
  if (cond.kind === "drop") return;
  const body = cond.kind === "keep" ? cond.rest : text;
  const trimmed = body.trim();
  if (trimmed === "") return;
  const definition = new RegExp(`^\\$(${NAME})=(.*)$`).exec(trimmed);
  if (definition !== null) return define(definition[1]!, definition[2]!.trim(), run);
  if (trimmed.startsWith("~")) return sequence(trimmed, run, depth);
  substitute(body, run, depth);
}

function define(name: string, value: string, run: Run): void {
  if (BUILT_IN.has(name))
    return void run.errors.push({
      keyword: `$${name}`,
      message: `${name} is one of keepalived's predefined names and cannot be redefined`,
    });
  if (value.endsWith("\\")) {
    const first = value.slice(0, -1).trim();
    run.state.pending = { name, lines: first === "" ? [] : [first], line: run.line };
    return;
  }
  run.state.params.set(name, [value]);
}

const BUILT_IN = new Set(["_PWD", "_INSTANCE", "_HASH", "_BANG", "_RANDOM"]);

function builtIn(name: string, run: Run): string | undefined {
  switch (name) {
    case "_PWD":
      return run.dir;
    case "_INSTANCE":
      return run.state.configId ?? "";
    case "_HASH":
      return "#";
    case "_BANG":
      return "!";
    default:
      return undefined;
  }
}

function substitute(text: string, run: Run, depth: number): void {
  if (/\$\{_RANDOM\b/.test(text)) {
    return void run.errors.push({
      keyword: "${_RANDOM}",
      message: "not supported: floatip reads a config the same way each time (a reload compares it with the running one); write the value",
    });
  }
  const pattern = new RegExp(`\\$\\{(${NAME})\\}|\\$(${NAME})(?=\\s|$)`, "g");
  let multi: string | undefined;
  let changed = false;
  const replaced = text.replace(pattern, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = builtIn(name, run) ?? run.state.params.get(name);
    if (value === undefined) return whole;
    if (typeof value !== "string" && value.length !== 1) {
      multi = name;
      return whole;
    }
    changed = true;
    return typeof value === "string" ? value : value[0]!;
  });
  if (multi !== undefined) return multiLine(multi, text, run, depth);
  if (!changed) return void run.out.push(text);
  expand(replaced, run, depth + 1);
}

/** A multi-line parameter stands for whole lines, so it must be alone on its line. */
function multiLine(name: string, text: string, run: Run, depth: number): void {
  const trimmed = text.trim();
  if (trimmed !== `$${name}` && trimmed !== `\${${name}}`) {
    return void run.errors.push({ keyword: `$${name}`, message: "a multi-line parameter must stand alone on its line" });
  }
  const lines = run.state.params.get(name) ?? [];
  if (!budget(run, lines.length)) return;
  for (const l of lines) expand(l, run, depth + 1);
}

function budget(run: Run, lines: number): boolean {
  run.state.produced += lines;
  if (run.state.produced <= MAX_PRODUCED_LINES) return true;
  if (!run.errors.some((e) => e.keyword === "~")) {
    run.errors.push({
      keyword: "~",
      message: `the config expands to more than ${MAX_PRODUCED_LINES.toLocaleString("en")} lines (~SEQ, ~LST and multi-line parameters in all)`,
    });
  }
  return false;
}

/** `~SEQ(...) REST`, `~SEQx(...) REST`, `~LST(...) REST`: REST once per value, with the variable(s) set. */
function sequence(text: string, run: Run, depth: number): void {
  const m = /^~(SEQx|SEQ|LST)\(/.exec(text);
  const kind = m?.[1];
  const close = m === null ? -1 : closingParen(text, m[0].length);
  if (m === null || kind === undefined || close < 0) {
    return void run.errors.push({
      keyword: "~",
      message: "expected ~SEQ(VAR, [START, [STEP,]] END), ~SEQx(...) or ~LST(VAR, VALUE ...) followed by the line to repeat",
    });
  }
  const inside = text.slice(m[0].length, close);
  const rest = text.slice(close + 1).trim();
  const rows = kind === "LST" ? listRows(inside) : seqRows(inside, kind === "SEQx");
  if (typeof rows === "string") return void run.errors.push({ keyword: `~${kind}`, message: rows });
  if (!budget(run, rows.values.length)) return;
  const saved = rows.names.map((n) => run.state.params.get(n));
  for (const values of rows.values) {
    rows.names.forEach((n, i) => run.state.params.set(n, [values[i]!]));
    expand(rest, run, depth + 1);
  }
  rows.names.forEach((n, i) => (saved[i] === undefined ? run.state.params.delete(n) : run.state.params.set(n, saved[i]!)));
}

function closingParen(text: string, from: number): number {
  let braces = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === "{") braces++;
    else if (text[i] === "}") braces--;
    else if (text[i] === ")" && braces === 0) return i;
  }
  return -1;
}

interface Rows {
  readonly names: readonly string[];
  readonly values: readonly (readonly string[])[];
}

function seqRows(inside: string, hex: boolean): Rows | string {
  const parts = inside.split(",").map((p) => p.trim());
  const usage = `usage: ~SEQ${hex ? "x" : ""}(VAR, [START, [STEP,]] END)`;
  const name = parts[0] ?? "";
  if (!new RegExp(`^${NAME}$`).test(name) || parts.length < 2 || parts.length > 4) return usage;
  const numbers = parts.slice(1).map(integerArg);
  if (numbers.some((n) => Number.isNaN(n)))
    return `${usage}: START, STEP and END must be integers (0x... for hexadecimal), got "${parts.slice(1).join(", ")}"`;
  const end = numbers[numbers.length - 1]!;
  const start = numbers.length >= 2 ? numbers[0]! : end < 0 ? -1 : 1;
  const step = numbers.length === 3 ? numbers[1]! : end >= start ? 1 : -1;
  if (step === 0) return `${usage}: STEP must not be 0`;
  const values: string[][] = [];
  for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
    values.push([hex ? (v < 0 ? `-${(-v).toString(16)}` : v.toString(16)) : String(v)]);
    if (values.length > MAX_PRODUCED_LINES) break;
  }
  return { names: [name], values };
}

/** A decimal or 0x-hexadecimal integer, maybe negative; NaN otherwise. */
function integerArg(text: string): number {
  const m = /^(-?)(?:0x([0-9a-fA-F]+)|(\d+))$/.exec(text);
  if (m === null) return Number.NaN;
  const n = m[2] !== undefined ? Number.parseInt(m[2], 16) : Number(m[3]);
  return m[1] === "-" ? -n : n;
}

function listRows(inside: string): Rows | string {
  const usage = "usage: ~LST(VAR, VALUE, ...) or ~LST({VAR1, VAR2}, {V1, V2}, ...)";
  const items: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of inside) {
    if (ch === "{") depth++;
    if (ch === "}") depth--;
    if (ch === "," && depth === 0) {
      items.push(current.trim());
      current = "";
    } else current += ch;
  }
  items.push(current.trim());
  const tuple = (s: string): string[] =>
    s.startsWith("{") && s.endsWith("}")
      ? s
          .slice(1, -1)
          .split(",")
          .map((x) => x.trim())
      : [s];
  const [head, ...rest] = items;
  if (head === undefined || rest.length === 0) return usage;
  const names = tuple(head);
  if (names.some((n) => !new RegExp(`^${NAME}$`).test(n))) return `${usage}: "${head}" is not a variable name`;
  const values = rest.map(tuple);
  const wrong = values.find((v) => v.length !== names.length);
  if (wrong !== undefined) return `${usage}: {${wrong.join(", ")}} gives ${wrong.length} values for ${names.length} variables`;
  return { names, values };
}

/** Removes a `#` / `!` comment outside double quotes; `\#` and `\!` stay for the tokenizer to unescape. */
export function stripComment(text: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === "\\" && !quoted && (text[i + 1] === "#" || text[i + 1] === "!")) i++;
    else if ((ch === "#" || ch === "!") && !quoted) return text.slice(0, i);
  }
  return text;
}
