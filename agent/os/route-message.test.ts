import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RouteConfig } from "../config/types.js";
import { rt } from "netlink";
import { describeRoute, routeMessage } from "./route-message.js";

const { formatRouteFlags } = rt;

const route = (patch: Partial<RouteConfig>): RouteConfig => ({ type: "unicast", family: 4, to: "198.51.100.0/24", ...patch });

describe("route messages (as ip route builds them)", () => {
  it("a gateway route in main: scope universe, protocol static", () => {
    const { data, attrs } = routeMessage(route({ via: "192.0.2.1", source: "192.0.2.5", metric: 7 }), 3, "add");
    assert.deepEqual(data, { family: 2, dstLen: 24, table: 254, scope: 0, type: 1, protocol: 4 });
    assert.deepEqual(attrs, {
      dst: Buffer.from([198, 51, 100, 0]),
      gateway: Buffer.from([192, 0, 2, 1]),
      prefsrc: Buffer.from([192, 0, 2, 5]),
      priority: 7,
      oif: 3,
    });
  });

  it("an on-link IPv4 route has scope link; a table above 255 goes in RTA_TABLE", () => {
    const { data, attrs } = routeMessage(route({ device: "eth0", table: 1000 }), 2, "add");
    assert.equal(data.scope, 253);
    assert.equal(data.table, 0);
    assert.equal(attrs.table, 1000);
  });

  it("a default route has no RTA_DST; blackhole / IPv6 types and families", () => {
    const v6 = routeMessage({ type: "blackhole", family: 6, to: "::/0" }, undefined, "add");
    assert.deepEqual(v6.data, { family: 10, dstLen: 0, table: 254, scope: 0, type: 6, protocol: 4 });
    assert.deepEqual(v6.attrs, {});
  });

  it("onlink sets RTNH_F_ONLINK (4) in rtm_flags, as ip route ... onlink; a delete leaves it out", () => {
    const onlink = route({ via: "203.0.113.1", device: "eth0", onlink: true });
    const added = routeMessage(onlink, 2, "add").data;
    assert.deepEqual(added.flags, { __unknown: 4 });
    assert.equal(formatRouteFlags(added.flags!), 4);
    assert.equal(routeMessage(onlink, 2, "remove").data.flags, undefined);
    assert.equal(routeMessage(route({ via: "192.0.2.1" }), 2, "add").data.flags, undefined);
    assert.equal(describeRoute(onlink), "198.51.100.0/24 via 203.0.113.1 dev eth0 onlink");
  });

  it("a delete matches any scope and any protocol", () => {
    const { data } = routeMessage(route({ device: "eth0" }), 2, "remove");
    assert.equal(data.scope, 255);
    assert.equal(data.protocol, undefined);
  });

  it("describes a route in ip route's words", () => {
    assert.equal(
      describeRoute(route({ type: "unreachable", metric: 5, table: 9, scope: "host" })),
      "unreachable 198.51.100.0/24 metric 5 table 9 scope host",
    );
  });
});
