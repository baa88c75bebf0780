/**
 * A virtual address must not be one of the node's own addresses (pure).
 * The agent deletes an instance's addresses when it starts (leftovers of a
 * crash) and when it stops or steps down, so a VIP equal to the interface's
 * own address would take the node off its network. Checked at start and on
 * every reload, with the interfaces as they are then.
 *
 * An address the agent itself may have left (the instance's last state
 * record says MASTER: a crash, or a reload while master) is not the node's
 * own. Known limit: a node address that equals a VIP whose instance was
 * last master (an edited config after a crash) is not caught.
 */
import type { LinkInfo } from "../os/ports.js";
import { parseAddress } from "../vrrp/address-bytes.js";
import type { AgentConfig } from "./types.js";
import type { ConfigError } from "./validate.js";

export function ownAddressErrors(config: AgentConfig, links: readonly LinkInfo[], lastMaster: (instance: string) => boolean): ConfigError[] {
  const owners = new Map<string, string>();
  for (const link of links) {
    for (const own of link.addresses) {
      const key = keyOf(own.address);
      if (key !== undefined && !owners.has(key)) owners.set(key, link.name);
    }
  }
  const errors: ConfigError[] = [];
  config.instances.forEach((inst, i) => {
    if (lastMaster(inst.name)) return;
    inst.addresses.forEach((a, j) => {
      const owner = owners.get(keyOf(a.address) ?? "");
      if (owner === undefined) return;
      errors.push({
        path: `instances[${i}].addresses[${j}]`,
        message: `${a.address} is already an address of ${owner}, and this agent did not add it (${inst.name} was not master when it last ran): a virtual address must not be one of the node's own, which the agent would delete on start and stop`,
      });
    });
  });
  return errors;
}

function keyOf(text: string): string | undefined {
  const parsed = parseAddress(text);
  return parsed.ok ? `${parsed.family}/${Buffer.from(parsed.bytes).toString("hex")}` : undefined;
}
