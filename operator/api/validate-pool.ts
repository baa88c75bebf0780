/**
 * Validation of a VirtualIPPool spec: what crds/virtualippool.yaml checks,
 * and what its schema cannot (each entry parsed as a CIDR or range, entries
 * of one pool not overlapping). Overlaps between pools and with VirtualIPs
 * are the planner's (operator/lb/pools.ts). Pure.
 */
import { Reader } from "../../agent/config/reader.js";
import { describe } from "../../agent/config/duration.js";
import { overlaps, parseRange, type AddressRange } from "./ranges.js";
import {
  INTERVAL_LIMITS,
  MAX_CANDIDATES_MAX,
  POOL_ENTRY_MESSAGE,
  POOL_INTERFACES_MAX,
  POOL_ENTRY_PATTERN,
  TRACK_LIST_MAX,
} from "./limits.js";
import { readNodeSelector } from "./node-selector.js";
import { POOL_MAX_ENTRIES, type PoolConfig } from "./pool.js";
import type { LabelSelector, LabelSelectorRequirement } from "./types.js";
import type { FieldError } from "./virtualip-config.js";
import { durationMs, interfaceName, stringMap } from "./validate-helpers.js";
import { readRequirement } from "./validate-virtualip-track.js";

export type PoolValidation =
  | { readonly ok: true; readonly config: PoolConfig }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

export function validatePoolSpec(spec: unknown, path = "spec"): PoolValidation {
  const r = new Reader();
  const o = r.object(spec, path, [
    "addresses",
    "autoAssign",
    "advertisementInterval",
    "transport",
    "maxCandidates",
    "nodeSelector",
    "interfaces",
    "serviceSelector",
    "namespaceSelector",
  ]);
  const ranges = o === undefined ? undefined : readRanges(r, o["addresses"], `${path}.addresses`);
  const autoAssign = o?.["autoAssign"] === undefined ? true : r.boolean(o["autoAssign"], `${path}.autoAssign`);
  const interval =
    o?.["advertisementInterval"] === undefined ? undefined : readInterval(r, o["advertisementInterval"], `${path}.advertisementInterval`);
  const transport =
    o?.["transport"] === undefined
      ? undefined
      : o["transport"] === "unicast" || o["transport"] === "multicast"
        ? o["transport"]
        : r.fail(`${path}.transport`, `must be "unicast" or "multicast", got ${describe(o["transport"])}`);
  const maxCandidates =
    o?.["maxCandidates"] === undefined ? undefined : r.integer(o["maxCandidates"], `${path}.maxCandidates`, 0, MAX_CANDIDATES_MAX);
  const nodeSelector = o?.["nodeSelector"] === undefined ? {} : readNodeSelector(r, o["nodeSelector"], `${path}.nodeSelector`);
  const interfaces = o?.["interfaces"] === undefined ? undefined : readInterfaces(r, o["interfaces"], `${path}.interfaces`);
  const serviceSelector =
    o?.["serviceSelector"] === undefined ? undefined : readSelector(r, o["serviceSelector"], `${path}.serviceSelector`);
  const namespaceSelector =
    o?.["namespaceSelector"] === undefined ? undefined : readSelector(r, o["namespaceSelector"], `${path}.namespaceSelector`);
  if (r.errors.length > 0 || ranges === undefined || autoAssign === undefined || nodeSelector === undefined) {
    return { ok: false, errors: r.errors.map((e) => ({ field: e.path, message: e.message })) };
  }
  const families = ([4, 6] as const).filter((f) => ranges.some((range) => range.family === f));
  return {
    ok: true,
    config: {
      ranges,
      families,
      autoAssign,
      nodeSelector,
      ...(interval !== undefined ? { advertisementInterval: interval } : {}),
      ...(transport !== undefined ? { transport } : {}),
      ...(maxCandidates !== undefined ? { maxCandidates } : {}),
      ...(interfaces !== undefined ? { interfaces } : {}),
      ...(serviceSelector !== undefined ? { serviceSelector } : {}),
      ...(namespaceSelector !== undefined ? { namespaceSelector } : {}),
    },
  };
}

function readRanges(r: Reader, value: unknown, path: string): AddressRange[] | undefined {
  if (value === undefined) return r.fail(path, 'is required: CIDRs ("192.0.2.64/28") or ranges ("192.0.2.10-192.0.2.20")');
  const items = r.list(value, path);
  if (items === undefined) return undefined;
  if (items.length === 0) return r.fail(path, "must list at least one CIDR or range");
  if (items.length > POOL_MAX_ENTRIES) return r.fail(path, `must list at most ${POOL_MAX_ENTRIES} entries, got ${items.length}`);
  const out: AddressRange[] = [];
  const before = r.errors.length;
  items.forEach((item, i) => {
    const at = `${path}[${i}]`;
    if (typeof item !== "string") return r.fail(at, `must be a CIDR or range such as "192.0.2.64/28", got ${describe(item)}`);
    if (!POOL_ENTRY_PATTERN.test(item)) return r.fail(at, POOL_ENTRY_MESSAGE);
    const parsed = parseRange(item.replace(/\s+/g, ""));
    if (!parsed.ok) return r.fail(at, parsed.message);
    const other = out.findIndex((o) => overlaps(o, parsed.range));
    if (other >= 0) return r.fail(at, `"${item}" overlaps ${path}[${other}] ("${out[other]!.text}")`);
    out.push({ ...parsed.range, text: item });
    return undefined;
  });
  return r.errors.length > before ? undefined : out;
}

/** Interface names, each once, in the order written (the first a node has is the one used; see lb/plan.ts). */
function readInterfaces(r: Reader, value: unknown, path: string): string[] | undefined {
  const items = r.list(value, path);
  if (items === undefined) return undefined;
  if (items.length === 0) return r.fail(path, "must list at least one interface name (leave it out to announce on any interface)");
  if (items.length > POOL_INTERFACES_MAX) return r.fail(path, `must list at most ${POOL_INTERFACES_MAX} interfaces, got ${items.length}`);
  const before = r.errors.length;
  const out: string[] = [];
  items.forEach((item, i) => {
    const name = interfaceName(r, item, `${path}[${i}]`);
    if (name === undefined) return;
    const first = out.indexOf(name);
    if (first >= 0) r.fail(`${path}[${i}]`, `"${name}" repeats ${path}[${first}]`);
    out.push(name);
  });
  return r.errors.length > before ? undefined : out;
}

/** A VRRPv3 interval (the VirtualIPs the load balancer owns use version 3). */
function readInterval(r: Reader, value: unknown, path: string): string | undefined {
  const ms = durationMs(r, value, path);
  if (ms === undefined) return undefined;
  const limits = INTERVAL_LIMITS[3];
  if (ms < limits.minMs || ms > limits.maxMs || ms % limits.stepMs !== 0) {
    return r.fail(path, `must be ${limits.minMs}ms to ${limits.maxMs / 1000}s in steps of ${limits.stepMs}ms, got ${ms}ms`);
  }
  return value as string;
}

/** A metav1.LabelSelector; empty selects everything (as in Kubernetes). */
function readSelector(r: Reader, value: unknown, path: string): LabelSelector | undefined {
  const o = r.object(value, path, ["matchLabels", "matchExpressions"]);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const matchLabels = o["matchLabels"] === undefined ? undefined : stringMap(r, o["matchLabels"], `${path}.matchLabels`);
  const list = o["matchExpressions"] === undefined ? undefined : r.list(o["matchExpressions"], `${path}.matchExpressions`);
  if (list !== undefined && list.length > TRACK_LIST_MAX)
    r.fail(`${path}.matchExpressions`, `must list at most ${TRACK_LIST_MAX} requirements`);
  const matchExpressions = list?.map((item, i) => readRequirement(r, item, `${path}.matchExpressions[${i}]`));
  if (r.errors.length > before) return undefined;
  return {
    ...(matchLabels !== undefined ? { matchLabels } : {}),
    ...(matchExpressions !== undefined ? { matchExpressions: matchExpressions as LabelSelectorRequirement[] } : {}),
  };
}
