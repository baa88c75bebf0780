/**
 * Which node a router keeps as master (pure), read from the status of a
 * VirtualIP it carries (what the agents report), so that a master stays
 * where it is from one sync to the next:
 *
 *   1. a usable (eligible) node that reports the top priority: the master the planner
 *      chose and the agents run with (the reported master first on a tie).
 *      Read from the priority, not only from who is master right now, so a
 *      lower-ranked node that wins a moment during start-up (it got its
 *      config first) is not made the master for good;
 *   2. else the reported master, if usable: the protocol elected it (after
 *      the chosen master left, or with preemption off);
 *   3. else, if the router had a master that is no longer usable (it left,
 *      turned unready, was cordoned or lost its endpoints), the running
 *      backup with the highest priority: the protocol hands over to it, so
 *      the planner does not move the router a second time a moment later.
 *
 * Undefined when there is nothing to keep (a new router, no report yet):
 * the planner then places the master (masters.ts).
 */
import type { VirtualIPStatus } from "../api/types.js";
import { compareNames } from "./age.js";
import { TOP_PRIORITY } from "./priorities.js";

export function stickyMaster(status: VirtualIPStatus | undefined, usable: ReadonlySet<string>): string | undefined {
  const running = (status?.nodes ?? []).filter((n) => n.state === "Master" || n.state === "Backup");
  const chosen = running
    .filter((n) => n.priority === TOP_PRIORITY && usable.has(n.name))
    .map((n) => n.name)
    .sort((a, b) => Number(b === status?.master) - Number(a === status?.master) || compareNames(a, b));
  if (chosen[0] !== undefined) return chosen[0];
  if (status?.master !== undefined && usable.has(status.master)) return status.master;
  const had = status?.master !== undefined || running.some((n) => n.priority === TOP_PRIORITY);
  if (!had) return undefined;
  const backups = running
    .filter((n) => n.state === "Backup" && usable.has(n.name))
    .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || compareNames(a.name, b.name));
  return backups[0]?.name;
}
