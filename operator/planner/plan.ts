/**
 * The planner: VirtualIPs and nodes in, every node's VRRPNode spec and a
 * plan per VirtualIP (VRID, nodes, priorities, findings) out. Pure and
 * deterministic: the same input, in any order, gives the same output.
 *
 *   1. validate every spec (invalid: finding, nothing rendered); a VirtualIP
 *      at a node's own address (InternalIP, ExternalIP) is not rendered either;
 *   2. oldest first, address and instance-name collisions (the newer one loses);
 *   3. per VirtualIP its selected nodes;
 *   4. VRIDs: spec, else status, else the lowest free among the VirtualIPs it
 *      may meet on a node or segment (see vrid.ts);
 *   5. per router: its master, kept from the status or spread evenly over
 *      the nodes (masters.ts); its candidates and priorities, and per family
 *      the nodes that run it (unicast needs the node's InternalIP of the family);
 *   6. render (see render.ts).
 */
import type { Family } from "../../agent/config/types.js";
import type { LabelSelector, NodeSummary, VirtualIP } from "../api/types.js";
import { normalSelector } from "../api/node-selector.js";
import type { VirtualIPConfig } from "../api/virtualip-config.js";
import { validateVirtualIPSpec } from "../api/validate-virtualip.js";
import { compareAge, compareNames } from "./age.js";
import { findCollisions } from "./collisions.js";
import { chooseCandidates } from "./candidates.js";
import { followsNodes, groupKey } from "./group.js";
import { ADVERT_CAPACITY, pack, splitAdvert, type PackGroup, type PackMember } from "./pack.js";
import { renderNodes, routerName } from "./render.js";
import type { RouterRender } from "./render.js";
import { selectNodes } from "./selection.js";
import { stickyMaster } from "./sticky-master.js";
import { assignMasters } from "./masters.js";
import type { Candidates } from "./candidates.js";
import type { Finding, PlanInput, PlanOptions, PlanResult, VipPlan } from "./types.js";
import type { VridReservation, VridScope } from "./vrid.js";

export const DEFAULT_SECRET_NAMESPACE = "floatip-system";
/** Candidate nodes per router unless the VirtualIP or the controller says otherwise (0 = every eligible node). */
export const DEFAULT_MAX_CANDIDATES = 3;
/** Routers a group opens (spreading masters) before it packs new VirtualIPs into the ones it has. */
export const SPREAD = 32;

interface Survivor {
  readonly vip: VirtualIP;
  readonly config: VirtualIPConfig;
  /** Selected nodes, narrowed by nodeNames; sorted by name. */
  readonly eligible: readonly NodeSummary[];
  readonly max: number;
}

interface Valid {
  readonly vip: VirtualIP;
  readonly config: VirtualIPConfig;
}

export function plan(input: PlanInput, options: PlanOptions = {}): PlanResult {
  const nodes = [...input.nodes].sort((a, b) => compareNames(a.name, b.name));
  const oldestFirst = [...input.virtualIPs].sort((a, b) =>
    compareAge(
      { name: a.metadata.name, creationTimestamp: a.metadata.creationTimestamp },
      { name: b.metadata.name, creationTimestamp: b.metadata.creationTimestamp },
    ),
  );
  const select = selectionCache(nodes);
  const findings = new Map<string, Finding[]>(oldestFirst.map((v) => [v.metadata.name, []]));
  const note = (name: string, finding: Finding) => findings.get(name)!.push(finding);
  const reserved: VridReservation[] = [];
  const reserve = (vip: VirtualIP, config?: VirtualIPConfig) => {
    const vrid = vip.status?.virtualRouterID;
    if (typeof vrid !== "number") return;
    // An invalid spec's families and nodes are unknown: held back everywhere.
    if (config === undefined) reserved.push({ vrid, families: [4, 6], nodes: "all", multicast: false });
    else reserved.push({ vrid, families: config.families, ...vridScope(config, select(config.nodeSelector).names) });
  };

  const valid: Valid[] = [];
  for (const vip of oldestFirst) {
    const result = validateVirtualIPSpec(vip.spec);
    if (result.ok) valid.push({ vip, config: result.config });
    else {
      note(vip.metadata.name, { kind: "invalid", errors: result.errors });
      reserve(vip);
    }
  }

  const owners = nodeAddressOwners(nodes);
  const onNodes = new Set<string>();
  for (const { vip, config } of valid) {
    const taken = config.addresses.find((a) => owners.has(a.address));
    if (taken === undefined) continue;
    note(vip.metadata.name, { kind: "node-address", address: taken.address, node: owners.get(taken.address)! });
    onNodes.add(vip.metadata.name);
    reserve(vip, config);
  }
  const losers = findCollisions(
    valid
      .filter(({ vip }) => !onNodes.has(vip.metadata.name))
      .map(({ vip, config }) => ({
        name: vip.metadata.name,
        addresses: config.addresses,
        // Instances are named after routers (vrid-<N>), which the planner keeps unique: no VirtualIP's name can clash.
        instances: [],
      })),
  );
  for (const [name, collision] of losers) note(name, collision);
  valid.filter(({ vip }) => losers.has(vip.metadata.name)).forEach(({ vip, config }) => reserve(vip, config));
  const survivors = valid
    .filter(({ vip }) => !losers.has(vip.metadata.name) && !onNodes.has(vip.metadata.name))
    .map((v) => ({ ...v, selection: select(v.config.nodeSelector) }));

  const maxDefault = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  const eligibleOf = eligibleCache();
  const groups = new Map<string, PackGroup>();
  const members: PackMember[] = [];
  const byName = new Map<string, Survivor>();
  for (const { vip, config, selection } of survivors) {
    const name = vip.metadata.name;
    const eligible = eligibleOf(config, selection);
    const max = config.maxCandidates ?? maxDefault;
    const key = groupKey(vip, config, eligible.key, max);
    if (!groups.has(key)) {
      const own = JSON.parse(key)[0] !== "";
      groups.set(key, {
        key,
        families: config.families,
        // A router whose nodes follow endpoints may move to any selected node: its VRID is kept free on all of them.
        scope: {
          nodes: followsNodes(vip, config) ? selection.names : eligible.names,
          interface: config.interface,
          multicast: config.transport === "multicast",
        },
        spread: own ? 1 : Math.max(1, Math.min(SPREAD, eligible.nodes.length)),
        capacity: ADVERT_CAPACITY,
      });
    }
    const counts: Partial<Record<Family, number>> = {};
    for (const a of config.addresses) counts[a.family] = (counts[a.family] ?? 0) + 1;
    members.push({ name, group: key, counts, specVrid: config.virtualRouterID, statusVrid: vip.status?.virtualRouterID });
    byName.set(name, { vip, config, eligible: eligible.nodes, max });
  }
  const packed = pack(members, [...groups.values()], reserved);

  // Each router's nodes and placement first, then its master (masters.ts), then its candidates.
  const ageOf = new Map(oldestFirst.map((v, i) => [v.metadata.name, i]));
  const usableOf = usableCache();
  const drafts = packed.routers.map((router) => {
    const first = byName.get(router.members[0]!)!;
    const { config } = first;
    const familyRouters = config.families.map((family) => ({ family, instance: routerName(router.vrid, family, config.interface) }));
    const hasAll = (n: NodeSummary) => config.families.every((f) => n.internalIPs[familyKey(f)] !== undefined);
    const eligible =
      config.transport === "unicast" && first.eligible.some(hasAll)
        ? first.eligible.filter((n) => config.families.some((f) => n.internalIPs[familyKey(f)] !== undefined))
        : first.eligible;
    const key = familyRouters[0]!.instance;
    const { healthy, names, uncordoned } = usableOf(eligible);
    const options = { key, placement: config.placement, releaseOnCordon: config.releaseOnCordon, max: first.max };
    // Explicit priorities or preferred nodes place the master; it only counts in the nodes' load.
    const placed = config.placement.kind === "hash" ? undefined : chooseCandidates(eligible, options);
    // Its VirtualIPs report the same router; one added since the agents last reported has no master or nodes yet.
    const status = router.members
      .map((m) => byName.get(m)!.vip.status)
      .find((s) => s?.virtualRouterID === router.vrid && (s.master !== undefined || (s.nodes ?? []).length > 0));
    const master = placed === undefined ? stickyMaster(status, config.releaseOnCordon ? uncordoned : names) : topOf(placed);
    const age = Math.min(...router.members.map((m) => ageOf.get(m)!));
    return { router, first, config, familyRouters, eligible, options, placed, master: { key, age, nodes: healthy, master } };
  });
  const masters = assignMasters(drafts.map((d) => d.master));

  const renders: RouterRender[] = [];
  const plans = new Map<string, VipPlan>();
  for (const { router, first, config, familyRouters, options, eligible, placed, master } of drafts) {
    const chosen = placed ?? chooseCandidates(eligible, { ...options, first: masters.get(master.key) });
    const missing: Finding[] = [];
    const perFamily = familyRouters.map(({ family, instance }) => {
      const hasAddress = (n: NodeSummary) => n.internalIPs[familyKey(family)] !== undefined;
      if (config.transport === "unicast") {
        for (const n of chosen.nodes) if (!hasAddress(n)) missing.push({ kind: "node-missing-address-family", node: n.name, family });
      }
      const nodes = config.transport === "unicast" ? chosen.nodes.filter(hasAddress) : chosen.nodes;
      const all = router.members.flatMap((m) =>
        byName
          .get(m)!
          .config.addresses.filter((a) => a.family === family)
          .map((a) => a.cidr),
      );
      // What one advert cannot carry rides excluded on the same router (pack.ts, "Overflow").
      const { advertised, excluded } = splitAdvert(all, groups.get(router.group)!.capacity[family]);
      return { family, instance, nodes, addresses: advertised, excluded };
    });
    renders.push({ name: first.vip.metadata.name, config, vrid: router.vrid, priorities: chosen.priorities, routers: perFamily });
    const renderedNodes = [...new Set(perFamily.flatMap((r) => r.nodes.map((n) => n.name)))].sort(compareNames);
    const priorities = Object.fromEntries(renderedNodes.map((n) => [n, chosen.priorities[n]!]));
    for (const member of router.members) {
      for (const f of missing) note(member, f);
      if (renderedNodes.length === 0) note(member, { kind: "no-nodes" });
      plans.set(member, {
        virtualRouterID: router.vrid,
        renderedNodes,
        priorities,
        routers: familyRouters,
        findings: findings.get(member)!,
      });
    }
  }
  for (const [name, outcome] of packed.outcomes) {
    const { config } = byName.get(name)!;
    if (outcome.kind === "taken")
      note(name, { kind: "vrid-taken", other: outcome.other, virtualRouterID: outcome.vrid, family: outcome.family });
    if (outcome.kind === "exhausted") note(name, { kind: "vrid-exhausted", families: config.families });
  }

  const vips = new Map<string, VipPlan>();
  for (const name of [...findings.keys()].sort(compareNames)) {
    vips.set(name, plans.get(name) ?? { renderedNodes: [], priorities: {}, routers: [], findings: findings.get(name)! });
  }
  const rendered = renderNodes(nodes, renders, { secretNamespace: options.secretNamespace ?? DEFAULT_SECRET_NAMESPACE });
  return { nodes: rendered, vips };
}

/** Every node's own addresses (InternalIP, ExternalIP), each with the first node (by name) that has it. */
export function nodeAddressOwners(nodes: readonly NodeSummary[]): ReadonlyMap<string, string> {
  const owners = new Map<string, string>();
  for (const n of nodes) {
    for (const address of [...(n.hostAddresses ?? []), n.internalIPs.v4, n.internalIPs.v6]) {
      if (address !== undefined && !owners.has(address)) owners.set(address, n.name);
    }
  }
  return owners;
}

interface Selection {
  readonly nodes: readonly NodeSummary[];
  readonly names: ReadonlySet<string>;
}

/** selectNodes, once per distinct nodeSelector (VirtualIPs tend to share a few). */
function selectionCache(nodes: readonly NodeSummary[]): (selector: LabelSelector) => Selection {
  const cache = new Map<string, Selection>();
  return (selector) => {
    const key = JSON.stringify(normalSelector(selector));
    let selection = cache.get(key);
    if (selection === undefined) {
      const selected = selectNodes(nodes, selector);
      cache.set(key, (selection = { nodes: selected, names: new Set(selected.map((n) => n.name)) }));
    }
    return selection;
  };
}

/** What VRID uniqueness depends on: the selected nodes (a superset of those rendered), the interface, the transport. */
function vridScope(config: VirtualIPConfig, selected: ReadonlySet<string>): VridScope {
  return { nodes: selected, interface: config.interface, multicast: config.transport === "multicast" };
}

/** The eligible nodes of a VirtualIP (selection narrowed by nodeNames), with a key and a set shared by equal node sets. */
function eligibleCache(): (
  config: VirtualIPConfig,
  selection: Selection,
) => { key: string; nodes: readonly NodeSummary[]; names: ReadonlySet<string> } {
  const bySelection = new Map<Selection, Map<string, { key: string; nodes: readonly NodeSummary[]; names: ReadonlySet<string> }>>();
  let next = 0;
  return (config, selection) => {
    let cache = bySelection.get(selection);
    if (cache === undefined) bySelection.set(selection, (cache = new Map()));
    const named = config.nodeNames === undefined ? undefined : new Set(config.nodeNames);
    const nodes = named === undefined ? selection.nodes : selection.nodes.filter((n) => named.has(n.name));
    const list = named === undefined ? "*" : nodes.map((n) => n.name).join(",");
    let found = cache.get(list);
    if (found === undefined) {
      // Equal node sets reached through different selectors get different keys: they may still differ later.
      found = {
        key: `${next++}:${list === "*" ? `all of ${[...selection.names].length}` : list}`,
        nodes,
        names: named === undefined ? selection.names : new Set(nodes.map((n) => n.name)),
      };
      cache.set(list, found);
    }
    return found;
  };
}

/**
 * Per distinct eligible list: the names (a master is kept while its node
 * stays eligible, and not cordoned with releaseOnCordon; candidates.ts drops
 * a cordoned or unready one when it has others) and the nodes a new master
 * may be: those ready and not cordoned (all when none is).
 */
interface Usable {
  readonly healthy: readonly string[];
  readonly names: ReadonlySet<string>;
  readonly uncordoned: ReadonlySet<string>;
}

function usableCache(): (eligible: readonly NodeSummary[]) => Usable {
  const cache = new Map<readonly NodeSummary[], Usable>();
  return (eligible) => {
    let found = cache.get(eligible);
    if (found === undefined) {
      const healthy = eligible.filter((n) => n.ready && !n.unschedulable);
      found = {
        healthy: (healthy.length > 0 ? healthy : eligible).map((n) => n.name),
        names: new Set(eligible.map((n) => n.name)),
        uncordoned: new Set(eligible.filter((n) => !n.unschedulable).map((n) => n.name)),
      };
      cache.set(eligible, found);
    }
    return found;
  };
}

/** The candidate with the highest priority: the master that explicit placement makes. */
function topOf(chosen: Candidates): string | undefined {
  let top: string | undefined;
  for (const n of chosen.nodes) if (top === undefined || chosen.priorities[n.name]! > chosen.priorities[top]!) top = n.name;
  return top;
}

function familyKey(family: Family): "v4" | "v6" {
  return family === 4 ? "v4" : "v6";
}
