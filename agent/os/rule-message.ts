/**
 * A policy routing rule as rtnetlink carries it (fib_rule_hdr and FRA_*
 * attributes), built the way `ip rule add|del` builds it: action "lookup
 * table" (FR_ACT_TO_TBL), a table id above 255 in FRA_TABLE with the
 * header's table RT_TABLE_UNSPEC, interfaces by name. A delete carries the
 * same selectors, so it removes this rule and not another one to the same
 * table. Pure: route-table.ts sends these.
 */
import type { rt } from "netlink";
import type { RuleConfig } from "../config/types.js";
import { addressBytes, familyNumber, RTPROT_STATIC } from "./rtattr.js";

/** FR_ACT_TO_TBL: look the packet up in the rule's table. */
const FR_ACT_TO_TBL = 1;

/** The header and attributes of one rule. */
export function ruleMessage(rule: RuleConfig, operation: "add" | "remove"): { data: rt.Rule; attrs: rt.RuleAttrs } {
  const [from, fromLen] = split(rule.from);
  const [to, toLen] = split(rule.to);
  const data: rt.Rule = {
    family: familyNumber(rule.family),
    srcLen: fromLen,
    dstLen: toLen,
    table: rule.table < 256 ? rule.table : 0,
    action: FR_ACT_TO_TBL,
  };
  const attrs: rt.RuleAttrs = {};
  if (from !== undefined && fromLen > 0) attrs.src = addressBytes(from, rule.family);
  if (to !== undefined && toLen > 0) attrs.dst = addressBytes(to, rule.family);
  if (rule.iif !== undefined) attrs.iifname = rule.iif;
  if (rule.oif !== undefined) attrs.oifname = rule.oif;
  if (rule.fwmark !== undefined) attrs.fwmark = rule.fwmark;
  if (rule.fwmask !== undefined) attrs.fwmask = rule.fwmask;
  if (rule.table >= 256) attrs.table = rule.table;
  if (rule.priority !== undefined) attrs.priority = rule.priority;
  // A delete leaves the protocol out: it matches whoever installed the rule.
  if (operation === "add") attrs.protocol = RTPROT_STATIC;
  return { data, attrs };
}

function split(prefix: string | undefined): [string | undefined, number] {
  if (prefix === undefined) return [undefined, 0];
  const [address, length] = prefix.split("/");
  return [address, Number(length)];
}

/** "ip rule" style text of a rule, for errors and logs. */
export function describeRule(r: RuleConfig): string {
  return [
    r.priority !== undefined ? `priority ${r.priority}` : undefined,
    r.family === 6 && r.from === undefined && r.to === undefined ? "inet6" : undefined,
    `from ${r.from ?? "all"}`,
    r.to !== undefined ? `to ${r.to}` : undefined,
    r.iif !== undefined ? `iif ${r.iif}` : undefined,
    r.oif !== undefined ? `oif ${r.oif}` : undefined,
    r.fwmark !== undefined ? `fwmark ${r.fwmark}${r.fwmask !== undefined ? `/${r.fwmask}` : ""}` : undefined,
    `table ${r.table}`,
  ]
    .filter((w) => w !== undefined)
    .join(" ");
}
