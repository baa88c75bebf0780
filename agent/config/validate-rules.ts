/**
 * The `rules` list of an instance (keepalived virtual_rules): policy routing
 * rules as `ip rule add` takes them, for the subset floatip installs (the
 * lookup action, selectors from/to/iif/oif/fwmark). Checked before anything
 * runs so a bad rule never half-applies a takeover.
 */
import type { Family, RuleConfig } from "./types.js";
import { parseCidr } from "./cidr.js";
import { networkOf } from "./validate-routes.js";
import type { FieldReader as Reader } from "./field-reader.js";

const RULE_KEYS = ["family", "from", "to", "iif", "oif", "fwmark", "fwmask", "table", "priority"] as const;
const U32 = 0xffffffff;
/** RT_TABLE_MAIN: ip rule's table when none is given. */
const MAIN = 254;

export function readRules(r: Reader, value: unknown, path: string): RuleConfig[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: RuleConfig[] = [];
  list.forEach((item, i) => {
    const rule = readRule(r, item, `${path}[${i}]`);
    if (rule !== undefined) out.push(rule);
  });
  return out.length === list.length ? out : undefined;
}

export function readRule(r: Reader, item: unknown, path: string): RuleConfig | undefined {
  const o = r.object(item, path, RULE_KEYS);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const declared = o["family"] === undefined ? undefined : readFamily(r, o["family"], `${path}.family`);
  const from = o["from"] === undefined ? undefined : readPrefix(r, o["from"], `${path}.from`);
  const to = o["to"] === undefined ? undefined : readPrefix(r, o["to"], `${path}.to`);
  const families = [declared, from?.family, to?.family].filter((f): f is Family => f !== undefined);
  if (families.some((f) => f !== families[0])) r.fail(path, "from, to and family must be the same IP family");
  const iif = o["iif"] === undefined ? undefined : r.string(o["iif"], `${path}.iif`);
  const oif = o["oif"] === undefined ? undefined : r.string(o["oif"], `${path}.oif`);
  const fwmark = o["fwmark"] === undefined ? undefined : r.integer(o["fwmark"], `${path}.fwmark`, 0, U32);
  const fwmask = o["fwmask"] === undefined ? undefined : r.integer(o["fwmask"], `${path}.fwmask`, 0, U32);
  if (o["fwmask"] !== undefined && o["fwmark"] === undefined) r.fail(`${path}.fwmask`, "needs fwmark");
  const table = o["table"] === undefined ? MAIN : r.integer(o["table"], `${path}.table`, 1, U32);
  // 0 is the kernel's own local-table rule's priority; ip rule refuses to add another there.
  const priority = o["priority"] === undefined ? undefined : r.integer(o["priority"], `${path}.priority`, 1, U32);
  if (r.errors.length > before) return undefined;
  return {
    // ip rule's default family is IPv4 when nothing says otherwise.
    family: families[0] ?? 4,
    ...(from !== undefined ? { from: from.text } : {}),
    ...(to !== undefined ? { to: to.text } : {}),
    ...(iif !== undefined ? { iif } : {}),
    ...(oif !== undefined ? { oif } : {}),
    ...(fwmark !== undefined ? { fwmark } : {}),
    ...(fwmask !== undefined ? { fwmask } : {}),
    table: table!,
    ...(priority !== undefined ? { priority } : {}),
  };
}

function readFamily(r: Reader, value: unknown, path: string): Family | undefined {
  if (value === 4 || value === 6) return value;
  return r.fail(path, `must be 4 or 6, got ${JSON.stringify(value)}`);
}

/** A network ("192.0.2.0/24") or a host ("192.0.2.7" = /32); "all" / 0.0.0.0/0 is the same as leaving it out. */
function readPrefix(r: Reader, value: unknown, path: string): { text: string; family: Family } | undefined {
  const text = r.string(value, path);
  if (text === undefined) return undefined;
  const cidr = parseCidr(text);
  if (!cidr.ok) return r.fail(path, cidr.message);
  const network = networkOf(cidr.address, cidr.family, cidr.prefixLength);
  if (network !== cidr.address) return r.fail(path, `"${text}" has host bits set; the network is ${network}/${cidr.prefixLength}`);
  return { text: `${network}/${cidr.prefixLength}`, family: cidr.family };
}
