/**
 * A VirtualIP's status from what the agents report in their VRRPNode
 * statuses and what the planner found (pure). Also says whether the master
 * changed, so the controller can emit one Event per move.
 *
 * Conditions:
 *   Ready     True when every router of the VirtualIP has exactly one master.
 *   Conflict  True when the planner refused it (address or VRID collision), or
 *             when an agent sees another MAC answering for its address, or
 *             foreign VRRP adverts on its VRID (network-conflicts.ts).
 *   Degraded  True when a router has no master or more than one.
 *   Accepted  False when an agent refused to run the VirtualIP's instance
 *             (a VIP in no subnet of the node, script checks not allowed;
 *             refusals.ts), reason RefusedByNode; or when the API server
 *             refused the VRRPNode of a node it is rendered on (too large,
 *             invalid, ...: that node keeps its previous config), reason
 *             NodeConfigRejected. Ready then names that reason.
 *
 * A node whose report is stale (freshness.ts) vouches for nothing: its
 * routers show state Unknown, it counts as no master and its conflicts are
 * dropped. A router whose only master was such a node has an unconfirmed
 * master: Ready and Degraded are Unknown (reason StatusUnknown) unless
 * something else already decides them.
 */
import type { Condition, VirtualIP, VirtualIPNodeStatus, VirtualIPStatus, VRRPNode } from "../api/types.js";
import type { Finding, VipPlan } from "../planner/index.js";
import { instanceName } from "../planner/index.js";
import { conflictMessage, conflictReason, reportedConflicts, type ReportedConflict } from "./network-conflicts.js";
import { refusalsFor } from "./refusals.js";
import { unwrittenLines } from "./write-failure-events.js";
import { canonicalAddress } from "../../agent/vrrp/address-bytes.js";
import { condition } from "../api/condition.js";

export interface AggregateInput {
  readonly vip: VirtualIP;
  readonly plan: VipPlan | undefined;
  readonly vrrpNodes: readonly VRRPNode[];
  /** vrrpNodes by name, when the caller has it (built once per sync, not once per VirtualIP). */
  readonly vrrpNodesByName?: ReadonlyMap<string, VRRPNode>;
  readonly now: Date;
  /** Nodes whose report is too old to trust, each with the bound it exceeded (ms). */
  readonly stale?: ReadonlyMap<string, number>;
  /** Nodes whose VRRPNode spec the API server refused, each with what it said. */
  readonly unwritten?: ReadonlyMap<string, string>;
}

export interface MasterChange {
  readonly from: string | undefined;
  readonly to: string | undefined;
  /** Why the old master let go, as its agent reported it. */
  readonly reason: string | undefined;
  /** Set when the old master's report went stale (nobody confirms a master): how old it is at least. */
  readonly unconfirmed?: string;
}

export interface Aggregate {
  readonly status: VirtualIPStatus;
  readonly masterChange: MasterChange | undefined;
  /** What the agents see on the network (for Events). */
  readonly networkConflicts: readonly ReportedConflict[];
  /** Why agents refused to run it, one line per node and error (for the RefusedByNode Event). */
  readonly refusals: readonly string[];
  /** Its nodes whose VRRPNode could not be written, one line each (for the NodeConfigRejected Event). */
  readonly unwritten: readonly string[];
}

const CONFLICT_KINDS: ReadonlySet<Finding["kind"]> = new Set([
  "address-overlap",
  "vrid-taken",
  "instance-name-taken",
  "vrid-exhausted",
  "node-address",
]);

export function describeFinding(f: Finding): string {
  switch (f.kind) {
    case "invalid":
      return f.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    case "address-overlap":
      return `address ${f.address} is already claimed by VirtualIP ${f.other}`;
    case "vrid-taken":
      return `virtualRouterID ${f.virtualRouterID} (IPv${f.family}) is already used by VirtualIP ${f.other}`;
    case "vrid-exhausted":
      return `no free virtualRouterID for IPv${f.families.join(" and IPv")}`;
    case "instance-name-taken":
      return `instance name ${f.instance} is already rendered for VirtualIP ${f.other}`;
    case "node-address":
      return `address ${f.address} is node ${f.node}'s own address (InternalIP or ExternalIP); a floating address must not be one`;
    case "no-nodes":
      return "no node is selected (or none has an InternalIP of the address family)";
    case "node-missing-address-family":
      return `node ${f.node} has no IPv${f.family} InternalIP and does not take part in that router`;
  }
}

export function aggregate(input: AggregateInput): Aggregate {
  const { vip, plan, now } = input;
  const name = vip.metadata.name;
  const families = [...new Set(vip.spec.addresses.map((a): 4 | 6 => (a.includes(":") ? 6 : 4)))].sort();
  // The routers carrying its addresses (shared with the VirtualIPs packed with it); before any plan, its own names.
  const instances =
    plan?.routers !== undefined && plan.routers.length > 0
      ? plan.routers
      : families.map((family) => ({ family, instance: instanceName(name, family, families) }));
  const rendered = new Set(plan?.renderedNodes ?? []);
  const nodes: VirtualIPNodeStatus[] = [];
  const mastersByInstance = new Map<string, string[]>();
  const byName = input.vrrpNodesByName ?? new Map(input.vrrpNodes.map((n) => [n.metadata.name, n]));
  // Only the nodes that render it can report on it: look at those, not at every node of the cluster.
  const renderedVrrpNodes = [...rendered].sort().flatMap((n) => (byName.has(n) ? [byName.get(n)!] : []));
  const stale = input.stale ?? new Map<string, number>();
  const unconfirmed = new Map<string, string[]>();
  for (const nodeName of [...rendered].sort()) {
    const vrrpNode = byName.get(nodeName);
    if (vrrpNode === undefined) continue;
    for (const { instance } of instances) {
      const observed = vrrpNode.status?.instances?.find((i) => i.name === instance);
      if (observed === undefined) continue;
      const bound = stale.get(nodeName);
      if (bound !== undefined) {
        nodes.push({ name: nodeName, ...(instances.length > 1 ? { instance } : {}), state: "Unknown" });
        unconfirmed.set(instance, [...(unconfirmed.get(instance) ?? []), `${nodeName} (no status for ${formatSeconds(bound)})`]);
        continue;
      }
      nodes.push({
        name: vrrpNode.metadata.name,
        ...(instances.length > 1 ? { instance } : {}),
        state: observed.state,
        ...(observed.priority !== undefined ? { priority: observed.priority } : {}),
        ...(observed.effectivePriority !== undefined ? { effectivePriority: observed.effectivePriority } : {}),
        ...(observed.since !== undefined ? { since: observed.since } : {}),
      });
      if (observed.state === "Master")
        mastersByInstance.set(instance, [...(mastersByInstance.get(instance) ?? []), vrrpNode.metadata.name]);
    }
  }
  const findings = plan?.findings ?? [];
  const conflicts = findings.filter((f) => CONFLICT_KINDS.has(f.kind));
  const invalid = findings.filter((f) => f.kind === "invalid");
  // A router carries other VirtualIPs' addresses too: a duplicate address is only this one's if it is one of its own.
  const own = new Set(vip.spec.addresses.map((a) => a.split("/")[0]!).map((a) => canonicalAddress(a, a.includes(":") ? 6 : 4) ?? a));
  const network = reportedConflicts(
    renderedVrrpNodes.filter((n) => !stale.has(n.metadata.name)),
    rendered,
    instances.map((i) => i.instance),
  ).filter((c) => c.conflict.kind !== "duplicate-address" || own.has(c.conflict.address));
  const primary = instances[0]?.instance ?? name;
  const primaryMasters = mastersByInstance.get(primary) ?? [];
  const master = primaryMasters.length === 1 ? primaryMasters[0] : undefined;
  const problems = instances.flatMap(({ instance }) => {
    const masters = mastersByInstance.get(instance) ?? [];
    if (masters.length === 1) return [];
    const silent = unconfirmed.get(instance);
    if (masters.length === 0 && silent !== undefined) return [`${instance}: no confirmed master, unknown: ${silent.join(", ")}`];
    return [masters.length === 0 ? `${instance}: no master` : `${instance}: ${masters.length} masters (${masters.join(", ")})`];
  });
  // Every problem is a router nobody vouches for: we do not know, rather than "no master".
  const unknown = problems.length > 0 && problems.every((p) => p.includes("no confirmed master"));
  const renderedAtAll = rendered.size > 0;
  const refusals = refusalsFor(
    renderedVrrpNodes,
    rendered,
    instances.map((i) => i.instance),
  );
  const unwritten = unwrittenLines([...rendered], input.unwritten);
  const previous = vip.status;
  const gen = vip.metadata.generation;
  const decided = invalid.length > 0 || conflicts.length > 0 || !renderedAtAll || refusals.length > 0 || unwritten.length > 0;
  const conditions: Condition[] = [
    condition(
      previous,
      now,
      gen,
      "Ready",
      unknown && !decided ? "Unknown" : problems.length === 0 && renderedAtAll && conflicts.length === 0 && invalid.length === 0,
      problems.length === 0 && renderedAtAll
        ? "OneMaster"
        : invalid.length > 0
          ? "Invalid"
          : conflicts.length > 0
            ? "Conflict"
            : !renderedAtAll
              ? "NoNodes"
              : refusals.length > 0
                ? "RefusedByNode"
                : unwritten.length > 0
                  ? "NodeConfigRejected"
                  : unknown
                    ? "StatusUnknown"
                    : "NoSingleMaster",
      problems.length === 0 && renderedAtAll
        ? `${master ?? "?"} is master`
        : [...invalid, ...conflicts].map(describeFinding).concat(refusals, unwritten, problems).join("; ") ||
            describeFinding({ kind: "no-nodes" }),
    ),
    condition(
      previous,
      now,
      gen,
      "Conflict",
      conflicts.length > 0 || network.length > 0,
      conflicts.length > 0 ? "Collision" : network.length > 0 ? conflictReason(network[0]!.conflict) : "NoCollision",
      conflicts.length > 0 || network.length > 0
        ? [...conflicts.map(describeFinding), ...(network.length > 0 ? [conflictMessage(network)] : [])].join("; ")
        : "no address or virtualRouterID collision",
    ),
    condition(
      previous,
      now,
      gen,
      "Degraded",
      renderedAtAll && unknown ? "Unknown" : renderedAtAll && problems.length > 0,
      renderedAtAll && problems.length > 0
        ? unknown
          ? "StatusUnknown"
          : problems.some((p) => p.includes("masters"))
            ? "MultipleMasters"
            : "NoMaster"
        : "Healthy",
      renderedAtAll && problems.length > 0 ? problems.join("; ") : "every router has one master",
    ),
    condition(
      previous,
      now,
      gen,
      "Accepted",
      refusals.length === 0 && unwritten.length === 0,
      refusals.length > 0 ? "RefusedByNode" : unwritten.length > 0 ? "NodeConfigRejected" : "AcceptedByNodes",
      refusals.length === 0 && unwritten.length === 0 ? "no node refused it" : [...refusals, ...unwritten].join("; "),
    ),
  ];
  const changed = master !== previous?.master && (master !== undefined || previous?.master !== undefined);
  const oldNode = previous?.master;
  const oldReason = oldNode === undefined ? undefined : byName.get(oldNode)?.status?.instances?.find((i) => i.name === primary);
  const status: VirtualIPStatus = {
    ...(master !== undefined ? { master } : {}),
    ...(plan?.virtualRouterID !== undefined
      ? { virtualRouterID: plan.virtualRouterID }
      : previous?.virtualRouterID !== undefined
        ? { virtualRouterID: previous.virtualRouterID }
        : {}),
    nodes,
    transitions: (previous?.transitions ?? 0) + (changed && master !== undefined ? 1 : 0),
    ...(changed
      ? { lastTransitionTime: now.toISOString() }
      : previous?.lastTransitionTime !== undefined
        ? { lastTransitionTime: previous.lastTransitionTime }
        : {}),
    ...(gen !== undefined ? { observedGeneration: gen } : {}),
    conditions,
  };
  return {
    status,
    masterChange: changed
      ? {
          from: oldNode,
          to: master,
          reason: oldReason?.lastChange,
          ...(oldNode !== undefined && stale.has(oldNode) ? { unconfirmed: `no status for ${formatSeconds(stale.get(oldNode)!)}` } : {}),
        }
      : undefined,
    networkConflicts: network,
    refusals,
    unwritten,
  };
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

/** "node-b became master; node-a: master -> backup (higher-priority-advert)". */
export function masterChangeMessage(change: MasterChange): string {
  if (change.to === undefined && change.unconfirmed !== undefined)
    return `master unconfirmed: ${change.from ?? "none"} has sent ${change.unconfirmed}`;
  if (change.to === undefined) return `no master any more (was ${change.from ?? "none"})`;
  const why = change.from === undefined ? "" : `; ${change.from}: ${change.reason ?? "stopped reporting"}`;
  return `${change.to} became master${why}`;
}
