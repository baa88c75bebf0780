/**
 * The planner: VirtualIPs and nodes in, every node's VRRPNode spec and a
 * plan per VirtualIP (VRID, nodes, priorities, findings) out. Pure and
 * deterministic: the same input, in any order, gives the same output.
 *
 *   1. validate every spec (invalid: finding, nothing rendered);
 *   2. oldest first, address and instance-name collisions (the newer one loses);
 *   3. VRIDs: spec, else status, else the lowest free (see vrid.ts);
 *   4. per VirtualIP: selected nodes, priorities, and per family the nodes
 *      that run the router (unicast needs the node's InternalIP of the family);
 *   5. render (see render.ts).
 */
import type { Family } from "../../agent/config/types.js";
import type { NodeSummary, VirtualIP } from "../api/types.js";
import type { VirtualIPConfig } from "../api/virtualip-config.js";
import { validateVirtualIPSpec } from "../api/validate-virtualip.js";
import { compareAge, compareNames } from "./age.js";
import { findCollisions } from "./collisions.js";
import { assignPriorities } from "./priorities.js";
import { instanceName, renderNodes } from "./render.js";
import type { RouterPlan, VipRender } from "./render.js";
import { selectNodes } from "./selection.js";
import type { Finding, PlanInput, PlanOptions, PlanResult, VipPlan } from "./types.js";
import { allocateVrids } from "./vrid.js";

export const DEFAULT_SECRET_NAMESPACE = "floatip-system";

interface Valid {
  readonly vip: VirtualIP;
  readonly config: VirtualIPConfig;
}

export function plan(input: PlanInput, options: PlanOptions = {}): PlanResult {
  const nodes = [...input.nodes].sort((a, b) => compareNames(a.name, b.name));
  const oldestFirst = [...input.virtualIPs].sort((a, b) =>
    compareAge({ name: a.metadata.name, creationTimestamp: a.metadata.creationTimestamp }, { name: b.metadata.name, creationTimestamp: b.metadata.creationTimestamp }));
  const findings = new Map<string, Finding[]>(oldestFirst.map((v) => [v.metadata.name, []]));
  const note = (name: string, finding: Finding) => findings.get(name)!.push(finding);
  const reserved: number[] = [];
  const reserve = (vip: VirtualIP) => {
    const vrid = vip.status?.virtualRouterID;
    if (typeof vrid === "number") reserved.push(vrid);
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

  const losers = findCollisions(valid.map(({ vip, config }) => ({
    name: vip.metadata.name,
    addresses: config.addresses,
    instances: config.families.map((f) => instanceName(vip.metadata.name, f, config.families)),
  })));
  for (const [name, collision] of losers) note(name, collision);
  valid.filter(({ vip }) => losers.has(vip.metadata.name)).forEach(({ vip }) => reserve(vip));
  const survivors = valid.filter(({ vip }) => !losers.has(vip.metadata.name));

  const vrids = allocateVrids(survivors.map(({ vip, config }) => ({
    name: vip.metadata.name,
    families: config.families,
    specVrid: config.virtualRouterID,
    statusVrid: vip.status?.virtualRouterID,
  })), { reserved });

  const renders: VipRender[] = [];
  const plans = new Map<string, VipPlan>();
  for (const { vip, config } of survivors) {
    const name = vip.metadata.name;
    const outcome = vrids.get(name)!;
    if (outcome.kind === "taken") note(name, { kind: "vrid-taken", other: outcome.other, virtualRouterID: outcome.vrid, family: outcome.family });
    if (outcome.kind === "exhausted") note(name, { kind: "vrid-exhausted", families: config.families });
    if (outcome.kind !== "assigned") continue;
    const render = placeRouters(name, config, outcome.vrid, nodes, (f) => note(name, f));
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

/** Selected nodes, their priorities, and per family the nodes that run the router. */
function placeRouters(
  name: string,
  config: VirtualIPConfig,
  vrid: number,
  nodes: readonly NodeSummary[],
  note: (finding: Finding) => void,
): VipRender {
  const named = config.nodeNames === undefined ? undefined : new Set(config.nodeNames);
  const selected = selectNodes(nodes, config.nodeSelector).filter((n) => named === undefined || named.has(n.name));
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
