/**
 * keepalived.conf lexer: text → tokens that know their file and line.
 *
 * As in keepalived: `#` and `!` start a comment anywhere outside double
 * quotes (`\#` and `\!` stand for the characters themselves), `"..."` is one
 * token with its spaces kept, `{` and `}` are tokens even when glued to a
 * word, a `\` at the end of a line continues it on the next, and a line
 * `include PATTERN` is replaced by the files the pattern matches (relative
 * to the including file's directory). File access goes through IncludeIo so
 * the lexer itself is pure.
 */
import { posix } from "node:path";
import { directoryOf, expandPattern } from "./glob.js";
import { finishFile, newMacroState, preprocessLine, type MacroState } from "./macros.js";

/** A problem located in a config file; keyword is the statement it concerns. */
export interface SourceError {
  readonly file: string;
  readonly line: number;
  readonly keyword: string;
  readonly message: string;
}

/** word: bare text; string: a "quoted" text (quotes removed); eol: end of a line that had tokens. */
export type TokenKind = "word" | "string" | "open" | "close" | "eol";

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly file: string;
  readonly line: number;
}

export interface IncludeIo {
  /** Returns the file's text; throws when it cannot be read. */
  readFile(path: string): string;
  /** Returns the names in a directory; throws when it cannot be listed. */
  listDir(dir: string): readonly string[];
}

/**
 * The tokens come back even with errors (the parser still reports its own
 * errors over them, so a file shows all its problems at once); `files` lists
 * the files read, in the order they were first included (errors sort by it).
 */
export type LexResult =
  | { readonly ok: true; readonly tokens: readonly Token[]; readonly files: readonly string[] }
  | { readonly ok: false; readonly errors: readonly SourceError[]; readonly tokens: readonly Token[]; readonly files: readonly string[] };

const MAX_INCLUDE_DEPTH = 32;
/**
 * Include expansion is bounded in total, not only in depth: files that each
 * include the next one twice would otherwise be read 2^depth times. A file
 * may be included from several places (a shared snippet in every
 * vrrp_instance), so repeats count against the totals rather than being
 * refused.
 */
export const MAX_INCLUDED_FILES = 1000;
export const MAX_INCLUDED_CHARACTERS = 4_000_000;

/** One lex() call's output and include budget; passed down, never shared between calls. */
interface LexRun {
  readonly io: IncludeIo | undefined;
  readonly tokens: Token[];
  readonly errors: SourceError[];
  /** Files in the order first read. */
  readonly order: string[];
  /** Times each file was included so far. */
  readonly included: Map<string, number>;
  /** File reads so far (failed ones too) and the characters they returned. */
  files: number;
  characters: number;
  /** Set once the budget ran out: the error is reported once and no further file is read. */
  exhausted: boolean;
  /** Parameters, conditionals and sequences (macros.ts); definitions carry into included files. */
  readonly macros: MacroState;
  readonly baseDir: string | undefined;
}

export interface LexOptions {
  /** keepalived's config id (`-i`): which `@ID` lines count. floatip's --config-id, default the host name. */
  readonly configId?: string;
  /** The directory a relative file name is relative to (the shell's cwd), so ${_PWD} is absolute as in keepalived. */
  readonly baseDir?: string;
}

/** Lexes `text` (the contents of `file`); without io, any include is an error. */
export function lex(text: string, file: string, io?: IncludeIo, options: LexOptions = {}): LexResult {
  const macros = newMacroState(options.configId);
  const run: LexRun = {
    io,
    tokens: [],
    errors: [],
    order: [],
    included: new Map(),
    files: 0,
    characters: 0,
    exhausted: false,
    macros,
    baseDir: options.baseDir,
  };
  lexFile(text, file, [posix.normalize(file)], run);
  const { tokens, order: files } = run;
  return run.errors.length > 0 ? { ok: false, errors: run.errors, tokens, files } : { ok: true, tokens, files };
}

function lexFile(text: string, file: string, stack: readonly string[], run: LexRun): void {
  const { tokens, errors } = run;
  if (!run.order.includes(file)) run.order.push(file);
  const lines = text.split(/\r?\n/);
  const dir = run.baseDir === undefined ? directoryOf(file) : posix.resolve(run.baseDir, directoryOf(file));
  let logical: Token[] = [];
  const onLine = (text: string, line: number, comments: boolean): void => {
    const scanned = scanLine(text, comments);
    if (scanned.error !== undefined) {
      errors.push({ file, line, keyword: scanned.parts[0]?.text ?? "", message: scanned.error });
    }
    const startsLine = logical.length === 0;
    const lineTokens = scanned.parts.map((p) => ({ ...p, file, line }));
    if (startsLine && lineTokens[0]?.kind === "word" && INCLUDES.has(lineTokens[0].text) && !scanned.continued) {
      include(lineTokens.slice(1), { file, line, stack, keyword: lineTokens[0].text }, run);
      return;
    }
    logical = logical.concat(lineTokens);
    if (scanned.continued) return;
    if (logical.length > 0) {
      const last = logical[logical.length - 1]!;
      tokens.push(...logical, { kind: "eol", text: "", file, line: last.line });
    }
    logical = [];
  };
  lines.forEach((raw, index) => {
    const line = index + 1;
    const pre = preprocessLine(raw, line, dir, run.macros);
    for (const e of pre.errors) errors.push({ file, line, ...e });
    // Lines from the preprocessor have no comment left; a # or ! in them is text (e.g. from ${_HASH}).
    for (const text of pre.lines) onLine(text, line, pre.raw);
  });
  const open = finishFile(run.macros);
  if (open !== undefined) errors.push({ file, line: open.line, ...open.error });
  if (logical.length > 0) {
    const last = logical[logical.length - 1]!;
    tokens.push(...logical, { kind: "eol", text: "", file, line: last.line });
  }
}

interface IncludeSite {
  readonly file: string;
  readonly line: number;
  readonly stack: readonly string[];
  /** include or one of keepalived's variants (includer ...). */
  readonly keyword: string;
}

/**
 * keepalived's include variants: r (readable), m (match), w (wildcard
 * match), b (brace match), a (all). floatip always refuses an unreadable or
 * missing file and has no brace expansion, so only w and a add a check: a
 * wildcard that matches nothing is an error.
 */
const INCLUDES = new Set(["include", "includer", "includem", "includew", "includeb", "includea"]);
const WILDCARD_MUST_MATCH = new Set(["includew", "includea"]);

function include(args: readonly Token[], site: IncludeSite, run: LexRun): void {
  const { file, line, stack, keyword } = site;
  const io = run.io;
  const fail = (message: string): void => {
    run.errors.push({ file, line, keyword, message });
  };
  if (args.some((t) => t.kind === "open" || t.kind === "close"))
    return fail("brace expansion ({a,b}) is not supported in include patterns; only * and ? wildcards are");
  const pattern = args[0];
  if (args.length !== 1 || pattern === undefined || (pattern.kind !== "word" && pattern.kind !== "string")) {
    return fail("takes exactly one file name or pattern");
  }
  if (io === undefined) return fail("includes are not available here (no file access)");
  if (run.exhausted) return;
  if (stack.length > MAX_INCLUDE_DEPTH) return fail(`includes nested more than ${MAX_INCLUDE_DEPTH} deep`);
  const expanded = expandPattern(pattern.text, directoryOf(file), (dir) => io.listDir(dir));
  if (!expanded.ok) return fail(expanded.message);
  if (expanded.paths.length === 0 && WILDCARD_MUST_MATCH.has(keyword))
    return fail(`"${pattern.text}" matches no file (${keyword} requires at least one)`);
  for (const path of expanded.paths) {
    if (stack.includes(path)) return fail(`include cycle: ${[...stack, path].join(" -> ")}`);
    if (run.files >= MAX_INCLUDED_FILES) return exhaust(run, fail, `would read more than ${MAX_INCLUDED_FILES} included files in all`);
    run.files++;
    run.included.set(path, (run.included.get(path) ?? 0) + 1);
    let text: string;
    try {
      text = io.readFile(path);
    } catch (error) {
      fail(`cannot read ${path}: ${(error as Error).message}`);
      continue;
    }
    run.characters += text.length;
    if (run.characters > MAX_INCLUDED_CHARACTERS) {
      return exhaust(
        run,
        fail,
        `went over ${MAX_INCLUDED_CHARACTERS.toLocaleString("en")} characters of included text in all with ${path}`,
      );
    }
    lexFile(text, path, [...stack, path], run);
  }
}

/** Reports the exhausted include budget once, naming the file included most often. */
function exhaust(run: LexRun, fail: (message: string) => void, what: string): void {
  run.exhausted = true;
  let top: [string, number] | undefined;
  for (const entry of run.included) if (top === undefined || entry[1] > top[1]) top = entry;
  const repeated =
    top !== undefined && top[1] > 1
      ? `; ${top[0]} alone was included ${top[1]} times (files that include the same file more than once multiply)`
      : "";
  fail(`include expansion ${what}${repeated}`);
}

interface Part {
  readonly kind: TokenKind;
  readonly text: string;
}

interface ScannedLine {
  readonly parts: readonly Part[];
  /** The line ended with `\`: the next line continues it. */
  readonly continued: boolean;
  readonly error?: string;
}

/** Splits one physical line into tokens, dropping its comment. */
export function scanLine(raw: string, comments = true): ScannedLine {
  const parts: Part[] = [];
  let word = "";
  const flush = (): void => {
    if (word.length > 0) parts.push({ kind: "word", text: word });
    word = "";
  };
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === " " || ch === "\t" || ch === "\r") {
      flush();
    } else if ((ch === "#" || ch === "!") && comments) {
      break;
    } else if (ch === "\\") {
      const next = raw[i + 1];
      if (next === "#" || next === "!") {
        word += next;
        i++;
      } else if (raw.slice(i + 1).trim() === "") {
        flush();
        return { parts, continued: true };
      } else {
        word += ch;
      }
    } else if (ch === '"') {
      flush();
      const close = raw.indexOf('"', i + 1);
      if (close < 0) return { parts, continued: false, error: "unterminated quoted string" };
      parts.push({ kind: "string", text: raw.slice(i + 1, close) });
      i = close;
    } else if (ch === "{" || ch === "}") {
      flush();
      parts.push({ kind: ch === "{" ? "open" : "close", text: ch });
    } else {
      word += ch;
    }
  }
  flush();
  return { parts, continued: false };
}
