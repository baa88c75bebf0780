/**
 * Compact unicast peers in a VRRPNode (pure). The controller writes each
 * distinct peer list of a node once, in `spec.peerSets`, and an instance
 * names one with `unicast.peerSet`, so a VRRPNode grows with its routers
 * plus its distinct peer lists, never with routers × peers (issue 15):
 *
 *   peerSets:
 *     - {name: p1, source: 192.0.2.1, peers: [192.0.2.2, 192.0.2.3]}
 *   instances:
 *     - {name: vrid-1, ..., unicast: {peerSet: p1}}
 *
 * This turns that form back into the inline one the agent's validator reads
 * (`unicast: {source, peers}`), so the rest of the agent sees the same
 * InstanceConfig either way; a spec in the inline form (an older controller)
 * passes through unchanged.
 *
 * Errors follow the VRRPNode rule that one bad instance never blocks the
 * others: a reference to a missing or broken peer set refuses the instance
 * that makes it (at `instances[i].unicast.peerSet`, saying why); only a
 * `peerSets` that is not a list of named entries refuses the whole spec.
 */
import type { ConfigError } from "../config/validate.js";
import { parseHost } from "../config/cidr.js";
import { describe } from "../config/duration.js";

type Obj = Record<string, unknown>;

export type PeerSetsOutcome = { readonly doc: unknown; readonly errors: readonly ConfigError[] };

interface PeerSet {
  readonly source?: string;
  readonly peers: readonly string[];
}

const SET_KEYS = ["name", "source", "peers"];

/** `doc` with every `unicast.peerSet` replaced by the set's source and peers, and `peerSets` taken out. */
export function expandPeerSets(doc: unknown): PeerSetsOutcome {
  if (!isObject(doc) || doc["peerSets"] === undefined) return { doc, errors: [] };
  const { peerSets: raw, ...rest } = doc;
  if (!Array.isArray(raw)) return { doc: rest, errors: [{ path: "peerSets", message: `must be a list, got ${describe(raw)}` }] };
  const errors: ConfigError[] = [];
  // name -> the set, or why it cannot be used (then each instance naming it is refused with that reason).
  const sets = new Map<string, PeerSet | string>();
  raw.forEach((item, k) => {
    const path = `peerSets[${k}]`;
    const name = isObject(item) ? item["name"] : undefined;
    if (typeof name !== "string" || name.length === 0) {
      errors.push({ path: `${path}.name`, message: `must be a non-empty string, got ${describe(name)}` });
      return;
    }
    if (sets.has(name)) {
      sets.set(name, `peer set "${name}" is defined twice in peerSets`);
      return;
    }
    const set = readSet(item as Obj, path);
    sets.set(name, typeof set === "string" ? `peer set "${name}" is invalid: ${set}` : set);
  });
  if (errors.length > 0) return { doc: rest, errors };
  const instances = rest["instances"];
  if (!Array.isArray(instances)) return { doc: rest, errors: [] };
  const expanded = instances.map((inst, i) => {
    const unicast = isObject(inst) ? inst["unicast"] : undefined;
    if (!isObject(unicast) || unicast["peerSet"] === undefined) return inst;
    const path = `instances[${i}].unicast.peerSet`;
    const name = unicast["peerSet"];
    if (unicast["peers"] !== undefined) {
      errors.push({ path, message: "give peers or peerSet, not both" });
      return inst;
    }
    const set = typeof name === "string" ? sets.get(name) : undefined;
    if (set === undefined || typeof set === "string") {
      errors.push({ path, message: set ?? `no peer set ${describe(name)} in peerSets` });
      return inst;
    }
    const { peerSet: _, ...own } = unicast;
    // The instance's own source, if it gives one, wins over the set's.
    const source = own["source"] ?? set.source;
    return { ...(inst as Obj), unicast: { ...own, ...(source !== undefined ? { source } : {}), peers: set.peers } };
  });
  return { doc: { ...rest, instances: expanded }, errors };
}

/** A peer set's contents, or why it cannot be used. */
function readSet(item: Obj, path: string): PeerSet | string {
  const unknown = Object.keys(item).find((key) => !SET_KEYS.includes(key));
  if (unknown !== undefined) return `${path}.${unknown}: unknown field (allowed: ${SET_KEYS.join(", ")})`;
  const source = item["source"];
  if (source !== undefined) {
    const parsed = parseHost(source);
    if (!parsed.ok) return `${path}.source: ${parsed.message}`;
  }
  const peers = item["peers"];
  if (!Array.isArray(peers)) return `${path}.peers: must be a list, got ${describe(peers)}`;
  for (const [j, peer] of peers.entries()) {
    const parsed = parseHost(peer);
    if (!parsed.ok) return `${path}.peers[${j}]: ${parsed.message}`;
  }
  return { ...(typeof source === "string" ? { source } : {}), peers: peers as string[] };
}

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
