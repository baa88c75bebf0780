/**
 * Turns untrusted input (parsed YAML, a converted keepalived.conf, a VRRPNode
 * spec) into an AgentConfig, or into a list of errors that each name the
 * field path and the reason. Pure; nothing is applied unless this succeeds.
 */
import type { AgentConfig, Authentication, Garp, InstanceConfig, Unicast, VirtualAddress } from "./types.js";
import { DEFAULT_GARP, NO_TRACKING } from "./types.js";
import { readNotify, readScripts, readStateFile, readTrackFiles, readTracking, checkTrackReferences } from "./validate-tracking.js";
import { describe } from "./duration.js";
import { Reader, type ConfigError } from "./reader.js";
import { parseCidr, parseHost } from "./cidr.js";
import { readHttpChecks } from "./validate-http.js";
import { readRoutes } from "./validate-routes.js";
import { readRules } from "./validate-rules.js";
import { readVmac } from "./validate-vmac.js";
import { readSyncGroups } from "./validate-sync.js";
import { readTrackProcesses } from "./validate-process.js";
import { readNotifyFifos } from "./validate-fifo.js";
import { readMulticastGroups, withMulticastGroups } from "./validate-multicast.js";
import { INTERVAL_LIMITS } from "../vrrp/timing.js";
import { RENAMED_INSTANCE_FIELDS, readRenamed } from "./renamed-fields.js";

export type { ConfigError };

export type ValidationResult =
  | {
      readonly ok: true;
      readonly config: AgentConfig;
      /** Fields written in an old spelling (renamed-fields.ts): read, but worth a warning. */
      readonly deprecated?: readonly ConfigError[];
    }
  | { readonly ok: false; readonly errors: readonly ConfigError[] };

const INSTANCE_KEYS = [
  "name",
  "interface",
  "virtualRouterID",
  "version",
  "priority",
  "advertisementInterval",
  "preempt",
  ...RENAMED_INSTANCE_FIELDS.map((f) => f.old),
  "preemptDelay",
  "initialState",
  "addresses",
  "authentication",
  "source",
  "unicast",
  "garp",
  "track",
  "notify",
  "stateFile",
  "routes",
  "rules",
  "trackInterface",
  "promoteSecondaries",
  "vmac",
  "excludedAddresses",
] as const;

export interface ValidateOptions {
  /** Running as `floatip agent --kubernetes`: pod tracking is available and a node may have no instances. */
  readonly kubernetes?: boolean;
}

export function validateAgentConfig(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const r = new Reader();
  const root = r.object(input, "config", [
    "scripts",
    "trackFiles",
    "httpChecks",
    "trackProcesses",
    "instances",
    "syncGroups",
    "staticRoutes",
    "staticRules",
    "startupDelay",
    "notifyFifos",
    "multicastGroups",
    "staticAddresses",
  ]);
  const scripts = root?.["scripts"] === undefined ? [] : readScripts(r, root["scripts"], "scripts");
  const trackFiles = root?.["trackFiles"] === undefined ? [] : readTrackFiles(r, root["trackFiles"], "trackFiles");
  const httpChecks = root?.["httpChecks"] === undefined ? undefined : readHttpChecks(r, root["httpChecks"], "httpChecks");
  const trackProcesses =
    root?.["trackProcesses"] === undefined ? undefined : readTrackProcesses(r, root["trackProcesses"], "trackProcesses");
  const staticRoutes = root?.["staticRoutes"] === undefined ? undefined : readRoutes(r, root["staticRoutes"], "staticRoutes");
  const staticRules = root?.["staticRules"] === undefined ? undefined : readRules(r, root["staticRules"], "staticRules");
  const list = root === undefined ? undefined : r.list(root["instances"], "instances");
  const instances: InstanceConfig[] = [];
  // The list index of each valid instance, so errors across instances name the right one.
  const indices: number[] = [];
  const invalidNames = new Set<string>();
  list?.forEach((raw, i) => {
    const instance = readInstance(r, raw, `instances[${i}]`);
    if (instance !== undefined) {
      instances.push(instance);
      indices.push(i);
    } else if (typeof (raw as { name?: unknown } | null)?.name === "string") invalidNames.add((raw as { name: string }).name);
  });
  if (list !== undefined && list.length === 0 && options.kubernetes !== true) r.fail("instances", "must list at least one instance");
  checkUnique(r, instances, indices);
  const trackables = { scripts: scripts ?? [], files: trackFiles ?? [], httpChecks: httpChecks ?? [], processes: trackProcesses ?? [] };
  checkTrackReferences(r, instances, trackables, indices);
  // Replaces members by copies that carry the group's tracking and name.
  const syncGroups =
    root?.["syncGroups"] === undefined
      ? undefined
      : readSyncGroups(r, root["syncGroups"], "syncGroups", { instances, indices, trackables, invalidNames });
  const startupDelayMs = root?.["startupDelay"] === undefined ? undefined : r.duration(root["startupDelay"], "startupDelay");
  const notifyFifos = root?.["notifyFifos"] === undefined ? undefined : readNotifyFifos(r, root["notifyFifos"], "notifyFifos");
  const staticAddresses =
    root?.["staticAddresses"] === undefined ? undefined : readStaticAddresses(r, root["staticAddresses"], "staticAddresses", instances);
  const multicastGroups =
    root?.["multicastGroups"] === undefined ? undefined : readMulticastGroups(r, root["multicastGroups"], "multicastGroups");
  if (options.kubernetes !== true) {
    instances.forEach((inst, i) => {
      if (inst.track.pods !== undefined) r.fail(`instances[${i}].track.pods`, "pod tracking needs `floatip agent --kubernetes`");
    });
  }
  if (r.errors.length > 0) return { ok: false, errors: r.errors };
  return {
    ok: true,
    ...(r.deprecated.length > 0 ? { deprecated: r.deprecated } : {}),
    config: {
      scripts: scripts ?? [],
      trackFiles: trackFiles ?? [],
      ...(httpChecks !== undefined ? { httpChecks } : {}),
      ...(trackProcesses !== undefined && trackProcesses.length > 0 ? { trackProcesses } : {}),
      instances: withMulticastGroups(instances, multicastGroups),
      ...(syncGroups !== undefined && syncGroups.length > 0 ? { syncGroups } : {}),
      ...(staticAddresses !== undefined && staticAddresses.length > 0 ? { staticAddresses } : {}),
      ...(staticRoutes !== undefined && staticRoutes.length > 0 ? { staticRoutes } : {}),
      ...(staticRules !== undefined && staticRules.length > 0 ? { staticRules } : {}),
      ...(startupDelayMs !== undefined && startupDelayMs > 0 ? { startupDelayMs } : {}),
      ...(notifyFifos !== undefined && notifyFifos.length > 0 ? { notifyFifos } : {}),
      ...(multicastGroups !== undefined && Object.keys(multicastGroups).length > 0 ? { multicastGroups } : {}),
    },
  };
}

function readInstance(r: Reader, raw: unknown, path: string): InstanceConfig | undefined {
  const o = r.object(raw, path, INSTANCE_KEYS);
  if (o === undefined) return undefined;
  const before = r.errors.length;
  const name = r.string(o["name"], `${path}.name`);
  const iface = r.string(o["interface"], `${path}.interface`);
  const vrid = readRenamed(r, o, "virtualRouterID", path);
  const virtualRouterId = vrid === undefined ? undefined : r.integer(vrid.value, vrid.path, 1, 255);
  const version = o["version"] === undefined ? 3 : r.integer(o["version"], `${path}.version`, 2, 3);
  const priority = o["priority"] === undefined ? 100 : r.integer(o["priority"], `${path}.priority`, 1, 255);
  const preempt = o["preempt"] === undefined ? true : r.boolean(o["preempt"], `${path}.preempt`);
  const preemptDelayMs = o["preemptDelay"] === undefined ? 0 : r.duration(o["preemptDelay"], `${path}.preemptDelay`);
  const initialState = readInitialState(r, o["initialState"], `${path}.initialState`);
  const addresses = readAddresses(r, o["addresses"], `${path}.addresses`);
  const family = addresses?.[0]?.family;
  if (addresses !== undefined && addresses.some((a) => a.family !== family)) {
    r.fail(`${path}.addresses`, "must all be IPv4 or all IPv6 (use one instance per family, as VRRP does)");
  }
  if (version === 2 && family === 6) r.fail(`${path}.version`, "VRRPv2 carries IPv4 only; use version 3 for IPv6 addresses");
  const interval = readRenamed(r, o, "advertisementInterval", path);
  const advertIntervalMs = interval === undefined ? undefined : readInterval(r, interval.value, interval.path, version === 2 ? 2 : 3);
  const authentication =
    o["authentication"] === undefined ? undefined : readAuth(r, o["authentication"], `${path}.authentication`, version);
  const unicast = o["unicast"] === undefined ? undefined : readUnicast(r, o["unicast"], `${path}.unicast`, family);
  const source = o["source"] === undefined ? undefined : readSource(r, o["source"], `${path}.source`, family, o["unicast"] !== undefined);
  const garp = o["garp"] === undefined ? DEFAULT_GARP : readGarp(r, o["garp"], `${path}.garp`);
  const track = o["track"] === undefined ? NO_TRACKING : readTracking(r, o["track"], `${path}.track`);
  const notify = o["notify"] === undefined ? undefined : readNotify(r, o["notify"], `${path}.notify`);
  const stateFile = o["stateFile"] === undefined ? undefined : readStateFile(r, o["stateFile"], `${path}.stateFile`);
  const routes = o["routes"] === undefined ? undefined : readRoutes(r, o["routes"], `${path}.routes`);
  const rules = o["rules"] === undefined ? undefined : readRules(r, o["rules"], `${path}.rules`);
  const vmac = o["vmac"] === undefined ? undefined : readVmac(r, o["vmac"], `${path}.vmac`, virtualRouterId);
  const excludedAddresses =
    o["excludedAddresses"] === undefined ? undefined : readExcluded(r, o["excludedAddresses"], `${path}.excludedAddresses`, addresses);
  const trackInterface = o["trackInterface"] === undefined ? undefined : r.boolean(o["trackInterface"], `${path}.trackInterface`);
  const promoteSecondaries =
    o["promoteSecondaries"] === undefined ? undefined : r.boolean(o["promoteSecondaries"], `${path}.promoteSecondaries`);
  if (r.errors.length > before) return undefined;
  return {
    name: name!,
    interface: iface!,
    virtualRouterId: virtualRouterId!,
    version: version as 2 | 3,
    family: family!,
    priority: priority!,
    advertIntervalMs: advertIntervalMs!,
    preempt: preempt!,
    preemptDelayMs: preemptDelayMs!,
    initialState: initialState!,
    addresses: addresses!,
    ...(authentication !== undefined ? { authentication } : {}),
    ...(unicast !== undefined ? { unicast } : {}),
    ...(source !== undefined ? { source } : {}),
    garp: garp!,
    track: track!,
    ...(notify !== undefined ? { notify } : {}),
    ...(stateFile !== undefined ? { stateFile } : {}),
    ...(routes !== undefined && routes.length > 0 ? { routes } : {}),
    ...(rules !== undefined && rules.length > 0 ? { rules } : {}),
    ...(trackInterface === false ? { trackInterface } : {}),
    ...(promoteSecondaries === true ? { promoteSecondaries } : {}),
    ...(vmac !== undefined ? { vmac } : {}),
    ...(excludedAddresses !== undefined && excludedAddresses.length > 0 ? { excludedAddresses } : {}),
  };
}

function readInitialState(r: Reader, value: unknown, path: string): "backup" | "master" | undefined {
  if (value === undefined) return "backup";
  if (value === "backup" || value === "master") return value;
  return r.fail(path, `must be "backup" or "master", got ${describe(value)}`);
}

function readInterval(r: Reader, value: unknown, path: string, version: 2 | 3): number | undefined {
  const ms = value === undefined ? 1000 : r.duration(value, path);
  if (ms === undefined) return undefined;
  const limits = INTERVAL_LIMITS[version];
  if (ms < limits.minMs || ms > limits.maxMs) {
    return r.fail(path, `must be between ${limits.minMs}ms and ${limits.maxMs / 1000}s for VRRPv${version}, got ${ms}ms`);
  }
  if (ms % limits.stepMs !== 0) {
    return r.fail(
      path,
      version === 2
        ? `VRRPv2 sends whole seconds; got ${ms}ms (use version 3 for sub-second adverts)`
        : `VRRPv3 sends centiseconds; got ${ms}ms`,
    );
  }
  return ms;
}

function readAddresses(r: Reader, value: unknown, path: string): VirtualAddress[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  if (list.length === 0) return r.fail(path, "must list at least one address");
  if (list.length > 255) return r.fail(path, `at most 255 addresses fit in one advert, got ${list.length}`);
  const out: VirtualAddress[] = [];
  list.forEach((item, i) => {
    const address = readAddress(r, item, `${path}[${i}]`);
    if (address === undefined) return;
    if (out.some((a) => a.address === address.address)) r.fail(`${path}[${i}]`, `${address.address} is listed twice`);
    else out.push(address);
  });
  return out.length === list.length ? out : undefined;
}

/** Addresses outside the adverts: any family, none twice, none also a virtual address. */
function readExcluded(
  r: Reader,
  value: unknown,
  path: string,
  addresses: readonly VirtualAddress[] | undefined,
): VirtualAddress[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: VirtualAddress[] = [];
  list.forEach((item, i) => {
    const address = readAddress(r, item, `${path}[${i}]`);
    if (address === undefined) return;
    if (out.some((a) => a.address === address.address)) r.fail(`${path}[${i}]`, `${address.address} is listed twice`);
    else if (addresses?.some((a) => a.address === address.address)) r.fail(`${path}[${i}]`, `${address.address} is also in addresses`);
    else out.push(address);
  });
  return out.length === list.length ? out : undefined;
}

/** keepalived static_ipaddress: each with its device, none twice, none also an instance's (virtual or excluded) address. */
function readStaticAddresses(r: Reader, value: unknown, path: string, instances: readonly InstanceConfig[]): VirtualAddress[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: VirtualAddress[] = [];
  list.forEach((item, i) => {
    const address = readAddress(r, item, `${path}[${i}]`);
    if (address === undefined) return;
    const owner = instances.find((inst) =>
      [...inst.addresses, ...(inst.excludedAddresses ?? [])].some((a) => a.address === address.address),
    );
    if (address.device === undefined)
      r.fail(`${path}[${i}]`, "needs a device (dev IFNAME): a static address belongs to no instance's interface");
    else if (out.some((a) => a.address === address.address)) r.fail(`${path}[${i}]`, `${address.address} is listed twice`);
    else if (owner !== undefined)
      r.fail(`${path}[${i}]`, `${address.address} is also an address of instance ${owner.name}, which removes it when it is not master`);
    else out.push(address);
  });
  return out.length === list.length ? out : undefined;
}

function readAddress(r: Reader, item: unknown, path: string): VirtualAddress | undefined {
  if (typeof item === "string") {
    const cidr = parseCidr(item);
    return cidr.ok ? { address: cidr.address, family: cidr.family, prefixLength: cidr.prefixLength } : r.fail(path, cidr.message);
  }
  const o = r.object(item, path, ["address", "device", "label"]);
  if (o === undefined) return undefined;
  const text = r.string(o["address"], `${path}.address`);
  const cidr = text === undefined ? undefined : parseCidr(text);
  if (cidr !== undefined && !cidr.ok) return r.fail(`${path}.address`, cidr.message);
  const device = o["device"] === undefined ? undefined : r.string(o["device"], `${path}.device`);
  const label = o["label"] === undefined ? undefined : r.string(o["label"], `${path}.label`);
  if (label !== undefined && cidr?.ok && cidr.family === 6) return r.fail(`${path}.label`, "labels exist for IPv4 addresses only");
  if (label !== undefined && label.length > 15) return r.fail(`${path}.label`, "must be at most 15 characters");
  if (cidr === undefined || !cidr.ok) return undefined;
  return {
    address: cidr.address,
    family: cidr.family,
    prefixLength: cidr.prefixLength,
    ...(device !== undefined ? { device } : {}),
    ...(label !== undefined ? { label } : {}),
  };
}

function readAuth(r: Reader, value: unknown, path: string, version: number | undefined): Authentication | undefined {
  const o = r.object(value, path, ["type", "password", "secretRef"]);
  if (o === undefined) return undefined;
  if (o["secretRef"] !== undefined) {
    return r.fail(
      `${path}.secretRef`,
      "Secret references are resolved by `floatip agent --kubernetes`; a standalone config gives the password",
    );
  }
  if (version !== 2) return r.fail(path, "authentication exists in VRRPv2 only (RFC 5798 removed it); set version: 2");
  if (o["type"] !== "pass") return r.fail(`${path}.type`, `must be "pass" (simple text password), got ${describe(o["type"])}`);
  // Never echo the value: a number or boolean here is the password itself.
  const raw = o["password"];
  if (typeof raw !== "string" || raw.length === 0) {
    const got =
      raw === undefined
        ? "nothing"
        : typeof raw === "string"
          ? "an empty string"
          : `a ${Array.isArray(raw) ? "list" : raw === null ? "null" : typeof raw} (value not shown)`;
    return r.fail(`${path}.password`, `must be a non-empty string (quote it in YAML), got ${got}`);
  }
  const password = raw;
  if (Buffer.byteLength(password, "utf8") > 8) return r.fail(`${path}.password`, "must be at most 8 bytes (the advert carries 8)");
  return { type: "pass", password };
}

/** The multicast adverts' source address (keepalived mcast_src_ip); a unicast instance gives unicast.source instead. */
function readSource(r: Reader, value: unknown, path: string, family: 4 | 6 | undefined, unicast: boolean): string | undefined {
  if (unicast) return r.fail(path, "a unicast instance sets its source as unicast.source");
  const parsed = parseHost(value);
  if (!parsed.ok) return r.fail(path, parsed.message);
  if (family !== undefined && parsed.family !== family) return r.fail(path, `must be IPv${family} like the instance's addresses`);
  return parsed.address;
}

function readUnicast(r: Reader, value: unknown, path: string, family: 4 | 6 | undefined): Unicast | undefined {
  const o = r.object(value, path, ["source", "peers"]);
  if (o === undefined) return undefined;
  const host = (v: unknown, p: string): string | undefined => {
    const parsed = parseHost(v);
    if (!parsed.ok) return r.fail(p, parsed.message);
    if (family !== undefined && parsed.family !== family) return r.fail(p, `must be IPv${family} like the instance's addresses`);
    return parsed.address;
  };
  const source = o["source"] === undefined ? undefined : host(o["source"], `${path}.source`);
  const list = r.list(o["peers"], `${path}.peers`);
  const peers = (list ?? []).map((p, i) => host(p, `${path}.peers[${i}]`));
  if (list === undefined || peers.some((p) => p === undefined)) return undefined;
  return { ...(source !== undefined ? { source } : {}), peers: peers as string[] };
}

function readGarp(r: Reader, value: unknown, path: string): Garp | undefined {
  const o = r.object(value, path, ["repeat", "delay", "refresh", "refreshRepeat", "interval", "lowerPriorityRepeat", "lowerPriorityDelay"]);
  if (o === undefined) return undefined;
  const pick = <T>(key: string, read: () => T | undefined, fallback: T) => (o[key] === undefined ? fallback : read());
  const repeat = pick("repeat", () => r.integer(o["repeat"], `${path}.repeat`, 1, 100), DEFAULT_GARP.repeat);
  const delayMs = pick("delay", () => r.duration(o["delay"], `${path}.delay`), DEFAULT_GARP.delayMs);
  const refreshMs = pick("refresh", () => r.duration(o["refresh"], `${path}.refresh`), DEFAULT_GARP.refreshMs);
  const refreshRepeat = pick(
    "refreshRepeat",
    () => r.integer(o["refreshRepeat"], `${path}.refreshRepeat`, 1, 100),
    DEFAULT_GARP.refreshRepeat,
  );
  const intervalMs = pick("interval", () => r.duration(o["interval"], `${path}.interval`), DEFAULT_GARP.intervalMs);
  // As keepalived: the lower-priority burst defaults to the master burst's repeat and delay.
  const lowerPriorityRepeat = pick(
    "lowerPriorityRepeat",
    () => r.integer(o["lowerPriorityRepeat"], `${path}.lowerPriorityRepeat`, 0, 100),
    repeat,
  );
  const lowerPriorityDelayMs = pick("lowerPriorityDelay", () => r.duration(o["lowerPriorityDelay"], `${path}.lowerPriorityDelay`), delayMs);
  const all = [repeat, delayMs, refreshMs, refreshRepeat, intervalMs, lowerPriorityRepeat, lowerPriorityDelayMs];
  if (all.some((v) => v === undefined)) return undefined;
  return {
    repeat: repeat!,
    delayMs: delayMs!,
    refreshMs: refreshMs!,
    refreshRepeat: refreshRepeat!,
    intervalMs: intervalMs!,
    lowerPriorityRepeat: lowerPriorityRepeat!,
    lowerPriorityDelayMs: lowerPriorityDelayMs!,
  };
}

function checkUnique(r: Reader, instances: readonly InstanceConfig[], indices: readonly number[]): void {
  const names = new Set<string>();
  const routers = new Map<string, string>();
  instances.forEach((inst, i) => {
    const path = `instances[${indices[i]}]`;
    if (names.has(inst.name)) r.fail(`${path}.name`, `instance name "${inst.name}" is used twice`);
    names.add(inst.name);
    const key = `${inst.interface}/IPv${inst.family}/${inst.virtualRouterId}`;
    const other = routers.get(key);
    if (other !== undefined) {
      r.fail(
        `${path}.virtualRouterID`,
        `instances "${other}" and "${inst.name}" both use virtualRouterID ${inst.virtualRouterId} for IPv${inst.family} on ${inst.interface}`,
      );
    }
    routers.set(key, inst.name);
  });
  const sources = new Map<string, { name: string; source: string }>();
  instances.forEach((inst, i) => {
    const source = inst.unicast?.source ?? inst.source;
    if (source === undefined) return;
    const key = `${inst.interface}/IPv${inst.family}`;
    const other = sources.get(key);
    if (other !== undefined && other.source !== source) {
      r.fail(
        `instances[${indices[i]}].${inst.unicast?.source !== undefined ? "unicast.source" : "source"}`,
        `instances "${other.name}" and "${inst.name}" share ${inst.interface} but use different source addresses (source / unicast.source)`,
      );
    }
    sources.set(key, { name: inst.name, source });
  });
}
