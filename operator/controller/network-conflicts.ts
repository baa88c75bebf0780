/**
 * Conflicts the agents see on the network for a VirtualIP (pure): another
 * MAC answering for its address, foreign VRRP adverts on its VRID, unknown
 * unicast peers, as each node reports them in its VRRPNode status. They
 * feed the VirtualIP's `Conflict` condition and one Event per conflict when
 * it starts and when it ends (the same conflict seen by two nodes is one).
 */
import { conflictKey, describeConflict, offender } from "../../agent/conflict/types.js";
import type { VRRPNode, VRRPNodeConflict } from "../api/types.js";

export interface ReportedConflict {
  /** The node whose agent sees it. */
  readonly node: string;
  readonly instance: string;
  readonly conflict: VRRPNodeConflict;
}

export type ConflictReason = "DuplicateAddress" | "ForeignVRRP" | "UnknownPeer";

const REASONS: Readonly<Record<VRRPNodeConflict["kind"], ConflictReason>> = {
  "duplicate-address": "DuplicateAddress",
  "foreign-vrrp": "ForeignVRRP",
  "unknown-peer": "UnknownPeer",
};

export function conflictReason(conflict: VRRPNodeConflict): ConflictReason {
  return REASONS[conflict.kind];
}

/** The conflicts the rendered nodes report for the given instances, in a stable order. */
export function reportedConflicts(
  vrrpNodes: readonly VRRPNode[],
  rendered: ReadonlySet<string>,
  instances: readonly string[],
): ReportedConflict[] {
  const out: ReportedConflict[] = [];
  for (const node of vrrpNodes) {
    if (!rendered.has(node.metadata.name)) continue;
    for (const status of node.status?.instances ?? []) {
      if (!instances.includes(status.name)) continue;
      for (const conflict of status.conflicts ?? []) {
        if (REASONS[conflict.kind] === undefined) continue; // a kind this controller does not know
        out.push({ node: node.metadata.name, instance: status.name, conflict });
      }
    }
  }
  return out.sort((a, b) => compare(key(a), key(b)) || compare(a.node, b.node));
}

/** "node-a: 192.0.2.5 is also answered by 02:00:00:00:00:99". */
export function describeReported(reported: ReportedConflict): string {
  return `${reported.node}: ${describeConflict(reported.conflict)}`;
}

/** One line for the condition: each distinct conflict once, with every node that sees it. */
export function conflictMessage(reported: readonly ReportedConflict[]): string {
  const byKey = new Map<string, ReportedConflict[]>();
  for (const r of reported) byKey.set(key(r), [...(byKey.get(key(r)) ?? []), r]);
  return [...byKey.values()]
    .map((group) => `${describeConflict(group[0]!.conflict)} (seen by ${group.map((r) => r.node).join(", ")})`)
    .join("; ");
}

export interface ConflictEvent {
  readonly type: "Warning" | "Normal";
  readonly reason: ConflictReason | "ConflictResolved";
  readonly message: string;
}

/**
 * Events for conflicts that started or ended since `announced` (keys of the
 * conflicts already announced), and the keys to remember.
 */
export function conflictEvents(
  announced: ReadonlyMap<string, string>,
  reported: readonly ReportedConflict[],
): { events: ConflictEvent[]; announced: Map<string, string> } {
  const current = new Map<string, ReportedConflict[]>();
  for (const r of reported) current.set(key(r), [...(current.get(key(r)) ?? []), r]);
  const events: ConflictEvent[] = [];
  for (const [k, group] of current) {
    if (announced.has(k)) continue;
    const first = group[0]!;
    events.push({
      type: "Warning",
      reason: conflictReason(first.conflict),
      message: `${describeConflict(first.conflict)} (seen by ${group.map((r) => r.node).join(", ")}); VRRP continues, find the other ${first.conflict.kind === "duplicate-address" ? "host" : "speaker"} (${offender(first.conflict)})`,
    });
  }
  for (const [k, description] of announced) {
    if (!current.has(k)) events.push({ type: "Normal", reason: "ConflictResolved", message: `no longer seen: ${description}` });
  }
  const next = new Map([...current].map(([k, group]) => [k, describeConflict(group[0]!.conflict)] as const));
  return { events, announced: next };
}

/** The conflict's identity, without the node (and the router: one address, one conflict). */
function key(r: ReportedConflict): string {
  return conflictKey(r.conflict);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
