/**
 * AgentConfig → Kubernetes manifests for the operator: one VirtualIP per
 * instance, plus a Secret per instance that uses a password (the password
 * never goes into the VirtualIP itself). Settings that belong to nodes
 * rather than to the virtual IP (priorities, initial state, unicast peers,
 * notify commands, state file) are left out and named in a comment.
 */
import type { AgentConfig, InstanceConfig, ScriptConfig, TrackRef } from "../config/types.js";
import { DEFAULT_GARP } from "../config/types.js";
import { formatDuration } from "../config/duration.js";
import { dumpYaml } from "./to-yaml.js";

export const VIRTUALIP_API_VERSION = "floatip.io/v1alpha1";

/** "0s" rather than "0ms" for zero, otherwise as formatDuration. */
const duration = (ms: number): string => (ms === 0 ? "0s" : formatDuration(ms));

type Obj = Record<string, unknown>;

/** A manifest with comment lines to print above it. */
export interface Manifest {
  readonly comments: readonly string[];
  readonly object: Obj;
}

/** Lowercases and replaces what DNS-1123 labels do not allow; at most 63 characters. */
export function dnsLabel(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .slice(0, 63)
    .replace(/^-+|-+$/g, "");
  return label === "" ? "vip" : label;
}

/** Distinct resource names for the instances, in order. */
export function resourceNames(instances: readonly InstanceConfig[]): string[] {
  const used = new Set<string>();
  return instances.map((inst) => {
    const base = dnsLabel(inst.name).slice(0, 58).replace(/-+$/, "");
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return name;
  });
}

export function toVirtualIpManifests(config: AgentConfig): Manifest[] {
  const names = resourceNames(config.instances);
  return config.instances.flatMap((inst, i) => {
    const name = names[i]!;
    const out: Manifest[] = [];
    if (inst.authentication !== undefined) {
      out.push({
        comments: [`Password for VirtualIP ${name} (keepalived authentication of vrrp_instance ${inst.name}).`],
        object: {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: `${name}-auth` },
          type: "Opaque",
          stringData: { password: inst.authentication.password },
        },
      });
    }
    out.push({
      comments: leftOut(inst),
      object: { apiVersion: VIRTUALIP_API_VERSION, kind: "VirtualIP", metadata: { name }, spec: spec(inst, name, config) },
    });
    return out;
  });
}

export function formatManifests(manifests: readonly Manifest[]): string {
  return manifests.map((m) => [...m.comments.map((c) => `# ${c}\n`), dumpYaml(m.object)].join("")).join("---\n");
}

function spec(inst: InstanceConfig, name: string, config: AgentConfig): Obj {
  const out: Obj = {
    addresses: inst.addresses.map((a) => `${a.address}/${a.prefixLength}`),
    interface: inst.interface,
    virtualRouterID: inst.virtualRouterId,
    version: inst.version,
    advertisementInterval: duration(inst.advertIntervalMs),
    preempt: inst.preempt,
    preemptDelay: duration(inst.preemptDelayMs),
    transport: inst.unicast !== undefined ? "unicast" : "multicast",
  };
  if (inst.authentication !== undefined) out["authentication"] = { secretRef: { name: `${name}-auth`, key: "password" } };
  const track = trackSpec(inst, config);
  if (Object.keys(track).length > 0) out["track"] = track;
  out["garp"] = garpSpec(inst);
  return out;
}

function trackSpec(inst: InstanceConfig, config: AgentConfig): Obj {
  const out: Obj = {};
  const scripts = inst.track.scripts.map((ref) => scriptSpec(ref, config.scripts.find((s) => s.name === ref.name)!));
  if (scripts.length > 0) out["scripts"] = scripts;
  if (inst.track.interfaces.length > 0)
    out["interfaces"] = inst.track.interfaces.map((ref) => refWeights({ name: ref.name }, ref, 0, false));
  const files = inst.track.files.map((ref) => {
    const file = config.trackFiles.find((f) => f.name === ref.name)!;
    return refWeights({ name: file.name, path: file.path }, ref, file.weight, false);
  });
  if (files.length > 0) out["files"] = files;
  return out;
}

/** The script's settings with the instance's weight override applied. */
function scriptSpec(ref: TrackRef, s: ScriptConfig): Obj {
  return {
    name: s.name,
    command: s.command,
    interval: duration(s.intervalMs),
    timeout: duration(s.timeoutMs),
    weight: ref.weight ?? s.weight,
    reverse: ref.reverse ?? s.reverse,
    fall: s.fall,
    rise: s.rise,
    initFail: s.initFail,
    ...(s.user !== undefined ? { user: s.user } : {}),
  };
}

function refWeights(base: Obj, ref: TrackRef, weight: number, reverse: boolean): Obj {
  return { ...base, weight: ref.weight ?? weight, reverse: ref.reverse ?? reverse };
}

function garpSpec(inst: InstanceConfig): Obj {
  const g = inst.garp;
  return {
    repeat: g.repeat,
    delay: duration(g.delayMs),
    refresh: duration(g.refreshMs),
    ...(g.refreshRepeat !== DEFAULT_GARP.refreshRepeat ? { refreshRepeat: g.refreshRepeat } : {}),
    ...(g.intervalMs !== DEFAULT_GARP.intervalMs ? { interval: duration(g.intervalMs) } : {}),
    // Their defaults follow repeat and delay.
    ...(g.lowerPriorityRepeat !== g.repeat ? { lowerPriorityRepeat: g.lowerPriorityRepeat } : {}),
    ...(g.lowerPriorityDelayMs !== g.delayMs ? { lowerPriorityDelay: duration(g.lowerPriorityDelayMs) } : {}),
  };
}

/** Comment lines naming the per-node settings the VirtualIP does not carry. */
function leftOut(inst: InstanceConfig): string[] {
  const lines = [`From keepalived vrrp_instance ${inst.name}.`];
  const state = inst.initialState === "master" ? ", state MASTER" : "";
  lines.push(`Priorities are per node, so they need nodes and are not set here (this node had priority ${inst.priority}${state}).`);
  if (inst.source !== undefined)
    lines.push(`This node sent its adverts from ${inst.source} (mcast_src_ip); the operator uses each node's interface address.`);
  if (inst.unicast !== undefined) {
    const source = inst.unicast.source !== undefined ? `source ${inst.unicast.source}, ` : "";
    lines.push(`Unicast peers come from the nodes (this node had ${source}peers ${inst.unicast.peers.join(", ")}).`);
  }
  const notify =
    inst.notify === undefined ? [] : (["any", "master", "backup", "fault", "stop"] as const).filter((k) => inst.notify![k] !== undefined);
  if (notify.length > 0)
    lines.push(`Not carried over: node-local notify commands (${notify.map((k) => (k === "any" ? "notify" : `notify_${k}`)).join(", ")}).`);
  const placed = inst.addresses.filter((a) => a.device !== undefined || a.label !== undefined);
  if (placed.length > 0) {
    const what = placed.map(
      (a) => `${a.address}${a.device !== undefined ? ` dev ${a.device}` : ""}${a.label !== undefined ? ` label ${a.label}` : ""}`,
    );
    lines.push(`Not carried over: per-address device/label (${what.join("; ")}).`);
  }
  if (inst.stateFile !== undefined) lines.push(`Not carried over: node-local state file ${inst.stateFile}.`);
  return lines;
}
