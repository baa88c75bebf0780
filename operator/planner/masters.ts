/**
 * Which node is master of each VRRP router (pure): masters spread evenly
 * over the nodes, cluster-wide, and stay where they are.
 *
 * The load of a node is the number of routers it is master of. Routers,
 * not addresses: a master's work (adverts every interval, ARP/NA on every
 * move) is per router, packing already spreads a group's addresses evenly
 * over its routers (pack.ts fills the least loaded), and an address count
 * changes with every Service added or removed while the master stays: a
 * weight that drifts would promise a balance it cannot keep.
 *
 *   1. A router whose master is already decided keeps it and adds to that
 *      node's load: the master the agents report (sticky-master.ts), or the
 *      one explicit `priorities` / `preferredNodes` put first.
 *   2. Every other router, oldest first, goes to the least loaded of the
 *      nodes it may use; among equals, the first in the router's rendezvous
 *      order (hash.ts), the order its candidates follow.
 *
 * So a new router never moves an older one (it is placed last), a node that
 * joins takes only new routers, and where every router may use every node the
 * masters differ by at most one router per node. Loads are not rebalanced
 * when a node leaves or returns: that would move addresses nobody asked to move.
 */
import { rendezvousScore } from "./hash.js";

export interface MasterRouter {
  /** The router's instance name: unique, and the rendezvous key of its candidates. */
  readonly key: string;
  /** Lower is older: the position of its oldest VirtualIP. */
  readonly age: number;
  /** The nodes its master may be (ready and not cordoned where there are such). */
  readonly nodes: readonly string[];
  /** A master already decided (kept or placed explicitly): counted, never moved. */
  readonly master?: string | undefined;
}

/** The master of each router (by key); a router with no node to use has none. */
export function assignMasters(routers: readonly MasterRouter[]): Map<string, string> {
  const load = new Map<string, number>();
  const masters = new Map<string, string>();
  for (const r of routers) {
    if (r.master === undefined) continue;
    masters.set(r.key, r.master);
    load.set(r.master, (load.get(r.master) ?? 0) + 1);
  }
  const open = routers.filter((r) => r.master === undefined).sort((a, b) => a.age - b.age || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const r of open) {
    let least = Number.POSITIVE_INFINITY;
    for (const n of r.nodes) least = Math.min(least, load.get(n) ?? 0);
    let best: string | undefined;
    let bestScore = -1;
    for (const n of r.nodes) {
      if ((load.get(n) ?? 0) !== least) continue;
      const score = rendezvousScore(r.key, n);
      if (score > bestScore || (score === bestScore && best !== undefined && n < best)) {
        best = n;
        bestScore = score;
      }
    }
    if (best === undefined) continue;
    masters.set(r.key, best);
    load.set(best, least + 1);
  }
  return masters;
}
