// labelSelector and fieldSelector query parameters, parsed and matched like the real server.
import { badRequest } from "./status.js";
import { KubeObject, isObj } from "./types.js";

export type LabelRequirement =
  | { key: string; op: "=" | "!="; values: [string] }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists"; values: [] }
  | { key: string; op: "gt" | "lt"; values: [string] };

export type Selector = (obj: KubeObject) => boolean;

export const everything: Selector = () => true;

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p !== "");
}

const keyRe = /^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function checkKey(key: string, whole: string): string {
  if (!keyRe.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  return key;
}

export function parseLabelSelector(s: string | undefined): LabelRequirement[] {
  if (!s) return [];
  const reqs: LabelRequirement[] = [];
  for (const part of splitTop(s)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/))) {
      const values = (m[3] ?? "")
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "");
      reqs.push({ key: checkKey(m[1] ?? "", s), op: m[2] as "in" | "notin", values });
    } else if ((m = part.match(/^([^!=<>\s]+)\s*(==|=|!=)\s*(.*)$/))) {
      reqs.push({ key: checkKey(m[1] ?? "", s), op: m[2] === "!=" ? "!=" : "=", values: [(m[3] ?? "").trim()] });
    } else if ((m = part.match(/^([^!=<>\s]+)\s*([<>])\s*(-?\d+)$/))) {
      reqs.push({ key: checkKey(m[1] ?? "", s), op: m[2] === ">" ? "gt" : "lt", values: [m[3] ?? "0"] });
    } else if ((m = part.match(/^!\s*(\S+)$/))) {
      reqs.push({ key: checkKey(m[1] ?? "", s), op: "!exists", values: [] });
    } else if ((m = part.match(/^(\S+)$/))) {
      reqs.push({ key: checkKey(m[1] ?? "", s), op: "exists", values: [] });
    } else {
      throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }
  return reqs;
}

export function matchLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case "=":
        return has && v === r.values[0];
      case "!=":
        return !has || v !== r.values[0];
      case "in":
        return has && r.values.includes(v ?? "");
      case "notin":
        return !has || !r.values.includes(v ?? "");
      case "exists":
        return has;
      case "!exists":
        return !has;
      case "gt":
        return has && Number(v) > Number(r.values[0]);
      case "lt":
        return has && Number(v) < Number(r.values[0]);
    }
  });
}

export interface FieldRequirement {
  path: string;
  op: "=" | "!=";
  value: string;
}

function unescapeField(v: string): string {
  return v.replace(/\\(.)/g, "$1");
}

/** Splits on unescaped commas. */
function splitEscaped(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? "";
    if (ch === "\\" && i + 1 < s.length) {
      cur += ch + (s[i + 1] ?? "");
      i++;
    } else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.filter((p) => p.trim() !== "");
}

export function parseFieldSelector(s: string | undefined): FieldRequirement[] {
  if (!s) return [];
  return splitEscaped(s).map((part) => {
    const m = part.match(/^([^!=]+?)\s*(==|=|!=)(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    return { path: (m[1] ?? "").trim(), op: m[2] === "!=" ? "!=" : "=", value: unescapeField(m[3] ?? "") };
  });
}

/** The string value of a dotted field path, "" when absent (the real server's field labels behave so). */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split(".")) {
    if (!isObj(cur)) return "";
    cur = cur[seg];
  }
  if (cur === undefined || cur === null) return "";
  if (typeof cur === "object") return JSON.stringify(cur);
  return String(cur);
}

export function matchFields(reqs: FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((r) => (fieldValue(obj, r.path) === r.value) === (r.op === "="));
}

export function makeSelector(labelSelector: string | undefined, fieldSelector: string | undefined): Selector {
  const l = parseLabelSelector(labelSelector);
  const f = parseFieldSelector(fieldSelector);
  if (l.length === 0 && f.length === 0) return everything;
  return (obj) => matchLabels(l, obj.metadata.labels) && matchFields(f, obj);
}
