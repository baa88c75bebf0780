import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "../config/validate.js";
import { eui64LinkLocal, onVirtualMac, virtualMac, virtualMacLinkLocal } from "./vmac.js";

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
    assert.deepEqual(errors({ vmac: true, addresses: ["2001:db8::5"] }), [], "IPv6 instances are accepted");
  });

  describe("IPv6: the macvlan's link-local address, as keepalived 2.2.7 picks it", () => {
    const v6 = (patch: Record<string, unknown> = {}) => instance({ vmac: true, addresses: ["2001:db8::5/64"], version: 3, ...patch });
    const base = {
      mac: "5a:e2:e4:70:eb:e4",
      addresses: [
        { address: "2001:db8::1", family: 6 as const, prefixLength: 64 },
        { address: "fe80::58e2:e4ff:fe70:ebe4", family: 6 as const, prefixLength: 64 },
      ],
    };

    it("the base interface's own link-local address (not its global one)", () => {
      assert.equal(virtualMacLinkLocal(v6(), base), "fe80::58e2:e4ff:fe70:ebe4");
    });

    it("a configured link-local source (mcast_src_ip / unicast_src_ip) wins; a global one is not copied", () => {
      assert.equal(virtualMacLinkLocal(v6({ source: "fe80::99" }), base), "fe80::99");
      assert.equal(virtualMacLinkLocal(v6({ unicast: { source: "fe80::98", peers: ["fe80::2"] } }), base), "fe80::98");
      assert.equal(virtualMacLinkLocal(v6({ source: "2001:db8::99" }), base), "fe80::58e2:e4ff:fe70:ebe4");
    });

    it("none on the base: the EUI-64 one of the base MAC (RFC 4291 appendix A)", () => {
      assert.equal(virtualMacLinkLocal(v6(), { mac: base.mac, addresses: [base.addresses[0]!] }), "fe80::58e2:e4ff:fe70:ebe4");
      assert.equal(eui64LinkLocal("02:00:00:00:00:01"), "fe80::ff:fe00:1");
      assert.equal(eui64LinkLocal("00:00:5e:00:02:40"), "fe80::200:5eff:fe00:240");
    });

    it("the router runs on the macvlan and sends from that address", () => {
      const run = onVirtualMac(v6(), "fe80::58e2:e4ff:fe70:ebe4");
      assert.equal(run.interface, "vrrp.63");
      assert.equal(run.source, "fe80::58e2:e4ff:fe70:ebe4");
      assert.equal(virtualMac(6, 63), "00:00:5e:00:02:3f");
    });
  });
});
