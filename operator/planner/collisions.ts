/**
 * Address and instance-name collisions between VirtualIPs. Candidates come
 * oldest first; the first to claim an address (or instance name) keeps it,
 * a later one that needs it is reported and left out, and claims nothing.
 */
import type { VipAddress } from "../api/virtualip-config.js";

export interface CollisionCandidate {
  readonly name: string;
  readonly addresses: readonly VipAddress[];
  /** Agent instance names it renders, e.g. ["web", "web-v6"]. */
  readonly instances: readonly string[];
}

export type Collision =
  | { readonly kind: "address-overlap"; readonly other: string; readonly address: string }
  | { readonly kind: "instance-name-taken"; readonly other: string; readonly instance: string };

/** The losers, by name, with the first thing they collided on. */
export function findCollisions(oldestFirst: readonly CollisionCandidate[]): Map<string, Collision> {
  const addressOwner = new Map<string, string>();
  const instanceOwner = new Map<string, string>();
  const losers = new Map<string, Collision>();
  for (const vip of oldestFirst) {
    const address = vip.addresses.find((a) => addressOwner.has(a.address));
    if (address !== undefined) {
      losers.set(vip.name, { kind: "address-overlap", other: addressOwner.get(address.address)!, address: address.address });
      continue;
    }
    const instance = vip.instances.find((i) => instanceOwner.has(i));
    if (instance !== undefined) {
      losers.set(vip.name, { kind: "instance-name-taken", other: instanceOwner.get(instance)!, instance });
      continue;
    }
    for (const a of vip.addresses) addressOwner.set(a.address, vip.name);
    for (const i of vip.instances) instanceOwner.set(i, vip.name);
  }
  return losers;
}
