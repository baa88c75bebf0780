/**
 * AgentConfig → floatip YAML text, the inverse of parseYamlConfig:
 * durations as "1s" / "100ms", fields equal to floatip's defaults left out
 * (except version, always explicit), so parseYamlConfig(toYaml(c)) equals c.
 */
import yaml from "js-yaml";
import type {
  AgentConfig,
  InstanceConfig,
  Notify,
  RouteConfig,
  RuleConfig,
  ScriptConfig,
  SyncGroupConfig,
  TrackFileConfig,
  TrackProcessConfig,
  TrackRef,
  VirtualAddress,
} from "../config/types.js";
import { DEFAULT_GARP } from "../config/types.js";
import { formatDuration } from "../config/duration.js";

type Obj = Record<string, unknown>;

const NOTIFY_TIMEOUT_MS = 30_000;
const ADVERT_INTERVAL_MS = 1000;

export function toYaml(config: AgentConfig): string {
  return dumpYaml(toYamlObject(config));
}

export function dumpYaml(value: unknown): string {
  return yaml.dump(value, { schema: yaml.CORE_SCHEMA, lineWidth: -1, noRefs: true });
}

/** The YAML-form object (what validateAgentConfig reads) for a config. */
export function toYamlObject(config: AgentConfig): Obj {
  return {
    ...(config.startupDelayMs !== undefined ? { startupDelay: formatDuration(config.startupDelayMs) } : {}),
    ...(config.scripts.length > 0 ? { scripts: config.scripts.map(scriptObject) } : {}),
    ...(config.trackFiles.length > 0 ? { trackFiles: config.trackFiles.map(trackFileObject) } : {}),
    ...(config.trackProcesses !== undefined && config.trackProcesses.length > 0
      ? { trackProcesses: config.trackProcesses.map(trackProcessObject) }
      : {}),
    instances: config.instances.map(instanceObject),
    ...(config.staticAddresses !== undefined ? { staticAddresses: config.staticAddresses.map(addressItem) } : {}),
    ...(config.staticRoutes !== undefined ? { staticRoutes: config.staticRoutes.map(routeObject) } : {}),
    ...(config.staticRules !== undefined ? { staticRules: config.staticRules.map(ruleObject) } : {}),
    ...(config.syncGroups !== undefined && config.syncGroups.length > 0 ? { syncGroups: config.syncGroups.map(syncGroupObject) } : {}),
    ...(config.notifyFifos !== undefined ? { notifyFifos: config.notifyFifos.map((f) => ({ ...f })) } : {}),
    ...(config.multicastGroups !== undefined ? { multicastGroups: { ...config.multicastGroups } } : {}),
  };
}

/** A group's tracking is already merged into its members (validation), so only names and notify. */
function syncGroupObject(g: SyncGroupConfig): Obj {
  return { name: g.name, instances: [...g.instances], ...(g.notify !== undefined ? { notify: notifyObject(g.notify) } : {}) };
}

function notifyObject(n: Notify): Obj {
  const { timeoutMs, ...commands } = n;
  return { ...commands, ...(timeoutMs !== NOTIFY_TIMEOUT_MS ? { timeout: formatDuration(timeoutMs) } : {}) };
}

/** Adds `key: value` unless value equals the default. */
function unlessDefault(out: Obj, key: string, value: unknown, fallback: unknown): void {
  if (value !== fallback) out[key] = value;
}

function scriptObject(s: ScriptConfig): Obj {
  const out: Obj = { name: s.name, command: s.command };
  if (s.intervalMs !== 1000) out["interval"] = formatDuration(s.intervalMs);
  if (s.timeoutMs !== s.intervalMs) out["timeout"] = formatDuration(s.timeoutMs);
  unlessDefault(out, "weight", s.weight, 0);
  unlessDefault(out, "reverse", s.reverse, false);
  unlessDefault(out, "fall", s.fall, 1);
  unlessDefault(out, "rise", s.rise, 1);
  unlessDefault(out, "initFail", s.initFail, false);
  if (s.user !== undefined) out["user"] = s.user;
  return out;
}

function trackProcessObject(t: TrackProcessConfig): Obj {
  const out: Obj = { name: t.name, process: t.process };
  if (t.args !== undefined) out["args"] = [...t.args];
  unlessDefault(out, "argsMatch", t.argsMatch, "exact");
  unlessDefault(out, "fullCommand", t.fullCommand, false);
  unlessDefault(out, "weight", t.weight, 1);
  unlessDefault(out, "reverse", t.reverse, false);
  unlessDefault(out, "quorum", t.quorum, 1);
  if (t.quorumMax !== undefined) out["quorumMax"] = t.quorumMax;
  if (t.forkDelayMs !== 0) out["forkDelay"] = formatDuration(t.forkDelayMs);
  if (t.terminateDelayMs !== 0) out["terminateDelay"] = formatDuration(t.terminateDelayMs);
  return out;
}

function trackFileObject(t: TrackFileConfig): Obj {
  const out: Obj = { name: t.name, path: t.path };
  unlessDefault(out, "weight", t.weight, 1);
  return out;
}

function instanceObject(i: InstanceConfig): Obj {
  const out: Obj = { name: i.name, interface: i.interface, virtualRouterID: i.virtualRouterId, version: i.version };
  unlessDefault(out, "priority", i.priority, 100);
  if (i.advertIntervalMs !== ADVERT_INTERVAL_MS) out["advertisementInterval"] = formatDuration(i.advertIntervalMs);
  unlessDefault(out, "preempt", i.preempt, true);
  if (i.preemptDelayMs !== 0) out["preemptDelay"] = formatDuration(i.preemptDelayMs);
  unlessDefault(out, "initialState", i.initialState, "backup");
  out["addresses"] = i.addresses.map(addressItem);
  if (i.excludedAddresses !== undefined) out["excludedAddresses"] = i.excludedAddresses.map(addressItem);
  if (i.authentication !== undefined) out["authentication"] = { type: i.authentication.type, password: i.authentication.password };
  if (i.source !== undefined) out["source"] = i.source;
  if (i.unicast !== undefined)
    out["unicast"] = { ...(i.unicast.source !== undefined ? { source: i.unicast.source } : {}), peers: [...i.unicast.peers] };
  const garp = garpObject(i);
  if (Object.keys(garp).length > 0) out["garp"] = garp;
  const track = trackObject(i);
  if (Object.keys(track).length > 0) out["track"] = track;
  if (i.notify !== undefined) out["notify"] = notifyObject(i.notify);
  if (i.stateFile !== undefined) out["stateFile"] = i.stateFile;
  if (i.routes !== undefined) out["routes"] = i.routes.map(routeObject);
  if (i.rules !== undefined) out["rules"] = i.rules.map(ruleObject);
  if (i.trackInterface === false) out["trackInterface"] = false;
  if (i.promoteSecondaries === true) out["promoteSecondaries"] = true;
  if (i.vmac !== undefined) {
    const named = i.vmac.name !== `vrrp.${i.virtualRouterId}`;
    out["vmac"] =
      named || i.vmac.transmitOnBase
        ? { ...(named ? { name: i.vmac.name } : {}), ...(i.vmac.transmitOnBase ? { transmitOnBase: true } : {}) }
        : true;
  }
  return out;
}

function addressItem(a: VirtualAddress): unknown {
  const full = a.family === 4 ? 32 : 128;
  const text = a.prefixLength === full ? a.address : `${a.address}/${a.prefixLength}`;
  if (a.device === undefined && a.label === undefined) return text;
  return { address: text, ...(a.device !== undefined ? { device: a.device } : {}), ...(a.label !== undefined ? { label: a.label } : {}) };
}

function garpObject(i: InstanceConfig): Obj {
  const out: Obj = {};
  unlessDefault(out, "repeat", i.garp.repeat, DEFAULT_GARP.repeat);
  if (i.garp.delayMs !== DEFAULT_GARP.delayMs) out["delay"] = formatDuration(i.garp.delayMs);
  if (i.garp.refreshMs !== DEFAULT_GARP.refreshMs) out["refresh"] = formatDuration(i.garp.refreshMs);
  unlessDefault(out, "refreshRepeat", i.garp.refreshRepeat, DEFAULT_GARP.refreshRepeat);
  if (i.garp.intervalMs !== DEFAULT_GARP.intervalMs) out["interval"] = formatDuration(i.garp.intervalMs);
  // Their defaults are repeat and delay.
  unlessDefault(out, "lowerPriorityRepeat", i.garp.lowerPriorityRepeat, i.garp.repeat);
  if (i.garp.lowerPriorityDelayMs !== i.garp.delayMs) out["lowerPriorityDelay"] = formatDuration(i.garp.lowerPriorityDelayMs);
  return out;
}

function trackObject(i: InstanceConfig): Obj {
  const out: Obj = {};
  for (const key of ["scripts", "interfaces", "files"] as const) {
    if (i.track[key].length > 0) out[key] = i.track[key].map(refItem);
  }
  if ((i.track.processes ?? []).length > 0) out["processes"] = i.track.processes!.map(refItem);
  return out;
}

function refItem(r: TrackRef): unknown {
  if (r.weight === undefined && r.reverse === undefined) return r.name;
  return {
    name: r.name,
    ...(r.weight !== undefined ? { weight: r.weight } : {}),
    ...(r.reverse !== undefined ? { reverse: r.reverse } : {}),
  };
}

/** A route in YAML form: the family is implied by `to`, unicast is the default type. */
/** The family is written only where no prefix tells it (an IPv6 rule on fwmark or interfaces alone). */
export function ruleObject(r: RuleConfig): Obj {
  const { family, ...rest } = r;
  return { ...(family === 6 && r.from === undefined && r.to === undefined ? { family } : {}), ...rest };
}

export function routeObject(r: RouteConfig): Obj {
  const { family: _family, type, ...rest } = r;
  return { ...(type !== "unicast" ? { type } : {}), ...rest };
}
