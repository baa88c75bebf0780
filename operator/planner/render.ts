/**
 * Rendering: the routers the planner decided on, as each node's VRRPNode
 * spec, in the YAML form of the agent's config. Deterministic: keys in a
 * fixed order, instances / scripts / track files sorted by name, peers in
 * node-name order, durations in canonical form ("1s", "100ms", "0s").
 *
 * Per router and node (a router carries the addresses of every VirtualIP packed into it, pack.ts):
 *   name            `vrid-<N>` (IPv4) or `vrid-<N>-v6`, then `-<interface>` when the VirtualIPs name one:
 *                   it depends on nothing that changes while the router runs, so VirtualIPs come and go
 *                   without renaming (re-creating) it
 *   interface       only when the VirtualIPs name one (else the agent picks it from the address)
 *   addresses       the members' CIDRs of the router's family, as many as one advert carries
 *   excludedAddresses  the rest, when there are more (absent otherwise; pack.ts, "Overflow")
 *   unicast         {peerSet: <name>} for transport unicast: the node's `peerSets` list each distinct
 *                   {source: the node's InternalIP, peers: the other candidates' InternalIPs} once,
 *                   named p1, p2, ... in the order the sorted instances first use them, so a VRRPNode
 *                   never repeats a peer list (a lone node's set has no peers)
 *   authentication  {type: pass, secretRef} (version 2); the password stays in the Secret
 *   track           scripts, files and HTTP checks as top-level `scripts` / `trackFiles` /
 *                   `httpChecks` entries named
 *                   `<vip>/<name>` (no VirtualIP name contains "/", so they cannot clash),
 *                   interfaces and pods as given
 */
import type { Family } from "../../agent/config/types.js";
import { formatDuration } from "../../agent/config/duration.js";
import type {
  AgentConfigDocument,
  AgentHttpCheckDocument,
  AgentInstanceDocument,
  AgentPeerSetDocument,
  AgentScriptDocument,
  AgentTrackFileDocument,
  NodeSummary,
} from "../api/types.js";
import type { VirtualIPConfig } from "../api/virtualip-config.js";
import { compareNames } from "./age.js";

export interface RouterPlan {
  readonly family: Family;
  /** Agent instance name. */
  readonly instance: string;
  /** Nodes that run this router, sorted by name. */
  readonly nodes: readonly NodeSummary[];
  /** CIDRs its adverts carry. */
  readonly addresses: readonly string[];
  /** CIDRs beyond what one advert carries: held by the master, in no advert (pack.ts, "Overflow"). */
  readonly excluded?: readonly string[];
}

/** One router (a VRID, one instance per family) and the settings its members share. */
export interface RouterRender {
  /** Its first member: names the top-level scripts, files and HTTP checks of a router of its own. */
  readonly name: string;
  readonly config: VirtualIPConfig;
  readonly vrid: number;
  readonly priorities: Readonly<Record<string, number>>;
  readonly routers: readonly RouterPlan[];
}

export interface RenderOptions {
  /** Namespace for secretRefs that name none. */
  readonly secretNamespace: string;
}

/** The agent instance of a router: `vrid-<N>`, `vrid-<N>-v6`, with `-<interface>` when one is named. */
export function routerName(vrid: number, family: Family, iface: string | undefined): string {
  return `vrid-${vrid}${family === 6 ? "-v6" : ""}${iface === undefined ? "" : `-${iface}`}`;
}

/** `<vip>` for IPv4 and single-family IPv6 routers, `<vip>-v6` for the IPv6 router of a dual-stack VirtualIP. */
export function instanceName(vip: string, family: Family, families: readonly Family[]): string {
  return family === 6 && families.length > 1 ? `${vip}-v6` : vip;
}

/** A duration as the CRD and the agent read it; zero as "0s". */
export function durationText(ms: number): string {
  return ms === 0 ? "0s" : formatDuration(ms);
}

interface NodeParts {
  readonly scripts: AgentScriptDocument[];
  readonly trackFiles: AgentTrackFileDocument[];
  readonly httpChecks: AgentHttpCheckDocument[];
  readonly instances: AgentInstanceDocument[];
  /** The unicast peers of each unicast instance, turned into a peer set reference at the end. */
  readonly unicast: Map<AgentInstanceDocument, Unicast>;
}

/** The VRRPNode spec of every node in `nodes` (nodes running nothing get `{instances: []}`). */
export function renderNodes(
  nodes: readonly NodeSummary[],
  vips: readonly RouterRender[],
  options: RenderOptions,
): Map<string, AgentConfigDocument> {
  const parts = new Map<string, NodeParts>(
    nodes.map((n) => [n.name, { scripts: [], trackFiles: [], httpChecks: [], instances: [], unicast: new Map() }]),
  );
  // VirtualIPs on the same nodes share their unicast blocks (n² work once per node set, not per VirtualIP).
  const unicastCache = new Map<string, Map<string, Unicast>>();
  for (const vip of vips) {
    const shared = sharedParts(vip, options);
    const withVip = new Set<string>();
    for (const router of vip.routers) {
      const addresses = router.addresses;
      let unicast: Map<string, Unicast> | undefined;
      if (vip.config.transport === "unicast") {
        const key = `${router.family}/${router.nodes.map((n) => n.name).join(",")}`;
        unicast = unicastCache.get(key) ?? unicastBlocks(router);
        unicastCache.set(key, unicast);
      }
      for (const node of router.nodes) {
        const part = parts.get(node.name);
        if (part === undefined) continue;
        const peers = unicast?.get(node.name);
        const doc = instance(vip, router.instance, vip.priorities[node.name]!, addresses, router.excluded ?? [], peers, shared);
        part.instances.push(doc);
        if (peers !== undefined) part.unicast.set(doc, peers);
        withVip.add(node.name);
      }
    }
    for (const name of withVip) {
      const part = parts.get(name)!;
      for (const script of shared.scripts) part.scripts.push(script);
      for (const file of shared.trackFiles) part.trackFiles.push(file);
      for (const check of shared.httpChecks) part.httpChecks.push(check);
    }
  }
  const out = new Map<string, AgentConfigDocument>();
  for (const node of [...nodes].sort((a, b) => compareNames(a.name, b.name))) {
    const part = parts.get(node.name)!;
    const byName = (a: { name: string }, b: { name: string }) => compareNames(a.name, b.name);
    const instances = part.instances.sort(byName);
    const peerSets = referencePeerSets(instances, part.unicast);
    out.set(node.name, {
      ...(part.scripts.length > 0 ? { scripts: part.scripts.sort(byName) } : {}),
      ...(part.trackFiles.length > 0 ? { trackFiles: part.trackFiles.sort(byName) } : {}),
      ...(part.httpChecks.length > 0 ? { httpChecks: part.httpChecks.sort(byName) } : {}),
      ...(peerSets.length > 0 ? { peerSets } : {}),
      instances,
    });
  }
  return out;
}

/** A unicast instance's source and peers, before it is written as a peer set reference. */
interface Unicast {
  readonly source: string;
  readonly peers: readonly string[];
}

/**
 * For each node of a unicast router that has an InternalIP of its family:
 * {source: that address, peers: the other nodes' addresses (node-name order)}.
 * A lone node gets an empty peer list: it advertises to nobody (and takes
 * the address after Master_Down_Interval), rather than falling back to multicast.
 */
function unicastBlocks(router: RouterPlan): Map<string, Unicast> {
  const key = router.family === 4 ? "v4" : "v6";
  const all = router.nodes.flatMap((n) => (n.internalIPs[key] !== undefined ? [{ name: n.name, ip: n.internalIPs[key]! }] : []));
  const out = new Map<string, Unicast>();
  for (const self of all) out.set(self.name, { source: self.ip, peers: all.filter((p) => p.name !== self.name).map((p) => p.ip) });
  return out;
}

/**
 * One node's peer sets: each distinct (source, peers) once, named p1, p2, ...
 * in the order the (sorted) instances first use them; each unicast instance
 * gets `unicast: {peerSet}`. A spec then grows with routers plus distinct
 * peer lists, not with routers × peers.
 */
function referencePeerSets(
  instances: readonly AgentInstanceDocument[],
  unicast: ReadonlyMap<AgentInstanceDocument, Unicast>,
): AgentPeerSetDocument[] {
  const sets = new Map<string, AgentPeerSetDocument>();
  for (const doc of instances) {
    const block = unicast.get(doc);
    if (block === undefined) continue;
    const key = `${block.source} ${block.peers.join(",")}`;
    let set = sets.get(key);
    if (set === undefined) {
      set = { name: `p${sets.size + 1}`, source: block.source, peers: block.peers };
      sets.set(key, set);
    }
    (doc as Writable<AgentInstanceDocument>).unicast = { peerSet: set.name };
  }
  return [...sets.values()];
}

interface SharedParts {
  readonly advertisementInterval: string;
  readonly preemptDelay: string;
  readonly scripts: readonly AgentScriptDocument[];
  readonly trackFiles: readonly AgentTrackFileDocument[];
  readonly httpChecks: readonly AgentHttpCheckDocument[];
  readonly track: AgentInstanceDocument["track"];
  readonly garp: AgentInstanceDocument["garp"];
  readonly authentication: AgentInstanceDocument["authentication"];
}

/** What every instance of one VirtualIP has in common. */
function sharedParts(vip: RouterRender, options: RenderOptions): SharedParts {
  const { config, name } = vip;
  const scripts = config.track.scripts.map(
    (s): AgentScriptDocument => ({
      name: `${name}/${s.name}`,
      command: s.command,
      interval: durationText(s.intervalMs),
      ...(s.timeoutMs !== undefined ? { timeout: durationText(s.timeoutMs) } : {}),
      weight: s.weight,
      reverse: s.reverse,
      fall: s.fall,
      rise: s.rise,
      initFail: s.initFail,
      ...(s.user !== undefined ? { user: s.user } : {}),
    }),
  );
  const trackFiles = config.track.files.map((f): AgentTrackFileDocument => ({ name: `${name}/${f.name}`, path: f.path, weight: f.weight }));
  const httpChecks = (config.track.httpChecks ?? []).map(
    (c): AgentHttpCheckDocument => ({
      name: `${name}/${c.name}`,
      url: c.url,
      interval: durationText(c.intervalMs),
      timeout: durationText(c.timeoutMs),
      weight: c.weight,
      fall: c.fall,
      rise: c.rise,
      ...(c.tls !== undefined ? { tls: { ...c.tls } } : {}),
    }),
  );
  const { pods, interfaces, files } = config.track;
  const track = {
    ...(scripts.length > 0 ? { scripts: scripts.map((s) => ({ name: s.name })) } : {}),
    ...(interfaces.length > 0 ? { interfaces: interfaces.map((i) => ({ ...i })) } : {}),
    ...(files.length > 0 ? { files: files.map((f) => ({ name: `${name}/${f.name}`, ...(f.reverse ? { reverse: true } : {}) })) } : {}),
    ...(httpChecks.length > 0 ? { httpChecks: httpChecks.map((c) => ({ name: c.name })) } : {}),
    ...(pods !== undefined ? { pods: { namespace: pods.namespace, selector: pods.selector, weight: pods.weight } } : {}),
  };
  const g = config.garp;
  const garp = {
    repeat: g.repeat,
    delay: durationText(g.delayMs),
    refresh: durationText(g.refreshMs),
    ...(g.refreshRepeat !== undefined ? { refreshRepeat: g.refreshRepeat } : {}),
    ...(g.intervalMs !== undefined ? { interval: durationText(g.intervalMs) } : {}),
    ...(g.lowerPriorityRepeat !== undefined ? { lowerPriorityRepeat: g.lowerPriorityRepeat } : {}),
    ...(g.lowerPriorityDelayMs !== undefined ? { lowerPriorityDelay: durationText(g.lowerPriorityDelayMs) } : {}),
  };
  const ref = config.authentication?.secretRef;
  const authentication =
    ref === undefined
      ? undefined
      : { type: "pass" as const, secretRef: { name: ref.name, namespace: ref.namespace ?? options.secretNamespace, key: ref.key } };
  return {
    advertisementInterval: durationText(config.advertIntervalMs),
    preemptDelay: durationText(config.preemptDelayMs),
    scripts,
    trackFiles,
    httpChecks,
    track: Object.keys(track).length > 0 ? track : undefined,
    garp,
    authentication,
  };
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** One instance, keys in the agent's order; built by assignment, as this runs once per router and node. */
function instance(
  vip: RouterRender,
  name: string,
  priority: number,
  addresses: readonly string[],
  excluded: readonly string[],
  unicast: Unicast | undefined,
  shared: SharedParts,
): AgentInstanceDocument {
  const { config } = vip;
  const doc = { name } as Writable<AgentInstanceDocument>;
  if (config.interface !== undefined) doc.interface = config.interface;
  doc.virtualRouterID = vip.vrid;
  doc.version = config.version;
  doc.priority = priority;
  doc.advertisementInterval = shared.advertisementInterval;
  doc.preempt = config.preempt;
  doc.preemptDelay = shared.preemptDelay;
  doc.addresses = addresses;
  if (excluded.length > 0) doc.excludedAddresses = excluded;
  if (shared.authentication !== undefined) doc.authentication = shared.authentication;
  // Its place in the key order; the peer set's name is filled in once the node's instances are sorted.
  if (unicast !== undefined) doc.unicast = { peerSet: "" };
  doc.garp = shared.garp;
  if (shared.track !== undefined) doc.track = shared.track;
  return doc;
}
