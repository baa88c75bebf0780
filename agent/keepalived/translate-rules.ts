/**
 * keepalived rule lines (`virtual_rules { ... }`) → floatip rule objects
 * (YAML form, see agent/config/validate-rules.ts). The syntax is ip rule's,
 * as keepalived reads it, for the subset floatip installs:
 *
 *   [from PREFIX|all] [to PREFIX|all] [iif IF] [oif IF] [fwmark N[/MASK]]
 *     [table N] [priority|preference N] [no_track]
 *
 * Anything else (other actions, tos, uidrange, port ranges, not, ...) is
 * refused naming itself and the line.
 */
import type { Block } from "./parser.js";
import { block, fail, mark, type Ctx } from "./translate-util.js";

type Obj = Record<string, unknown>;

/** Named tables iproute2 knows without /etc/iproute2/rt_tables. */
const TABLES: Readonly<Record<string, number>> = { main: 254, default: 253, local: 255 };
const SUPPORTED = "supported: from, to, iif, oif, fwmark, table, priority/preference, no_track";

/** Reads `virtual_rules { RULE ... }` into a list at `path` of the doc; returns undefined after a block error. */
export function readRuleBlock(ctx: Ctx, b: Block, path: string): Obj[] | undefined {
  const children = block(
    ctx,
    b,
    0,
    `${b.keyword} { [from PREFIX] [to PREFIX] [iif IF] [oif IF] [fwmark N[/MASK]] [table N] [priority N] ... }`,
  );
  if (children === undefined) return undefined;
  mark(ctx, path, b);
  const list: Obj[] = [];
  for (const entry of children) {
    const rule = readRuleLine(ctx, entry);
    if (rule === undefined) continue;
    mark(ctx, `${path}[${list.length}]`, entry);
    for (const key of Object.keys(rule)) mark(ctx, `${path}[${list.length}].${key}`, entry);
    list.push(rule);
  }
  return list;
}

/** One rule line (its first word is the parser's keyword); undefined after reporting what is wrong. */
export function readRuleLine(ctx: Ctx, entry: Block): Obj | undefined {
  if (entry.children !== undefined) return fail(ctx, entry, "a rule does not take a { } block");
  const words = [entry.keyword, ...entry.args];
  const out: Obj = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === "no_track") continue; // floatip never puts an instance in FAULT for a rule removed behind its back
    const field = Object.hasOwn(FIELDS, word) ? FIELDS[word]! : undefined;
    if (field === undefined) return fail(ctx, entry, `rule option "${word}" is not supported by floatip (${SUPPORTED})`);
    const value = words[++i];
    if (value === undefined) return fail(ctx, entry, `rule option "${word}" needs a value`);
    if (field === "fwmark") {
      const m = /^(0x[0-9a-fA-F]+|\d+)(?:\/(0x[0-9a-fA-F]+|\d+))?$/.exec(value);
      if (m === null) return fail(ctx, entry, `fwmark "${value}": give N or N/MASK (decimal or 0x hex)`);
      if (out["fwmark"] !== undefined) return fail(ctx, entry, 'rule option "fwmark" is given twice');
      out["fwmark"] = Number(m[1]);
      if (m[2] !== undefined) out["fwmask"] = Number(m[2]);
      continue;
    }
    if (out[field] !== undefined) return fail(ctx, entry, `rule option "${word}" is given twice`);
    if (field === "table") {
      if (!Object.hasOwn(TABLES, value) && !/^\d+$/.test(value))
        return fail(ctx, entry, `table "${value}": give the table's number (floatip does not read /etc/iproute2/rt_tables)`);
      out["table"] = Object.hasOwn(TABLES, value) ? TABLES[value] : Number(value);
    } else if (field === "priority") {
      if (!/^\d+$/.test(value)) return fail(ctx, entry, `priority must be an integer, got "${value}"`);
      out["priority"] = Number(value);
    } else if ((field === "from" || field === "to") && value === "all") {
      continue; // ip rule's "all" is the same as no selector
    } else {
      out[field] = value;
    }
  }
  return out;
}

const FIELDS: Readonly<Record<string, string>> = {
  from: "from",
  to: "to",
  iif: "iif",
  oif: "oif",
  fwmark: "fwmark",
  table: "table",
  priority: "priority",
  preference: "priority",
};
