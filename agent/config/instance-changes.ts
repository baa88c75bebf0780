/**
 * What a reload (SIGHUP, a new VRRPNode spec) does to one running instance,
 * as a pure diff of its old and new config: nothing, a list of in-place
 * updates, or re-creating the router. The supervisor and the router carry
 * the updates out (agent/runtime).
 *
 * In place (the router keeps its state, no new election): priority, unicast
 * peers, preempt and preempt delay, initial state, the VRRPv2 password,
 * GARP settings, tracking (scripts, HTTP checks, interfaces, files, pods,
 * their weights and definitions), notify commands and the state file, and
 * the virtual and excluded address lists (an address moving between the two
 * stays on the master: only the advert's list changes).
 *
 * Re-created (the old router leaves, priority 0 if master, and a new one
 * joins): the identity of the router on the wire or its socket, which a
 * running router cannot change under its peers:
 *  - virtual router id, interface, address family: another router;
 *  - VRRP version: another packet format, peers of the old version drop it;
 *  - advert interval: every timer derives from it (VRRPv2 peers must agree
 *    on it, a v3 backup learns it from the master's adverts);
 *  - multicast <-> unicast, or the advert source address: another socket and
 *    another set of listeners (keepalived matches instances the same way).
 */
import type {
  AgentConfig,
  HttpCheckConfig,
  InstanceConfig,
  ScriptConfig,
  SyncGroupConfig,
  TrackFileConfig,
  TrackProcessConfig,
  VirtualAddress,
} from "./types.js";

/** One instance and the shared items it tracks (the scripts, files, HTTP checks and processes its `track` names), and its sync group. */
export interface InstanceSlice {
  readonly instance: InstanceConfig;
  readonly scripts: readonly ScriptConfig[];
  readonly files: readonly TrackFileConfig[];
  readonly httpChecks: readonly HttpCheckConfig[];
  readonly processes: readonly TrackProcessConfig[];
  /** A change of group (membership, group notify) re-creates the router ("other"). */
  readonly group: SyncGroupConfig | undefined;
}

export type RecreateReason =
  | "virtual-router-id"
  | "interface"
  | "family"
  | "version"
  | "advert-interval"
  | "unicast-mode"
  | "source"
  /** A difference this planner does not know (a field added later): re-creating is always correct. */
  | "other";

export type InPlaceUpdate =
  | { readonly kind: "priority"; readonly from: number; readonly to: number }
  | { readonly kind: "unicast-peers"; readonly added: readonly string[]; readonly removed: readonly string[] }
  | { readonly kind: "preempt" }
  | { readonly kind: "initial-state" }
  | { readonly kind: "authentication" }
  | { readonly kind: "garp" }
  /** The health tracker is rebuilt; the router keeps its state (see supervisor.ts). */
  | { readonly kind: "tracking" }
  | { readonly kind: "notify" }
  /**
   * `removed` / `added` by address and its options (prefix, device, label):
   * an address whose options change is removed and added again. A master
   * removes and adds only these; a backup changes nothing on the interface.
   */
  | { readonly kind: "addresses"; readonly added: readonly VirtualAddress[]; readonly removed: readonly VirtualAddress[] };

export type UpdateKind = InPlaceUpdate["kind"];

export type InstanceChange =
  | { readonly kind: "unchanged" }
  | { readonly kind: "update"; readonly updates: readonly InPlaceUpdate[] }
  | { readonly kind: "recreate"; readonly reasons: readonly RecreateReason[] };

/** The slice of `config` that `instance` depends on. */
export function sliceOf(config: AgentConfig, instance: InstanceConfig): InstanceSlice {
  const named = <T extends { name: string }>(list: readonly T[], refs: readonly { name: string }[] | undefined) =>
    list.filter((item) => (refs ?? []).some((r) => r.name === item.name));
  return {
    instance,
    scripts: named(config.scripts, instance.track.scripts),
    files: named(config.trackFiles, instance.track.files),
    httpChecks: named(config.httpChecks ?? [], instance.track.httpChecks),
    processes: named(config.trackProcesses ?? [], instance.track.processes),
    group: config.syncGroups?.find((g) => g.name === instance.syncGroup),
  };
}

/**
 * The one notion of equality here: JSON with object keys sorted (two values
 * built in different key orders are equal) and undefined fields left out
 * (an omitted optional field and one set to undefined are equal). Array
 * order counts: addresses and peers go into the adverts in config order.
 */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
const equal = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** The fields an in-place update carries; any other difference re-creates the router. */
const IN_PLACE_FIELDS = [
  "priority",
  "unicast",
  "preempt",
  "preemptDelayMs",
  "initialState",
  "authentication",
  "garp",
  "track",
  "notify",
  "stateFile",
  "addresses",
  "excludedAddresses",
] as const satisfies readonly (keyof InstanceConfig)[];

export function planInstanceChange(old: InstanceSlice, next: InstanceSlice): InstanceChange {
  const a = old.instance;
  const b = next.instance;
  const reasons: RecreateReason[] = [];
  if (a.virtualRouterId !== b.virtualRouterId) reasons.push("virtual-router-id");
  if (a.interface !== b.interface) reasons.push("interface");
  if (a.family !== b.family) reasons.push("family");
  if (a.version !== b.version) reasons.push("version");
  if (a.advertIntervalMs !== b.advertIntervalMs) reasons.push("advert-interval");
  if ((a.unicast === undefined) !== (b.unicast === undefined)) reasons.push("unicast-mode");
  if ((a.unicast?.source ?? a.source) !== (b.unicast?.source ?? b.source)) reasons.push("source");
  if (reasons.length > 0) return { kind: "recreate", reasons };

  const updates: InPlaceUpdate[] = [];
  if (a.priority !== b.priority) updates.push({ kind: "priority", from: a.priority, to: b.priority });
  const peersBefore = a.unicast?.peers ?? [];
  const peersAfter = b.unicast?.peers ?? [];
  if (!equal(peersBefore, peersAfter)) {
    updates.push({
      kind: "unicast-peers",
      added: peersAfter.filter((p) => !peersBefore.includes(p)),
      removed: peersBefore.filter((p) => !peersAfter.includes(p)),
    });
  }
  if (a.preempt !== b.preempt || a.preemptDelayMs !== b.preemptDelayMs) updates.push({ kind: "preempt" });
  if (a.initialState !== b.initialState) updates.push({ kind: "initial-state" });
  if (!equal(a.authentication, b.authentication)) updates.push({ kind: "authentication" });
  if (!equal(a.garp, b.garp)) updates.push({ kind: "garp" });
  if (
    !equal(a.track, b.track) ||
    !equal(old.scripts, next.scripts) ||
    !equal(old.files, next.files) ||
    !equal(old.httpChecks, next.httpChecks) ||
    !equal(old.processes, next.processes)
  ) {
    updates.push({ kind: "tracking" });
  }
  if (!equal(a.notify, b.notify) || a.stateFile !== b.stateFile) updates.push({ kind: "notify" });
  // The device as the kernel sees it: one spelled out as the instance's interface is the same address.
  const key = (v: VirtualAddress) => canonical([v.address, v.prefixLength, v.device ?? b.interface, v.label ?? null]);
  // What the master holds: the advertised and the excluded addresses alike, so one that moves between
  // the two lists (the controller's overflow, pack.ts) stays on the host; only the advert changes.
  const held = (i: InstanceConfig) => [...i.addresses, ...(i.excludedAddresses ?? [])];
  const before = new Set(held(a).map(key));
  const after = new Set(held(b).map(key));
  const added = held(b).filter((v) => !before.has(key(v)));
  const removed = held(a).filter((v) => !after.has(key(v)));
  // A reordered list is a change too: the advert carries the list in config order (the excluded list is in no advert).
  const advertChanged = !equal(a.addresses.map(key), b.addresses.map(key));
  if (added.length > 0 || removed.length > 0 || advertChanged) updates.push({ kind: "addresses", added, removed });
  // What the updates do not carry must be equal, or the router is re-created (routes, vmac, sync group, a field added later...).
  const carried: Record<string, unknown> = { ...a };
  for (const field of IN_PLACE_FIELDS) {
    if (field in b) carried[field] = b[field];
    else delete carried[field];
  }
  const rest = {
    ...old,
    instance: carried,
    scripts: next.scripts,
    files: next.files,
    httpChecks: next.httpChecks,
    processes: next.processes,
  };
  if (canonical(rest) !== canonical(next)) return { kind: "recreate", reasons: ["other"] };
  if (updates.length > 0) return { kind: "update", updates };
  return { kind: "unchanged" };
}
