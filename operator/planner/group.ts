/**
 * Which VirtualIPs may share a VRRP router (pure): those whose routers
 * would be rendered alike apart from the addresses. The key covers the
 * eligible nodes, families, interface, VRRP version and timers, preemption,
 * transport, authentication, priorities, tracking, GARP settings and the
 * candidate bound. Without a named interface the agent picks the interface
 * whose subnet holds the router's first address, so VirtualIPs share a
 * router only within one subnet: the first address's network at its prefix,
 * at most /24 (IPv4) or /64 (IPv6), host addresses (/32, /128) included.
 * A VirtualIP that names its VRID, or tracks scripts,
 * files or HTTP checks (top-level items named after it), gets a router of
 * its own. So does one with `nodeNames` (a `Local` Service's endpoint
 * nodes): its eligible nodes change whenever its endpoints move, and a
 * router of its own can change its candidates in place, where a shared one
 * would have to give the address to another router (see followsNodes).
 * Not so a `Cluster` Service's VirtualIP whose `nodeNames` are the nodes that
 * have its pool's interface (marked NODE_NAMES_ANNOTATION: "interfaces"):
 * they are the same for all the pool's Services and change only when a node
 * gains or loses the interface, so those VirtualIPs pack like any other
 * (else a pool with `interfaces` would spend a VRID per Service, and stop at 255).
 */
import type { VipAddress, VirtualIPConfig } from "../api/virtualip-config.js";
import { formatIPv4, formatIPv6, parseAddress } from "../../agent/vrrp/address-bytes.js";

/**
 * Annotation the load balancer sets on a VirtualIP whose `spec.nodeNames` do not follow endpoints; value
 * "interfaces": they are the nodes that report the pool's interface.
 */
export const NODE_NAMES_ANNOTATION = "floatip.io/node-names";

/** The VirtualIP's metadata the grouping reads. */
export interface GroupedVip {
  readonly metadata: { readonly annotations?: Readonly<Record<string, string>> };
}

/** Whether a VirtualIP's eligible nodes are named and follow endpoints: it keeps its router while they change. */
export function followsNodes(vip: GroupedVip, config: VirtualIPConfig): boolean {
  return config.nodeNames !== undefined && vip.metadata.annotations?.[NODE_NAMES_ANNOTATION] !== "interfaces";
}

export function groupKey(
  vip: GroupedVip & { readonly metadata: { readonly name: string } },
  config: VirtualIPConfig,
  eligibleKey: string,
  maxCandidates: number,
): string {
  const { track } = config;
  const name = vip.metadata.name;
  const follows = followsNodes(vip, config);
  const own =
    follows ||
    config.virtualRouterID !== undefined ||
    track.scripts.length > 0 ||
    track.files.length > 0 ||
    (track.httpChecks ?? []).length > 0;
  return JSON.stringify([
    own ? name : "",
    follows ? "" : eligibleKey,
    config.families,
    config.interface ?? config.families.map((f) => segment(config.addresses.find((a) => a.family === f)!)),
    config.version,
    config.advertIntervalMs,
    config.preempt,
    config.preemptDelayMs,
    config.transport,
    config.authentication ?? null,
    config.placement,
    config.releaseOnCordon,
    track.pods ?? null,
    track.interfaces,
    config.garp,
    maxCandidates,
  ]);
}

/** The network of an address at its prefix length, at most /24 or /64: "192.0.2.0/24". */
function segment(a: VipAddress): string {
  const parsed = parseAddress(a.address, a.family);
  if (!parsed.ok) return a.cidr;
  const bits = Math.min(a.prefixLength, a.family === 4 ? 24 : 64);
  const bytes = Uint8Array.from(parsed.bytes);
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    bytes[i] = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return `${a.family === 4 ? formatIPv4(bytes) : formatIPv6(bytes)}/${bits}`;
}
