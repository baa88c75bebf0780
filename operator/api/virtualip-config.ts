/**
 * A VirtualIP spec after validation: defaults applied, addresses parsed to
 * canonical form, durations in milliseconds. The planner works on this only.
 */
import type { Family, HttpCheckConfig, ScriptConfig, TrackFileConfig, TrackRef } from "../../agent/config/types.js";
import type { LabelSelector, Transport } from "./types.js";

export interface FieldError {
  /** Path from the object's root, e.g. "spec.addresses[1]". */
  readonly field: string;
  readonly message: string;
}

export interface VipAddress {
  readonly address: string; // canonical, e.g. "2001:db8::5"
  readonly family: Family;
  readonly prefixLength: number;
  /** `${address}/${prefixLength}` */
  readonly cidr: string;
}

/** How node priorities are chosen. */
export type Placement =
  | { readonly kind: "priorities"; readonly priorities: Readonly<Record<string, number>> }
  | { readonly kind: "preferred"; readonly nodes: readonly string[] }
  | { readonly kind: "hash" };

/** The agent's script fields; the timeout may be left to the agent's default (the interval). */
export type ScriptSettings = Omit<ScriptConfig, "timeoutMs"> & { readonly timeoutMs?: number };

export type InterfaceSettings = TrackRef;

export type FileSettings = TrackFileConfig & { readonly reverse: boolean };

/** The agent's own type: weight 1..253, or 0 for mode fault. */
export type { PodTracking } from "../../agent/config/types.js";
import type { PodTracking } from "../../agent/config/types.js";

export interface TrackSettings {
  readonly pods?: PodTracking;
  readonly scripts: readonly ScriptSettings[];
  readonly interfaces: readonly InterfaceSettings[];
  readonly files: readonly FileSettings[];
  /** The agent's HTTP check fields, defaults applied; absent = none. */
  readonly httpChecks?: readonly HttpCheckConfig[];
}

export interface GarpSettings {
  readonly repeat: number;
  readonly delayMs: number;
  readonly refreshMs: number;
  readonly refreshRepeat?: number;
  readonly intervalMs?: number;
  readonly lowerPriorityRepeat?: number;
  readonly lowerPriorityDelayMs?: number;
}

export interface VirtualIPConfig {
  readonly addresses: readonly VipAddress[];
  /** The families present, ascending: [4], [6] or [4, 6]. */
  readonly families: readonly Family[];
  readonly interface?: string;
  readonly virtualRouterID?: number;
  readonly version: 2 | 3;
  readonly advertIntervalMs: number;
  /** Normalised (operator/api/node-selector.ts); {} selects every node. */
  readonly nodeSelector: LabelSelector;
  /** When set, only these nodes (among the selected ones) take part. */
  readonly nodeNames?: readonly string[];
  readonly placement: Placement;
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly transport: Transport;
  /** Secret reference; namespace undefined means the controller's namespace. */
  readonly authentication?: { readonly secretRef: { readonly name: string; readonly namespace?: string; readonly key: string } };
  readonly track: TrackSettings;
  readonly garp: GarpSettings;
  readonly releaseOnCordon: boolean;
  /** At most this many nodes run each of its routers; 0 = every eligible node; absent = the controller's default. */
  readonly maxCandidates?: number;
}

export type VirtualIPValidation =
  | { readonly ok: true; readonly config: VirtualIPConfig }
  | { readonly ok: false; readonly errors: readonly FieldError[] };
