import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "./validate.js";

const instance = (routes: unknown) => ({
  instances: [{ name: "a", interface: "eth0", virtualRouterId: 1, addresses: ["192.0.2.5/24"], routes }],
});

function routesOf(routes: unknown) {
  const result = validateAgentConfig(instance(routes));
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.config.instances[0]!.routes;
}

function errorsOf(routes: unknown): string[] {
  const result = validateAgentConfig(instance(routes));
  assert.ok(!result.ok, "expected errors");
  return result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe("instance routes (keepalived virtual_routes)", () => {
  it("reads every field, canonical addresses, unicast by default", () => {
    assert.deepEqual(
      routesOf([
        { to: "198.51.100.0/24", via: "192.0.2.1", device: "eth0", source: "192.0.2.5", metric: 10, table: 100, scope: "global" },
        { type: "blackhole", to: "2001:DB8:1::/48" },
        { to: "203.0.113.7", device: "eth1" },
      ]),
      [
        {
          type: "unicast",
          family: 4,
          to: "198.51.100.0/24",
          via: "192.0.2.1",
          device: "eth0",
          source: "192.0.2.5",
          metric: 10,
          table: 100,
          scope: "global",
        },
        { type: "blackhole", family: 6, to: "2001:db8:1::/48" },
        { type: "unicast", family: 4, to: "203.0.113.7/32", device: "eth1" },
      ],
    );
  });

  it("onlink: a gateway on the device's link outside its subnets; needs via and device", () => {
    assert.deepEqual(routesOf([{ to: "0.0.0.0/0", via: "203.0.113.1", device: "eth0", onlink: true }]), [
      { type: "unicast", family: 4, to: "0.0.0.0/0", via: "203.0.113.1", device: "eth0", onlink: true },
    ]);
    assert.deepEqual(routesOf([{ to: "0.0.0.0/0", via: "192.0.2.1", onlink: false }]), [
      { type: "unicast", family: 4, to: "0.0.0.0/0", via: "192.0.2.1" },
    ]);
    assert.deepEqual(errorsOf([{ to: "198.51.100.0/24", device: "eth0", onlink: true }]), [
      "instances[0].routes[0].onlink: needs a gateway (via) and a device: it says the gateway is on that device's link",
    ]);
    assert.deepEqual(errorsOf([{ to: "198.51.100.0/24", via: "192.0.2.1", device: "eth0", onlink: "yes" }]), [
      'instances[0].routes[0].onlink: must be true or false, got "yes"',
    ]);
  });

  it("an empty list is no routes", () => {
    assert.equal(routesOf([]), undefined);
  });

  it("refuses what ip route would refuse, naming the field", () => {
    assert.deepEqual(errorsOf([{ to: "198.51.100.1/24", via: "192.0.2.1" }]), [
      'instances[0].routes[0].to: "198.51.100.1/24" has host bits set; the network is 198.51.100.0/24',
    ]);
    assert.deepEqual(errorsOf([{ to: "198.51.100.0/24" }]), ["instances[0].routes[0]: a unicast route needs via (a gateway) or device"]);
    assert.deepEqual(errorsOf([{ type: "blackhole", to: "198.51.100.0/24", via: "192.0.2.1" }]), [
      "instances[0].routes[0].via: a blackhole route has no gateway (via)",
    ]);
    assert.deepEqual(errorsOf([{ to: "198.51.100.0/24", via: "2001:db8::1" }]), [
      "instances[0].routes[0].via: must be IPv4 like the route's destination",
    ]);
    assert.deepEqual(errorsOf([{ to: "default", via: "192.0.2.1" }]), [
      'instances[0].routes[0].to: give 0.0.0.0/0 or ::/0 instead of "default" (the family must be known)',
    ]);
    assert.deepEqual(errorsOf([{ to: "198.51.100.0/24", via: "192.0.2.1", scope: "link" }]), [
      "instances[0].routes[0].scope: a route through a gateway has scope global",
    ]);
    assert.deepEqual(errorsOf([{ to: "198.51.100.0/24", device: "eth0", type: "throw" }]), [
      'instances[0].routes[0].type: must be one of unicast, blackhole, unreachable, prohibit, got "throw"',
    ]);
    assert.deepEqual(errorsOf([{ to: "198.51.100.0/24", device: "eth0", mtu: 1400 }]), [
      "instances[0].routes[0].mtu: unknown field (allowed: to, type, via, device, source, metric, table, scope, onlink)",
    ]);
    assert.deepEqual(errorsOf([{ to: "198.51.100.0/24", device: "eth0", table: 0 }]), [
      "instances[0].routes[0].table: must be between 1 and 4294967295, got 0",
    ]);
  });

  it("refuses one destination twice in one table with one metric (the kernel keeps one)", () => {
    assert.deepEqual(
      errorsOf([
        { to: "198.51.100.0/24", via: "192.0.2.1" },
        { to: "198.51.100.0/24", via: "192.0.2.2", table: 254 },
      ]),
      ["instances[0].routes[1]: the same destination, table and metric as instances[0].routes[0] (the kernel keeps one of them)"],
    );
    assert.equal(
      routesOf([
        { to: "198.51.100.0/24", via: "192.0.2.1" },
        { to: "198.51.100.0/24", via: "192.0.2.2", metric: 5 },
      ])?.length,
      2,
    );
  });
});
