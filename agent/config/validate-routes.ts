/**
 * The `routes` list of an instance (keepalived virtual_routes): what
 * `ip route add` would accept for the subset floatip installs, checked
 * before anything runs so a bad route never half-applies a takeover.
 */
import type { Family, RouteConfig } from "./types.js";
import { parseCidr, parseHost } from "./cidr.js";
import { formatAddress, parseAddress } from "../vrrp/address-bytes.js";
import type { FieldReader as Reader } from "./field-reader.js";

const ROUTE_KEYS = ["to", "type", "via", "device", "source", "metric", "table", "scope", "onlink"] as const;
const TYPES = ["unicast", "blackhole", "unreachable", "prohibit"] as const;
const SCOPES = ["global", "link", "host"] as const;
/** RT_TABLE_UNSPEC (0) is no table; 253..255 are the kernel's default, main and local (main is allowed). */
const TABLE_MAX = 0xffffffff;

export function readRoutes(r: Reader, value: unknown, path: string): RouteConfig[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: RouteConfig[] = [];
  list.forEach((item, i) => {
    const route = readRoute(r, item, `${path}[${i}]`);
    if (route === undefined) return;
    const same = out.findIndex(
      (o) => o.to === route.to && (o.table ?? 254) === (route.table ?? 254) && (o.metric ?? 0) === (route.metric ?? 0),
    );
    if (same >= 0) r.fail(`${path}[${i}]`, `the same destination, table and metric as ${path}[${same}] (the kernel keeps one of them)`);
    else out.push(route);
  });
  return out.length === list.length ? out : undefined;
}

export function readRoute(r: Reader, item: unknown, path: string): RouteConfig | undefined {
  const o = r.object(item, path, ROUTE_KEYS);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const type = o["type"] === undefined ? "unicast" : oneOf(r, o["type"], `${path}.type`, TYPES);
  const to = readDestination(r, o["to"], `${path}.to`);
  const family = to?.family;
  const host = (key: string): string | undefined => {
    if (o[key] === undefined) return undefined;
    const parsed = parseHost(o[key]);
    if (!parsed.ok) return r.fail(`${path}.${key}`, parsed.message);
    if (family !== undefined && parsed.family !== family)
      return r.fail(`${path}.${key}`, `must be IPv${family} like the route's destination`);
    return parsed.address;
  };
  const via = host("via");
  const source = host("source");
  const device = o["device"] === undefined ? undefined : r.string(o["device"], `${path}.device`);
  const metric = o["metric"] === undefined ? undefined : r.integer(o["metric"], `${path}.metric`, 0, TABLE_MAX);
  const table = o["table"] === undefined ? undefined : r.integer(o["table"], `${path}.table`, 1, TABLE_MAX);
  const scope = o["scope"] === undefined ? undefined : oneOf(r, o["scope"], `${path}.scope`, SCOPES);
  // onlink: the gateway is reached on the device without a subnet of the device containing it (ip route ... onlink).
  const onlink = o["onlink"] === undefined ? undefined : r.boolean(o["onlink"], `${path}.onlink`);
  if (onlink === true && (o["via"] === undefined || o["device"] === undefined))
    r.fail(`${path}.onlink`, "needs a gateway (via) and a device: it says the gateway is on that device's link");
  if (type !== undefined && type !== "unicast") {
    for (const key of ["via", "device"] as const) {
      if (o[key] !== undefined) r.fail(`${path}.${key}`, `a ${type} route has no ${key === "via" ? "gateway (via)" : "device"}`);
    }
  }
  if (type === "unicast" && via === undefined && device === undefined && o["via"] === undefined && o["device"] === undefined) {
    r.fail(path, "a unicast route needs via (a gateway) or device");
  }
  if (via !== undefined && scope !== undefined && scope !== "global") r.fail(`${path}.scope`, "a route through a gateway has scope global");
  if (r.errors.length > before) return undefined;
  return {
    type: type!,
    family: family!,
    to: to!.text,
    ...(via !== undefined ? { via } : {}),
    ...(device !== undefined ? { device } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(metric !== undefined ? { metric } : {}),
    ...(table !== undefined ? { table } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(onlink === true ? { onlink } : {}),
  };
}

/** "192.0.2.0/24", a host ("192.0.2.7" = /32), or "default" is not accepted here (the family would be unknown): 0.0.0.0/0 or ::/0. */
function readDestination(r: Reader, value: unknown, path: string): { text: string; family: Family } | undefined {
  const text = r.string(value, path);
  if (text === undefined) return undefined;
  if (text === "default") return r.fail(path, 'give 0.0.0.0/0 or ::/0 instead of "default" (the family must be known)');
  const cidr = parseCidr(text);
  if (!cidr.ok) return r.fail(path, cidr.message);
  const network = networkOf(cidr.address, cidr.family, cidr.prefixLength);
  if (network !== cidr.address) return r.fail(path, `"${text}" has host bits set; the network is ${network}/${cidr.prefixLength}`);
  return { text: `${network}/${cidr.prefixLength}`, family: cidr.family };
}

export function networkOf(address: string, family: Family, prefixLength: number): string {
  const parsed = parseAddress(address, family);
  if (!parsed.ok) return address;
  const bytes = Uint8Array.from(parsed.bytes);
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return formatAddress(family, bytes);
}

function oneOf<T extends string>(r: Reader, value: unknown, path: string, allowed: readonly T[]): T | undefined {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    return r.fail(path, `must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}
