/**
 * A second segment for a namespace lab (test/lab/netns.ts): one more bridge
 * in the switch namespace and one more veth per host, `eth1`, host i keeping
 * the last octet of its first address in 198.51.100.0/24 (a documentation
 * prefix, like the first segment's 192.0.2.0/24). Made inside the lab's own
 * namespaces, so the lab's destroy() removes it with them.
 */
import type { Lab, LabHost } from "./netns.js";

export const SEGMENT_IFNAME = "eth1";
export const SEGMENT_PREFIX = "198.51.100";

export interface SegmentHost {
  readonly name: string;
  readonly ns: string;
  readonly ifname: string;
  readonly ipv4: string;
}

/** Plugs every host of the lab into a second bridge `br1` through `eth1`; returns each host's end. */
export async function addSecondSegment(lab: Lab): Promise<SegmentHost[]> {
  const sw = (args: readonly string[]) => lab.exec(lab.switchNs, ["ip", ...args]);
  await sw(["link", "add", "br1", "type", "bridge", "mcast_snooping", "0"]);
  await sw(["link", "set", "br1", "up"]);
  const ends: SegmentHost[] = [];
  for (const [i, host] of lab.hosts.entries()) {
    const port = `${lab.prefix}s${i}`;
    const ipv4 = `${SEGMENT_PREFIX}.${lastOctet(host)}`;
    await sw(["link", "add", port, "type", "veth", "peer", "name", SEGMENT_IFNAME, "netns", host.ns]);
    await sw(["link", "set", port, "master", "br1", "up"]);
    await lab.exec(host.ns, ["ip", "addr", "add", `${ipv4}/24`, "dev", SEGMENT_IFNAME]);
    await lab.exec(host.ns, ["ip", "link", "set", SEGMENT_IFNAME, "up"]);
    ends.push({ name: host.name, ns: host.ns, ifname: SEGMENT_IFNAME, ipv4 });
  }
  return ends;
}

function lastOctet(host: LabHost): string {
  return host.ipv4.split(".")[3]!;
}
