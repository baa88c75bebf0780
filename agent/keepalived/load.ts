/**
 * keepalived.conf → AgentConfig: lex, parse, translate, then the same
 * validation as floatip YAML, with validation errors mapped back to the
 * keepalived file and line. Errors are ConfigErrors whose path is
 * "FILE:LINE" and whose message starts with the keyword.
 */
import { readFileSync, readdirSync } from "node:fs";
import { hostname } from "node:os";
import { defaultConfigId } from "./conditionals.js";
import type { LoadResult } from "../config/load.js";
import { validateAgentConfig, type ConfigError } from "../config/validate.js";
import type { IncludeIo, LexOptions, SourceError } from "./lexer.js";
import { parseKeepalivedText } from "./parser.js";
import { translateKeepalived, type SourceRef, type TranslateOptions } from "./translate.js";

/** File access for includes through node:fs. */
export const nodeIncludeIo: IncludeIo = {
  readFile: (path) => readFileSync(path, "utf8"),
  listDir: (dir) => readdirSync(dir),
};

/** The lexer options of the command line: the config id (default: keepalived's, from the host name) and the cwd for ${_PWD}. */
export function shellLexOptions(configId: string | undefined): { readonly configId: string; readonly baseDir: string } {
  return { configId: configId ?? defaultConfigId(hostname()), baseDir: process.cwd() };
}

/** A load's result plus the warnings for accepted keywords floatip does not carry out (sorted like the errors). */
export type KeepalivedLoadResult = LoadResult & {
  readonly warnings: readonly ConfigError[];
  /** FILE:LINE of the statement behind a field path of the config (for checks made after loading, e.g. check-fifos.ts). */
  readonly locate?: (field: string) => string | undefined;
};

export interface KeepalivedLoadOptions extends TranslateOptions, LexOptions {}

/**
 * All of a file's errors come at once, sorted by file (in include order) and
 * line: lexer and parser errors together; else translation errors together
 * with the validation errors of what did translate. A validation error about
 * a field no statement set (a required field missing) is left out when the
 * translation failed, since the statement in error may be what set it.
 */
export function parseKeepalivedConfig(
  text: string,
  file: string,
  io?: IncludeIo,
  options: KeepalivedLoadOptions = {},
): KeepalivedLoadResult {
  const { configId, baseDir } = options;
  const parsed = parseKeepalivedText(text, file, io, {
    ...(configId !== undefined ? { configId } : {}),
    ...(baseDir !== undefined ? { baseDir } : {}),
  });
  const order = (f: string): number => {
    const i = parsed.files.indexOf(f);
    return i < 0 ? parsed.files.length : i;
  };
  const sorted = (list: readonly SourceError[]): ConfigError[] =>
    [...list]
      .sort((a, b) => order(a.file) - order(b.file) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line)
      .map(toConfigError);
  if (!parsed.ok) return { ok: false, errors: sorted(parsed.errors), warnings: [] };
  const translated = translateKeepalived(parsed.blocks, file, options);
  const warnings = sorted(translated.warnings);
  const validated = validateAgentConfig(translated.doc);
  if (translated.ok && validated.ok) {
    const locate = (field: string): string | undefined => {
      const ref = translated.sources.get(field);
      return ref === undefined ? undefined : toConfigError({ ...ref, message: "" }).path;
    };
    return { ...validated, warnings, locate };
  }
  const fromValidation = validated.ok
    ? []
    : validated.errors
        .filter((e) => translated.ok || translated.sources.has(e.path))
        .map((e) => locateValidationError(e, translated.sources, file));
  return { ok: false, errors: sorted([...(translated.ok ? [] : translated.errors), ...fromValidation]), warnings };
}

export async function loadKeepalivedFile(
  file: string,
  io: IncludeIo = nodeIncludeIo,
  options: KeepalivedLoadOptions = {},
): Promise<KeepalivedLoadResult> {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    return { ok: false, errors: [{ path: file, message: `cannot read: ${(error as Error).message}` }], warnings: [] };
  }
  return parseKeepalivedConfig(text, file, io, options);
}

export function toConfigError(e: SourceError): ConfigError {
  const path = e.line > 0 ? `${e.file}:${e.line}` : e.file;
  return { path, message: e.keyword === "" ? e.message : `${e.keyword}: ${e.message}` };
}

/** Finds the statement behind a validation error's field path, trying ever shorter prefixes. */
function locateValidationError(error: ConfigError, sources: ReadonlyMap<string, SourceRef>, file: string): SourceError {
  for (let path: string | undefined = error.path; path !== undefined; path = parentPath(path)) {
    const ref = sources.get(path);
    if (ref === undefined) continue;
    const field = path === error.path ? "" : ` (${error.path.slice(path.length).replace(/^\./, "")})`;
    return { ...ref, message: `${error.message}${field}` };
  }
  return { file, line: 0, keyword: "", message: `${error.path}: ${error.message}` };
}

function parentPath(path: string): string | undefined {
  const m = /(\.[^.[\]]+|\[\d+\])$/.exec(path);
  if (m === null || m.index === 0) return undefined;
  return path.slice(0, m.index);
}

/** Warnings as printed on stderr: FILE:LINE: warning: keyword: message, one a line. */
export function formatWarnings(warnings: readonly ConfigError[]): string {
  return warnings.map((w) => `${w.path}: warning: ${w.message}\n`).join("");
}
