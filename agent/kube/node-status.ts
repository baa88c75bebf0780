/**
 * The VRRPNode status the agent reports (pure): per instance its state,
 * priorities, since when, the master it hears, transitions; plus the spec
 * generation it has acted on and, if the spec was rejected, why; and the
 * conflicts each instance sees (another MAC for its address, foreign VRRP).
 *
 * `updated` is also a heartbeat: the agent rewrites the status at least
 * every `refreshInterval` (which it states, so the controller knows how
 * old a report may get before nobody vouches for it; see docs/kubernetes.md).
 */
import { formatDuration } from "../config/duration.js";
import type { ConfigError } from "../config/validate.js";
import type { ConflictStatus } from "../conflict/types.js";
import type { RouterSnapshot } from "../runtime/router.js";
import type { RefusedInstance } from "./spec-instances.js";

export interface InstanceStatus {
  readonly name: string;
  readonly state: "Initialize" | "Backup" | "Master" | "Fault";
  readonly priority: number;
  readonly effectivePriority: number;
  readonly since: string;
  readonly master?: string;
  readonly transitions: number;
  readonly lastChange?: string;
  /** Conflicts going on now; absent when there are none. */
  readonly conflicts?: readonly ConflictStatus[];
}

// Re-exported: the VRRPNode status type lives here.
export type { ConflictStatus } from "../conflict/types.js";

export interface NodeStatus {
  readonly observedGeneration?: number;
  readonly updated: string;
  /** The longest the agent goes without rewriting its status while it can reach the API server ("20s"). */
  readonly refreshInterval?: string;
  readonly instances: readonly InstanceStatus[];
  /**
   * The node's network interface names, sorted (at most MAX_INTERFACES): the controller makes a node a
   * candidate of a pool with spec.interfaces only if it has one of them. Absent until the agent has read them.
   */
  readonly interfaces?: readonly string[];
  /**
   * Without `instance`: the current spec was rejected as a whole and the previous config keeps running.
   * With `instance`: only that instance was refused; the others were applied.
   */
  readonly configErrors: readonly { readonly field: string; readonly message: string; readonly instance?: string }[];
}

/** The CRD's maxItems for an instance's conflicts. */
export const MAX_CONFLICTS = 64;
/** The CRD's maxItems for the node's interfaces (operator/api/limits.ts STATUS_INTERFACES_MAX). */
export const MAX_INTERFACES = 256;

const STATES = { initialize: "Initialize", backup: "Backup", master: "Master", fault: "Fault" } as const;

export function nodeStatus(input: {
  readonly snapshots: readonly RouterSnapshot[];
  readonly transitions: ReadonlyMap<string, { readonly count: number; readonly last: string }>;
  readonly observedGeneration: number | undefined;
  readonly configErrors: readonly ConfigError[];
  /** Instances of the applied spec that were refused, each with its errors. */
  readonly refused?: readonly RefusedInstance[];
  readonly monotonicNow: number;
  readonly wallNow: Date;
  readonly refreshMs?: number;
  /** The node's interface names, as last read (undefined: not yet). */
  readonly interfaces?: readonly string[];
}): NodeStatus {
  const wall = input.wallNow.getTime();
  const wallTime = (monotonic: number) => new Date(wall - Math.max(0, input.monotonicNow - monotonic)).toISOString();
  const instances = [...input.snapshots]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s): InstanceStatus => {
      const t = input.transitions.get(s.name);
      return {
        name: s.name,
        state: STATES[s.phase],
        priority: s.priority,
        effectivePriority: s.effectivePriority,
        since: wallTime(s.since),
        ...(s.phase === "master" ? {} : s.masterAddress !== undefined ? { master: s.masterAddress } : {}),
        transitions: t?.count ?? 0,
        ...(t !== undefined ? { lastChange: t.last } : {}),
        ...(s.conflicts.length > 0
          ? { conflicts: s.conflicts.slice(0, MAX_CONFLICTS).map((c) => ({ ...c, since: wallTime(c.since) }) as ConflictStatus) }
          : {}),
      };
    });
  return {
    ...(input.observedGeneration !== undefined ? { observedGeneration: input.observedGeneration } : {}),
    updated: input.wallNow.toISOString(),
    ...(input.refreshMs !== undefined ? { refreshInterval: formatDuration(input.refreshMs) } : {}),
    instances,
    ...(input.interfaces !== undefined ? { interfaces: [...new Set(input.interfaces)].sort().slice(0, MAX_INTERFACES) } : {}),
    configErrors: [
      ...input.configErrors.map((e) => ({ field: e.path, message: e.message })),
      ...(input.refused ?? []).flatMap((r) => r.errors.map((e) => ({ field: e.path, message: e.message, instance: r.instance }))),
    ],
  };
}
