/**
 * The operator's resources as plain JSON types (see docs/architecture.md and
 * crds/*.yaml), and the node summary the planner works on.
 *
 * Objects read from the API server are typed as these shapes but are not
 * trusted: validate-virtualip.ts checks a VirtualIP spec before use.
 */
import { canonicalAddress } from "../../agent/vrrp/address-bytes.js";

export const GROUP = "floatip.io";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

export interface ObjectMeta {
  readonly name: string;
  /** RFC 3339, as the API server writes it ("2026-11-25T21:00:00Z"). */
  readonly creationTimestamp?: string;
  readonly generation?: number;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly finalizers?: readonly string[];
  /** Set once deletion was requested; the object stays while finalizers remain. */
  readonly deletionTimestamp?: string;
}

// ---------------------------------------------------------------- VirtualIP

export interface SecretKeyRef {
  readonly name: string;
  /** Default: the controller's namespace. */
  readonly namespace?: string;
  /** Default: "password". */
  readonly key?: string;
}

/** metav1.LabelSelector: one definition, shared with the agent's config. */
export type { LabelSelector } from "../../agent/config/types.js";
import type { LabelSelector } from "../../agent/config/types.js";
import type { ConflictStatus } from "../../agent/conflict/types.js";
export type LabelSelectorRequirement = NonNullable<LabelSelector["matchExpressions"]>[number];

/**
 * spec.nodeSelector as written: a LabelSelector, or on objects from before
 * selectors a plain label map, which is read as matchLabels (node-selector.ts).
 */
export type NodeSelectorSpec = LabelSelector | Readonly<Record<string, string>>;

export interface TrackPodsSpec {
  readonly namespace: string;
  readonly selector: LabelSelector;
  /** 1..253, added while at least one selected pod on the node is ready. Exclusive with mode. */
  readonly weight?: number;
  /** "fault": no ready selected pod on the node puts the node's routers in FAULT. Exclusive with weight. */
  readonly mode?: "fault";
}

/** A VirtualIP's script has the agent's script fields (spec.track.scripts[] = VRRPNode.spec.scripts[]). */
export type TrackScriptSpec = AgentScriptDocument;

export interface TrackInterfaceSpec {
  readonly name: string;
  readonly weight?: number;
  readonly reverse?: boolean;
}

/** A VirtualIP's HTTP check has the agent's httpChecks fields (spec.track.httpChecks[] = VRRPNode.spec.httpChecks[]). */
export type TrackHttpCheckSpec = AgentHttpCheckDocument;

export interface TrackFileSpec {
  readonly name: string;
  readonly path: string;
  readonly weight?: number;
  readonly reverse?: boolean;
}

export interface GarpSpec {
  readonly repeat?: number;
  readonly delay?: string;
  readonly refresh?: string;
  readonly refreshRepeat?: number;
  readonly interval?: string;
  /** Burst on hearing a lower-priority advert while master (default: repeat; 0 = none). */
  readonly lowerPriorityRepeat?: number;
  /** Second such burst after this (default: delay). */
  readonly lowerPriorityDelay?: string;
}

export type Transport = "unicast" | "multicast";

export interface VirtualIPSpec {
  readonly addresses: readonly string[];
  readonly interface?: string;
  readonly virtualRouterID?: number;
  readonly version?: 2 | 3;
  readonly advertisementInterval?: string;
  readonly nodeSelector?: NodeSelectorSpec;
  /** Only these nodes (among those nodeSelector selects) take part; an empty list selects none. */
  readonly nodeNames?: readonly string[];
  readonly priorities?: Readonly<Record<string, number>>;
  readonly preferredNodes?: readonly string[];
  readonly preempt?: boolean;
  readonly preemptDelay?: string;
  readonly transport?: Transport;
  readonly authentication?: { readonly secretRef: SecretKeyRef };
  readonly track?: {
    readonly pods?: TrackPodsSpec;
    readonly scripts?: readonly TrackScriptSpec[];
    readonly interfaces?: readonly TrackInterfaceSpec[];
    readonly files?: readonly TrackFileSpec[];
    readonly httpChecks?: readonly TrackHttpCheckSpec[];
  };
  readonly garp?: GarpSpec;
  readonly releaseOnCordon?: boolean;
  /** At most this many eligible nodes run each router carrying its addresses; 0 = all; default: the controller's (3). */
  readonly maxCandidates?: number;
}

/** metav1.Condition. */
export interface Condition {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

export interface VirtualIPNodeStatus {
  readonly name: string;
  /** The router, `<vip>` or `<vip>-v6`; absent for single-family VirtualIPs. */
  readonly instance?: string;
  readonly state: string;
  readonly priority?: number;
  readonly effectivePriority?: number;
  readonly since?: string;
}

export interface VirtualIPStatus {
  readonly master?: string;
  readonly virtualRouterID?: number;
  readonly nodes?: readonly VirtualIPNodeStatus[];
  readonly transitions?: number;
  readonly lastTransitionTime?: string;
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition[];
}

export interface VirtualIP {
  readonly apiVersion?: string;
  readonly kind?: "VirtualIP";
  readonly metadata: ObjectMeta;
  readonly spec: VirtualIPSpec;
  readonly status?: VirtualIPStatus;
}

// ---------------------------------------------------------------- VRRPNode

/**
 * The YAML form of the agent's config (what agent/config/validate.ts reads),
 * as the controller writes it into VRRPNode.spec: durations as strings,
 * addresses as CIDR strings, track references as objects.
 */
export interface AgentConfigDocument {
  readonly scripts?: readonly AgentScriptDocument[];
  readonly trackFiles?: readonly AgentTrackFileDocument[];
  readonly httpChecks?: readonly AgentHttpCheckDocument[];
  /** Each distinct unicast peer list of the node, once; instances name one (agent/kube/peer-sets.ts). */
  readonly peerSets?: readonly AgentPeerSetDocument[];
  readonly instances: readonly AgentInstanceDocument[];
}

export interface AgentPeerSetDocument {
  readonly name: string;
  /** This node's address the adverts are sent from. */
  readonly source?: string;
  readonly peers: readonly string[];
}

export interface AgentHttpCheckDocument {
  readonly name: string;
  readonly url: string;
  readonly interval?: string;
  readonly timeout?: string;
  readonly weight?: number;
  readonly fall?: number;
  readonly rise?: number;
  readonly tls?: { readonly caFile?: string; readonly serverName?: string; readonly insecureSkipVerify?: boolean };
}

export interface AgentScriptDocument {
  readonly name: string;
  readonly command: string;
  readonly interval?: string;
  readonly timeout?: string;
  readonly weight?: number;
  readonly reverse?: boolean;
  readonly fall?: number;
  readonly rise?: number;
  readonly initFail?: boolean;
  readonly user?: string;
}

export interface AgentTrackFileDocument {
  readonly name: string;
  readonly path: string;
  readonly weight?: number;
}

export interface AgentTrackRefDocument {
  readonly name: string;
  readonly weight?: number;
  readonly reverse?: boolean;
}

export interface AgentTrackPodsDocument {
  readonly namespace: string;
  readonly selector: LabelSelector;
  /** 1..253 added while a selected pod on this node is ready; 0 = FAULT while none is. */
  readonly weight: number;
}

export interface AgentInstanceDocument {
  readonly name: string;
  /** Omitted: the agent picks the interface whose subnet contains the first address. */
  readonly interface?: string;
  readonly virtualRouterID: number;
  readonly version?: 2 | 3;
  readonly priority?: number;
  readonly advertisementInterval?: string;
  readonly preempt?: boolean;
  readonly preemptDelay?: string;
  readonly initialState?: "backup" | "master";
  readonly addresses: readonly string[];
  /** keepalived virtual_ipaddress_excluded: held by the master like `addresses`, never in the adverts (the overflow of a full advert). */
  readonly excludedAddresses?: readonly string[];
  readonly authentication?: { readonly type: "pass"; readonly password?: string; readonly secretRef?: Required<SecretKeyRef> };
  /** Inline peers (`peers`, older controllers) or the name of one of the spec's `peerSets`. */
  readonly unicast?: { readonly source?: string; readonly peers?: readonly string[]; readonly peerSet?: string };
  readonly garp?: GarpSpec;
  readonly track?: {
    readonly scripts?: readonly AgentTrackRefDocument[];
    readonly interfaces?: readonly AgentTrackRefDocument[];
    readonly files?: readonly AgentTrackRefDocument[];
    readonly httpChecks?: readonly AgentTrackRefDocument[];
    readonly pods?: AgentTrackPodsDocument;
  };
  readonly notify?: Readonly<Record<string, string>>;
  readonly stateFile?: string;
}

export interface VRRPNodeInstanceStatus {
  readonly name: string;
  readonly state: string;
  readonly priority?: number;
  readonly effectivePriority?: number;
  readonly since?: string;
  /** The current master's address, as seen by this node. */
  readonly master?: string;
  readonly transitions?: number;
  readonly lastChange?: string;
  /** Conflicts the node sees for this router now (agent/kube/node-status.ts). */
  readonly conflicts?: readonly VRRPNodeConflict[];
}

/** A conflict as an agent reports it: another MAC for a held address, or foreign VRRP on the VRID. */
export type VRRPNodeConflict = ConflictStatus;

export interface VRRPNodeStatus {
  readonly observedGeneration?: number;
  readonly updated?: string;
  /** The agent's heartbeat period ("20s", agent/kube/node-status.ts); absent from agents that have none. */
  readonly refreshInterval?: string;
  /** The node's interface names, sorted (agent/kube/node-status.ts); absent from agents that do not report them. */
  readonly interfaces?: readonly string[];
  readonly instances?: readonly VRRPNodeInstanceStatus[];
  /** Without instance: the whole spec was refused and the previous one keeps running; with it: only that instance (agent/kube/node-status.ts). */
  readonly configErrors?: readonly { readonly field: string; readonly message: string; readonly instance?: string }[];
}

export interface VRRPNode {
  readonly apiVersion?: string;
  readonly kind?: "VRRPNode";
  readonly metadata: ObjectMeta;
  readonly spec: AgentConfigDocument;
  readonly status?: VRRPNodeStatus;
}

// ---------------------------------------------------------------- Nodes

/** What the planner needs to know about a Kubernetes Node. */
export interface NodeSummary {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The node's first InternalIP of each family, canonical text. */
  readonly internalIPs: { readonly v4?: string; readonly v6?: string };
  /** Every InternalIP and ExternalIP, canonical text, sorted: never a floating address. */
  readonly hostAddresses?: readonly string[];
  readonly unschedulable: boolean;
  readonly ready: boolean;
  /**
   * The node's network interface names as its agent reports them (VRRPNode status.interfaces);
   * undefined until it has. Only pools with spec.interfaces look at them.
   */
  readonly interfaces?: readonly string[];
  /** RFC 3339; "" when unknown. */
  readonly creationTimestamp: string;
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Summarises a core/v1 Node, as JSON from the API server or as a
 * @kubernetes/client-node V1Node (whose timestamps are Date objects).
 */
export function summarizeNode(node: unknown): NodeSummary {
  const metadata = obj(obj(node)["metadata"]);
  const spec = obj(obj(node)["spec"]);
  const status = obj(obj(node)["status"]);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(metadata["labels"]))) if (typeof v === "string") labels[k] = v;
  const internalIPs: { v4?: string; v6?: string } = {};
  const hostAddresses = new Set<string>();
  for (const entry of list(status["addresses"])) {
    const { type, address } = obj(entry);
    if ((type !== "InternalIP" && type !== "ExternalIP") || typeof address !== "string") continue;
    const v4 = canonicalAddress(address, 4);
    const v6 = v4 === undefined ? canonicalAddress(address, 6) : undefined;
    const canonical = v4 ?? v6;
    if (canonical !== undefined) hostAddresses.add(canonical);
    if (type !== "InternalIP") continue;
    if (v4 !== undefined && internalIPs.v4 === undefined) internalIPs.v4 = v4;
    if (v6 !== undefined && internalIPs.v6 === undefined) internalIPs.v6 = v6;
  }
  const ready = list(status["conditions"]).some((c) => obj(c)["type"] === "Ready" && obj(c)["status"] === "True");
  return {
    name: typeof metadata["name"] === "string" ? metadata["name"] : "",
    labels,
    internalIPs,
    hostAddresses: [...hostAddresses].sort(),
    unschedulable: spec["unschedulable"] === true,
    ready,
    creationTimestamp: timestamp(metadata["creationTimestamp"]),
  };
}

function timestamp(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().replace(/\.\d{3}Z$/, "Z");
  return "";
}
