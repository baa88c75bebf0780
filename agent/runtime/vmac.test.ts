import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "../config/validate.js";
import { onVirtualMac, virtualMac } from "./vmac.js";

function instance(patch: Record<string, unknown>) {
  const result = validateAgentConfig({
    instances: [
      {
        name: "a",
        interface: "eth0",
        virtualRouterId: 63,
        addresses: ["192.0.2.5/24", { address: "198.51.100.5", device: "eth1" }],
        ...patch,
      },
    ],
  });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.config.instances[0]!;
}

describe("use_vmac", () => {
  it("the RFC 5798 §7.3 virtual MAC", () => {
    assert.equal(virtualMac(4, 63), "00:00:5e:00:01:3f");
    assert.equal(virtualMac(4, 1), "00:00:5e:00:01:01");
    assert.equal(virtualMac(6, 255), "00:00:5e:00:02:ff");
  });

  it("defaults: macvlan vrrp.VRID; the router runs on it, sending from the base interface's address", () => {
    const config = instance({ vmac: true });
    assert.deepEqual(config.vmac, { name: "vrrp.63", transmitOnBase: false });
    const run = onVirtualMac(config, "192.0.2.11");
    assert.equal(run.interface, "vrrp.63");
    assert.equal(run.source, "192.0.2.11");
    assert.deepEqual(run.addresses, [
      { address: "192.0.2.5", family: 4, prefixLength: 24 },
      { address: "198.51.100.5", family: 4, prefixLength: 32, device: "eth1" },
    ]);
  });

  it("a configured source (mcast_src_ip / unicast_src_ip) is kept; a unicast instance gets the base address as unicast.source", () => {
    assert.equal(onVirtualMac(instance({ vmac: true, source: "192.0.2.99" }), "192.0.2.11").source, "192.0.2.99");
    assert.deepEqual(onVirtualMac(instance({ vmac: { name: "vip0" }, unicast: { peers: ["192.0.2.12"] } }), "192.0.2.11").unicast, {
      source: "192.0.2.11",
      peers: ["192.0.2.12"],
    });
  });

  it("vmac_xmit_base: adverts stay on the base interface; the addresses move to the macvlan", () => {
    const run = onVirtualMac(instance({ vmac: { transmitOnBase: true } }), "192.0.2.11");
    assert.equal(run.interface, "eth0");
    assert.equal(run.source, undefined);
    assert.deepEqual(
      run.addresses.map((a) => a.device),
      ["vrrp.63", "eth1"],
    );
  });

  it("refuses bad settings, naming the field", () => {
    const errors = (patch: Record<string, unknown>) => {
      const result = validateAgentConfig({
        instances: [{ name: "a", interface: "eth0", virtualRouterId: 63, addresses: ["192.0.2.5"], ...patch }],
      });
      return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
    };
    assert.deepEqual(errors({ vmac: { name: "a-very-long-interface" } }), [
      'instances[0].vmac.name: "a-very-long-interface" is not a valid interface name (at most 15 characters, no spaces, "/" or ":")',
    ]);
    assert.deepEqual(errors({ vmac: "yes" }), ['instances[0].vmac: must be a mapping, got "yes"']);
    assert.deepEqual(errors({ vmac: true, addresses: ["2001:db8::5"] }), [
      "instances[0].vmac: use_vmac is not supported for IPv6 instances yet: floatip does not give the macvlan the link-local address keepalived gives it, nor send adverts from it, so it would not interoperate; leave use_vmac out (the VIPs then live on the interface itself)",
    ]);
  });
});
