/**
 * virtual_ipaddress / virtual_ipaddress_excluded (and static_ipaddress)
 * lines: `ADDRESS[/PREFIX] [dev IFNAME] [label LABEL] [scope ...] [brd ...]`
 * → floatip's YAML address items.
 */
import type { Block } from "./parser.js";
import { block, fail, mark, warn, type Ctx } from "./translate-util.js";
import type { Obj } from "./translate-instance-state.js";

const ADDRESS_UNSUPPORTED = [
  "peer",
  "home",
  "-nodad",
  "mngtmpaddr",
  "noprefixroute",
  "autojoin",
  "no_track",
  "preferred_lft",
  "use_vmac",
  "track_group",
];

export function readAddresses(
  st: { readonly ctx: Ctx; readonly path: string; readonly out: Obj },
  b: Block,
  field: "addresses" | "excludedAddresses" = "addresses",
): void {
  const children = block(st.ctx, b, 0, `${b.keyword} { ADDRESS[/PREFIX] [dev IFNAME] [label LABEL] ... }`);
  if (children === undefined) return;
  const list: unknown[] = [];
  st.out[field] = list;
  mark(st.ctx, `${st.path}.${field}`, b);
  const seen = new Map<string, Block>();
  for (const entry of children) {
    const address = readAddress(st.ctx, entry);
    if (address === undefined) continue;
    // keepalived adds an address listed twice once; floatip's validation would refuse the repeat.
    const key = entry.keyword.replace(/\/\d+$/, "").toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      const same = first.keyword === entry.keyword && first.args.join(" ") === entry.args.join(" ");
      if (same)
        warn(
          st.ctx,
          entry,
          `${entry.keyword} is listed twice (first at ${first.file}:${first.line}); floatip adds it once, as keepalived does`,
        );
      else fail(st.ctx, entry, `${key} is listed twice with different settings (first at ${first.file}:${first.line}); keep one of them`);
      continue;
    }
    seen.set(key, entry);
    mark(st.ctx, `${st.path}.${field}[${list.length}]`, entry);
    list.push(address);
  }
}

/** One address line of virtual_ipaddress (and static_ipaddress): the YAML item, or undefined after an error. */
export function readAddress(ctx: Ctx, entry: Block): unknown {
  if (entry.children !== undefined) return fail(ctx, entry, "an address does not take a { } block");
  const extra: Obj = {};
  for (let i = 0; i < entry.args.length; i += 2) {
    const option = entry.args[i]!;
    const value = entry.args[i + 1];
    const field = option === "dev" ? "device" : option === "label" ? "label" : undefined;
    if (option === "brd" || option === "broadcast") {
      if (value === undefined) return fail(ctx, entry, `address option "${option}" needs a value`);
      warn(
        ctx,
        entry,
        `ignored "${option} ${value}": floatip adds the address without a broadcast address (as ip addr add without brd); only broadcasts to the address's subnet are affected, and only when no other address on the interface has that broadcast address`,
      );
      continue;
    }
    if (ADDRESS_UNSUPPORTED.includes(option)) return fail(ctx, entry, `address option "${option}" is not supported by floatip`);
    if (field === undefined && option !== "scope")
      return fail(ctx, entry, `unknown address option "${option}" (supported: dev, label, scope global)`);
    if (value === undefined) return fail(ctx, entry, `address option "${option}" needs a value`);
    if (option === "scope") {
      // keepalived ignores a scope on an IPv6 address (the kernel derives it from the address), with a config error.
      if (value === "global") continue;
      if (entry.keyword.includes(":"))
        warn(ctx, entry, `ignored "scope ${value}": an IPv6 address's scope follows from the address, as keepalived also ignores it`);
      else return fail(ctx, entry, `only "scope global" is supported for IPv4 addresses, got "scope ${value}"`);
      continue;
    }
    if (extra[field!] !== undefined) return fail(ctx, entry, `address option "${option}" is given twice`);
    extra[field!] = value;
  }
  return Object.keys(extra).length === 0 ? entry.keyword : { address: entry.keyword, ...extra };
}
