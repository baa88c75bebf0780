/** Messages for Service conditions and Events (pure). */
import type { FieldError } from "../api/virtualip-config.js";
import type { Pending, Warning } from "./allocate.js";

/** CamelCase reason of a pending outcome (Event reason and condition reason). */
export function pendingReason(p: Pending | { readonly kind: "invalid" }): string {
  switch (p.kind) {
    case "pool-exhausted":
      return "PoolExhausted";
    case "no-pool":
      return "NoMatchingPool";
    case "not-in-pool":
      return "AddressNotInPool";
    case "pool-not-allowed":
      return "PoolNotAllowed";
    case "address-in-use":
      return "AddressInUse";
    case "sharing-conflict":
      return "SharingConflict";
    case "pool-not-found":
      return "PoolNotFound";
    case "pool-not-usable":
      return "PoolNotReady";
    case "not-in-named-pool":
      return "AddressNotInPool";
    case "named-pool-refuses":
      return "PoolNotAllowed";
    case "invalid":
      return "InvalidAnnotation";
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
    case "pool-not-found":
      return `the Service asks for VirtualIPPool ${p.pool} (floatip.io/pool or metallb.io/address-pool), which does not exist; nothing was allocated`;
    case "pool-not-usable":
      return `the Service asks for VirtualIPPool ${p.pool}, which is refused (invalid, or overlapping an older pool; see its Ready condition); nothing was allocated`;
    case "named-pool-refuses":
      return p.selectors
        ? `VirtualIPPool ${p.pool}, which the Service asks for, does not select it (serviceSelector or namespaceSelector)`
        : `VirtualIPPool ${p.pool}, which the Service asks for, has no IPv${p.family} addresses (spec.ipFamilies needs one)`;
    case "not-in-named-pool":
      return `the requested address ${p.address} is not in VirtualIPPool ${p.pool}, which the Service asks for`;
  }
}

export function describeInvalid(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join("; ");
}

export function describeWarning(w: Warning): string {
  return `${w.address} is in no usable VirtualIPPool any more (pool deleted, changed or refused); the Service keeps it, but no new Service can get it`;
}
