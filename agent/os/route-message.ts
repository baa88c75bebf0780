/**
 * A route as rtnetlink carries it (rtmsg header and attributes), built the
 * way `ip route add|del` builds it: a table id above 255 goes in RTA_TABLE
 * with rtm_table RT_TABLE_UNSPEC; the scope defaults as ip's (link for an
 * IPv4 unicast route without gateway, else universe); a delete matches any
 * scope. Pure: route-table.ts sends these.
 */
import type { rt } from "netlink";
import type { RouteConfig } from "../config/types.js";
import { addressBytes, familyNumber, RTPROT_STATIC } from "./rtattr.js";

const RT_TABLE_MAIN = 254;
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_LINK = 253;
const RT_SCOPE_HOST = 254;
/** On delete: match a route of any scope (as ip route del). */
const RT_SCOPE_NOWHERE = 255;
const RTN = { unicast: 1, blackhole: 6, unreachable: 7, prohibit: 8 } as const;
/** RTNH_F_ONLINK in rtm_flags, as ip route's onlink sets it (the netlink package names no such flag). */
const RTNH_F_ONLINK = 4;

/** The rtmsg header and attributes of one route; `oif` is the device's index. */
export function routeMessage(
  route: RouteConfig,
  oif: number | undefined,
  operation: "add" | "remove",
): { data: rt.Route; attrs: rt.RouteAttrs } {
  const [network, length] = route.to.split("/");
  const dstLen = Number(length);
  const table = route.table ?? RT_TABLE_MAIN;
  const scope =
    operation === "remove"
      ? RT_SCOPE_NOWHERE
      : route.scope === "host"
        ? RT_SCOPE_HOST
        : route.scope === "link" || (route.scope === undefined && route.type === "unicast" && route.via === undefined && route.family === 4)
          ? RT_SCOPE_LINK
          : RT_SCOPE_UNIVERSE;
  const data: rt.Route = {
    family: familyNumber(route.family),
    dstLen,
    table: table < 256 ? table : 0,
    scope,
    type: RTN[route.type],
  };
  // A delete leaves the protocol out (0): it matches whoever installed the route.
  if (operation === "add") data.protocol = RTPROT_STATIC;
  if (operation === "add" && route.onlink === true) data.flags = { __unknown: RTNH_F_ONLINK };
  const attrs: rt.RouteAttrs = {};
  if (dstLen > 0) attrs.dst = addressBytes(network!, route.family);
  if (table >= 256) attrs.table = table;
  if (route.via !== undefined) attrs.gateway = addressBytes(route.via, route.family);
  if (route.source !== undefined) attrs.prefsrc = addressBytes(route.source, route.family);
  if (route.metric !== undefined) attrs.priority = route.metric;
  if (oif !== undefined) attrs.oif = oif;
  return { data, attrs };
}

/** "ip route" style text of a route, for errors and logs. */
export function describeRoute(r: RouteConfig): string {
  return [
    r.type !== "unicast" ? r.type : undefined,
    r.to,
    r.via !== undefined ? `via ${r.via}` : undefined,
    r.device !== undefined ? `dev ${r.device}` : undefined,
    r.source !== undefined ? `src ${r.source}` : undefined,
    r.metric !== undefined ? `metric ${r.metric}` : undefined,
    r.table !== undefined ? `table ${r.table}` : undefined,
    r.scope !== undefined ? `scope ${r.scope}` : undefined,
    r.onlink === true ? "onlink" : undefined,
  ]
    .filter((w) => w !== undefined)
    .join(" ");
}
