/**
 * Which node a router whose nodes follow endpoints ranks first (pure): its
 * current master while that node stays eligible, so a node that gains an
 * endpoint never outranks and preempts it. When the master loses
 * eligibility, its instance goes (a priority-0 advert) and a running backup
 * takes over: the one the agents report with the highest priority ranks
 * first, so a node that joins in the same change does not preempt it a
 * moment later (one move, not two).
 */
import type { VirtualIPStatus } from "../api/types.js";
import { compareNames } from "./age.js";

export function stickyFirst(status: VirtualIPStatus | undefined, eligible: ReadonlySet<string>): string | undefined {
  if (status?.master !== undefined && eligible.has(status.master)) return status.master;
  const backups = (status?.nodes ?? [])
    .filter((n) => n.state === "Backup" && eligible.has(n.name))
    .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || compareNames(a.name, b.name));
  return backups[0]?.name;
}
