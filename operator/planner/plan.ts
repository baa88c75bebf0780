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
 *   5. per VirtualIP: priorities, and per family the nodes that run the
 *      router (unicast needs the node's InternalIP of the family);
 *   6. render (see render.ts).
 */
import type { Family } from "../../agent/config/types.js";
import type { LabelSelector, NodeSummary, VirtualIP } from "../api/types.js";
import { normalSelector } from "../api/node-selector.js";
import type { VirtualIPConfig } from "../api/virtualip-config.js";
import { validateVirtualIPSpec } from "../api/validate-virtualip.js";
import { compareAge, compareNames } from "./age.js";
import { findCollisions } from "./collisions.js";
import { assignPriorities } from "./priorities.js";
import { instanceName, renderNodes } from "./render.js";
import type { RouterPlan, VipRender } from "./render.js";
import { selectNodes } from "./selection.js";
import type { Finding, PlanInput, PlanOptions, PlanResult, VipPlan } from "./types.js";
import { allocateVrids, type VridReservation, type VridScope } from "./vrid.js";

export const DEFAULT_SECRET_NAMESPACE = "floatip-system";

interface Valid {
  readonly vip: VirtualIP;
  readonly config: VirtualIPConfig;
}

export function plan(input: PlanInput, options: PlanOptions = {}): PlanResult {
  const nodes = [...input.nodes].sort((a, b) => compareNames(a.name, b.name));
  const oldestFirst = [...input.virtualIPs].sort((a, b) =>
    compareAge({ name: a.metadata.name, creationTimestamp: a.metadata.creationTimestamp }, { name: b.metadata.name, creationTimestamp: b.metadata.creationTimestamp }));
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
  const losers = findCollisions(valid.filter(({ vip }) => !onNodes.has(vip.metadata.name)).map(({ vip, config }) => ({
    name: vip.metadata.name,
    addresses: config.addresses,
    instances: config.families.map((f) => instanceName(vip.metadata.name, f, config.families)),
  })));
  for (const [name, collision] of losers) note(name, collision);
  valid.filter(({ vip }) => losers.has(vip.metadata.name)).forEach(({ vip, config }) => reserve(vip, config));
  const survivors = valid
    .filter(({ vip }) => !losers.has(vip.metadata.name) && !onNodes.has(vip.metadata.name))
    .map((v) => ({ ...v, selection: select(v.config.nodeSelector) }));

  const vrids = allocateVrids(survivors.map(({ vip, config, selection }) => ({
    name: vip.metadata.name,
    families: config.families,
    specVrid: config.virtualRouterID,
    statusVrid: vip.status?.virtualRouterID,
    ...vridScope(config, selection.names),
  })), { reserved });

  const renders: VipRender[] = [];
  const plans = new Map<string, VipPlan>();
  for (const { vip, config, selection } of survivors) {
    const name = vip.metadata.name;
    const outcome = vrids.get(name)!;
    if (outcome.kind === "taken") note(name, { kind: "vrid-taken", other: outcome.other, virtualRouterID: outcome.vrid, family: outcome.family });
    if (outcome.kind === "exhausted") note(name, { kind: "vrid-exhausted", families: config.families });
    if (outcome.kind !== "assigned") continue;
    // nodeNames narrows who runs the router; the VRID's scope stays the (stabler) nodeSelector selection.
    const named = config.nodeNames === undefined ? undefined : new Set(config.nodeNames);
    const candidates = named === undefined ? selection.nodes : selection.nodes.filter((n) => named.has(n.name));
    const render = placeRouters(name, config, outcome.vrid, candidates, (f) => note(name, f));
    renders.push(render);
    const rendered = new Set(render.routers.flatMap((r) => r.nodes.map((n) => n.name)));
    const renderedNodes = [...rendered].sort(compareNames);
    if (renderedNodes.length === 0) note(name, { kind: "no-nodes" });
    let priorities = render.priorities;
    if (renderedNodes.length !== Object.keys(priorities).length) {
      priorities = Object.fromEntries(renderedNodes.map((node) => [node, render.priorities[node]!]));
    }
    plans.set(name, { virtualRouterID: outcome.vrid, renderedNodes, priorities, findings: findings.get(name)! });
  }

  const vips = new Map<string, VipPlan>();
  for (const name of [...findings.keys()].sort(compareNames)) {
    vips.set(name, plans.get(name) ?? { renderedNodes: [], priorities: {}, findings: findings.get(name)! });
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

/** The selected nodes' priorities, and per family the nodes that run the router. */
function placeRouters(
  name: string,
  config: VirtualIPConfig,
  vrid: number,
  selected: readonly NodeSummary[],
  note: (finding: Finding) => void,
): VipRender {
  const priorities = assignPriorities(selected, { key: name, placement: config.placement, releaseOnCordon: config.releaseOnCordon });
  const routers = config.families.map((family): RouterPlan => {
    const hasAddress = (n: NodeSummary) => n.internalIPs[familyKey(family)] !== undefined;
    if (config.transport === "unicast") {
      for (const node of selected) if (!hasAddress(node)) note({ kind: "node-missing-address-family", node: node.name, family });
    }
    const members = config.transport === "unicast" ? selected.filter(hasAddress) : selected;
    return { family, instance: instanceName(name, family, config.families), nodes: members };
  });
  return { name, config, vrid, priorities, routers };
}

function familyKey(family: Family): "v4" | "v6" {
  return family === 4 ? "v4" : "v6";
}
