/**
 * The Service annotations floatip reads, and the other load balancers'
 * annotations it honours as aliases, so Services written for MetalLB or
 * kube-vip keep their addresses, sharing and pool when they move to floatip.
 *
 * Each setting has floatip's own name first, then its aliases. Writing a
 * setting under two names is fine when the values agree (a Service being
 * moved often carries both); when they differ the Service is refused with an
 * error naming both annotations, because either choice could take the wrong
 * address. Pure.
 */
import type { FieldError } from "../api/virtualip-config.js";

/** Requested addresses, comma-separated, at most one per family. */
export const IPS_ANNOTATION = "floatip.io/loadBalancerIPs";
/** Services with the same value may share an address (on distinct ports). */
export const SHARING_ANNOTATION = "floatip.io/allowSharedIP";
/** "true": float the Service's spec.externalIPs (any Service type), each address from a pool that admits the Service. */
export const EXTERNAL_IPS_ANNOTATION = "floatip.io/externalIPs";
/** The VirtualIPPool to take the Service's addresses from. */
export const POOL_ANNOTATION = "floatip.io/pool";

export const ALIASES = {
  ips: [IPS_ANNOTATION, "metallb.io/loadBalancerIPs", "metallb.universe.tf/loadBalancerIPs", "kube-vip.io/loadbalancerIPs"],
  sharing: [SHARING_ANNOTATION, "metallb.io/allow-shared-ip", "metallb.universe.tf/allow-shared-ip"],
  pool: [POOL_ANNOTATION, "metallb.io/address-pool", "metallb.universe.tf/address-pool"],
} as const;

export type Setting = keyof typeof ALIASES;

export type AliasRead =
  | { readonly kind: "absent" }
  | { readonly kind: "value"; readonly value: string; readonly field: string }
  | { readonly kind: "conflict"; readonly error: FieldError };

export const annotationField = (name: string): string => `metadata.annotations["${name}"]`;

/**
 * The setting's value from the first annotation present, or a conflict when
 * two names carry values that `same` does not call equal.
 */
export function readAlias(
  annotations: Readonly<Record<string, string>>,
  setting: Setting,
  same: (a: string, b: string) => boolean = (a, b) => a.trim() === b.trim(),
): AliasRead {
  const present = ALIASES[setting].filter((name) => annotations[name] !== undefined);
  if (present.length === 0) return { kind: "absent" };
  const first = present[0]!;
  const other = present.find((name) => !same(annotations[first]!, annotations[name]!));
  if (other !== undefined) {
    return {
      kind: "conflict",
      error: {
        field: annotationField(other),
        message: `"${annotations[other]}" differs from ${first} "${annotations[first]}": the two annotations name the same setting; remove one or make them equal`,
      },
    };
  }
  return { kind: "value", value: annotations[first]!, field: annotationField(first) };
}
