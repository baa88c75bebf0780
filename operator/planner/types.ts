/**
 * The planner's input, output and findings (see docs/architecture.md, "Planner").
 */
import type { Family } from "../../agent/config/types.js";
import type { AgentConfigDocument, NodeSummary, VirtualIP } from "../api/types.js";
import type { FieldError } from "../api/virtualip-config.js";

export interface PlanInput {
  readonly virtualIPs: readonly VirtualIP[];
  readonly nodes: readonly NodeSummary[];
}

export interface PlanOptions {
  /** Namespace of authentication Secrets whose secretRef names none: the controller's. Default "floatip-system". */
  readonly secretNamespace?: string;
  /** Candidate nodes per router when the VirtualIP does not say (spec.maxCandidates); 0 = every eligible node. Default 3. */
  readonly maxCandidates?: number;
}

/** Why (part of) a VirtualIP is not rendered; the controller turns these into conditions and events. */
export type Finding =
  /** The spec breaks the schema or a CEL rule; nothing is rendered. */
  | { readonly kind: "invalid"; readonly errors: readonly FieldError[] }
  /** An older VirtualIP (`other`) has `address`; this one is not rendered. */
  | { readonly kind: "address-overlap"; readonly other: string; readonly address: string }
  /** An older VirtualIP (`other`) uses `virtualRouterID` for `family`; this one (which asks for it in its spec) is not rendered. */
  | { readonly kind: "vrid-taken"; readonly other: string; readonly virtualRouterID: number; readonly family: Family }
  /** No VRID is free in every family of this VirtualIP; it is not rendered. */
  | { readonly kind: "vrid-exhausted"; readonly families: readonly Family[] }
  /** An older VirtualIP (`other`) renders an instance called `instance` (e.g. "web-v6"); this one is not rendered. */
  | { readonly kind: "instance-name-taken"; readonly other: string; readonly instance: string }
  /** `address` is node `node`'s own InternalIP or ExternalIP: a node holding it would answer for another node; not rendered. */
  | { readonly kind: "node-address"; readonly address: string; readonly node: string }
  /** No node renders any of this VirtualIP's routers (none selected, or none with an InternalIP of the family). */
  | { readonly kind: "no-nodes" }
  /** A selected node has no InternalIP of `family`, so it does not take part in that (unicast) router. */
  | { readonly kind: "node-missing-address-family"; readonly node: string; readonly family: Family };

export type FindingKind = Finding["kind"];

export interface VipPlan {
  /** The VRID in use (to keep in status); absent when the VirtualIP is not rendered for a reason other than no-nodes. */
  readonly virtualRouterID?: number;
  /** Nodes that run at least one of its routers, sorted. */
  readonly renderedNodes: readonly string[];
  /** Priority of each rendered node (the same in both families). */
  readonly priorities: Readonly<Record<string, number>>;
  /** The router (agent instance) carrying its addresses, per family; shared with the VirtualIPs packed with it. */
  readonly routers?: readonly { readonly family: Family; readonly instance: string }[];
  readonly findings: readonly Finding[];
}

export interface PlanResult {
  /** Every input node, sorted by name, with its VRRPNode spec (instances may be empty). */
  readonly nodes: ReadonlyMap<string, AgentConfigDocument>;
  /** Every input VirtualIP, sorted by name. */
  readonly vips: ReadonlyMap<string, VipPlan>;
}
