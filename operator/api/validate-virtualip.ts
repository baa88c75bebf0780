/**
 * Validation of a VirtualIP spec: everything crds/virtualip.yaml says with
 * its schema and CEL rules, so the controller rejects invalid objects even
 * where the API server could not check them (older servers, objects built in
 * code). Pure: unknown input in, a VirtualIPConfig or field errors out.
 */
import type { Family } from "../../agent/config/types.js";
import { Reader } from "../../agent/config/reader.js";
import { parseCidr } from "../../agent/config/cidr.js";
import { describe } from "../../agent/config/duration.js";
import {
  DEFAULTS,
  GARP_REPEAT_MAX,
  LOWER_PRIORITY_REPEAT_MIN,
  INTERVAL_LIMITS,
  MAX_ADDRESSES,
  NODE_NAME_MAX,
  NODE_NAMES_MAX,
  MAX_CANDIDATES_MAX,
  PRIORITY_MAX,
  PRIORITY_MIN,
  VRID_MAX,
  VRID_MIN,
  DNS_LABEL,
  DNS_LABEL_MAX,
  DNS_SUBDOMAIN,
  DNS_SUBDOMAIN_MAX,
  SECRET_KEY,
  SECRET_KEY_MAX,
} from "./limits.js";
import type { GarpSettings, Placement, VipAddress, VirtualIPConfig, VirtualIPValidation } from "./virtualip-config.js";
import { readTrack } from "./validate-virtualip-track.js";
import { durationMs, interfaceName, keyPath, mapping, pattern } from "./validate-helpers.js";
import { readNodeSelector } from "./node-selector.js";
import type { Transport } from "./types.js";

type Obj = Record<string, unknown>;

export const SPEC_KEYS = [
  "addresses",
  "interface",
  "virtualRouterID",
  "version",
  "advertisementInterval",
  "nodeSelector",
  "nodeNames",
  "priorities",
  "preferredNodes",
  "preempt",
  "preemptDelay",
  "transport",
  "authentication",
  "track",
  "garp",
  "releaseOnCordon",
  "maxCandidates",
] as const;

export interface ValidateOptions {
  /** Prefix of every field path; default "spec". */
  readonly path?: string;
}

/** Validates `spec` (the VirtualIP's .spec) and applies the defaults. */
export function validateVirtualIPSpec(spec: unknown, options: ValidateOptions = {}): VirtualIPValidation {
  const r = new Reader();
  const p = options.path ?? "spec";
  const config = readSpec(r, spec, p);
  if (r.errors.length > 0 || config === undefined)
    return { ok: false, errors: r.errors.map((e) => ({ field: e.path, message: e.message })) };
  return { ok: true, config };
}

function readSpec(r: Reader, spec: unknown, p: string): VirtualIPConfig | undefined {
  const o = r.object(spec, p, SPEC_KEYS);
  if (o === undefined) return undefined;
  const opt = <T>(key: string, read: (v: unknown, path: string) => T | undefined): T | undefined =>
    o[key] === undefined ? undefined : read(o[key], `${p}.${key}`);

  const addresses = readAddresses(r, o["addresses"], `${p}.addresses`);
  const iface = opt("interface", (v, path) => interfaceName(r, v, path));
  const virtualRouterID = opt("virtualRouterID", (v, path) => r.integer(v, path, VRID_MIN, VRID_MAX));
  const version = o["version"] === undefined ? DEFAULTS.version : version23(r, o["version"], `${p}.version`);
  const families = familiesOf(addresses ?? []);
  if (version === 2 && families.includes(6)) {
    r.fail(`${p}.version`, "IPv6 addresses need VRRP version 3 (VRRPv2 carries IPv4 only)");
  }
  const advertIntervalMs = readInterval(r, o["advertisementInterval"], `${p}.advertisementInterval`, version);
  const nodeSelector = opt("nodeSelector", (v, path) => readNodeSelector(r, v, path)) ?? {};
  const nodeNames = opt("nodeNames", (v, path) => readNodeNames(r, v, path));
  const placement = readPlacement(r, o, p);
  const preempt = opt("preempt", (v, path) => r.boolean(v, path)) ?? DEFAULTS.preempt;
  const preemptDelayMs = durationMs(r, o["preemptDelay"] ?? DEFAULTS.preemptDelay, `${p}.preemptDelay`);
  const transport = opt("transport", (v, path) => readTransport(r, v, path)) ?? DEFAULTS.transport;
  const authentication = opt("authentication", (v, path) => readAuthentication(r, v, path, version));
  const track = o["track"] === undefined ? { scripts: [], interfaces: [], files: [] } : readTrack(r, o["track"], `${p}.track`);
  const garp = readGarp(r, o["garp"] ?? {}, `${p}.garp`);
  const releaseOnCordon = opt("releaseOnCordon", (v, path) => r.boolean(v, path)) ?? DEFAULTS.releaseOnCordon;
  const maxCandidates = opt("maxCandidates", (v, path) => r.integer(v, path, 0, MAX_CANDIDATES_MAX));

  if (addresses === undefined || version === undefined || advertIntervalMs === undefined || placement === undefined) return undefined;
  if (preemptDelayMs === undefined || track === undefined || garp === undefined) return undefined;
  return {
    addresses,
    families,
    ...(iface !== undefined ? { interface: iface } : {}),
    ...(virtualRouterID !== undefined ? { virtualRouterID } : {}),
    version,
    advertIntervalMs,
    nodeSelector,
    ...(nodeNames !== undefined ? { nodeNames } : {}),
    placement,
    preempt,
    preemptDelayMs,
    transport,
    ...(authentication !== undefined ? { authentication } : {}),
    track,
    garp,
    releaseOnCordon,
    ...(maxCandidates !== undefined ? { maxCandidates } : {}),
  };
}

export function familiesOf(addresses: readonly { family: Family }[]): Family[] {
  const out: Family[] = [];
  if (addresses.some((a) => a.family === 4)) out.push(4);
  if (addresses.some((a) => a.family === 6)) out.push(6);
  return out;
}

function readAddresses(r: Reader, value: unknown, path: string): VipAddress[] | undefined {
  if (value === undefined) return r.fail(path, "is required: 1 to 16 addresses in CIDR form, e.g. 192.0.2.5/24");
  const items = r.list(value, path);
  if (items === undefined) return undefined;
  if (items.length === 0) return r.fail(path, "must list at least one address");
  if (items.length > MAX_ADDRESSES) return r.fail(path, `must list at most ${MAX_ADDRESSES} addresses, got ${items.length}`);
  const out: VipAddress[] = [];
  items.forEach((item, i) => {
    const at = `${path}[${i}]`;
    if (typeof item !== "string") return r.fail(at, `must be an address in CIDR form such as "192.0.2.5/24", got ${describe(item)}`);
    const cidr = parseCidr(item);
    if (!cidr.ok) return r.fail(at, cidr.message);
    if (out.some((a) => a.address === cidr.address)) return r.fail(at, `${cidr.address} is listed twice`);
    out.push({ address: cidr.address, family: cidr.family, prefixLength: cidr.prefixLength, cidr: `${cidr.address}/${cidr.prefixLength}` });
    return undefined;
  });
  return out.length === items.length ? out : undefined;
}

function version23(r: Reader, value: unknown, path: string): 2 | 3 | undefined {
  if (value === 2 || value === 3) return value;
  return r.fail(path, `must be 2 or 3, got ${describe(value)}`);
}

function readInterval(r: Reader, value: unknown, path: string, version: 2 | 3 | undefined): number | undefined {
  const ms = durationMs(r, value ?? DEFAULTS.advertisementInterval, path);
  if (ms === undefined || version === undefined) return undefined;
  const limits = INTERVAL_LIMITS[version];
  if (ms < limits.minMs || ms > limits.maxMs) {
    return r.fail(path, `must be between ${limits.minMs}ms and ${limits.maxMs / 1000}s for VRRP version ${version}, got ${ms}ms`);
  }
  if (ms % limits.stepMs !== 0) {
    return r.fail(
      path,
      version === 2
        ? `VRRP version 2 sends whole seconds, got ${ms}ms (use version 3 for sub-second intervals)`
        : `VRRP version 3 sends centiseconds: must be a multiple of 10ms, got ${ms}ms`,
    );
  }
  return ms;
}

function readNodeNames(r: Reader, value: unknown, path: string): string[] | undefined {
  const items = r.list(value, path);
  if (items === undefined) return undefined;
  if (items.length > NODE_NAMES_MAX) return r.fail(path, `must list at most ${NODE_NAMES_MAX} nodes, got ${items.length}`);
  const before = r.errors.length;
  const names: string[] = [];
  items.forEach((item, i) => {
    const name = r.string(item, `${path}[${i}]`);
    if (name === undefined) return;
    if (name.length > NODE_NAME_MAX) r.fail(`${path}[${i}]`, `must be a node name of at most ${NODE_NAME_MAX} characters`);
    else if (names.includes(name)) r.fail(`${path}[${i}]`, `node "${name}" is listed twice`);
    names.push(name);
  });
  return r.errors.length > before ? undefined : names;
}

function readPlacement(r: Reader, o: Obj, p: string): Placement | undefined {
  if (o["priorities"] !== undefined && o["preferredNodes"] !== undefined) {
    return r.fail(`${p}.preferredNodes`, "priorities and preferredNodes are mutually exclusive: set one of them");
  }
  if (o["priorities"] !== undefined) {
    const path = `${p}.priorities`;
    const m = mapping(r, o["priorities"], path);
    if (m === undefined) return undefined;
    const before = r.errors.length;
    const priorities: Record<string, number> = {};
    for (const node of Object.keys(m).sort()) {
      const value = r.integer(m[node], keyPath(path, node), PRIORITY_MIN, PRIORITY_MAX);
      if (value !== undefined) priorities[node] = value;
    }
    if (Object.keys(m).length === 0) r.fail(path, "must give at least one node a priority (or leave priorities out)");
    return r.errors.length > before ? undefined : { kind: "priorities", priorities };
  }
  if (o["preferredNodes"] !== undefined) {
    const path = `${p}.preferredNodes`;
    const items = r.list(o["preferredNodes"], path);
    if (items === undefined) return undefined;
    const before = r.errors.length;
    const nodes: string[] = [];
    items.forEach((item, i) => {
      const name = r.string(item, `${path}[${i}]`);
      if (name === undefined) return;
      if (name.length > NODE_NAME_MAX) r.fail(`${path}[${i}]`, `must be a node name of at most ${NODE_NAME_MAX} characters`);
      if (nodes.includes(name)) r.fail(`${path}[${i}]`, `node "${name}" is listed twice`);
      nodes.push(name);
    });
    if (items.length === 0) r.fail(path, "must list at least one node (or leave preferredNodes out)");
    return r.errors.length > before ? undefined : { kind: "preferred", nodes };
  }
  return { kind: "hash" };
}

function readTransport(r: Reader, value: unknown, path: string): Transport | undefined {
  if (value === "unicast" || value === "multicast") return value;
  return r.fail(path, `must be "unicast" or "multicast", got ${describe(value)}`);
}

function readAuthentication(r: Reader, value: unknown, path: string, version: 2 | 3 | undefined): VirtualIPConfig["authentication"] {
  const o = r.object(value, path, ["secretRef"]);
  if (o === undefined) return undefined;
  if (version !== 2) return r.fail(path, "authentication exists in VRRP version 2 only (RFC 5798 removed it); set version: 2");
  const refPath = `${path}.secretRef`;
  if (o["secretRef"] === undefined) return r.fail(refPath, "is required: the Secret holding the password");
  const ref = r.object(o["secretRef"], refPath, ["name", "namespace", "key"]);
  if (ref === undefined) return undefined;
  const before = r.errors.length;
  const name = pattern(r, ref["name"], `${refPath}.name`, DNS_SUBDOMAIN, DNS_SUBDOMAIN_MAX, "a Secret name");
  const namespace =
    ref["namespace"] === undefined
      ? undefined
      : pattern(r, ref["namespace"], `${refPath}.namespace`, DNS_LABEL, DNS_LABEL_MAX, "a namespace name");
  const key =
    ref["key"] === undefined
      ? DEFAULTS.secretKey
      : pattern(r, ref["key"], `${refPath}.key`, SECRET_KEY, SECRET_KEY_MAX, "a Secret data key");
  if (r.errors.length > before || name === undefined || key === undefined) return undefined;
  return { secretRef: { name, ...(namespace !== undefined ? { namespace } : {}), key } };
}

function readGarp(r: Reader, value: unknown, path: string): GarpSettings | undefined {
  const o = r.object(value, path, ["repeat", "delay", "refresh", "refreshRepeat", "interval", "lowerPriorityRepeat", "lowerPriorityDelay"]);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const count = (key: string, fallback: number | undefined) =>
    o[key] === undefined ? fallback : r.integer(o[key], `${path}.${key}`, 1, GARP_REPEAT_MAX);
  const time = (key: string, fallback: string | undefined) =>
    o[key] === undefined && fallback === undefined ? undefined : durationMs(r, o[key] ?? fallback, `${path}.${key}`);
  const repeat = count("repeat", DEFAULTS.garp.repeat);
  const delayMs = time("delay", DEFAULTS.garp.delay);
  const refreshMs = time("refresh", DEFAULTS.garp.refresh);
  const refreshRepeat = count("refreshRepeat", undefined);
  const intervalMs = time("interval", undefined);
  const lowerPriorityRepeat =
    o["lowerPriorityRepeat"] === undefined
      ? undefined
      : r.integer(o["lowerPriorityRepeat"], `${path}.lowerPriorityRepeat`, LOWER_PRIORITY_REPEAT_MIN, GARP_REPEAT_MAX);
  const lowerPriorityDelayMs = time("lowerPriorityDelay", undefined);
  if (r.errors.length > before) return undefined;
  return {
    repeat: repeat!,
    delayMs: delayMs!,
    refreshMs: refreshMs!,
    ...(refreshRepeat !== undefined ? { refreshRepeat } : {}),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(lowerPriorityRepeat !== undefined ? { lowerPriorityRepeat } : {}),
    ...(lowerPriorityDelayMs !== undefined ? { lowerPriorityDelayMs } : {}),
  };
}
