// The JSONPath subset used by additionalPrinterColumns: `.a.b`, `.a[0].b`, `.a[*].b`, `['x.y']`,
// and filters `[?(@.type=="Ready")]` (==, !=, <, <=, >, >=, or bare existence `[?(@.x)]`).
import { isObj } from "./types.js";

type Step =
  | { k: "child"; name: string }
  | { k: "index"; i: number }
  | { k: "all" }
  | { k: "filter"; path: string[]; op?: string; value?: unknown };

function readName(src: string, i: number): { name: string; end: number } {
  let name = "";
  let j = i;
  while (j < src.length && src[j] !== "." && src[j] !== "[") {
    if (src[j] === "\\" && j + 1 < src.length) {
      name += src[j + 1];
      j += 2;
    } else name += src[j++];
  }
  return { name, end: j };
}

function literal(s: string): unknown {
  const t = s.trim();
  if (/^(["']).*\1$/.test(t)) return t.slice(1, -1);
  if (t === "true" || t === "false") return t === "true";
  if (t === "null") return null;
  const n = Number(t);
  if (t !== "" && !Number.isNaN(n)) return n;
  throw new Error(`unsupported JSONPath literal ${s}`);
}

export function parseJsonPath(expr: string): Step[] {
  let src = expr.trim();
  if (src.startsWith("{") && src.endsWith("}")) src = src.slice(1, -1).trim();
  if (src.startsWith("$")) src = src.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < src.length) {
    if (src.startsWith("..", i)) throw new Error(`unsupported JSONPath (recursive descent): ${expr}`);
    if (src[i] === ".") {
      const { name, end } = readName(src, i + 1);
      if (name === "*") steps.push({ k: "all" });
      else if (name !== "") steps.push({ k: "child", name });
      i = end;
      continue;
    }
    if (src[i] === "[") {
      const close = src.indexOf("]", src.startsWith("[?(", i) ? src.indexOf(")]", i) : i);
      if (close < 0) throw new Error(`unterminated [ in JSONPath ${expr}`);
      const inner = src.slice(i + 1, close).trim();
      i = close + 1;
      if (inner === "*") steps.push({ k: "all" });
      else if (/^-?\d+$/.test(inner)) steps.push({ k: "index", i: Number(inner) });
      else if (/^(["']).*\1$/.test(inner)) steps.push({ k: "child", name: inner.slice(1, -1) });
      else if (inner.startsWith("?(") && inner.endsWith(")")) {
        const m = /^@((?:\.[^.=!<>\s]+)*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+))?$/.exec(inner.slice(2, -1).trim());
        if (!m) throw new Error(`unsupported JSONPath filter ${inner}`);
        const path = m[1] ? m[1].slice(1).split(".") : [];
        steps.push(m[2] ? { k: "filter", path, op: m[2], value: literal(m[3] ?? "") } : { k: "filter", path });
      } else throw new Error(`unsupported JSONPath subscript [${inner}]`);
      continue;
    }
    const { name, end } = readName(src, i);
    steps.push({ k: "child", name });
    i = end;
  }
  return steps;
}

function get(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const p of path) cur = isObj(cur) ? cur[p] : undefined;
  return cur;
}

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    default: {
      if (typeof a !== typeof b || (typeof a !== "number" && typeof a !== "string")) return false;
      const x = a as number | string;
      const y = b as number | string;
      return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
    }
  }
}

/** All values the path selects (empty when nothing matches). */
export function jsonPathResults(expr: string, obj: unknown): unknown[] {
  let cur: unknown[] = [obj];
  for (const step of parseJsonPath(expr)) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (step.k === "child") {
        if (isObj(v) && v[step.name] !== undefined) next.push(v[step.name]);
      } else if (step.k === "index") {
        if (Array.isArray(v)) {
          const x = v[step.i < 0 ? v.length + step.i : step.i];
          if (x !== undefined) next.push(x);
        }
      } else if (step.k === "all") {
        if (Array.isArray(v)) next.push(...v);
        else if (isObj(v)) next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const el of v) {
          const x = get(el, step.path);
          if (step.op === undefined ? x !== undefined : compare(x, step.op, step.value)) next.push(el);
        }
      }
    }
    cur = next;
  }
  return cur;
}
