/**
 * keepalived.conf → AgentConfig: lex, parse, translate, then the same
 * validation as floatip YAML, with validation errors mapped back to the
 * keepalived file and line. Errors are ConfigErrors whose path is
 * "FILE:LINE" and whose message starts with the keyword.
 */
import { readFileSync, readdirSync } from "node:fs";
import type { LoadResult } from "../config/load.js";
import { validateAgentConfig, type ConfigError } from "../config/validate.js";
import type { IncludeIo, SourceError } from "./lexer.js";
import { parseKeepalivedText } from "./parser.js";
import { translateKeepalived, type SourceRef } from "./translate.js";

/** File access for includes through node:fs. */
export const nodeIncludeIo: IncludeIo = {
  readFile: (path) => readFileSync(path, "utf8"),
  listDir: (dir) => readdirSync(dir),
};

export function parseKeepalivedConfig(text: string, file: string, io?: IncludeIo): LoadResult {
  const parsed = parseKeepalivedText(text, file, io);
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map(toConfigError) };
  const translated = translateKeepalived(parsed.blocks, file);
  if (!translated.ok) return { ok: false, errors: translated.errors.map(toConfigError) };
  const validated = validateAgentConfig(translated.doc);
  if (validated.ok) return validated;
  return { ok: false, errors: validated.errors.map((e) => mapValidationError(e, translated.sources, file)) };
}

export async function loadKeepalivedFile(file: string, io: IncludeIo = nodeIncludeIo): Promise<LoadResult> {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    return { ok: false, errors: [{ path: file, message: `cannot read: ${(error as Error).message}` }] };
  }
  return parseKeepalivedConfig(text, file, io);
}

export function toConfigError(e: SourceError): ConfigError {
  const path = e.line > 0 ? `${e.file}:${e.line}` : e.file;
  return { path, message: e.keyword === "" ? e.message : `${e.keyword}: ${e.message}` };
}

/** Finds the statement behind a validation error's field path, trying ever shorter prefixes. */
export function mapValidationError(error: ConfigError, sources: ReadonlyMap<string, SourceRef>, file: string): ConfigError {
  for (let path: string | undefined = error.path; path !== undefined; path = parentPath(path)) {
    const ref = sources.get(path);
    if (ref === undefined) continue;
    const field = path === error.path ? "" : ` (${error.path.slice(path.length).replace(/^\./, "")})`;
    return toConfigError({ ...ref, message: `${error.message}${field}` });
  }
  return { path: file, message: `${error.path}: ${error.message}` };
}

function parentPath(path: string): string | undefined {
  const m = /(\.[^.[\]]+|\[\d+\])$/.exec(path);
  if (m === null || m.index === 0) return undefined;
  return path.slice(0, m.index);
}
