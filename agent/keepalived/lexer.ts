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

export type LexResult =
  | { readonly ok: true; readonly tokens: readonly Token[] }
  | { readonly ok: false; readonly errors: readonly SourceError[] };

const MAX_INCLUDE_DEPTH = 32;

/** Lexes `text` (the contents of `file`); without io, any include is an error. */
export function lex(text: string, file: string, io?: IncludeIo): LexResult {
  const tokens: Token[] = [];
  const errors: SourceError[] = [];
  lexFile(text, file, [posix.normalize(file)], io, tokens, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, tokens };
}

function lexFile(text: string, file: string, stack: readonly string[], io: IncludeIo | undefined, tokens: Token[], errors: SourceError[]): void {
  const lines = text.split(/\r?\n/);
  let logical: Token[] = [];
  lines.forEach((raw, index) => {
    const line = index + 1;
    const scanned = scanLine(raw);
    if (scanned.error !== undefined) {
      errors.push({ file, line, keyword: scanned.parts[0]?.text ?? "", message: scanned.error });
    }
    const startsLine = logical.length === 0;
    const lineTokens = scanned.parts.map((p) => ({ ...p, file, line }));
    if (startsLine && lineTokens[0]?.kind === "word" && lineTokens[0].text === "include" && !scanned.continued) {
      include(lineTokens.slice(1), file, line, stack, io, tokens, errors);
      return;
    }
    logical = logical.concat(lineTokens);
    if (scanned.continued) return;
    if (logical.length > 0) {
      const last = logical[logical.length - 1]!;
      tokens.push(...logical, { kind: "eol", text: "", file, line: last.line });
    }
    logical = [];
  });
  if (logical.length > 0) {
    const last = logical[logical.length - 1]!;
    tokens.push(...logical, { kind: "eol", text: "", file, line: last.line });
  }
}

function include(
  args: readonly Token[],
  file: string,
  line: number,
  stack: readonly string[],
  io: IncludeIo | undefined,
  tokens: Token[],
  errors: SourceError[],
): void {
  const fail = (message: string): void => {
    errors.push({ file, line, keyword: "include", message });
  };
  if (args.some((t) => t.kind === "open" || t.kind === "close")) return fail("brace expansion ({a,b}) is not supported in include patterns; only * and ? wildcards are");
  const pattern = args[0];
  if (args.length !== 1 || pattern === undefined || (pattern.kind !== "word" && pattern.kind !== "string")) {
    return fail("takes exactly one file name or pattern");
  }
  if (io === undefined) return fail("includes are not available here (no file access)");
  if (stack.length > MAX_INCLUDE_DEPTH) return fail(`includes nested more than ${MAX_INCLUDE_DEPTH} deep`);
  const expanded = expandPattern(pattern.text, directoryOf(file), (dir) => io.listDir(dir));
  if (!expanded.ok) return fail(expanded.message);
  for (const path of expanded.paths) {
    if (stack.includes(path)) return fail(`include cycle: ${[...stack, path].join(" -> ")}`);
    let text: string;
    try {
      text = io.readFile(path);
    } catch (error) {
      fail(`cannot read ${path}: ${(error as Error).message}`);
      continue;
    }
    lexFile(text, path, [...stack, path], io, tokens, errors);
  }
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
export function scanLine(raw: string): ScannedLine {
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
    } else if (ch === "#" || ch === "!") {
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
