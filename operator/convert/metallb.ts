/**
 * MetalLB's layer 2 configuration → VirtualIPPools: IPAddressPool and
 * L2Advertisement (metallb.io/v1beta1), or the older ConfigMap with a
 * `config` key (address-pools, protocol layer2). What floatip has no
 * equivalent for (BGP in every form, avoidBuggyIPs, pool priority, OR-ed
 * node selectors) is named in a warning. Pure.
 */
import yaml from "js-yaml";
import { matchesSelector } from "../planner/selection.js";
import type { LabelSelector } from "../api/types.js";
import { POOL_INTERFACES_MAX } from "../api/limits.js";
import {
  describeDoc,
  entries,
  finishPools,
  flatten,
  kindOf,
  list,
  nameOf,
  namespacesSelector,
  obj,
  selectorOf,
  str,
  type Conversion,
  type Obj,
  type PoolDraft,
} from "./common.js";

const BGP_KINDS = ["BGPAdvertisement", "BGPPeer", "BFDProfile", "Community"];
const AVOID_BUGGY =
  "avoidBuggyIPs has no equivalent: floatip gives out every address of a CIDR, the .0 and .255 ones included; write ranges that leave them out";

export function convertMetalLB(docs: readonly unknown[]): Conversion {
  const all = flatten(docs);
  const warnings: string[] = [];
  const errors: string[] = [];
  const drafts: PoolDraft[] = [];
  const pools = all.filter((d) => kindOf(d) === "IPAddressPool");
  const l2 = all.filter((d) => kindOf(d) === "L2Advertisement");
  const bgp = all.filter((d) => kindOf(d) === "BGPAdvertisement");
  for (const doc of all) {
    const kind = kindOf(doc);
    if (BGP_KINDS.includes(kind))
      warnings.push(
        `${describeDoc(doc)}: not converted: floatip has no BGP (it announces addresses on layer 2, by VRRP and gratuitous ARP / unsolicited NA)`,
      );
    else if (kind === "ConfigMap") drafts.push(...fromConfigMap(doc, warnings, errors));
    else if (kind !== "IPAddressPool" && kind !== "L2Advertisement") warnings.push(`${describeDoc(doc)}: ignored: not a MetalLB resource`);
  }
  for (const pool of pools) {
    const draft = fromPool(
      pool,
      l2.filter((a) => announces(a, pool)),
      bgp.some((a) => announces(a, pool)),
      warnings,
    );
    if (draft !== undefined) drafts.push(draft);
  }
  return finishPools(drafts, warnings, errors);
}

/** Whether an advertisement covers a pool: by name, by label selector, or (neither given) every pool. */
function announces(adv: Obj, pool: Obj): boolean {
  const spec = obj(adv["spec"]);
  const names = list(spec["ipAddressPools"]);
  const selectors = list(spec["ipAddressPoolSelectors"]);
  if (names.length === 0 && selectors.length === 0) return true;
  if (names.includes(nameOf(pool))) return true;
  const labels = obj(obj(pool["metadata"])["labels"]) as Record<string, string>;
  return selectors.some((s) => matchesSelector(labels, selectorOf(s) ?? {}));
}

function fromPool(pool: Obj, advs: readonly Obj[], bgp: boolean, warnings: string[]): PoolDraft | undefined {
  const what = describeDoc(pool);
  const spec = obj(pool["spec"]);
  if (advs.length === 0) {
    warnings.push(
      `${what}: not converted: no L2Advertisement announces it (${bgp ? "MetalLB announces it by BGP only" : "MetalLB does not announce it"}); floatip has no BGP`,
    );
    return undefined;
  }
  const out: Obj = { addresses: entries(list(spec["addresses"])) };
  if (spec["autoAssign"] === false) out["autoAssign"] = false;
  if (spec["avoidBuggyIPs"] === true) warnings.push(`${what}: ${AVOID_BUGGY}`);

  const nodeSelector = nodeSelectorOf(advs, what, warnings);
  if (nodeSelector !== undefined) out["nodeSelector"] = nodeSelector;
  const interfaces = interfacesOf(advs);
  if (interfaces !== undefined) {
    out["interfaces"] = interfaces.slice(0, POOL_INTERFACES_MAX);
    if (interfaces.length > POOL_INTERFACES_MAX) {
      warnings.push(
        `${what}: the L2Advertisements name ${interfaces.length} interfaces; a VirtualIPPool takes at most ${POOL_INTERFACES_MAX}: converted the first ${POOL_INTERFACES_MAX} (sorted by name)`,
      );
    }
  }

  const allocation = obj(spec["serviceAllocation"]);
  if (allocation["priority"] !== undefined)
    warnings.push(`${what}: serviceAllocation.priority has no equivalent: floatip tries pools in name order`);
  const namespaces = list(allocation["namespaces"]).filter((n): n is string => typeof n === "string");
  const nsSelectors = list(allocation["namespaceSelectors"])
    .map(selectorOf)
    .filter((s): s is LabelSelector => s !== undefined);
  const svcSelectors = list(allocation["serviceSelectors"])
    .map(selectorOf)
    .filter((s): s is LabelSelector => s !== undefined);
  const namespaceChoices = [...(namespaces.length > 0 ? [namespacesSelector(namespaces)] : []), ...nsSelectors];
  if (namespaceChoices.length > 0) out["namespaceSelector"] = namespaceChoices[0];
  if (namespaceChoices.length > 1)
    warnings.push(
      `${what}: serviceAllocation selects namespaces in ${namespaceChoices.length} ways (any of them); a VirtualIPPool takes one namespaceSelector: converted the first only`,
    );
  if (svcSelectors.length > 0) out["serviceSelector"] = svcSelectors[0];
  if (svcSelectors.length > 1)
    warnings.push(
      `${what}: serviceAllocation.serviceSelectors lists ${svcSelectors.length} selectors (any of them); a VirtualIPPool takes one serviceSelector: converted the first only`,
    );

  return { name: nameOf(pool), comments: [`from ${what}, announced by ${advs.map(describeDoc).join(", ")}`], spec: out };
}

/** One selector for the nodes the advertisements announce from; undefined = every node. */
function nodeSelectorOf(advs: readonly Obj[], what: string, warnings: string[]): LabelSelector | undefined {
  const perAdv = advs.map((a) => list(obj(a["spec"])["nodeSelectors"]).map(selectorOf));
  // An advertisement without nodeSelectors (or with an empty one) announces from every node.
  if (perAdv.some((s) => s.length === 0 || s.includes(undefined))) return undefined;
  const distinct = [...new Map(perAdv.flat().map((s) => [JSON.stringify(s), s!])).values()];
  const oneKey = sameKeyValues(distinct);
  if (oneKey !== undefined) return { matchExpressions: [{ key: oneKey.key, operator: "In", values: oneKey.values }] };
  if (distinct.length > 1) {
    warnings.push(
      `${what}: announced from nodes matching any of ${distinct.length} node selectors; a VirtualIPPool takes one nodeSelector: converted the first only (label the nodes so that one selector covers them)`,
    );
  }
  return distinct[0];
}

/** Selectors that each require one value of the same label (hostname lists): exactly `key In values`. */
function sameKeyValues(selectors: readonly LabelSelector[]): { key: string; values: string[] } | undefined {
  if (selectors.length < 2) return undefined;
  const pairs = selectors.map((s) =>
    s.matchExpressions === undefined && Object.keys(s.matchLabels ?? {}).length === 1 ? Object.entries(s.matchLabels!)[0]! : undefined,
  );
  if (pairs.some((p) => p === undefined) || new Set(pairs.map((p) => p![0])).size !== 1) return undefined;
  return { key: pairs[0]![0], values: [...new Set(pairs.map((p) => p![1]))].sort() };
}

/** The interfaces the advertisements limit announcements to; undefined = any (one advertisement without a list allows all). */
function interfacesOf(advs: readonly Obj[]): string[] | undefined {
  const lists = advs.map((a) => list(obj(a["spec"])["interfaces"]).filter((i): i is string => typeof i === "string"));
  if (lists.some((l) => l.length === 0)) return undefined;
  return [...new Set(lists.flat())].sort();
}

/** The ConfigMap form (MetalLB before 0.13): data.config holds YAML with address-pools. */
function fromConfigMap(doc: Obj, warnings: string[], errors: string[]): PoolDraft[] {
  const what = describeDoc(doc);
  const text = str(obj(doc["data"])["config"]);
  if (text === undefined) {
    warnings.push(`${what}: ignored: no data.config (not MetalLB's configuration)`);
    return [];
  }
  let config: Obj;
  try {
    config = obj(yaml.load(text));
  } catch (e) {
    errors.push(`${what}: data.config: not YAML: ${(e as Error).message.split("\n")[0]}`);
    return [];
  }
  if (list(config["peers"]).length > 0) warnings.push(`${what}: data.config.peers: not converted: floatip has no BGP`);
  if (list(config["bgp-communities"]).length > 0 || Object.keys(obj(config["bgp-communities"])).length > 0) {
    warnings.push(`${what}: data.config.bgp-communities: not converted: floatip has no BGP`);
  }
  const out: PoolDraft[] = [];
  list(config["address-pools"]).forEach((p, i) => {
    const pool = obj(p);
    const name = str(pool["name"]) ?? `pool-${i}`;
    const at = `${what}: data.config.address-pools[${i}] (${name})`;
    if (pool["protocol"] !== "layer2") {
      warnings.push(`${at}: not converted: protocol ${String(pool["protocol"] ?? "(none)")}; floatip announces on layer 2 only`);
      return;
    }
    const spec: Obj = { addresses: entries(list(pool["addresses"])) };
    if (pool["auto-assign"] === false) spec["autoAssign"] = false;
    if (pool["avoid-buggy-ips"] === true) warnings.push(`${at}: ${AVOID_BUGGY.replace("avoidBuggyIPs", "avoid-buggy-ips")}`);
    if (list(pool["bgp-advertisements"]).length > 0) warnings.push(`${at}: bgp-advertisements: not converted: floatip has no BGP`);
    out.push({ name, comments: [`from ${what}, data.config address-pools ${name}`], spec });
  });
  return out;
}
