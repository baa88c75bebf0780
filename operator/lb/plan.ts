/**
 * The load-balancer planner: Services, EndpointSlices, pools, namespaces,
 * nodes and VirtualIPs in; the VirtualIPs the controller should own, each
 * Service's status and outcome, and each pool's status out. Pure.
 *
 * Node eligibility (how a Service's endpoints shape its VirtualIP):
 *   - nodeSelector: the pools' nodeSelectors (nodes that may announce);
 *     advertisementInterval and transport: the first address's pool's, when it sets them;
 *   - externalTrafficPolicy Local: spec.nodeNames = the selected nodes with a
 *     ready endpoint of the Service (none: nothing announces it);
 *   - Cluster: every selected node is eligible (kube-proxy forwards from any
 *     node), with no per-Service placement, so the Services of one pool pack
 *     into shared routers (planner/pack.ts) whose candidates and masters the
 *     planner spreads over the nodes;
 *   - maxCandidates: the first address's pool's, when it sets it;
 *   - interfaces (the first address's pool's, when it lists them): the
 *     VirtualIP names the first listed interface that any selected node
 *     reports having (none does: the first listed), and spec.nodeNames keeps
 *     only the nodes that report it. A node whose agent has not reported its
 *     interfaces yet is not eligible: announcing on an interface it may not
 *     have would fail there. The choice looks at the selected nodes, not the
 *     ready ones, so it does not move (renaming the routers) as endpoints do.
 *     With Cluster, the VirtualIP says so (NODE_NAMES_ANNOTATION), so the
 *     pool's Services still share routers.
 */
import type { Family } from "../../agent/config/types.js";
import type { VirtualIPPool, VirtualIPPoolStatus } from "../api/pool.js";
import type { LabelSelector, NodeSummary, Transport, VirtualIP, VirtualIPSpec } from "../api/types.js";
import { andSelectors } from "../api/node-selector.js";
import type { FieldError } from "../api/virtualip-config.js";
import { matchesSelector } from "../planner/selection.js";
import { compareNames } from "../planner/age.js";
import { NODE_NAMES_ANNOTATION } from "../planner/group.js";
import { allocate, type Group, type ServiceOutcome } from "./allocate.js";
import { readyNodesByService } from "./endpoints.js";
import { hostCidr, isOwned, OWNER_LABEL, ownedServices, SERVICES_ANNOTATION, vipName } from "./naming.js";
import { foreignUser, resolvePools, type ForeignAddress, type ResolvedPools } from "./pools.js";
import { addressValue } from "../api/ranges.js";
import { readService, serviceKey, type LbService } from "./service.js";
import { poolStatus } from "./pool-status.js";
import { externalStatus, serviceStatus, type ServiceStatus } from "./service-status.js";
import {
  externalAllocation,
  planExternalIPs,
  readExternalIPsService,
  type ExternalIPsService,
  type ExternalOutcome,
} from "./external-ips.js";
import { describePending, pendingReason } from "./describe.js";

export interface LbPlanInput {
  /** Every Service (any type; the planner picks floatip's). */
  readonly services: readonly unknown[];
  readonly endpointSlices: readonly unknown[];
  readonly pools: readonly VirtualIPPool[];
  readonly namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly nodes: readonly NodeSummary[];
  readonly virtualIPs: readonly VirtualIP[];
  /** floatip also serves LoadBalancer Services without a class. */
  readonly defaultClass: boolean;
  readonly now: Date;
}

export interface DesiredVip {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: VirtualIPSpec;
  /** "namespace/name" of the Services it serves, oldest first. */
  readonly services: readonly string[];
}

/** `kept`: what an invalid Service still holds from before its annotations turned invalid. */
export type LbOutcome = ServiceOutcome | InvalidOutcome | ExternalOutcomeOf;
/** A Service whose spec.externalIPs floatip floats (external-ips.ts). */
export type ExternalOutcomeOf = { readonly kind: "external" } & ExternalOutcome;
export interface InvalidOutcome {
  readonly kind: "invalid";
  readonly errors: readonly FieldError[];
  readonly kept?: Extract<ServiceOutcome, { kind: "allocated" }>;
}

export interface ServicePlan {
  readonly service: LbService;
  readonly outcome: LbOutcome;
  /** The Service's wanted status (loadBalancer and conditions). */
  readonly status: ServiceStatus;
  /** The owned VirtualIP serving it, when allocated (an externalIPs Service: the first of its VirtualIPs). */
  readonly vip?: string;
}

export interface LbPlan {
  readonly vips: ReadonlyMap<string, DesiredVip>;
  /** floatip's Services by "namespace/name". */
  readonly services: ReadonlyMap<string, ServicePlan>;
  /** Services named by an owned VirtualIP that floatip no longer serves (deleted, other type or class): their status to clear. */
  readonly released: readonly string[];
  readonly pools: ReadonlyMap<string, VirtualIPPoolStatus>;
}

export function planLoadBalancers(input: LbPlanInput): LbPlan {
  const reads = input.services.map((s) => readService(s, { defaultClass: input.defaultClass }));
  const valid: LbService[] = [];
  const invalid: { service: LbService; errors: readonly FieldError[] }[] = [];
  const external: ExternalIPsService[] = [];
  const invalidExternal = new Set<string>();
  for (const [i, r] of reads.entries()) {
    if (r.kind === "service") valid.push(r.service);
    if (r.kind === "invalid") invalid.push({ service: r.service, errors: r.errors });
    if (r.kind !== "ignored") continue; // a LoadBalancer Service floatip serves is served as one, externalIPs or not
    const e = readExternalIPsService(input.services[i]);
    if (e.kind === "service") external.push(e.external);
    if (e.kind === "invalid") [invalid.push({ service: e.service, errors: e.errors }), invalidExternal.add(serviceKey(e.service))];
  }
  const externalUse = new Map(
    external.flatMap((e) => e.addresses.map((a) => [a.address, `Service ${serviceKey(e.service)} (spec.externalIPs)`] as const)).reverse(),
  );
  const owned = input.virtualIPs.filter(isOwned);
  // A VirtualIP at a node's address is never rendered (planner finding node-address): the node is the address's user.
  const onNodes = nodeAddresses(input.nodes);
  const floated = foreignAddresses(input.virtualIPs.filter((v) => !isOwned(v))).filter(
    (f) => !onNodes.some((n) => n.address === f.address),
  );
  const foreign = [...floated, ...onNodes];
  const pools: ResolvedPools = resolvePools(
    input.pools.map((p) => ({ name: p.metadata.name, creationTimestamp: p.metadata.creationTimestamp, spec: p.spec })),
    foreign,
  );
  // A node's own address is never kept either: a Service given one before moves off it.
  const nodeOwned = new Set(onNodes.map((n) => n.address));
  const held = new Map(
    [...heldAddresses(owned, [...valid, ...invalid.map((i) => i.service)])].map(
      ([k, list]) => [k, list.filter((a) => !nodeOwned.has(canonicalText(a)))] as const,
    ),
  );
  // A Service whose annotations turned invalid keeps what it holds (the bad change is not applied) and asks for nothing new.
  // (Not an externalIPs Service: its addresses are its own, not held from a pool.)
  const keepers = invalid
    .filter((i) => held.has(serviceKey(i.service)) && !invalidExternal.has(serviceKey(i.service)))
    .map((i) => ({ ...i.service, requested: new Map() }));
  const allocation = allocate({
    services: [...valid, ...keepers],
    pools: pools.usable,
    namespaceLabels: input.namespaces,
    held,
    foreign: new Map([...externalUse, ...foreign.map((f) => [f.address, foreignUser(f)] as const)]),
    poolNames: new Set(pools.states.keys()),
  });
  const lbUse = allocation.groups.flatMap((g) =>
    g.addresses.map((a) => [a.address, g.members.map((m) => `Service ${serviceKey(m)}`).join(", ")] as const),
  );
  const externalPlan = planExternalIPs({
    services: external,
    pools: pools.usable,
    namespaceLabels: input.namespaces,
    taken: new Map([...lbUse, ...foreign.map((f) => [f.address, foreignUser(f)] as const)]),
  });

  const ready = readyNodesByService(input.endpointSlices);
  const selectedBy = selectionCache(input.nodes);
  const nodeInterfaces = new Map(
    input.nodes.filter((n) => n.interfaces !== undefined).map((n) => [n.name, new Set(n.interfaces)] as const),
  );
  const vips = new Map<string, DesiredVip>();
  for (const group of allocation.groups) {
    const vip = desiredVip(group, pools, ready, selectedBy, nodeInterfaces);
    vips.set(vip.name, vip);
  }
  for (const outcome of externalPlan.values()) {
    for (const group of outcome.groups) {
      const vip = desiredVip(group, pools, ready, selectedBy, nodeInterfaces);
      vips.set(vip.name, vip);
    }
  }
  const ownedByName = new Map(owned.map((v) => [v.metadata.name, v]));
  const services = new Map<string, ServicePlan>();
  for (const { service } of external) {
    const outcome = externalPlan.get(serviceKey(service))!;
    const names = outcome.groups.map((g) => vipName(g.addresses[0]!.address));
    services.set(serviceKey(service), {
      service,
      outcome: { kind: "external", ...outcome },
      status: externalStatus({
        service,
        now: input.now,
        allocation: externalAllocation(outcome, describePending, pendingReason),
        floated: outcome.groups.map((g, i) => ({ address: g.addresses[0]!.address, observed: ownedByName.get(names[i]!) })),
      }),
      ...(names.length > 0 ? { vip: names[0]! } : {}),
    });
  }
  for (const service of valid) {
    const key = serviceKey(service);
    const outcome = allocation.outcomes.get(key)!;
    const vip = outcome.kind === "allocated" ? vipName(outcome.group.addresses[0]!.address) : undefined;
    const desired = vip === undefined ? undefined : vips.get(vip);
    services.set(key, {
      service,
      outcome,
      status: serviceStatus({
        service,
        outcome,
        vip: desired,
        observed: vip === undefined ? undefined : ownedByName.get(vip),
        now: input.now,
      }),
      ...(vip !== undefined ? { vip } : {}),
    });
  }
  for (const { service, errors } of invalid) {
    const kept = allocation.outcomes.get(serviceKey(service));
    const outcome: LbOutcome = { kind: "invalid", errors, ...(kept?.kind === "allocated" ? { kept } : {}) };
    const vip = kept?.kind === "allocated" ? vipName(kept.group.addresses[0]!.address) : undefined;
    const desired = vip === undefined ? undefined : vips.get(vip);
    services.set(serviceKey(service), {
      service,
      outcome,
      status: serviceStatus({
        service,
        outcome,
        vip: desired,
        observed: vip === undefined ? undefined : ownedByName.get(vip),
        now: input.now,
      }),
      ...(vip !== undefined ? { vip } : {}),
    });
  }
  const released = [...new Set(owned.flatMap(ownedServices))].filter((key) => !services.has(key)).sort(compareNames);

  const poolStatuses = new Map<string, VirtualIPPoolStatus>();
  for (const pool of input.pools) {
    poolStatuses.set(
      pool.metadata.name,
      poolStatus({ pool, state: pools.states.get(pool.metadata.name)!, groups: allocation.groups, now: input.now }),
    );
  }
  return { vips, services, released, pools: poolStatuses };
}

/** What each Service holds now: the addresses of the owned VirtualIP naming it, else its status. */
function heldAddresses(owned: readonly VirtualIP[], services: readonly LbService[]): Map<string, string[]> {
  const held = new Map<string, string[]>();
  for (const vip of owned) {
    const addresses = vip.spec.addresses.map((a) => a.split("/")[0]!);
    for (const key of ownedServices(vip)) if (!held.has(key)) held.set(key, addresses);
  }
  for (const s of services) if (!held.has(serviceKey(s)) && s.ingress.length > 0) held.set(serviceKey(s), [...s.ingress]);
  return held;
}

/** The nodes' own addresses (InternalIP, ExternalIP), the first node by name for each. */
function nodeAddresses(nodes: readonly NodeSummary[]): ForeignAddress[] {
  const out = new Map<string, ForeignAddress>();
  for (const n of [...nodes].sort((a, b) => compareNames(a.name, b.name))) {
    for (const text of [...(n.hostAddresses ?? []), n.internalIPs.v4, n.internalIPs.v6]) {
      const v = text === undefined ? undefined : addressValue(text);
      if (v === undefined) continue;
      const address = hostCidr(v.family, v.value).split("/")[0]!;
      if (!out.has(address)) out.set(address, { node: n.name, family: v.family, value: v.value, address });
    }
  }
  return [...out.values()];
}

function canonicalText(address: string): string {
  const v = addressValue(address);
  return v === undefined ? address : hostCidr(v.family, v.value).split("/")[0]!;
}

function foreignAddresses(vips: readonly VirtualIP[]): ForeignAddress[] {
  const out: ForeignAddress[] = [];
  for (const vip of vips) {
    for (const cidr of Array.isArray(vip.spec?.addresses) ? vip.spec.addresses : []) {
      const address = typeof cidr === "string" ? cidr.split("/")[0]! : "";
      const v = addressValue(address);
      if (v !== undefined)
        out.push({ vip: vip.metadata.name, family: v.family, value: v.value, address: hostCidr(v.family, v.value).split("/")[0]! });
    }
  }
  return out;
}

/** The names of the nodes a nodeSelector selects, once per distinct selector (a pool's Services share one). */
function selectionCache(nodes: readonly NodeSummary[]): (selector: LabelSelector) => ReadonlySet<string> {
  const cache = new Map<string, ReadonlySet<string>>();
  return (selector) => {
    const key = JSON.stringify(selector);
    let names = cache.get(key);
    if (names === undefined) cache.set(key, (names = new Set(nodes.filter((n) => matchesSelector(n.labels, selector)).map((n) => n.name))));
    return names;
  };
}

/** The first of a pool's interfaces some selected node reports, and the selected nodes that report it. */
function interfaceChoice(
  interfaces: readonly string[],
  selected: ReadonlySet<string>,
  nodeInterfaces: ReadonlyMap<string, ReadonlySet<string>>,
): { name: string; nodes: Set<string> } {
  for (const name of interfaces) {
    const nodes = new Set([...selected].filter((n) => nodeInterfaces.get(n)?.has(name) === true));
    if (nodes.size > 0) return { name, nodes };
  }
  return { name: interfaces[0]!, nodes: new Set() };
}

function desiredVip(
  group: Group,
  pools: ResolvedPools,
  ready: ReadonlyMap<string, ReadonlySet<string>>,
  selectedBy: (selector: LabelSelector) => ReadonlySet<string>,
  nodeInterfaces: ReadonlyMap<string, ReadonlySet<string>>,
): DesiredVip {
  const name = vipName(group.addresses[0]!.address);
  const selectors: LabelSelector[] = [];
  let interval: string | undefined;
  let transport: Transport | undefined;
  let maxCandidates: number | undefined;
  let interfaces: readonly string[] | undefined;
  for (const a of group.addresses) {
    const pool = pools.usable.find((p) => p.name === a.pool);
    if (pool !== undefined) selectors.push(pool.config.nodeSelector);
    interval ??= pool?.config.advertisementInterval;
    transport ??= pool?.config.transport;
    maxCandidates ??= pool?.config.maxCandidates;
    interfaces ??= pool?.config.interfaces;
  }
  const nodeSelector = andSelectors(selectors);
  const selected = selectedBy(nodeSelector);
  const readyNodes = new Set(group.members.flatMap((m) => [...(ready.get(serviceKey(m)) ?? [])]).filter((n) => selected.has(n)));
  const local = group.members[0]!.policy === "Local";
  const onInterface = interfaces === undefined ? undefined : interfaceChoice(interfaces, selected, nodeInterfaces);
  const eligible = [...readyNodes].filter((n) => onInterface?.nodes.has(n) ?? true).sort(compareNames);
  const nodeNames = local ? eligible : onInterface !== undefined ? [...onInterface.nodes].sort(compareNames) : undefined;
  const spec: VirtualIPSpec = {
    addresses: group.addresses.map((a) => hostCidr(a.family as Family, a.value)),
    ...(interval !== undefined ? { advertisementInterval: interval } : {}),
    ...(transport !== undefined ? { transport } : {}),
    ...(onInterface !== undefined ? { interface: onInterface.name } : {}),
    ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
    ...(nodeNames !== undefined ? { nodeNames } : {}),
    ...(maxCandidates !== undefined ? { maxCandidates } : {}),
  };
  const services = group.members.map(serviceKey);
  // Cluster: nodeNames are the pool's nodes with the interface, not endpoints; the planner packs such VirtualIPs (planner/group.ts).
  const annotations = {
    [SERVICES_ANNOTATION]: services.join(","),
    ...(!local && nodeNames !== undefined ? { [NODE_NAMES_ANNOTATION]: "interfaces" } : {}),
  };
  return { name, labels: { [OWNER_LABEL]: "true" }, annotations, spec, services };
}
