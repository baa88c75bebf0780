import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { LinkInfo } from "../os/ports.js";
import { ownAddressErrors } from "./own-addresses.js";
import { validateAgentConfig } from "./validate.js";

const links: LinkInfo[] = [
  { name: "lo", index: 1, mac: "00:00:00:00:00:00", up: true, addresses: [{ address: "127.0.0.1", family: 4, prefixLength: 8 }] },
  {
    name: "eth0",
    index: 2,
    mac: "02:00:00:00:00:01",
    up: true,
    addresses: [
      { address: "192.0.2.12", family: 4, prefixLength: 24 },
      { address: "2001:db8::12", family: 6, prefixLength: 64 },
    ],
  },
];

const config = (addresses: readonly unknown[]) => {
  const v = validateAgentConfig({ instances: [{ name: "web", interface: "eth0", virtualRouterId: 51, addresses }] });
  assert.ok(v.ok);
  return v.config;
};

describe("a virtual address must not be the node's own address", () => {
  const cases: { name: string; addresses: readonly unknown[]; master?: boolean; want: string[] }[] = [
    { name: "the interface's primary address", addresses: ["192.0.2.12/24"], want: ["instances[0].addresses[0]"] },
    { name: "as a /32", addresses: ["192.0.2.5/32", "192.0.2.12/32"], want: ["instances[0].addresses[1]"] },
    { name: "an IPv6 address in another spelling", addresses: ["2001:DB8:0::12/64"], want: ["instances[0].addresses[0]"] },
    {
      name: "the same address on another interface (a VIP also on lo for direct routing): not touched, allowed",
      addresses: ["127.0.0.1/8"],
      want: [],
    },
    {
      name: "an address of the interface named by the VIP's device",
      addresses: [{ address: "127.0.0.1/8", device: "lo" }],
      want: ["instances[0].addresses[0]"],
    },
    { name: "a free address", addresses: ["192.0.2.5/24"], want: [] },
    {
      name: "left on the interface by this agent while master (crash, restart, reload)",
      addresses: ["192.0.2.12/24"],
      master: true,
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const errors = ownAddressErrors(config(c.addresses), links, () => c.master === true);
      assert.deepEqual(
        errors.map((e) => e.path),
        c.want,
      );
    });
  }

  it("says what and why", () => {
    const [error] = ownAddressErrors(config(["192.0.2.12/24"]), links, () => false);
    assert.equal(
      error?.message,
      "192.0.2.12 is already an address of eth0, and this agent did not add it (web was not master when it last ran): a virtual address must not be one of the node's own, which the agent would delete on start and stop",
    );
  });
});

describe("the other virtual addresses and the devices of virtual routes count too", () => {
  const withEth1: LinkInfo[] = [
    ...links,
    { name: "eth1", index: 3, mac: "02:00:00:00:00:02", up: true, addresses: [{ address: "198.51.100.12", family: 4, prefixLength: 24 }] },
  ];
  const instance = (extra: Record<string, unknown>) => {
    const v = validateAgentConfig({
      instances: [{ name: "web", interface: "eth0", virtualRouterId: 51, addresses: ["192.0.2.5/24"], ...extra }],
    });
    assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
    return v.config;
  };
  const cases: { name: string; extra: Record<string, unknown>; master?: boolean; want: string[] }[] = [
    {
      name: "virtual_ipaddress_excluded: the interface's own address",
      extra: { excludedAddresses: ["192.0.2.12/24"] },
      want: ["instances[0].excludedAddresses[0]"],
    },
    {
      name: "virtual_ipaddress_excluded: an address of its own device",
      extra: { excludedAddresses: [{ address: "198.51.100.12/24", device: "eth1" }] },
      want: ["instances[0].excludedAddresses[0]"],
    },
    {
      name: "virtual_ipaddress_excluded: that address on another interface is allowed",
      extra: { excludedAddresses: ["198.51.100.12/24"] },
      want: [],
    },
    { name: "virtual_ipaddress_excluded: a free address", extra: { excludedAddresses: ["192.0.2.6/24"] }, want: [] },
    {
      name: "a VIP the node owns on the device of a virtual route that uses it as source",
      extra: {
        excludedAddresses: [{ address: "198.51.100.12/32", device: "lo" }],
        routes: [{ to: "203.0.113.0/24", device: "eth1", source: "198.51.100.12" }],
      },
      want: ["instances[0].routes[0].source"],
    },
    {
      name: "a route whose source is the node's own address and no VIP: the node's business, allowed",
      extra: { routes: [{ to: "203.0.113.0/24", device: "eth1", source: "198.51.100.12" }] },
      want: [],
    },
    {
      name: "a route's device without the VIP as an address there: allowed",
      extra: { routes: [{ to: "203.0.113.0/24", device: "eth1", source: "192.0.2.5" }] },
      want: [],
    },
    { name: "left by this agent while master: allowed", extra: { excludedAddresses: ["192.0.2.12/24"] }, master: true, want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const errors = ownAddressErrors(instance(c.extra), withEth1, () => c.master === true);
      assert.deepEqual(
        errors.map((e) => e.path),
        c.want,
      );
    });
  }

  it("says which device and why", () => {
    const errors = ownAddressErrors(
      instance({ excludedAddresses: [{ address: "198.51.100.12/24", device: "eth1" }] }),
      withEth1,
      () => false,
    );
    assert.match(errors[0]?.message ?? "", /^198\.51\.100\.12 is already an address of eth1, and this agent did not add it/);
  });
});
