/**
 * Names and marks of the VirtualIPs the controller owns for LoadBalancer
 * Services. A VirtualIP is named after its first address (IPv4 first), so
 * it keeps its name (and VRID, and master) while Services come and go around
 * a shared address: "lb-192-0-2-10", "lb-2001-db8--10".
 */
import { fromBigInt } from "../api/ranges.js";

/** Label on every VirtualIP the load balancer owns (value "true"). */
export const OWNER_LABEL = "floatip.io/load-balancer";
/** Annotation: the Services ("namespace/name", comma-separated) whose address the VirtualIP floats. */
export const SERVICES_ANNOTATION = "floatip.io/services";

/** "lb-" + the address with ":" and "." as "-"; a trailing "-" (IPv6 ending in "::") gets a "0". */
export function vipName(address: string): string {
  const name = `lb-${address.replace(/[:.]/g, "-")}`;
  return name.endsWith("-") ? `${name}0` : name;
}

/** The host prefix the address gets on the interface. */
export function hostCidr(family: 4 | 6, value: bigint): string {
  return `${fromBigInt(family, value)}/${family === 4 ? 32 : 128}`;
}

export function isOwned(vip: { readonly metadata: { readonly labels?: Readonly<Record<string, string>> } }): boolean {
  return vip.metadata.labels?.[OWNER_LABEL] === "true";
}

export function ownedServices(vip: { readonly metadata: { readonly annotations?: Readonly<Record<string, string>> } }): string[] {
  const text = vip.metadata.annotations?.[SERVICES_ANNOTATION] ?? "";
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
