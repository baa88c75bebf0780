import { it } from "node:test";
import assert from "node:assert/strict";
import { fillInterfaces, interfaceFor } from "./fill-interfaces.js";
import type { LinkInfo } from "../os/ports.js";

const link = (name: string, index: number, addresses: [string, number][]): LinkInfo => ({
  name,
  index,
  mac: "02:00:00:00:00:01",
  up: true,
  addresses: addresses.map(([address, prefixLength]) => ({ address, prefixLength, family: address.includes(":") ? 6 : 4 })),
});

const links = [
  link("lo", 1, [["127.0.0.1", 8]]),
  link("eth0", 2, [
    ["192.0.2.11", 24],
    ["2001:db8::11", 64],
    ["192.0.2.5", 32],
  ]),
  link("eth1", 3, [["198.51.100.11", 25]]),
];

it("picks the interface whose subnet contains the address", () => {
  assert.equal(interfaceFor("192.0.2.5", links), "eth0");
  assert.equal(interfaceFor("2001:db8::5", links), "eth0");
  assert.equal(interfaceFor("198.51.100.100", links), "eth1");
  assert.equal(interfaceFor("198.51.100.200", links), undefined, "outside the /25");
  assert.equal(interfaceFor("203.0.113.5", links), undefined);
});

it("fills only instances without an interface, and names the field when none fits", () => {
  const doc = {
    instances: [
      { name: "a", addresses: ["192.0.2.5/24"] },
      { name: "b", interface: "eth9", addresses: ["192.0.2.6"] },
      { name: "c", addresses: [{ address: "198.51.100.20" }] },
    ],
  };
  const filled = fillInterfaces(doc, links);
  assert.ok(filled.ok);
  const out = (filled.doc as { instances: { interface: string }[] }).instances.map((i) => i.interface);
  assert.deepEqual(out, ["eth0", "eth9", "eth1"]);
  const bad = fillInterfaces({ instances: [{ name: "x", addresses: ["203.0.113.9"] }] }, links);
  assert.ok(!bad.ok);
  assert.equal(bad.errors[0]!.path, "instances[0].interface");
  assert.match(bad.errors[0]!.message, /203\.0\.113\.9/);
});
