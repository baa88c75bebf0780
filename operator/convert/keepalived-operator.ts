/**
 * keepalived-operator → VirtualIPPools: each KeepalivedGroup becomes a pool
 * holding exactly the addresses its Services float today (spec.externalIPs,
 * and for LoadBalancer Services the address they have), with autoAssign off,
 * so nothing else is given out of it. The Services then need floatip's
 * annotations; the pool's comments say which, per Service. Pure.
 */
import { canonicalAddress } from "../../agent/vrrp/address-bytes.js";
import { EXTERNAL_IPS_ANNOTATION, IPS_ANNOTATION, POOL_ANNOTATION } from "../lb/annotations.js";
import {
  describeDoc,
  finishPools,
  flatten,
  kindOf,
  list,
  nameOf,
  namespaceOf,
  obj,
  str,
  type Conversion,
  type Obj,
  type PoolDraft,
} from "./common.js";

export const GROUP_ANNOTATION = "keepalived-operator.redhat-cop.io/keepalivedgroup";

export function convertKeepalivedOperator(docs: readonly unknown[]): Conversion {
  const all = flatten(docs);
  const warnings: string[] = [];
  const groups = all.filter((d) => kindOf(d) === "KeepalivedGroup");
  const services = all.filter(
    (d) => kindOf(d) === "Service" && str(obj(obj(d["metadata"])["annotations"])[GROUP_ANNOTATION]) !== undefined,
  );
  for (const doc of all) {
    if (kindOf(doc) === "Service" && !services.includes(doc))
      warnings.push(`${describeDoc(doc)}: ignored: no ${GROUP_ANNOTATION} annotation`);
    else if (kindOf(doc) !== "Service" && kindOf(doc) !== "KeepalivedGroup")
      warnings.push(`${describeDoc(doc)}: ignored: not a KeepalivedGroup or a Service`);
  }
  const key = (g: Obj) => `${namespaceOf(g) ?? "default"}/${nameOf(g)}`;
  const names = groups.map((g) => nameOf(g));
  const poolName = (g: Obj) =>
    names.filter((n) => n === nameOf(g)).length > 1 ? `${namespaceOf(g) ?? "default"}-${nameOf(g)}` : nameOf(g);
  for (const s of services) {
    const ref = groupRef(s);
    if (!groups.some((g) => key(g) === ref))
      warnings.push(`${describeDoc(s)}: names KeepalivedGroup ${ref}, which is not in the input: not converted`);
  }
  const drafts: PoolDraft[] = [];
  for (const group of groups) {
    const what = describeDoc(group);
    const spec = obj(group["spec"]);
    const members = services.filter((s) => groupRef(s) === key(group));
    const name = poolName(group);
    const addresses: string[] = [];
    const steps: string[] = [];
    for (const s of members) {
      const own = addressesOf(s);
      for (const a of own) if (!addresses.includes(a)) addresses.push(a);
      const target = `-n ${namespaceOf(s) ?? "default"} service/${nameOf(s)}`;
      if (obj(s["spec"])["type"] === "LoadBalancer") {
        steps.push(
          `${describeDoc(s)} (LoadBalancer): floatip serves it with spec.loadBalancerClass floatip.io/vrrp (set only at creation) or with the controller's --default-load-balancer-class; then: kubectl annotate ${target} ${POOL_ANNOTATION}=${name}${own.length > 0 ? ` ${IPS_ANNOTATION}=${own.join(",")}` : ""}`,
        );
        if (own.length === 0) warnings.push(`${describeDoc(s)}: a LoadBalancer Service with no address yet: the pool gets none from it`);
      } else {
        steps.push(`kubectl annotate ${target} ${EXTERNAL_IPS_ANNOTATION}=true ${POOL_ANNOTATION}=${name}`);
      }
    }
    if (addresses.length === 0) {
      warnings.push(`${what}: not converted: none of its Services in the input has an address`);
      continue;
    }
    const out: Obj = { addresses: addresses.map((a) => `${a}`), autoAssign: false };
    const labels = obj(spec["nodeSelector"]);
    if (Object.keys(labels).length > 0) out["nodeSelector"] = { matchLabels: labels };
    out["transport"] = spec["unicastEnabled"] === true ? "unicast" : "multicast";
    if (str(spec["interface"]) !== undefined) {
      warnings.push(
        `${what}: interface ${String(spec["interface"])}: floatip picks the interface whose subnet holds the address; check that it is this one`,
      );
    }
    if (spec["passwordAuth"] !== undefined)
      warnings.push(`${what}: passwordAuth has no pool equivalent (VRRPv3, which pools use, has no authentication); not converted`);
    if (list(spec["blacklistRouterIDs"]).length > 0) {
      warnings.push(
        `${what}: blacklistRouterIDs has no equivalent: the controller picks free VRIDs itself; give VirtualIPs of other VRRP users fixed virtualRouterIDs instead`,
      );
    }
    if (spec["verbatimConfig"] !== undefined)
      warnings.push(`${what}: verbatimConfig (raw keepalived settings) has no equivalent: not converted`);
    drafts.push({
      name,
      comments: [
        `from ${what}: the addresses of ${members.map(describeDoc).join(", ")}`,
        "then, for each Service:",
        ...steps.map((s) => `  ${s}`),
      ],
      spec: out,
    });
  }
  return finishPools(drafts, warnings, []);
}

/** "namespace/name" of the group a Service names (a bare name is in the Service's namespace). */
function groupRef(service: Obj): string {
  const value = str(obj(obj(service["metadata"])["annotations"])[GROUP_ANNOTATION])!.trim();
  return value.includes("/") ? value : `${namespaceOf(service) ?? "default"}/${value}`;
}

/** The addresses keepalived-operator floats for a Service: spec.externalIPs, and a LoadBalancer's ingress (or spec.loadBalancerIP). */
function addressesOf(service: Obj): string[] {
  const spec = obj(service["spec"]);
  const ingress = list(obj(obj(service["status"])["loadBalancer"])["ingress"]).map((i) => obj(i)["ip"]);
  const candidates = [...list(spec["externalIPs"]), ...(spec["type"] === "LoadBalancer" ? [...ingress, spec["loadBalancerIP"]] : [])];
  const out: string[] = [];
  for (const c of candidates) {
    const a = typeof c === "string" ? (canonicalAddress(c.trim(), 4) ?? canonicalAddress(c.trim(), 6)) : undefined;
    if (a !== undefined && !out.includes(a)) out.push(a);
  }
  return out;
}
