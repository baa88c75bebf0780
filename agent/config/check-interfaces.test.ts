import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { missingInterfaces } from "./check-interfaces.js";
import { validateAgentConfig } from "./validate.js";
import type { AgentConfig } from "./types.js";
import type { LinkInfo } from "../os/ports.js";

const link = (name: string, index: number): LinkInfo => ({ name, index, mac: "02:00:00:00:00:01", up: true, addresses: [] });
const LINKS = [link("lo", 1), link("eth0", 2)];

function config(instance: Record<string, unknown>): AgentConfig {
  const result = validateAgentConfig({ instances: [{ name: "VI_1", virtualRouterId: 51, addresses: ["192.0.2.5/24"], ...instance }] });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.config;
}

describe("missingInterfaces", () => {
  it("accepts interfaces that exist", () => {
    assert.deepEqual(
      missingInterfaces(config({ interface: "eth0", addresses: [{ address: "192.0.2.5/24", device: "lo" }] }), LINKS, "k.conf"),
      [],
    );
  });

  it("names a missing instance interface and the ones the host has", () => {
    assert.deepEqual(missingInterfaces(config({ interface: "eth9" }), LINKS, "k.conf"), [
      { path: "k.conf", message: "instance VI_1: interface eth9 does not exist on this host (it has eth0, lo)" },
    ]);
  });

  it("names a missing address device; tracked interfaces may be missing", () => {
    const c = config({ interface: "eth0", addresses: [{ address: "192.0.2.5/24", device: "vlan7" }], track: { interfaces: ["eth5"] } });
    assert.deepEqual(
      missingInterfaces(c, LINKS, "k.conf").map((e) => e.message),
      ["instance VI_1: address device (dev) vlan7 does not exist on this host (it has eth0, lo)"],
    );
  });
});
