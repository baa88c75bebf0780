/**
 * How old each node's report is. An agent rewrites its VRRPNode status at
 * least every `status.refreshInterval` (agent/kube/node-status.ts); a node
 * whose status has not changed for STALE_FACTOR of those is stale: nobody
 * vouches for its routers any more (the agent may be cut off from the API
 * server, or gone), so the controller shows them as Unknown.
 *
 * Age is measured on the controller's monotonic clock from the moment it
 * saw the status change (a new `updated`), as Kubernetes' leader election
 * measures a Lease: the agent's wall clock is never compared with ours, so
 * clock skew between nodes cannot make a report look fresh or stale. After
 * a controller (re)start every node gets a full bound from the first read.
 *
 * No I/O and no timers: the controller asks nextExpiry() when to look again.
 */
import { parseDuration } from "../../agent/config/duration.js";
import type { VRRPNode } from "../api/types.js";

/** A report is stale after this many of its agent's refresh intervals. */
export const STALE_FACTOR = 3;

/** How long a node's report stays trusted, ms; undefined when its agent states no refresh interval (it sends no heartbeats). */
export function staleAfterMs(node: VRRPNode): number | undefined {
  const stated = node.status?.refreshInterval;
  if (stated === undefined) return undefined;
  const parsed = parseDuration(stated);
  return parsed.ok && parsed.ms > 0 ? parsed.ms * STALE_FACTOR : undefined;
}

export class StatusAges {
  private readonly seen = new Map<string, { readonly updated: string | undefined; readonly at: number }>();

  /** Records a VRRPNode as read at `now`; its age restarts when its status carries a new `updated`. */
  observe(node: VRRPNode, now: number): void {
    const name = node.metadata.name;
    const updated = node.status?.updated;
    const before = this.seen.get(name);
    if (before === undefined || before.updated !== updated) this.seen.set(name, { updated, at: now });
  }

  forget(name: string): void {
    this.seen.delete(name);
  }

  /** Stale nodes at `now`, each with the bound it exceeded (ms). */
  stale(nodes: Iterable<VRRPNode>, now: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const node of nodes) {
      const bound = staleAfterMs(node);
      const at = this.seen.get(node.metadata.name)?.at;
      if (bound !== undefined && at !== undefined && now - at >= bound) out.set(node.metadata.name, bound);
    }
    return out;
  }

  /** When the next report still fresh at `now` goes stale; undefined when none will. */
  nextExpiry(nodes: Iterable<VRRPNode>, now: number): number | undefined {
    let next: number | undefined;
    for (const node of nodes) {
      const bound = staleAfterMs(node);
      const at = this.seen.get(node.metadata.name)?.at;
      if (bound === undefined || at === undefined || now - at >= bound) continue;
      if (next === undefined || at + bound < next) next = at + bound;
    }
    return next;
  }
}
