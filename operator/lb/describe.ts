/** Messages for Service conditions and Events (pure). */
import type { FieldError } from "../api/virtualip-config.js";
import type { Pending, Warning } from "./allocate.js";

/** CamelCase reason of a pending outcome (Event reason and condition reason). */
export function pendingReason(p: Pending | { readonly kind: "invalid" }): string {
  switch (p.kind) {
    case "pool-exhausted": return "PoolExhausted";
    case "no-pool": return "NoMatchingPool";
    case "not-in-pool": return "AddressNotInPool";
    case "pool-not-allowed": return "PoolNotAllowed";
    case "address-in-use": return "AddressInUse";
    case "sharing-conflict": return "SharingConflict";
    case "invalid": return "InvalidAnnotation";
  }
}

export function describePending(p: Pending): string {
  switch (p.kind) {
    case "pool-exhausted":
      return `no free IPv${p.family} address in pool${p.pools.length > 1 ? "s" : ""} ${p.pools.join(", ")}; nothing was allocated (free an address or add one to a pool)`;
    case "no-pool":
      return `no VirtualIPPool with IPv${p.family} addresses auto-assigns to this Service (check autoAssign, serviceSelector and namespaceSelector)`;
    case "not-in-pool":
      return `the requested address ${p.address} is in no usable VirtualIPPool`;
    case "pool-not-allowed":
      return `the requested address ${p.address} is in VirtualIPPool ${p.pool}, whose serviceSelector or namespaceSelector does not select this Service`;
    case "address-in-use":
      return `the address ${p.address} is in use by ${p.by}`;
    case "sharing-conflict":
      return `cannot share ${p.address} with ${p.with}: ${p.detail}`;
  }
}

export function describeInvalid(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join("; ");
}

export function describeWarning(w: Warning): string {
  return `${w.address} is in no usable VirtualIPPool any more (pool deleted, changed or refused); the Service keeps it, but no new Service can get it`;
}
