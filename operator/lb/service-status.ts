/**
 * A Service's status as the load balancer wants it (pure):
 * status.loadBalancer.ingress (one address per family, in spec.ipFamilies
 * order) and two conditions, keeping other writers' conditions:
 *
 *   floatip.io/AddressAllocated  True: the Service has its addresses (reason
 *     Allocated, or OutsidePools when its pool went away); False: why not.
 *   floatip.io/Announced         True: a node holds the addresses (the message
 *     names it); False: no address, no eligible node, its VirtualIP cannot
 *     be served (its Ready reason: Conflict, NoNodes, RefusedByNode, ...), or
 *     no master yet.
 */
import type { Condition, VirtualIP } from "../api/types.js";
import { condition } from "../api/condition.js";
import type { ServiceOutcome } from "./allocate.js";
import { describeInvalid, describePending, describeWarning, pendingReason } from "./describe.js";
import type { FieldError } from "../api/virtualip-config.js";
import type { LbService } from "./service.js";

export const ALLOCATED = "floatip.io/AddressAllocated";
export const ANNOUNCED = "floatip.io/Announced";

/** Ready reasons of a VirtualIP that only wait for the agents (an election, a status report). */
const WAITING_REASONS: ReadonlySet<string> = new Set(["OneMaster", "NoSingleMaster", "StatusUnknown"]);

export interface ServiceStatus {
  readonly loadBalancer: { readonly ingress?: readonly { readonly ip: string }[] };
  readonly conditions: readonly Condition[];
}

export interface ServiceStatusInput {
  readonly service: LbService;
  readonly outcome:
    | ServiceOutcome
    | { readonly kind: "invalid"; readonly errors: readonly FieldError[]; readonly kept?: Extract<ServiceOutcome, { kind: "allocated" }> };
  /** The VirtualIP the controller wants for it (its spec). */
  readonly vip: { readonly name: string; readonly spec: { readonly nodeNames?: readonly string[] } } | undefined;
  /** That VirtualIP as stored, with the status the agents' reports produced. */
  readonly observed: VirtualIP | undefined;
  readonly now: Date;
}

export function serviceStatus(input: ServiceStatusInput): ServiceStatus {
  const { service, outcome, now } = input;
  const previous = { conditions: service.conditions };
  const gen = service.generation;
  const group = outcome.kind === "allocated" ? outcome.group : outcome.kind === "invalid" ? outcome.kept?.group : undefined;
  const addresses =
    group !== undefined
      ? [...group.addresses].sort((a, b) => service.families.indexOf(a.family) - service.families.indexOf(b.family)).map((a) => a.address)
      : [];
  let allocated: Condition;
  if (outcome.kind === "allocated") {
    const shared =
      outcome.group.members.length > 1
        ? `; shared with ${outcome.group.members
            .filter((m) => m !== service)
            .map((m) => `${m.namespace}/${m.name}`)
            .join(", ")}`
        : "";
    const pools = [...new Set(outcome.group.addresses.map((a) => a.pool).filter((p) => p !== undefined))];
    const message =
      outcome.warnings.length > 0
        ? outcome.warnings.map(describeWarning).join("; ")
        : `${addresses.join(", ")} from VirtualIPPool ${pools.join(", ")}${shared}`;
    allocated = condition(previous, now, gen, ALLOCATED, true, outcome.warnings.length > 0 ? "OutsidePools" : "Allocated", message);
  } else if (outcome.kind === "pending") {
    allocated = condition(previous, now, gen, ALLOCATED, false, pendingReason(outcome.reason), describePending(outcome.reason));
  } else {
    const keeps = addresses.length > 0 ? `; keeping ${addresses.join(", ")} until the annotations are fixed` : "";
    allocated = condition(previous, now, gen, ALLOCATED, false, pendingReason(outcome), `${describeInvalid(outcome.errors)}${keeps}`);
  }
  const master = input.observed?.status?.master;
  const observedAddresses = new Set((input.observed?.spec.addresses ?? []).map((a) => a.split("/")[0]));
  const current = master !== undefined && addresses.every((a) => observedAddresses.has(a));
  // A VirtualIP the controller cannot serve (no free VRID, an address conflict, refused by every node)
  // says why in its Ready condition; the Service passes that on rather than waiting for a master.
  const ready = input.observed?.status?.conditions?.find((c) => c.type === "Ready");
  const blocked = ready?.status === "False" && !WAITING_REASONS.has(ready.reason) ? ready : undefined;
  const announced =
    addresses.length === 0
      ? condition(previous, now, gen, ANNOUNCED, false, "NoAddress", "no address is allocated")
      : service.policy === "Local" && (input.vip?.spec.nodeNames ?? []).length === 0
        ? condition(
            previous,
            now,
            gen,
            ANNOUNCED,
            false,
            "NoReadyEndpoint",
            "no node selected by the pool runs a ready endpoint of this Service (externalTrafficPolicy Local)",
          )
        : current
          ? condition(previous, now, gen, ANNOUNCED, true, "Announced", `${master} announces ${addresses.join(", ")}`)
          : blocked !== undefined
            ? condition(previous, now, gen, ANNOUNCED, false, blocked.reason, `VirtualIP ${input.vip?.name ?? "?"}: ${blocked.message}`)
            : condition(previous, now, gen, ANNOUNCED, false, "NoMaster", `VirtualIP ${input.vip?.name ?? "?"} has no master yet`);
  const others = service.conditions.filter((c) => c.type !== ALLOCATED && c.type !== ANNOUNCED);
  return {
    loadBalancer: addresses.length > 0 ? { ingress: addresses.map((ip) => ({ ip })) } : {},
    conditions: [...others, allocated, announced],
  };
}

export interface ExternalStatusInput {
  readonly service: LbService;
  readonly allocation: { readonly ok: boolean; readonly reason: string; readonly message: string };
  /** The floated addresses and the stored VirtualIP of each (with the agents' status). */
  readonly floated: readonly { readonly address: string; readonly observed: VirtualIP | undefined }[];
  readonly now: Date;
}

/** The status of a Service whose spec.externalIPs floatip floats: conditions only (no status.loadBalancer). */
export function externalStatus(input: ExternalStatusInput): ServiceStatus {
  const { service, allocation, floated, now } = input;
  const previous = { conditions: service.conditions };
  const gen = service.generation;
  const allocated = condition(previous, now, gen, ALLOCATED, allocation.ok, allocation.reason, allocation.message);
  const masters = floated.map((f) => ({
    address: f.address,
    master: f.observed?.spec.addresses.some((a) => a.split("/")[0] === f.address) === true ? f.observed.status?.master : undefined,
  }));
  const announced =
    floated.length === 0
      ? condition(previous, now, gen, ANNOUNCED, false, "NoAddress", "no external IP is floated")
      : masters.every((m) => m.master !== undefined)
        ? condition(previous, now, gen, ANNOUNCED, true, "Announced", masters.map((m) => `${m.master} announces ${m.address}`).join("; "))
        : condition(
            previous,
            now,
            gen,
            ANNOUNCED,
            false,
            "NoMaster",
            `no master yet for ${masters
              .filter((m) => m.master === undefined)
              .map((m) => m.address)
              .join(", ")}`,
          );
  const others = service.conditions.filter((c) => c.type !== ALLOCATED && c.type !== ANNOUNCED);
  return { loadBalancer: {}, conditions: [...others, allocated, announced] };
}
