/**
 * The interfaces a standalone config names must exist when the agent starts
 * (as keepalived refuses a vrrp_instance on a missing interface): a typo in
 * `interface` is a config error naming it, not an instance stuck in FAULT.
 * Tracked interfaces may come and go (they count as down while missing).
 * Pure: the caller reads the host's interfaces.
 */
import type { LinkInfo } from "../os/ports.js";
import type { AgentConfig } from "./types.js";
import type { ConfigError } from "./validate.js";

export function missingInterfaces(config: AgentConfig, links: readonly LinkInfo[], origin: string): ConfigError[] {
  const names = new Set(links.map((l) => l.name));
  const known = [...names].sort().join(", ");
  const errors: ConfigError[] = [];
  for (const inst of config.instances) {
    const wanted = [inst.interface, ...inst.addresses.flatMap((a) => (a.device !== undefined ? [a.device] : []))];
    for (const name of new Set(wanted)) {
      if (names.has(name)) continue;
      const role = name === inst.interface ? "interface" : "address device (dev)";
      errors.push({ path: origin, message: `instance ${inst.name}: ${role} ${name} does not exist on this host (it has ${known})` });
    }
  }
  for (const a of config.staticAddresses ?? []) {
    if (a.device !== undefined && !names.has(a.device))
      errors.push({
        path: origin,
        message: `static address ${a.address}: device ${a.device} does not exist on this host (it has ${known})`,
      });
  }
  return errors;
}
