// A tiny CEL parser for x-kubernetes-validations rules (the common subset; see cel-eval.ts).

export class CelUnsupported extends Error {}
export class CelError extends Error {}

export type Ast =
  | { k: "lit"; v: unknown }
  | { k: "id"; name: string }
  | { k: "sel"; obj: Ast; field: string }
  | { k: "idx"; obj: Ast; index: Ast }
  | { k: "call"; fn: string; target?: Ast; args: Ast[] }
  | { k: "un"; op: string; x: Ast }
  | { k: "bin"; op: string; l: Ast; r: Ast }
  | { k: "cond"; c: Ast; t: Ast; f: Ast }
  | { k: "list"; items: Ast[] }
  | { k: "map"; entries: Array<[Ast, Ast]> };

type Tok = { t: "num"; v: number; dbl: boolean } | { t: "str"; v: string } | { t: "id"; v: string } | { t: "op"; v: string };

const ops = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", "[", "]", "(", ")", "{", "}", ","];

function readString(src: string, i: number, raw: boolean): { v: string; end: number } {
  const q = src.startsWith('"""', i) ? '"""' : src.startsWith("'''", i) ? "'''" : (src[i] ?? "");
  let j = i + q.length;
  let out = "";
  while (j < src.length && !src.startsWith(q, j)) {
    const ch = src[j] ?? "";
    if (ch === "\\" && !raw) {
      const n = src[j + 1] ?? "";
      const map: Record<string, string> = {
        n: "\n",
        t: "\t",
        r: "\r",
        "\\": "\\",
        "'": "'",
        '"': '"',
        "`": "`",
        "?": "?",
        a: "\x07",
        b: "\b",
        f: "\f",
        v: "\v",
      };
      if (map[n] !== undefined) out += map[n];
      else if (n === "u" || n === "x") {
        const len = n === "u" ? 4 : 2;
        out += String.fromCodePoint(parseInt(src.slice(j + 2, j + 2 + len), 16));
        j += len;
      } else throw new CelUnsupported(`string escape \\${n}`);
      j += 2;
    } else {
      out += ch;
      j++;
    }
  }
  if (j >= src.length) throw new CelError("unterminated string literal");
  return { v: out, end: j + q.length };
}

export function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const num = /^(0x[0-9a-fA-F]+|\d+(\.\d+)?([eE][+-]?\d+)?)(u|U)?/.exec(src.slice(i));
    if (num && /\d/.test(ch)) {
      toks.push({ t: "num", v: Number(num[1]), dbl: /[.eE]/.test(num[1] ?? "") && !(num[1] ?? "").startsWith("0x") });
      i += num[0].length;
      continue;
    }
    if ((ch === "r" || ch === "R") && (src[i + 1] === '"' || src[i + 1] === "'")) {
      const s = readString(src, i + 1, true);
      toks.push({ t: "str", v: s.v });
      i = s.end;
      continue;
    }
    if ((ch === "b" || ch === "B") && (src[i + 1] === '"' || src[i + 1] === "'")) throw new CelUnsupported("bytes literals");
    if (ch === '"' || ch === "'") {
      const s = readString(src, i, false);
      toks.push({ t: "str", v: s.v });
      i = s.end;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      toks.push({ t: "id", v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = ops.find((o) => src.startsWith(o, i));
    if (!op) throw new CelError(`Syntax error: token recognition error at: '${ch}'`);
    toks.push({ t: "op", v: op });
    i += op.length;
  }
  return toks;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok | undefined {
    return this.toks[this.pos];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.t === "op" && t.v === v;
  }
  private eat(v: string): void {
    if (!this.isOp(v)) throw new CelError(`Syntax error: expected '${v}'`);
    this.pos++;
  }

  parseAll(): Ast {
    const e = this.expr();
    if (this.pos < this.toks.length) throw new CelError("Syntax error: unexpected trailing input");
    return e;
  }

  private expr(): Ast {
    const c = this.binary(0);
    if (!this.isOp("?")) return c;
    this.pos++;
    const t = this.expr();
    this.eat(":");
    return { k: "cond", c, t, f: this.expr() };
  }

  private static levels: string[][] = [["||"], ["&&"], ["==", "!=", "<", "<=", ">", ">=", "in"], ["+", "-"], ["*", "/", "%"]];

  private binary(level: number): Ast {
    const opsHere = Parser.levels[level];
    if (!opsHere) return this.unary();
    let l = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      const op = t && (t.t === "op" || (t.t === "id" && t.v === "in")) ? t.v : undefined;
      if (op === undefined || !opsHere.includes(op)) return l;
      this.pos++;
      l = { k: "bin", op, l, r: this.binary(level + 1) };
    }
  }

  private unary(): Ast {
    if (this.isOp("!") || this.isOp("-")) {
      const op = (this.toks[this.pos++] as Tok).v as string;
      return { k: "un", op, x: this.unary() };
    }
    return this.member();
  }

  private args(close: string): Ast[] {
    const out: Ast[] = [];
    while (!this.isOp(close)) {
      out.push(this.expr());
      if (!this.isOp(close)) this.eat(",");
    }
    this.eat(close);
    return out;
  }

  private member(): Ast {
    let e = this.primary();
    for (;;) {
      if (this.isOp(".")) {
        this.pos++;
        if (this.isOp("?")) throw new CelUnsupported("optional field selection (?.)");
        const t = this.toks[this.pos++];
        if (!t || t.t !== "id") throw new CelError("Syntax error: expected field name");
        if (this.isOp("(")) {
          this.pos++;
          e = { k: "call", fn: t.v, target: e, args: this.args(")") };
        } else e = { k: "sel", obj: e, field: t.v };
      } else if (this.isOp("[")) {
        this.pos++;
        if (this.isOp("?")) throw new CelUnsupported("optional index (?[)");
        const index = this.expr();
        this.eat("]");
        e = { k: "idx", obj: e, index };
      } else return e;
    }
  }

  private primary(): Ast {
    const t = this.toks[this.pos++];
    if (!t) throw new CelError("Syntax error: unexpected end of expression");
    if (t.t === "num") return { k: "lit", v: t.v };
    if (t.t === "str") return { k: "lit", v: t.v };
    if (t.t === "id") {
      if (t.v === "true" || t.v === "false") return { k: "lit", v: t.v === "true" };
      if (t.v === "null") return { k: "lit", v: null };
      if (this.isOp("(")) {
        this.pos++;
        return { k: "call", fn: t.v, args: this.args(")") };
      }
      return { k: "id", name: t.v };
    }
    if (t.v === "(") {
      const e = this.expr();
      this.eat(")");
      return e;
    }
    if (t.v === "[") return { k: "list", items: this.args("]") };
    if (t.v === "{") {
      const entries: Array<[Ast, Ast]> = [];
      while (!this.isOp("}")) {
        const key = this.expr();
        this.eat(":");
        entries.push([key, this.expr()]);
        if (!this.isOp("}")) this.eat(",");
      }
      this.eat("}");
      return { k: "map", entries };
    }
    throw new CelError(`Syntax error: unexpected '${t.v}'`);
  }
}

export function parseCel(src: string): Ast {
  return new Parser(tokenize(src)).parseAll();
}

export function mentions(ast: Ast, name: string): boolean {
  switch (ast.k) {
    case "lit":
      return false;
    case "id":
      return ast.name === name;
    case "sel":
      return mentions(ast.obj, name);
    case "idx":
      return mentions(ast.obj, name) || mentions(ast.index, name);
    case "call":
      return (ast.target !== undefined && mentions(ast.target, name)) || ast.args.some((a) => mentions(a, name));
    case "un":
      return mentions(ast.x, name);
    case "bin":
      return mentions(ast.l, name) || mentions(ast.r, name);
    case "cond":
      return mentions(ast.c, name) || mentions(ast.t, name) || mentions(ast.f, name);
    case "list":
      return ast.items.some((a) => mentions(a, name));
    case "map":
      return ast.entries.some(([k, v]) => mentions(k, name) || mentions(v, name));
  }
}
