import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { LinkInfo } from "../os/ports.js";
import { ownAddressErrors } from "./own-addresses.js";
import { validateAgentConfig } from "./validate.js";

const links: LinkInfo[] = [
  { name: "lo", index: 1, mac: "00:00:00:00:00:00", up: true, addresses: [{ address: "127.0.0.1", family: 4, prefixLength: 8 }] },
  {
    name: "eth0", index: 2, mac: "02:00:00:00:00:01", up: true,
    addresses: [{ address: "192.0.2.12", family: 4, prefixLength: 24 }, { address: "2001:db8::12", family: 6, prefixLength: 64 }],
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
    { name: "the same address on another interface (a VIP also on lo for direct routing): not touched, allowed", addresses: ["127.0.0.1/8"], want: [] },
    { name: "an address of the interface named by the VIP's device", addresses: [{ address: "127.0.0.1/8", device: "lo" }], want: ["instances[0].addresses[0]"] },
    { name: "a free address", addresses: ["192.0.2.5/24"], want: [] },
    { name: "left on the interface by this agent while master (crash, restart, reload)", addresses: ["192.0.2.12/24"], master: true, want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const errors = ownAddressErrors(config(c.addresses), links, () => c.master === true);
      assert.deepEqual(errors.map((e) => e.path), c.want);
    });
  }

  it("says what and why", () => {
    const [error] = ownAddressErrors(config(["192.0.2.12/24"]), links, () => false);
    assert.equal(error?.message, "192.0.2.12 is already an address of eth0, and this agent did not add it (web was not master when it last ran): a virtual address must not be one of the node's own, which the agent would delete on start and stop");
  });
});
