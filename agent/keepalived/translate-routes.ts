/**
 * keepalived route lines (`virtual_routes { ... }`, `static_routes { ... }`)
 * → floatip route objects (YAML form, see agent/config/validate-routes.ts).
 * The syntax is ip route's, as keepalived reads it:
 *
 *   [TYPE] [src ADDR] [to] PREFIX|default [via|gw ADDR] [dev IF] [metric N]
 *     [table N] [scope global|link|host] [onlink] [protocol P] [no_track]
 *
 * TYPE: blackhole, unreachable, prohibit (or none: a unicast route). Other
 * ip route options are refused, each naming itself.
 */
import type { Block } from "./parser.js";
import { block, fail, integer, mark, warn, type Ctx } from "./translate-util.js";

type Obj = Record<string, unknown>;

const TYPES = ["blackhole", "unreachable", "prohibit"];
/** ip route options floatip does not install, with why where it helps. */
const REFUSED: Readonly<Record<string, string>> = {
  or: "multipath routes (via ... or ...) are not supported by floatip; give one gateway",
  nexthop: "multipath routes are not supported by floatip; give one gateway",
  throw: "throw routes are not supported by floatip",
  local: "local routes are not supported by floatip",
  broadcast: "broadcast routes are not supported by floatip",
  anycast: "anycast routes are not supported by floatip",
  multicast: "multicast routes are not supported by floatip",
  nat: "nat routes are not supported by floatip",
};
/** Named tables iproute2 knows without /etc/iproute2/rt_tables. */
const TABLES: Readonly<Record<string, number>> = { main: 254, default: 253, local: 255 };

/** Reads `KEYWORD { ROUTE ... }` into a list at `path` of the doc; returns undefined after a block error. */
export function readRouteBlock(ctx: Ctx, b: Block, path: string): Obj[] | undefined {
  const children = block(
    ctx,
    b,
    0,
    `${b.keyword} { [TYPE] [src ADDR] PREFIX [via ADDR] [dev IFNAME] [metric N] [table N] [scope SCOPE] ... }`,
  );
  if (children === undefined) return undefined;
  mark(ctx, path, b);
  const list: Obj[] = [];
  for (const entry of children) {
    const route = readRouteLine(ctx, entry);
    if (route === undefined) continue;
    mark(ctx, `${path}[${list.length}]`, entry);
    for (const key of Object.keys(route)) mark(ctx, `${path}[${list.length}].${key}`, entry);
    list.push(route);
  }
  return list;
}

/** One route line (its first word is the parser's keyword); undefined after reporting what is wrong. */
export function readRouteLine(ctx: Ctx, entry: Block): Obj | undefined {
  if (entry.children !== undefined) return fail(ctx, entry, "a route does not take a { } block");
  const words = [entry.keyword, ...entry.args];
  const out: Obj = {};
  let destination: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const value = words[i + 1];
    if (Object.hasOwn(REFUSED, word)) return fail(ctx, entry, REFUSED[word]!);
    if (TYPES.includes(word)) {
      if (i !== 0) return fail(ctx, entry, `the route type "${word}" must come first`);
      out["type"] = word;
      continue;
    }
    const option = Object.hasOwn(OPTIONS, word) ? OPTIONS[word] : undefined;
    if (option === undefined) {
      if (destination !== undefined || !/^(default|[0-9a-fA-F:.]+(\/\d+)?)$/.test(word))
        return fail(
          ctx,
          entry,
          `route option "${word}" is not supported by floatip (supported: src, to, via/gw, dev, metric, table, scope, onlink, no_track, protocol (ignored); types blackhole, unreachable, prohibit)`,
        );
      destination = word;
      continue;
    }
    if (option.flag === true) {
      if (option.field !== "") out[option.field] = option.read(ctx, entry, word);
      continue;
    }
    if (value === undefined) return fail(ctx, entry, `route option "${word}" needs a value`);
    if (option.ignored !== undefined) {
      warn(ctx, entry, `ignored "${word} ${value}": ${option.ignored}`);
      i++;
      continue;
    }
    if (option.field === "to") {
      if (destination !== undefined) return fail(ctx, entry, "gives the destination twice");
      destination = value;
    } else {
      if (out[option.field] !== undefined) return fail(ctx, entry, `route option "${word}" is given twice`);
      const read = option.read(ctx, entry, value);
      if (read === undefined) return undefined;
      out[option.field] = read;
    }
    i++;
  }
  if (destination === undefined) return fail(ctx, entry, "needs a destination (PREFIX or default)");
  const ipv6 = [out["via"], out["source"]].some((a) => typeof a === "string" && a.includes(":"));
  const to = destination === "default" ? (ipv6 ? "::/0" : "0.0.0.0/0") : destination;
  return {
    ...(out["type"] !== undefined ? { type: out["type"] } : {}),
    to,
    ...Object.fromEntries(Object.entries(out).filter(([k]) => k !== "type")),
  };
}

interface Option {
  readonly field: string;
  readonly flag?: boolean;
  /** Accepted and left out, with this reason in a warning. */
  readonly ignored?: string;
  readonly read: (ctx: Ctx, b: Block, text: string) => unknown;
}

const text = (_ctx: Ctx, _b: Block, value: string): string => value;

const OPTIONS: Readonly<Record<string, Option>> = {
  src: { field: "source", read: text },
  to: { field: "to", read: text },
  via: { field: "via", read: text },
  gw: { field: "via", read: text },
  dev: { field: "device", read: text },
  metric: { field: "metric", read: integer },
  preference: { field: "metric", read: integer },
  priority: { field: "metric", read: integer },
  table: {
    field: "table",
    read: (ctx, b, value) =>
      Object.hasOwn(TABLES, value)
        ? TABLES[value]
        : /^\d+$/.test(value)
          ? Number(value)
          : fail(ctx, b, `table "${value}": give the table's number (floatip does not read /etc/iproute2/rt_tables)`),
  },
  scope: {
    field: "scope",
    read: (ctx, b, value) =>
      value === "global" || value === "universe"
        ? "global"
        : value === "link" || value === "host"
          ? value
          : fail(ctx, b, `scope "${value}" is not supported by floatip (global, link or host)`),
  },
  // keepalived: a route removed behind its back does not put the instance in FAULT; floatip never does.
  no_track: { field: "", flag: true, read: text },
  onlink: { field: "onlink", flag: true, read: () => true },
  // keepalived installs a tracked route with its own protocol (18) whatever this says; floatip always uses static (4).
  protocol: {
    field: "",
    read: text,
    ignored: "floatip installs its routes with protocol static, as keepalived installs tracked routes with its own",
  },
};
