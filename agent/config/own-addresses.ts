/**
 * A virtual address must not be one of the node's own addresses (pure).
 * The agent deletes an instance's addresses when it starts (leftovers of a
 * crash) and when it stops or steps down, so a VIP equal to the interface's
 * own address would take the node off its network. Checked at start and on
 * every reload, with the interfaces as they are then.
 *
 * The virtual addresses are those of virtual_ipaddress and of
 * virtual_ipaddress_excluded (added and deleted alike, only never
 * advertised). For each, the interface it goes on counts (its `device`, else
 * the instance's), and so does the device of a virtual route that uses it as
 * its source (`src VIP dev X`: a VIP the node already owns on X is not the
 * instance's to move). No other interface counts: the same address on
 * another one (a VIP on `lo` for direct routing) is a common set-up.
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

export function ownAddressErrors(
  config: AgentConfig,
  links: readonly LinkInfo[],
  lastMaster: (instance: string) => boolean,
): ConfigError[] {
  const own = new Map<string, Set<string>>();
  for (const link of links) own.set(link.name, new Set(link.addresses.map((a) => keyOf(a.address) ?? "")));
  const owned = (iface: string, address: string) => own.get(iface)?.has(keyOf(address) ?? "-") === true;
  const errors: ConfigError[] = [];
  config.instances.forEach((inst, i) => {
    if (lastMaster(inst.name)) return;
    const why = `and this agent did not add it (${inst.name} was not master when it last ran): a virtual address must not be one of the node's own, which the agent would delete on start and stop`;
    const lists = [
      ["addresses", inst.addresses],
      ["excludedAddresses", inst.excludedAddresses ?? []],
    ] as const;
    for (const [field, list] of lists) {
      list.forEach((a, j) => {
        const iface = a.device ?? inst.interface;
        if (owned(iface, a.address))
          errors.push({ path: `instances[${i}].${field}[${j}]`, message: `${a.address} is already an address of ${iface}, ${why}` });
      });
    }
    const vips = new Set(lists.flatMap(([, list]) => list.map((a) => keyOf(a.address))));
    (inst.routes ?? []).forEach((r, k) => {
      if (r.source === undefined || r.device === undefined || !vips.has(keyOf(r.source)) || !owned(r.device, r.source)) return;
      errors.push({
        path: `instances[${i}].routes[${k}].source`,
        message: `${r.source} is already an address of ${r.device}, the device of this virtual route, ${why}`,
      });
    });
  });
  return errors;
}

function keyOf(text: string): string | undefined {
  const parsed = parseAddress(text);
  return parsed.ok ? `${parsed.family}/${Buffer.from(parsed.bytes).toString("hex")}` : undefined;
}
