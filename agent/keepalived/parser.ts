/**
 * keepalived.conf tokens → a tree of statements. A statement is a keyword
 * and its arguments up to the end of the line, a `{` or a `}`; a `{` opens
 * a block of child statements for the statement before it, which may sit
 * on the previous line, as keepalived allows.
 */
import { lex, type IncludeIo, type LexOptions, type SourceError, type Token } from "./lexer.js";

export interface Block {
  readonly keyword: string;
  readonly args: readonly string[];
  /** Present when the statement has a `{ ... }` block, even an empty one. */
  readonly children?: readonly Block[];
  readonly file: string;
  readonly line: number;
}

export type ParseResult =
  | { readonly ok: true; readonly blocks: readonly Block[] }
  | { readonly ok: false; readonly errors: readonly SourceError[] };

interface Draft {
  readonly keyword: string;
  readonly args: string[];
  children?: Draft[];
  readonly file: string;
  readonly line: number;
}

/** Deepest block nesting accepted (also bounds the recursion in freeze()). */
const MAX_DEPTH = 32;

export function parseTokens(tokens: readonly Token[]): ParseResult {
  const errors: SourceError[] = [];
  const root: Draft[] = [];
  const open: Draft[] = []; // innermost last
  let pending: Draft | undefined;
  let lastFinished: Draft | undefined;
  const level = (): Draft[] => open[open.length - 1]?.children ?? root;
  const finish = (): void => {
    if (pending !== undefined) level().push(pending);
    lastFinished = pending;
    pending = undefined;
  };

  for (const token of tokens) {
    switch (token.kind) {
      case "word":
      case "string":
        lastFinished = undefined;
        if (pending === undefined) pending = { keyword: token.text, args: [], file: token.file, line: token.line };
        else pending.args.push(token.text);
        break;
      case "eol":
        finish();
        break;
      case "open": {
        let opener = pending;
        if (opener !== undefined) {
          level().push(opener);
          pending = undefined;
        } else if (lastFinished !== undefined && lastFinished.children === undefined) {
          opener = lastFinished; // keyword on one line, `{` on the next
        }
        lastFinished = undefined;
        if (opener === undefined) {
          errors.push({ file: token.file, line: token.line, keyword: "{", message: "'{' without a keyword before it" });
          open.push({ keyword: "{", args: [], children: [], file: token.file, line: token.line });
          break;
        }
        opener.children = [];
        open.push(opener);
        if (open.length > MAX_DEPTH) {
          // keepalived.conf nests three or four levels; anything this deep is not a config.
          return {
            ok: false,
            errors: [{ file: token.file, line: token.line, keyword: opener.keyword, message: `blocks nested more than ${MAX_DEPTH} deep` }],
          };
        }
        break;
      }
      case "close":
        finish();
        lastFinished = undefined;
        if (open.pop() === undefined) {
          errors.push({ file: token.file, line: token.line, keyword: "}", message: "'}' without a matching '{'" });
        }
        break;
    }
  }
  finish();
  for (const block of open) {
    errors.push({ file: block.file, line: block.line, keyword: block.keyword, message: "'{' opened here is never closed with '}'" });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, blocks: root.map(freeze) };
}

/** A parse of a whole file: its statements or its errors (lexer and parser together), and the files read in order. */
export type FileParseResult = ParseResult & { readonly files: readonly string[] };

/** Lexes and parses one file (and its includes); lexer and parser errors come together. */
export function parseKeepalivedText(text: string, file: string, io?: IncludeIo, options: LexOptions = {}): FileParseResult {
  const lexed = lex(text, file, io, options);
  const parsed = parseTokens(lexed.tokens);
  const errors = [...(lexed.ok ? [] : lexed.errors), ...(parsed.ok ? [] : parsed.errors)];
  if (errors.length > 0) return { ok: false, errors, files: lexed.files };
  return { ...parsed, files: lexed.files };
}

function freeze(d: Draft): Block {
  return {
    keyword: d.keyword,
    args: [...d.args],
    ...(d.children !== undefined ? { children: d.children.map(freeze) } : {}),
    file: d.file,
    line: d.line,
  };
}
