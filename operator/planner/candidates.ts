/**
 * Bounded membership: the nodes that run one router (its candidates) and
 * their priorities, chosen among the router's eligible nodes (pure).
 *
 * The order is the priority order (`priorities.ts`: the router's master
 * first (masters.ts), then the others with the router's name as the
 * rendezvous key, so routers of one node set pick different backups). The candidates are
 * the first `max` nodes of that order that are ready and not cordoned, then,
 * if too few are, the others in the same order. Rendezvous hashing keeps this
 * stable: a node that comes or goes changes the candidates only of the
 * routers that rank it among their first `max`, and a candidate keeps its
 * priority when another is replaced. `max` 0 means every eligible node.
 */
import type { NodeSummary } from "../api/types.js";
import type { Placement } from "../api/virtualip-config.js";
import { compareNames } from "./age.js";
import { rendezvousScore } from "./hash.js";
import { assignPriorities } from "./priorities.js";

export interface CandidateOptions {
  /** The router's rendezvous key (its instance name). */
  readonly key: string;
  readonly placement: Placement;
  readonly releaseOnCordon: boolean;
  /** At most this many candidates; 0 = all eligible nodes. */
  readonly max: number;
  /** The node to rank first (see priorities.ts). */
  readonly first?: string | undefined;
}

export interface Candidates {
  /** Sorted by name. */
  readonly nodes: readonly NodeSummary[];
  /** Priority of each candidate. */
  readonly priorities: Readonly<Record<string, number>>;
}

export function chooseCandidates(eligible: readonly NodeSummary[], options: CandidateOptions): Candidates {
  const all = assignPriorities(eligible, {
    key: options.key,
    placement: options.placement,
    releaseOnCordon: options.releaseOnCordon,
    first: options.first,
  });
  let chosen: readonly NodeSummary[] = eligible;
  if (options.max > 0 && eligible.length > options.max) {
    const scores = new Map(eligible.map((n) => [n.name, rendezvousScore(options.key, n.name)]));
    const ranked = [...eligible].sort(
      (a, b) => all[b.name]! - all[a.name]! || scores.get(b.name)! - scores.get(a.name)! || compareNames(a.name, b.name),
    );
    const healthy = (n: NodeSummary) => n.ready && !n.unschedulable;
    chosen = [...ranked.filter(healthy), ...ranked.filter((n) => !healthy(n))].slice(0, options.max);
  }
  const nodes = [...chosen].sort((a, b) => compareNames(a.name, b.name));
  const priorities: Record<string, number> = {};
  for (const n of nodes) priorities[n.name] = all[n.name]!;
  return { nodes, priorities };
}
