// Evaluator for the tiny CEL subset (cel.ts) and the x-kubernetes-validations rule runner.
// Supported: literals, self/oldSelf, field selection, indexing, has(), ! - && || ?:, comparisons,
// arithmetic, `in`, list/map literals, size, all/exists/exists_one/map/filter, string functions
// (matches, startsWith, endsWith, contains, lowerAscii, upperAscii, trim, split, join, indexOf),
// int/uint/double/string/dyn, list sum/min/max/isSorted, isIP/isCIDR/ip()/cidr() (family,
// prefixLength, ip), duration()/timestamp() comparisons. Anything else is CelUnsupported: the rule is
// skipped and listed in the server's `unsupportedValidations`.
import { isIP } from "node:net";
import { Ast, CelError, CelUnsupported, mentions, parseCel } from "./cel.js";
import type { RuleRunner } from "./schema.js";
import { StatusCause, ValidationRule, deepEqual, isObj } from "./types.js";

type Env = Record<string, unknown>;
interface Dur {
  __dur: number;
}
interface Ts {
  __ts: number;
}
interface Ip {
  __ip: string;
  family: number;
}
interface Cidr {
  __cidr: string;
  ip: string;
  prefix: number;
  family: number;
}

const isDur = (v: unknown): v is Dur => isObj(v) && typeof v.__dur === "number";
const isTs = (v: unknown): v is Ts => isObj(v) && typeof v.__ts === "number";

function parseDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  const body = s.replace(/^[-+]/, "");
  if (body === "0") return 0;
  let total = 0;
  let used = 0;
  for (const m of body.matchAll(re)) {
    total += Number(m[1]) * (unit[m[2] ?? "s"] ?? 0);
    used += m[0].length;
  }
  if (used !== body.length || body.length === 0) throw new CelError(`invalid duration: ${s}`);
  return s.startsWith("-") ? -total : total;
}

function parseIp(s: unknown): Ip {
  if (typeof s !== "string" || isIP(s) === 0 || s.includes("%")) throw new CelError(`IP Address '${String(s)}' parse error`);
  return { __ip: s, family: isIP(s) };
}

function parseCidr(s: unknown): Cidr {
  const m = typeof s === "string" ? /^([^/]+)\/(\d{1,3})$/.exec(s) : null;
  const fam = m ? isIP(m[1] ?? "") : 0;
  const prefix = Number(m?.[2]);
  if (!m || fam === 0 || prefix > (fam === 4 ? 32 : 128) || (m[1] ?? "").includes("%")) {
    throw new CelError(`network address parse error during conversion from string: ${String(s)}`);
  }
  return { __cidr: s as string, ip: m[1] ?? "", prefix, family: fam };
}

function size(v: unknown): number {
  if (typeof v === "string") return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isObj(v)) return Object.keys(v).length;
  throw new CelError("no such overload: size");
}

function cmpKey(v: unknown): number | string {
  if (isDur(v)) return v.__dur;
  if (isTs(v)) return v.__ts;
  if (typeof v === "number" || typeof v === "string") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  throw new CelError("no such overload: comparison");
}

function binary(op: string, l: unknown, r: unknown): unknown {
  switch (op) {
    case "==":
      return deepEqual(l, r);
    case "!=":
      return !deepEqual(l, r);
    case "<":
      return cmpKey(l) < cmpKey(r);
    case "<=":
      return cmpKey(l) <= cmpKey(r);
    case ">":
      return cmpKey(l) > cmpKey(r);
    case ">=":
      return cmpKey(l) >= cmpKey(r);
    case "in":
      if (Array.isArray(r)) return r.some((x) => deepEqual(x, l));
      if (isObj(r)) return typeof l === "string" && Object.prototype.hasOwnProperty.call(r, l);
      throw new CelError("no such overload: in");
    case "+":
      if (typeof l === "number" && typeof r === "number") return l + r;
      if (typeof l === "string" && typeof r === "string") return l + r;
      if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
      if (isDur(l) && isDur(r)) return { __dur: l.__dur + r.__dur };
      throw new CelError("no such overload: +");
    default: {
      if (typeof l !== "number" || typeof r !== "number") throw new CelError(`no such overload: ${op}`);
      if ((op === "/" || op === "%") && r === 0) throw new CelError(op === "/" ? "division by zero" : "modulus by zero");
      if (op === "-") return l - r;
      if (op === "*") return l * r;
      if (op === "/") return Number.isInteger(l) && Number.isInteger(r) ? Math.trunc(l / r) : l / r;
      return l % r;
    }
  }
}

const macros = new Set(["all", "exists", "exists_one", "map", "filter"]);

function macro(fn: string, target: unknown, args: Ast[], env: Env): unknown {
  const v = args[0];
  if (!v || v.k !== "id") throw new CelError(`${fn}: first argument must be an identifier`);
  const elems = Array.isArray(target) ? target : isObj(target) ? Object.keys(target) : undefined;
  if (!elems) throw new CelError(`no such overload: ${fn}`);
  const body = args[args.length - 1] as Ast;
  const at = (x: unknown): unknown => evaluate(body, { ...env, [v.name]: x });
  switch (fn) {
    case "all": {
      let err: unknown;
      for (const x of elems) {
        try {
          if (at(x) === false) return false;
        } catch (e) {
          err = err ?? e;
        }
      }
      if (err) throw err;
      return true;
    }
    case "exists":
      return elems.some((x) => at(x) === true);
    case "exists_one":
      return elems.filter((x) => at(x) === true).length === 1;
    case "filter":
      return elems.filter((x) => at(x) === true);
    default:
      if (args.length === 3) return elems.filter((x) => evaluate(args[1] as Ast, { ...env, [v.name]: x }) === true).map(at);
      return elems.map(at);
  }
}

function str(v: unknown, fn: string): string {
  if (typeof v !== "string") throw new CelError(`no such overload: ${fn}`);
  return v;
}

function method(fn: string, t: unknown, a: unknown[]): unknown {
  const a0 = a[0];
  switch (fn) {
    case "size":
      return size(t);
    case "matches":
      return new RegExp(str(a0, fn)).test(str(t, fn));
    case "startsWith":
      return str(t, fn).startsWith(str(a0, fn));
    case "endsWith":
      return str(t, fn).endsWith(str(a0, fn));
    case "contains":
      return str(t, fn).includes(str(a0, fn));
    case "lowerAscii":
      return str(t, fn).replace(/[A-Z]/g, (c) => c.toLowerCase());
    case "upperAscii":
      return str(t, fn).replace(/[a-z]/g, (c) => c.toUpperCase());
    case "trim":
      return str(t, fn).trim();
    case "split":
      return str(t, fn).split(str(a0, fn));
    case "join":
      if (!Array.isArray(t)) throw new CelError("no such overload: join");
      return t.join(a0 === undefined ? "" : str(a0, fn));
    case "indexOf":
      return Array.isArray(t) ? t.findIndex((x) => deepEqual(x, a0)) : str(t, fn).indexOf(str(a0, fn));
    case "sum":
    case "min":
    case "max":
    case "isSorted": {
      if (!Array.isArray(t)) throw new CelError(`no such overload: ${fn}`);
      const keys = t.map(cmpKey);
      if (fn === "isSorted") return keys.every((k, i) => i === 0 || (keys[i - 1] as number | string) <= k);
      if (fn === "sum") return (t as number[]).reduce((s, x) => s + x, 0);
      if (t.length === 0) throw new CelError(`${fn} called on empty list`);
      return t.reduce((m, x) => ((fn === "min" ? cmpKey(x) < cmpKey(m) : cmpKey(x) > cmpKey(m)) ? x : m));
    }
    case "family":
      if (isObj(t) && typeof t.family === "number") return t.family;
      break;
    case "prefixLength":
      if (isObj(t) && typeof t.__cidr === "string") return t.prefix;
      break;
    case "ip":
      if (isObj(t) && typeof t.__cidr === "string") return parseIp(t.ip);
      break;
    case "getMilliseconds":
      if (isDur(t)) return Math.trunc(t.__dur);
      break;
    case "getSeconds":
      if (isDur(t)) return Math.trunc(t.__dur / 1000);
      break;
  }
  throw new CelUnsupported(`function ${fn}()`);
}

function global(fn: string, a: unknown[]): unknown {
  const a0 = a[0];
  switch (fn) {
    case "size":
      return size(a0);
    case "int":
    case "uint": {
      const n = typeof a0 === "string" ? Number(a0) : typeof a0 === "number" ? Math.trunc(a0) : isDur(a0) ? a0.__dur * 1e6 : NaN;
      if (!Number.isFinite(n) || !Number.isInteger(n)) throw new CelError(`cannot convert ${String(a0)} to ${fn}`);
      return n;
    }
    case "double":
      return Number(a0);
    case "string":
      return typeof a0 === "string" ? a0 : isDur(a0) ? `${a0.__dur / 1000}s` : String(a0);
    case "dyn":
      return a0;
    case "duration":
      return { __dur: parseDuration(str(a0, fn)) };
    case "timestamp": {
      const t = Date.parse(str(a0, fn));
      if (Number.isNaN(t)) throw new CelError(`invalid timestamp: ${String(a0)}`);
      return { __ts: t };
    }
    case "isIP":
      return typeof a0 === "string" && isIP(a0) !== 0 && !a0.includes("%");
    case "isCIDR":
      try {
        parseCidr(a0);
        return true;
      } catch {
        return false;
      }
    case "ip":
      return parseIp(a0);
    case "cidr":
      return parseCidr(a0);
    case "matches":
    case "startsWith":
    case "endsWith":
    case "contains":
      return method(fn, a0, a.slice(1));
  }
  throw new CelUnsupported(`function ${fn}()`);
}

export function evaluate(ast: Ast, env: Env): unknown {
  switch (ast.k) {
    case "lit":
      return ast.v;
    case "id":
      if (!(ast.name in env)) throw new CelUnsupported(`identifier ${ast.name}`);
      return env[ast.name];
    case "sel": {
      const o = evaluate(ast.obj, env);
      if (!isObj(o)) throw new CelError(`no such key: ${ast.field}`);
      if (o[ast.field] === undefined) throw new CelError(`no such key: ${ast.field}`);
      return o[ast.field];
    }
    case "idx": {
      const o = evaluate(ast.obj, env);
      const i = evaluate(ast.index, env);
      if (Array.isArray(o) && typeof i === "number") {
        if (i < 0 || i >= o.length) throw new CelError(`index out of bounds: ${i}`);
        return o[i];
      }
      if (isObj(o) && typeof i === "string" && o[i] !== undefined) return o[i];
      throw new CelError(`no such key: ${String(i)}`);
    }
    case "un": {
      const x = evaluate(ast.x, env);
      if (ast.op === "!" && typeof x === "boolean") return !x;
      if (ast.op === "-" && typeof x === "number") return -x;
      throw new CelError(`no such overload: ${ast.op}`);
    }
    case "bin":
      if (ast.op === "&&" || ast.op === "||") return logical(ast.op, ast.l, ast.r, env);
      return binary(ast.op, evaluate(ast.l, env), evaluate(ast.r, env));
    case "cond":
      return evaluate(ast.c, env) === true ? evaluate(ast.t, env) : evaluate(ast.f, env);
    case "list":
      return ast.items.map((a) => evaluate(a, env));
    case "map":
      return Object.fromEntries(ast.entries.map(([k, v]) => [String(evaluate(k, env)), evaluate(v, env)]));
    case "call": {
      if (ast.fn === "has" && !ast.target) {
        const sel = ast.args[0];
        if (!sel || sel.k !== "sel") throw new CelError("invalid argument to has() macro");
        const o = evaluate(sel.obj, env);
        return isObj(o) && o[sel.field] !== undefined;
      }
      if (ast.target && macros.has(ast.fn)) return macro(ast.fn, evaluate(ast.target, env), ast.args, env);
      const args = ast.args.map((a) => evaluate(a, env));
      return ast.target ? method(ast.fn, evaluate(ast.target, env), args) : global(ast.fn, args);
    }
  }
}

/** CEL's commutative && / ||: an error on one side is absorbed when the other side decides. */
function logical(op: string, l: Ast, r: Ast, env: Env): boolean {
  const decides = op === "||";
  let err: unknown;
  for (const side of [l, r]) {
    try {
      const v = evaluate(side, env);
      if (typeof v !== "boolean") throw new CelError(`no such overload: ${op}`);
      if (v === decides) return decides;
    } catch (e) {
      if (e instanceof CelUnsupported) throw e;
      err = err ?? e;
    }
  }
  if (err) throw err;
  return !decides;
}

function ruleCause(rule: ValidationRule, field: string, type: string, message: string): StatusCause {
  switch (rule.reason) {
    case "FieldValueForbidden":
      return { reason: rule.reason, message: `Forbidden: ${message}`, field };
    case "FieldValueRequired":
      return { reason: rule.reason, message: `Required value: ${message}`, field };
    case "FieldValueDuplicate":
      return { reason: rule.reason, message: `Duplicate value: ${message}`, field };
    default:
      return { reason: "FieldValueInvalid", message: `Invalid value: "${type}": ${message}`, field };
  }
}

/** A rule runner with its own parse cache; unsupported rules are added to `unsupported`. */
export function makeRuleRunner(unsupported: Set<string>): RuleRunner {
  const cache = new Map<string, Ast | CelUnsupported>();
  const parse = (src: string): Ast | CelUnsupported => {
    let ast = cache.get(src);
    if (!ast) {
      try {
        ast = parseCel(src);
      } catch (e) {
        ast = e instanceof CelUnsupported ? e : new CelUnsupported(`parse error: ${(e as Error).message}`);
      }
      cache.set(src, ast);
    }
    return ast;
  };
  return (rules, self, old, path, schema) => {
    const causes: StatusCause[] = [];
    for (const rule of rules) {
      const ast = parse(rule.rule);
      if (ast instanceof CelUnsupported) {
        unsupported.add(`${rule.rule} (${ast.message})`);
        continue;
      }
      if (mentions(ast, "oldSelf") && (old === undefined || rule.optionalOldSelf)) continue;
      const env: Env = { self, oldSelf: old?.value };
      const fp = rule.fieldPath ? rule.fieldPath.replace(/^\./, "") : "";
      const field = fp ? (path ? `${path}.${fp}` : fp) : path;
      const type = schema.type ?? (schema["x-kubernetes-int-or-string"] ? "integer-or-string" : "object");
      try {
        const ok = evaluate(ast, env);
        if (ok === true) continue;
        if (ok !== false) throw new CelError(`rule did not evaluate to a boolean`);
        let message = rule.message ?? `failed rule: ${rule.rule}`;
        if (rule.messageExpression) {
          const m = parse(rule.messageExpression);
          try {
            if (!(m instanceof CelUnsupported)) message = String(evaluate(m, env));
          } catch {
            // keep the static message, as the real server does
          }
        }
        causes.push(ruleCause(rule, field, type, message));
      } catch (e) {
        if (e instanceof CelUnsupported) unsupported.add(`${rule.rule} (${e.message})`);
        else
          causes.push({
            reason: "FieldValueInvalid",
            message: `Invalid value: "${type}": ${(e as Error).message} evaluating rule: ${rule.rule}`,
            field,
          });
      }
    }
    return causes;
  };
}
