/**
 * Which VirtualIPs may share a VRRP router (pure): those whose routers
 * would be rendered alike apart from the addresses. The key covers the
 * eligible nodes, families, interface, VRRP version and timers, preemption,
 * transport, authentication, priorities, tracking, GARP settings and the
 * candidate bound. A VirtualIP that names its VRID, or tracks scripts,
 * files or HTTP checks (top-level items named after it), gets a router of
 * its own.
 */
import type { VirtualIPConfig } from "../api/virtualip-config.js";

export function groupKey(name: string, config: VirtualIPConfig, eligibleKey: string, maxCandidates: number): string {
  const { track } = config;
  const own = config.virtualRouterID !== undefined || track.scripts.length > 0 || track.files.length > 0 || (track.httpChecks ?? []).length > 0;
  return JSON.stringify([
    own ? name : "",
    eligibleKey,
    config.families,
    config.interface ?? "",
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
