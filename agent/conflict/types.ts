/**
 * Conflicts an instance can see on its segment, beyond what its VRRP peers
 * tell it (issue 7): another MAC answering for one of its virtual addresses,
 * and VRRP adverts on its VRID that do not belong to its group. Reported,
 * never fought: VRRP keeps deciding who is master.
 */
import type { DropReason } from "../vrrp/packet.js";

/** The receive checks whose failure means another VRRP speaker uses our VRID (not a broken packet). */
export const FOREIGN_REASONS = ["address-mismatch", "version-mismatch", "auth-mismatch", "interval-mismatch"] as const;
export type ForeignMismatch = (typeof FOREIGN_REASONS)[number];

export type Conflict =
  /** A host with another MAC answers ARP / neighbour discovery for an address we hold as master (RFC 5227 §2.1.1, RFC 4862 §5.4). */
  | { readonly kind: "duplicate-address"; readonly address: string; readonly mac: string; readonly since: number }
  /** Adverts on our VRID whose address list, version, password or interval differ from ours: another group or cluster. */
  | {
      readonly kind: "foreign-vrrp";
      readonly source: string;
      readonly mismatch: ForeignMismatch;
      /** The addresses the foreign adverts carry. */
      readonly addresses: readonly string[];
      readonly since: number;
    }
  /** Adverts on our VRID (unicast mode) from an address that is not among the configured peers. */
  | { readonly kind: "unknown-peer"; readonly source: string; readonly since: number };

export type ConflictKind = Conflict["kind"];
/** A conflict without its start time (what it is, whoever reports it). */
export type ConflictFacts = Conflict extends infer C ? (C extends Conflict ? Omit<C, "since"> : never) : never;
export const CONFLICT_KINDS: readonly ConflictKind[] = ["duplicate-address", "foreign-vrrp", "unknown-peer"];

/** Whom the conflict is with: the MAC for a duplicate address, the source address of foreign adverts. */
export function offender(conflict: ConflictFacts): string {
  return conflict.kind === "duplicate-address" ? conflict.mac : conflict.source;
}

/** Identity of a conflict (kind + subject + offender), stable while it lasts. */
export function conflictKey(conflict: ConflictFacts): string {
  return conflict.kind === "duplicate-address"
    ? `${conflict.kind}/${conflict.address}/${conflict.mac}`
    : `${conflict.kind}/${conflict.source}`;
}

/** One line for logs and status, e.g. "192.0.2.5 is also answered by 02:aa:bb:cc:dd:ee". */
export function describeConflict(conflict: ConflictFacts): string {
  switch (conflict.kind) {
    case "duplicate-address":
      return `${conflict.address} is also answered by ${conflict.mac}`;
    case "foreign-vrrp":
      return `${conflict.source} sends adverts on this VRID with a different ${MISMATCH_WHAT[conflict.mismatch]}${
        conflict.mismatch === "address-mismatch" ? ` (${conflict.addresses.join(", ") || "none"})` : ""
      }`;
    case "unknown-peer":
      return `${conflict.source} sends adverts on this VRID but is not a configured unicast peer`;
  }
}

const MISMATCH_WHAT: Readonly<Record<ForeignMismatch, string>> = {
  "address-mismatch": "address list",
  "version-mismatch": "VRRP version",
  "auth-mismatch": "password",
  "interval-mismatch": "advert interval",
};

/** Which conflict a dropped advert points at, if any. */
export function foreignKind(reason: DropReason): "unknown-peer" | ForeignMismatch | undefined {
  if (reason === "unknown-peer") return reason;
  return (FOREIGN_REASONS as readonly string[]).includes(reason) ? (reason as ForeignMismatch) : undefined;
}

/** A conflict as the VRRPNode status carries it: the agent's typed conflict, `since` as wall time. */
export type ConflictStatus = DistributiveWithSince<Conflict>;
type DistributiveWithSince<C> = C extends Conflict ? Omit<C, "since"> & { readonly since: string } : never;
