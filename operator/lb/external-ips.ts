/**
 * Services with spec.externalIPs that opt in with the annotation
 * floatip.io/externalIPs: "true" (any Service type; keepalived-operator's
 * core case): each external IP is floated by a VirtualIP the controller owns,
 * as for LoadBalancer Services, one VirtualIP per address.
 *
 * The addresses are the Service's own, not allocated, but each must lie in a
 * usable VirtualIPPool that admits the Service (and in the pool it names, if
 * it names one). Otherwise anyone allowed to write a Service could make the
 * nodes answer for any address on the segment; with the rule, the pools'
 * owners decide which addresses may float. An address already used (by a
 * LoadBalancer Service, a VirtualIP, a node, or an older externalIPs
 * Service) is not floated again. The good addresses of a Service float even
 * when others of it cannot; the condition names the others. Pure.
 */
import type { Family } from "../../agent/config/types.js";
import { canonicalAddress } from "../../agent/vrrp/address-bytes.js";
import type { Condition } from "../api/types.js";
import type { FieldError } from "../api/virtualip-config.js";
import { compareAge } from "../planner/age.js";
import type { Assigned, Group, Pending } from "./allocate.js";
import { annotationField, EXTERNAL_IPS_ANNOTATION } from "./annotations.js";
import { admits, poolOf, type UsablePool } from "./pools.js";
import { addressValue } from "../api/ranges.js";
import { readService, serviceKey, type LbService } from "./service.js";

export interface ExternalIPsService {
  /** As a LoadBalancer Service would read (labels, policy, ports, pool annotation...); `requested` and `families` unused. */
  readonly service: LbService;
  /** spec.externalIPs, canonical, in order, without repeats. */
  readonly addresses: readonly { readonly family: Family; readonly address: string; readonly value: bigint }[];
}

export type ExternalIPsRead =
  | { readonly kind: "ignored" }
  | { readonly kind: "service"; readonly external: ExternalIPsService }
  | { readonly kind: "invalid"; readonly service: LbService; readonly errors: readonly FieldError[] };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/** Whether the Service opts in: the annotation is "true" and it is not being deleted. */
export function optsIn(service: unknown): boolean {
  const metadata = obj(obj(service)["metadata"]);
  return obj(metadata["annotations"])[EXTERNAL_IPS_ANNOTATION] === "true" && metadata["deletionTimestamp"] === undefined;
}

export function readExternalIPsService(service: unknown): ExternalIPsRead {
  if (!optsIn(service)) return { kind: "ignored" };
  // Read as a LoadBalancer Service of floatip's class, for the shared fields and annotation checks.
  const spec = obj(obj(service)["spec"]);
  const asLb = readService(
    { ...obj(service), spec: { ...spec, type: "LoadBalancer", loadBalancerClass: "floatip.io/vrrp" } },
    { defaultClass: false },
  );
  if (asLb.kind === "ignored") return { kind: "ignored" };
  const errors: FieldError[] = asLb.kind === "invalid" ? [...asLb.errors] : [];
  const addresses: { family: Family; address: string; value: bigint }[] = [];
  const list = Array.isArray(spec["externalIPs"]) ? (spec["externalIPs"] as unknown[]) : [];
  if (list.length === 0)
    errors.push({ field: `${annotationField(EXTERNAL_IPS_ANNOTATION)}`, message: "the Service has no spec.externalIPs to float" });
  list.forEach((item, i) => {
    const text = typeof item === "string" ? item.trim() : "";
    const address = canonicalAddress(text, 4) ?? canonicalAddress(text, 6);
    const v = address === undefined ? undefined : addressValue(address);
    if (address === undefined || v === undefined)
      errors.push({ field: `spec.externalIPs[${i}]`, message: `${JSON.stringify(item)} is not an IP address` });
    else if (!addresses.some((a) => a.address === address)) addresses.push({ family: v.family, address, value: v.value });
  });
  if (errors.length > 0) return { kind: "invalid", service: asLb.service, errors };
  return { kind: "service", external: { service: asLb.service, addresses } };
}

export interface ExternalOutcome {
  /** One group (one VirtualIP) per floated address. */
  readonly groups: readonly Group[];
  /** Why the other addresses are not floated. */
  readonly problems: readonly Pending[];
}

export interface ExternalInput {
  readonly services: readonly ExternalIPsService[];
  readonly pools: readonly UsablePool[];
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Addresses in use elsewhere (LoadBalancer Services, VirtualIPs, nodes) → who uses them. */
  readonly taken: ReadonlyMap<string, string>;
}

/** Oldest Service first, so an address two Services list goes to the older. */
export function planExternalIPs(input: ExternalInput): Map<string, ExternalOutcome> {
  const claimed = new Map<string, string>();
  const out = new Map<string, ExternalOutcome>();
  const ordered = [...input.services].sort((a, b) =>
    compareAge(
      { name: serviceKey(a.service), creationTimestamp: a.service.creationTimestamp },
      { name: serviceKey(b.service), creationTimestamp: b.service.creationTimestamp },
    ),
  );
  for (const { service, addresses } of ordered) {
    const groups: Group[] = [];
    const problems: Pending[] = [];
    for (const a of addresses) {
      const by = input.taken.get(a.address) ?? claimed.get(a.address);
      const pool = poolOf(input.pools, a.family, a.value);
      if (by !== undefined) problems.push({ kind: "address-in-use", address: a.address, by });
      else if (service.pool !== undefined && pool?.name !== service.pool)
        problems.push({ kind: "not-in-named-pool", address: a.address, pool: service.pool });
      else if (pool === undefined) problems.push({ kind: "not-in-pool", address: a.address });
      else if (!admits(pool.config, service, input.namespaceLabels.get(service.namespace)))
        problems.push({ kind: "pool-not-allowed", address: a.address, pool: pool.name });
      else {
        claimed.set(a.address, `Service ${serviceKey(service)} (spec.externalIPs)`);
        const assigned: Assigned = { family: a.family, address: a.address, value: a.value, pool: pool.name };
        groups.push({ addresses: [assigned], sharingKey: undefined, members: [service] });
      }
    }
    out.set(serviceKey(service), { groups, problems });
  }
  return out;
}

/** The AddressAllocated condition's reason and message for an externalIPs Service. */
export function externalAllocation(
  outcome: ExternalOutcome,
  describe: (p: Pending) => string,
  reason: (p: Pending) => string,
): Pick<Condition, "reason" | "message"> & { ok: boolean } {
  const floated = outcome.groups.map((g) => `${g.addresses[0]!.address} (VirtualIPPool ${g.addresses[0]!.pool})`);
  if (outcome.problems.length === 0) return { ok: true, reason: "Allocated", message: `spec.externalIPs floated: ${floated.join(", ")}` };
  const also = floated.length > 0 ? `; floated: ${floated.join(", ")}` : "";
  return { ok: false, reason: reason(outcome.problems[0]!), message: `${outcome.problems.map(describe).join("; ")}${also}` };
}
