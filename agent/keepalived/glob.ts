/**
 * Expansion of `include` patterns the way glob(3) does it for keepalived:
 * `*` and `?` within one path segment, hidden names only matched by a
 * segment that starts with a dot, results sorted. Directory listing is
 * injected so this stays pure.
 */
import { posix } from "node:path";

export type ListDir = (dir: string) => readonly string[];

export type ExpandResult =
  | { readonly ok: true; readonly paths: readonly string[]; readonly wildcard: boolean }
  | { readonly ok: false; readonly message: string };

const WILDCARD = /[*?]/;
const UNSUPPORTED = /[[\]{}]/;

/** Resolves `pattern` against `baseDir` (the including file's directory) and expands wildcards. */
export function expandPattern(pattern: string, baseDir: string, listDir: ListDir): ExpandResult {
  if (UNSUPPORTED.test(pattern)) {
    return { ok: false, message: `"${pattern}": only * and ? wildcards are supported in include patterns` };
  }
  const full = posix.normalize(posix.isAbsolute(pattern) ? pattern : posix.join(baseDir, pattern));
  if (!WILDCARD.test(full)) return { ok: true, paths: [full], wildcard: false };
  const absolute = full.startsWith("/");
  const segments = full.split("/").filter((s) => s.length > 0);
  let candidates: string[] = [absolute ? "/" : ""];
  for (const segment of segments) {
    candidates = WILDCARD.test(segment) ? expandSegment(candidates, segment, listDir) : candidates.map((c) => joinPath(c, segment));
  }
  return { ok: true, paths: [...candidates].sort(), wildcard: true };
}

function expandSegment(dirs: readonly string[], segment: string, listDir: ListDir): string[] {
  const matcher = segmentMatcher(segment);
  const out: string[] = [];
  for (const dir of dirs) {
    let names: readonly string[];
    try {
      names = listDir(dir === "" ? "." : dir);
    } catch {
      continue; // like glob(3) without GLOB_ERR: an unreadable or missing directory matches nothing
    }
    for (const name of [...names].sort()) {
      if (name.startsWith(".") && !segment.startsWith(".")) continue;
      if (matcher.test(name)) out.push(joinPath(dir, name));
    }
  }
  return out;
}

function segmentMatcher(segment: string): RegExp {
  const body = [...segment].map((ch) => (ch === "*" ? "[^/]*" : ch === "?" ? "[^/]" : ch.replace(/[.+^${}()|\\]/g, "\\$&"))).join("");
  return new RegExp(`^${body}$`);
}

function joinPath(dir: string, name: string): string {
  if (dir === "") return name;
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

/** Directory of a file for resolving its relative includes. */
export function directoryOf(file: string): string {
  return posix.dirname(file);
}
