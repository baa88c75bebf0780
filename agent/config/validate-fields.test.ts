/**
 * Every field of the agent's YAML config, given a bad value, is rejected
 * with an error at that field's path. The fields are read from the
 * validator itself: an unknown key in each object is reported with the list
 * of allowed ones, so a field added to a reader without a bad-value case
 * here fails the first test.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "./validate.js";

type Doc = Record<string, unknown>;
const inst = { name: "web", interface: "eth0", virtualRouterID: 51, addresses: ["192.0.2.5/24"] };
const instance = (patch: Doc): Doc => ({ instances: [{ ...inst, ...patch }] });
const script = { name: "chk", command: "/bin/true" };
const readyz = { name: "apiserver", url: "https://127.0.0.1:6443/readyz" };
const inst2 = { name: "db", interface: "eth0", virtualRouterID: 52, addresses: ["192.0.2.6/24"] };
const group = (patch: Doc): Doc => ({
  scripts: [script],
  instances: [inst, inst2],
  syncGroups: [{ name: "VG", instances: ["web", "db"], ...patch }],
});
const procs = (patch: Doc, ...more: Doc[]): Doc => ({
  trackProcesses: [{ name: "p", process: "haproxy", ...patch }, ...more],
  instances: [inst],
});
const pods = { namespace: "web", selector: { matchLabels: { app: "web" } } };

/** Objects of the config: a field id prefix, and a document with key "zzz" added to that object at `at`. */
const OBJECTS: readonly [string, Doc, string][] = [
  ["", { instances: [inst], zzz: 1 }, "config"],
  ["scripts[]", { scripts: [{ ...script, zzz: 1 }], instances: [inst] }, "scripts[0]"],
  ["trackFiles[]", { trackFiles: [{ name: "f", path: "/run/f", zzz: 1 }], instances: [inst] }, "trackFiles[0]"],
  ["instances[]", instance({ zzz: 1 }), "instances[0]"],
  ["instances[].addresses[]", instance({ addresses: [{ address: "192.0.2.5", zzz: 1 }] }), "instances[0].addresses[0]"],
  [
    "instances[].authentication",
    instance({ version: 2, authentication: { type: "pass", password: "x", zzz: 1 } }),
    "instances[0].authentication",
  ],
  ["instances[].unicast", instance({ unicast: { peers: [], zzz: 1 } }), "instances[0].unicast"],
  ["instances[].garp", instance({ garp: { zzz: 1 } }), "instances[0].garp"],
  ["instances[].track", instance({ track: { zzz: 1 } }), "instances[0].track"],
  ["instances[].track.scripts[]", instance({ track: { scripts: [{ name: "chk", zzz: 1 }] } }), "instances[0].track.scripts[0]"],
  ["instances[].track.interfaces[]", instance({ track: { interfaces: [{ name: "eth1", zzz: 1 }] } }), "instances[0].track.interfaces[0]"],
  ["instances[].track.files[]", instance({ track: { files: [{ name: "f", zzz: 1 }] } }), "instances[0].track.files[0]"],
  ["instances[].track.pods", instance({ track: { pods: { ...pods, zzz: 1 } } }), "instances[0].track.pods"],
  [
    "instances[].track.pods.selector",
    instance({ track: { pods: { ...pods, selector: { matchLabels: { app: "web" }, zzz: 1 } } } }),
    "instances[0].track.pods.selector",
  ],
  [
    "instances[].track.pods.selector.matchExpressions[]",
    instance({ track: { pods: { ...pods, selector: { matchExpressions: [{ key: "app", operator: "Exists", zzz: 1 }] } } } }),
    "instances[0].track.pods.selector.matchExpressions[0]",
  ],
  ["instances[].notify", instance({ notify: { zzz: 1 } }), "instances[0].notify"],
  ["httpChecks[]", { httpChecks: [{ ...readyz, zzz: 1 }], instances: [inst] }, "httpChecks[0]"],
  ["httpChecks[].tls", { httpChecks: [{ ...readyz, tls: { zzz: 1 } }], instances: [inst] }, "httpChecks[0].tls"],
  ["trackProcesses[]", { trackProcesses: [{ name: "p", process: "haproxy", zzz: 1 }], instances: [inst] }, "trackProcesses[0]"],
  ["multicastGroups", { multicastGroups: { zzz: 1 }, instances: [inst] }, "multicastGroups"],
  ["notifyFifos[]", { notifyFifos: [{ path: "/run/f", zzz: 1 }], instances: [inst] }, "notifyFifos[0]"],
  ["syncGroups[]", { instances: [inst, inst2], syncGroups: [{ name: "VG", instances: ["web", "db"], zzz: 1 }] }, "syncGroups[0]"],
  [
    "instances[].track.httpChecks[]",
    { httpChecks: [readyz], instances: [{ ...inst, track: { httpChecks: [{ name: "apiserver", zzz: 1 }] } }] },
    "instances[0].track.httpChecks[0]",
  ],
];

/** The config's fields, as the validator lists them: "instances[].garp.repeat" and so on. */
function validatorFields(): string[] {
  return OBJECTS.flatMap(([prefix, doc, at]) => {
    const result = validateAgentConfig(doc, { kubernetes: true });
    const error = result.ok ? undefined : result.errors.find((e) => e.path === `${at}.zzz`);
    assert.ok(error, `no unknown-field error at ${at}.zzz: ${JSON.stringify(result)}`);
    const allowed = /\(allowed: (.*)\)$/.exec(error.message)?.[1];
    assert.ok(allowed, error.message);
    return allowed.split(", ").map((key) => (prefix === "" ? key : `${prefix}.${key}`));
  });
}

interface BadValue {
  readonly field: string;
  readonly name: string;
  readonly doc: unknown;
  readonly at: string;
  /** Validate as `floatip agent --kubernetes` (pod tracking and secretRef are its). */
  readonly kubernetes?: boolean;
}

const track = (t: Doc): Doc => ({ scripts: [script], trackFiles: [{ name: "f", path: "/run/f" }], instances: [{ ...inst, track: t }] });
const podsWith = (patch: Doc): Doc => track({ pods: { ...pods, weight: 10, ...patch } });
const expression = (patch: Doc): Doc =>
  podsWith({ selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"], ...patch }] } });
const scriptWith = (patch: Doc): Doc => ({ scripts: [{ ...script, ...patch }], instances: [inst] });
const httpWith = (patch: Doc): Doc => ({ httpChecks: [{ ...readyz, ...patch }], instances: [inst] });
const trackHttp = (ref: unknown): Doc => ({ httpChecks: [readyz], instances: [{ ...inst, track: { httpChecks: ref } }] });
const v2auth = (patch: Doc): Doc => instance({ version: 2, authentication: { type: "pass", password: "s3cret", ...patch } });

const BAD: readonly BadValue[] = [
  { field: "scripts", name: "a mapping", doc: { scripts: { chk: "/bin/true" }, instances: [inst] }, at: "scripts" },
  { field: "trackFiles", name: "a string", doc: { trackFiles: "/run/f", instances: [inst] }, at: "trackFiles" },
  { field: "instances", name: "empty", doc: { instances: [] }, at: "instances" },
  { field: "instances", name: "a mapping", doc: { instances: inst }, at: "instances" },
  {
    field: "staticRoutes",
    name: "a mapping",
    doc: { staticRoutes: { to: "198.51.100.0/24", via: "192.0.2.1" }, instances: [inst] },
    at: "staticRoutes",
  },
  {
    field: "staticRules",
    name: "a mapping",
    doc: { staticRules: { from: "192.0.2.0/24", table: 100 }, instances: [inst] },
    at: "staticRules",
  },
  { field: "scripts[].name", name: "missing", doc: scriptWith({ name: undefined }), at: "scripts[0].name" },
  { field: "scripts[].name", name: "used twice", doc: { scripts: [script, script], instances: [inst] }, at: "scripts" },
  { field: "scripts[].command", name: "empty", doc: scriptWith({ command: "" }), at: "scripts[0].command" },
  { field: "scripts[].interval", name: "0s", doc: scriptWith({ interval: "0s" }), at: "scripts[0].interval" },
  { field: "scripts[].timeout", name: "a word", doc: scriptWith({ timeout: "long" }), at: "scripts[0].timeout" },
  { field: "scripts[].weight", name: "254", doc: scriptWith({ weight: 254 }), at: "scripts[0].weight" },
  { field: "scripts[].reverse", name: "text", doc: scriptWith({ reverse: "yes" }), at: "scripts[0].reverse" },
  { field: "scripts[].fall", name: "0", doc: scriptWith({ fall: 0 }), at: "scripts[0].fall" },
  { field: "scripts[].rise", name: "1.5", doc: scriptWith({ rise: 1.5 }), at: "scripts[0].rise" },
  { field: "scripts[].initFail", name: "a number", doc: scriptWith({ initFail: 1 }), at: "scripts[0].initFail" },
  { field: "scripts[].user", name: "empty", doc: scriptWith({ user: "" }), at: "scripts[0].user" },
  {
    field: "trackFiles[].name",
    name: "a number",
    doc: { trackFiles: [{ name: 1, path: "/run/f" }], instances: [inst] },
    at: "trackFiles[0].name",
  },
  { field: "trackFiles[].path", name: "missing", doc: { trackFiles: [{ name: "f" }], instances: [inst] }, at: "trackFiles[0].path" },
  {
    field: "trackFiles[].weight",
    name: "255",
    doc: { trackFiles: [{ name: "f", path: "/run/f", weight: 255 }], instances: [inst] },
    at: "trackFiles[0].weight",
  },
  { field: "instances[].name", name: "missing", doc: instance({ name: undefined }), at: "instances[0].name" },
  { field: "instances[].name", name: "used twice", doc: { instances: [inst, { ...inst, virtualRouterID: 52 }] }, at: "instances[1].name" },
  { field: "instances[].interface", name: "empty", doc: instance({ interface: "" }), at: "instances[0].interface" },
  { field: "instances[].virtualRouterID", name: "0", doc: instance({ virtualRouterID: 0 }), at: "instances[0].virtualRouterID" },
  {
    field: "instances[].virtualRouterID",
    name: "one VRID twice on an interface",
    doc: { instances: [inst, { ...inst, name: "other" }] },
    at: "instances[1].virtualRouterID",
  },
  {
    field: "instances[].virtualRouterId",
    name: "old spelling, 0",
    doc: instance({ virtualRouterID: undefined, virtualRouterId: 0 }),
    at: "instances[0].virtualRouterId",
  },
  {
    field: "instances[].virtualRouterId",
    name: "old and new spelling differ",
    doc: instance({ virtualRouterId: 52 }),
    at: "instances[0].virtualRouterID",
  },
  {
    field: "instances[].advertInterval",
    name: "old spelling, 15ms",
    doc: instance({ advertInterval: "15ms" }),
    at: "instances[0].advertInterval",
  },
  {
    field: "instances[].advertInterval",
    name: "old and new spelling differ",
    doc: instance({ advertisementInterval: "1s", advertInterval: "2s" }),
    at: "instances[0].advertisementInterval",
  },
  { field: "instances[].version", name: "4", doc: instance({ version: 4 }), at: "instances[0].version" },
  {
    field: "instances[].version",
    name: "2 with IPv6",
    doc: instance({ version: 2, addresses: ["2001:db8::5"] }),
    at: "instances[0].version",
  },
  { field: "instances[].priority", name: "256", doc: instance({ priority: 256 }), at: "instances[0].priority" },
  {
    field: "instances[].advertisementInterval",
    name: "15ms",
    doc: instance({ advertisementInterval: "15ms" }),
    at: "instances[0].advertisementInterval",
  },
  { field: "instances[].preempt", name: "text", doc: instance({ preempt: "yes" }), at: "instances[0].preempt" },
  { field: "instances[].preemptDelay", name: "a word", doc: instance({ preemptDelay: "soon" }), at: "instances[0].preemptDelay" },
  { field: "instances[].preemptDelay", name: "30 days", doc: instance({ preemptDelay: "720h" }), at: "instances[0].preemptDelay" },
  { field: "instances[].initialState", name: "MASTER", doc: instance({ initialState: "MASTER" }), at: "instances[0].initialState" },
  { field: "instances[].addresses", name: "empty", doc: instance({ addresses: [] }), at: "instances[0].addresses" },
  {
    field: "instances[].addresses",
    name: "mixed families",
    doc: instance({ addresses: ["192.0.2.5", "2001:db8::5"] }),
    at: "instances[0].addresses",
  },
  {
    field: "instances[].addresses[].address",
    name: "octet 300",
    doc: instance({ addresses: [{ address: "192.0.2.300" }] }),
    at: "instances[0].addresses[0].address",
  },
  {
    field: "instances[].addresses[].device",
    name: "a number",
    doc: instance({ addresses: [{ address: "192.0.2.5", device: 1 }] }),
    at: "instances[0].addresses[0].device",
  },
  {
    field: "instances[].addresses[].label",
    name: "16 characters",
    doc: instance({ addresses: [{ address: "192.0.2.5", label: "eth0:0123456789a" }] }),
    at: "instances[0].addresses[0].label",
  },
  {
    field: "instances[].authentication",
    name: "with version 3",
    doc: instance({ authentication: { type: "pass", password: "x" } }),
    at: "instances[0].authentication",
  },
  { field: "instances[].authentication.type", name: "ah", doc: v2auth({ type: "ah" }), at: "instances[0].authentication.type" },
  {
    field: "instances[].authentication.password",
    name: "9 bytes",
    doc: v2auth({ password: "123456789" }),
    at: "instances[0].authentication.password",
  },
  {
    field: "instances[].authentication.secretRef",
    name: "in a standalone config",
    doc: v2auth({ password: undefined, secretRef: { name: "s", namespace: "n", key: "k" } }),
    at: "instances[0].authentication.secretRef",
  },
  { field: "instances[].source", name: "IPv6 for IPv4 addresses", doc: instance({ source: "2001:db8::1" }), at: "instances[0].source" },
  {
    field: "instances[].source",
    name: "with unicast",
    doc: instance({ source: "192.0.2.1", unicast: { peers: ["192.0.2.2"] } }),
    at: "instances[0].source",
  },
  { field: "instances[].unicast", name: "a list", doc: instance({ unicast: ["192.0.2.12"] }), at: "instances[0].unicast" },
  {
    field: "instances[].unicast.source",
    name: "IPv6 for IPv4 addresses",
    doc: instance({ unicast: { source: "2001:db8::1", peers: [] } }),
    at: "instances[0].unicast.source",
  },
  { field: "instances[].unicast.peers", name: "missing", doc: instance({ unicast: {} }), at: "instances[0].unicast.peers" },
  {
    field: "instances[].unicast.peers",
    name: "a host name",
    doc: instance({ unicast: { peers: ["node-b"] } }),
    at: "instances[0].unicast.peers[0]",
  },
  { field: "instances[].garp", name: "a number", doc: instance({ garp: 5 }), at: "instances[0].garp" },
  { field: "instances[].garp.repeat", name: "0", doc: instance({ garp: { repeat: 0 } }), at: "instances[0].garp.repeat" },
  { field: "instances[].garp.delay", name: "negative", doc: instance({ garp: { delay: "-1s" } }), at: "instances[0].garp.delay" },
  { field: "instances[].garp.refresh", name: "a word", doc: instance({ garp: { refresh: "hourly" } }), at: "instances[0].garp.refresh" },
  {
    field: "instances[].garp.refreshRepeat",
    name: "101",
    doc: instance({ garp: { refreshRepeat: 101 } }),
    at: "instances[0].garp.refreshRepeat",
  },
  {
    field: "instances[].garp.lowerPriorityRepeat",
    name: "-1",
    doc: instance({ garp: { lowerPriorityRepeat: -1 } }),
    at: "instances[0].garp.lowerPriorityRepeat",
  },
  {
    field: "instances[].garp.lowerPriorityDelay",
    name: "a word",
    doc: instance({ garp: { lowerPriorityDelay: "later" } }),
    at: "instances[0].garp.lowerPriorityDelay",
  },
  { field: "instances[].garp.interval", name: "a boolean", doc: instance({ garp: { interval: true } }), at: "instances[0].garp.interval" },
  { field: "instances[].track", name: "a list", doc: instance({ track: [] }), at: "instances[0].track" },
  {
    field: "instances[].track.scripts",
    name: "a script that does not exist",
    doc: track({ scripts: ["nope"] }),
    at: "instances[0].track.scripts[0]",
  },
  { field: "instances[].track.scripts", name: "a mapping", doc: track({ scripts: { chk: 1 } }), at: "instances[0].track.scripts" },
  { field: "instances[].track.interfaces", name: "a string", doc: track({ interfaces: "eth1" }), at: "instances[0].track.interfaces" },
  {
    field: "instances[].track.files",
    name: "a file that does not exist",
    doc: track({ files: ["nope"] }),
    at: "instances[0].track.files[0]",
  },
  {
    field: "instances[].track.scripts[].name",
    name: "empty",
    doc: track({ scripts: [{ name: "" }] }),
    at: "instances[0].track.scripts[0].name",
  },
  {
    field: "instances[].track.scripts[].weight",
    name: "254",
    doc: track({ scripts: [{ name: "chk", weight: 254 }] }),
    at: "instances[0].track.scripts[0].weight",
  },
  {
    field: "instances[].track.scripts[].reverse",
    name: "text",
    doc: track({ scripts: [{ name: "chk", reverse: "yes" }] }),
    at: "instances[0].track.scripts[0].reverse",
  },
  {
    field: "instances[].track.interfaces[].name",
    name: "missing",
    doc: track({ interfaces: [{ weight: 1 }] }),
    at: "instances[0].track.interfaces[0].name",
  },
  {
    field: "instances[].track.interfaces[].weight",
    name: "-254",
    doc: track({ interfaces: [{ name: "eth1", weight: -254 }] }),
    at: "instances[0].track.interfaces[0].weight",
  },
  {
    field: "instances[].track.interfaces[].reverse",
    name: "a number",
    doc: track({ interfaces: [{ name: "eth1", reverse: 1 }] }),
    at: "instances[0].track.interfaces[0].reverse",
  },
  {
    field: "instances[].track.files[].name",
    name: "a number",
    doc: track({ files: [{ name: 1 }] }),
    at: "instances[0].track.files[0].name",
  },
  {
    field: "instances[].track.files[].weight",
    name: "255",
    doc: track({ files: [{ name: "f", weight: 255 }] }),
    at: "instances[0].track.files[0].weight",
  },
  {
    field: "instances[].track.files[].reverse",
    name: "text",
    doc: track({ files: [{ name: "f", reverse: "no" }] }),
    at: "instances[0].track.files[0].reverse",
  },
  { field: "instances[].track.pods", name: "without --kubernetes", doc: podsWith({}), at: "instances[0].track.pods" },
  { field: "instances[].track.pods", name: "a string", doc: track({ pods: "web" }), at: "instances[0].track.pods", kubernetes: true },
  {
    field: "instances[].track.pods.namespace",
    name: "missing",
    doc: podsWith({ namespace: undefined }),
    at: "instances[0].track.pods.namespace",
    kubernetes: true,
  },
  {
    field: "instances[].track.pods.selector",
    name: "empty",
    doc: podsWith({ selector: {} }),
    at: "instances[0].track.pods.selector",
    kubernetes: true,
  },
  {
    field: "instances[].track.pods.selector.matchLabels",
    name: "a list",
    doc: podsWith({ selector: { matchLabels: ["app=web"] } }),
    at: "instances[0].track.pods.selector.matchLabels",
    kubernetes: true,
  },
  {
    field: "instances[].track.pods.selector.matchLabels",
    name: "a number value",
    doc: podsWith({ selector: { matchLabels: { app: 1 } } }),
    at: "instances[0].track.pods.selector.matchLabels.app",
    kubernetes: true,
  },
  {
    field: "instances[].track.pods.selector.matchExpressions",
    name: "a mapping",
    doc: podsWith({ selector: { matchExpressions: { key: "app" } } }),
    at: "instances[0].track.pods.selector.matchExpressions",
    kubernetes: true,
  },
  {
    field: "instances[].track.pods.selector.matchExpressions[].key",
    name: "missing",
    doc: expression({ key: undefined }),
    at: "instances[0].track.pods.selector.matchExpressions[0].key",
    kubernetes: true,
  },
  {
    field: "instances[].track.pods.selector.matchExpressions[].operator",
    name: "Gt",
    doc: expression({ operator: "Gt" }),
    at: "instances[0].track.pods.selector.matchExpressions[0].operator",
    kubernetes: true,
  },
  {
    field: "instances[].track.pods.selector.matchExpressions[].values",
    name: "numbers",
    doc: expression({ values: [1] }),
    at: "instances[0].track.pods.selector.matchExpressions[0].values",
    kubernetes: true,
  },
  {
    field: "instances[].track.pods.weight",
    name: "254",
    doc: podsWith({ weight: 254 }),
    at: "instances[0].track.pods.weight",
    kubernetes: true,
  },
  { field: "instances[].notify", name: "a string", doc: instance({ notify: "/bin/notify" }), at: "instances[0].notify" },
  { field: "instances[].notify.any", name: "empty", doc: instance({ notify: { any: "" } }), at: "instances[0].notify.any" },
  { field: "instances[].notify.master", name: "a number", doc: instance({ notify: { master: 1 } }), at: "instances[0].notify.master" },
  {
    field: "instances[].notify.backup",
    name: "a list",
    doc: instance({ notify: { backup: ["/bin/x"] } }),
    at: "instances[0].notify.backup",
  },
  { field: "instances[].notify.fault", name: "empty", doc: instance({ notify: { fault: "" } }), at: "instances[0].notify.fault" },
  { field: "instances[].notify.stop", name: "null", doc: instance({ notify: { stop: null } }), at: "instances[0].notify.stop" },
  {
    field: "instances[].notify.timeout",
    name: "a word",
    doc: instance({ notify: { timeout: "long" } }),
    at: "instances[0].notify.timeout",
  },
  { field: "instances[].notify.user", name: "a number", doc: instance({ notify: { user: 0 } }), at: "instances[0].notify.user" },
  { field: "httpChecks", name: "a mapping", doc: { httpChecks: readyz, instances: [inst] }, at: "httpChecks" },
  { field: "httpChecks[].name", name: "missing", doc: httpWith({ name: undefined }), at: "httpChecks[0].name" },
  { field: "httpChecks[].url", name: "ftp", doc: httpWith({ url: "ftp://192.0.2.1/x" }), at: "httpChecks[0].url" },
  { field: "httpChecks[].interval", name: "0", doc: httpWith({ interval: 0 }), at: "httpChecks[0].interval" },
  { field: "httpChecks[].timeout", name: "a word", doc: httpWith({ timeout: "soon" }), at: "httpChecks[0].timeout" },
  { field: "httpChecks[].weight", name: "254", doc: httpWith({ weight: 254 }), at: "httpChecks[0].weight" },
  { field: "httpChecks[].fall", name: "0", doc: httpWith({ fall: 0 }), at: "httpChecks[0].fall" },
  { field: "httpChecks[].rise", name: "text", doc: httpWith({ rise: "2" }), at: "httpChecks[0].rise" },
  {
    field: "httpChecks[].tls",
    name: "on an http URL",
    doc: httpWith({ url: "http://127.0.0.1:8080/healthz", tls: { insecureSkipVerify: true } }),
    at: "httpChecks[0].tls",
  },
  { field: "httpChecks[].tls.caFile", name: "relative", doc: httpWith({ tls: { caFile: "pki/ca.crt" } }), at: "httpChecks[0].tls.caFile" },
  { field: "httpChecks[].tls.serverName", name: "a number", doc: httpWith({ tls: { serverName: 1 } }), at: "httpChecks[0].tls.serverName" },
  {
    field: "httpChecks[].tls.insecureSkipVerify",
    name: "text",
    doc: httpWith({ tls: { insecureSkipVerify: "yes" } }),
    at: "httpChecks[0].tls.insecureSkipVerify",
  },
  {
    field: "instances[].track.httpChecks",
    name: "a check that does not exist",
    doc: trackHttp(["nope"]),
    at: "instances[0].track.httpChecks[0]",
  },
  { field: "instances[].track.httpChecks", name: "a string", doc: trackHttp("apiserver"), at: "instances[0].track.httpChecks" },
  {
    field: "instances[].track.httpChecks[].name",
    name: "empty",
    doc: trackHttp([{ name: "" }]),
    at: "instances[0].track.httpChecks[0].name",
  },
  {
    field: "instances[].track.httpChecks[].weight",
    name: "254",
    doc: trackHttp([{ name: "apiserver", weight: 254 }]),
    at: "instances[0].track.httpChecks[0].weight",
  },
  {
    field: "instances[].track.httpChecks[].reverse",
    name: "text",
    doc: trackHttp([{ name: "apiserver", reverse: "yes" }]),
    at: "instances[0].track.httpChecks[0].reverse",
  },
  { field: "trackProcesses", name: "a mapping", doc: { trackProcesses: { name: "p" }, instances: [inst] }, at: "trackProcesses" },
  { field: "trackProcesses[].name", name: "used twice", doc: procs({}, { name: "p", process: "x" }), at: "trackProcesses[1].name" },
  { field: "trackProcesses[].process", name: "missing", doc: procs({ process: undefined }), at: "trackProcesses[0].process" },
  { field: "trackProcesses[].args", name: "a number in it", doc: procs({ args: ["-f", 1] }), at: "trackProcesses[0].args[1]" },
  { field: "trackProcesses[].argsMatch", name: "without args", doc: procs({ argsMatch: "partial" }), at: "trackProcesses[0].argsMatch" },
  { field: "trackProcesses[].argsMatch", name: "a word", doc: procs({ args: [], argsMatch: "some" }), at: "trackProcesses[0].argsMatch" },
  { field: "trackProcesses[].fullCommand", name: "text", doc: procs({ fullCommand: "yes" }), at: "trackProcesses[0].fullCommand" },
  { field: "trackProcesses[].weight", name: "255", doc: procs({ weight: 255 }), at: "trackProcesses[0].weight" },
  { field: "trackProcesses[].reverse", name: "text", doc: procs({ reverse: "no" }), at: "trackProcesses[0].reverse" },
  { field: "trackProcesses[].quorum", name: "-1", doc: procs({ quorum: -1 }), at: "trackProcesses[0].quorum" },
  { field: "trackProcesses[].quorumMax", name: "below quorum", doc: procs({ quorum: 2, quorumMax: 1 }), at: "trackProcesses[0].quorumMax" },
  { field: "trackProcesses[].forkDelay", name: "a word", doc: procs({ forkDelay: "soon" }), at: "trackProcesses[0].forkDelay" },
  {
    field: "trackProcesses[].terminateDelay",
    name: "negative",
    doc: procs({ terminateDelay: "-1s" }),
    at: "trackProcesses[0].terminateDelay",
  },
  {
    field: "instances[].track.processes",
    name: "a process that does not exist",
    doc: { instances: [{ ...inst, track: { processes: ["nope"] } }] },
    at: "instances[0].track.processes[0]",
  },
  { field: "notifyFifos", name: "a string", doc: { notifyFifos: "/run/floatip.fifo", instances: [inst] }, at: "notifyFifos" },
  {
    field: "notifyFifos[].path",
    name: "relative",
    doc: { notifyFifos: [{ path: "run/floatip.fifo" }], instances: [inst] },
    at: "notifyFifos[0].path",
  },
  {
    field: "notifyFifos[].path",
    name: "twice",
    doc: { notifyFifos: [{ path: "/run/f" }, { path: "/run/f" }], instances: [inst] },
    at: "notifyFifos[1].path",
  },
  {
    field: "notifyFifos[].user",
    name: "empty",
    doc: { notifyFifos: [{ path: "/run/f", user: "" }], instances: [inst] },
    at: "notifyFifos[0].user",
  },
  {
    field: "notifyFifos[].group",
    name: "a number",
    doc: { notifyFifos: [{ path: "/run/f", group: 4 }], instances: [inst] },
    at: "notifyFifos[0].group",
  },
  { field: "multicastGroups", name: "a string", doc: { multicastGroups: "224.0.0.88", instances: [inst] }, at: "multicastGroups" },
  {
    field: "multicastGroups.ipv4",
    name: "unicast",
    doc: { multicastGroups: { ipv4: "192.0.2.88" }, instances: [inst] },
    at: "multicastGroups.ipv4",
  },
  {
    field: "multicastGroups.ipv4",
    name: "IPv6",
    doc: { multicastGroups: { ipv4: "ff02::88" }, instances: [inst] },
    at: "multicastGroups.ipv4",
  },
  {
    field: "multicastGroups.ipv6",
    name: "unicast",
    doc: { multicastGroups: { ipv6: "2001:db8::88" }, instances: [inst] },
    at: "multicastGroups.ipv6",
  },
  {
    field: "multicastGroups.ipv6",
    name: "site-local scope",
    doc: { multicastGroups: { ipv6: "ff05::88" }, instances: [inst] },
    at: "multicastGroups.ipv6",
  },
  { field: "staticAddresses", name: "a string", doc: { staticAddresses: "192.0.2.9/24", instances: [inst] }, at: "staticAddresses" },
  { field: "staticAddresses", name: "no device", doc: { staticAddresses: ["192.0.2.9/24"], instances: [inst] }, at: "staticAddresses[0]" },
  {
    field: "staticAddresses",
    name: "also a virtual address",
    doc: { staticAddresses: [{ address: "192.0.2.5/24", device: "eth0" }], instances: [inst] },
    at: "staticAddresses[0]",
  },
  {
    field: "staticAddresses",
    name: "twice",
    doc: {
      staticAddresses: [
        { address: "192.0.2.9/24", device: "eth0" },
        { address: "192.0.2.9/24", device: "eth1" },
      ],
      instances: [inst],
    },
    at: "staticAddresses[1]",
  },
  { field: "startupDelay", name: "a word", doc: { startupDelay: "soon", instances: [inst] }, at: "startupDelay" },
  { field: "syncGroups", name: "a mapping", doc: { instances: [inst, inst2], syncGroups: { name: "VG" } }, at: "syncGroups" },
  { field: "syncGroups[].name", name: "missing", doc: group({ name: undefined }), at: "syncGroups[0].name" },
  { field: "syncGroups[].instances", name: "one instance", doc: group({ instances: ["web"] }), at: "syncGroups[0].instances" },
  {
    field: "syncGroups[].instances",
    name: "an instance that does not exist",
    doc: group({ instances: ["web", "nope"] }),
    at: "syncGroups[0].instances[1]",
  },
  {
    field: "syncGroups[].track",
    name: "a weighted script",
    doc: group({ track: { scripts: [{ name: "chk", weight: 10 }] } }),
    at: "syncGroups[0].track.scripts[0].weight",
  },
  {
    field: "syncGroups[].track",
    name: "a script that does not exist",
    doc: group({ track: { scripts: ["nope"] } }),
    at: "syncGroups[0].track.scripts[0]",
  },
  { field: "syncGroups[].notify", name: "a string", doc: group({ notify: "/bin/notify" }), at: "syncGroups[0].notify" },
  { field: "instances[].stateFile", name: "relative", doc: instance({ stateFile: "run/state" }), at: "instances[0].stateFile" },
  {
    field: "instances[].routes",
    name: "a mapping",
    doc: instance({ routes: { to: "198.51.100.0/24", via: "192.0.2.1" } }),
    at: "instances[0].routes",
  },
  { field: "instances[].rules", name: "a mapping", doc: instance({ rules: { from: "192.0.2.5", table: 100 } }), at: "instances[0].rules" },
  {
    field: "instances[].excludedAddresses",
    name: "also a virtual address",
    doc: instance({ excludedAddresses: ["192.0.2.5"] }),
    at: "instances[0].excludedAddresses[0]",
  },
  { field: "instances[].vmac", name: "a string", doc: instance({ vmac: "yes" }), at: "instances[0].vmac" },
  { field: "instances[].trackInterface", name: "text", doc: instance({ trackInterface: "no" }), at: "instances[0].trackInterface" },
  {
    field: "instances[].promoteSecondaries",
    name: "text",
    doc: instance({ promoteSecondaries: "yes" }),
    at: "instances[0].promoteSecondaries",
  },
];

/** The document as YAML or JSON would carry it: keys set to undefined are left out. */
const json = (doc: unknown): unknown => JSON.parse(JSON.stringify(doc));

describe("agent config: a bad value in every field is rejected at that field", () => {
  it("has bad values for every field the validator reads, and only for those", () => {
    const fields = validatorFields();
    const covered = new Set(BAD.map((b) => b.field));
    assert.deepEqual(
      fields.filter((f) => !covered.has(f)),
      [],
      "fields without a bad-value case",
    );
    assert.deepEqual(
      [...covered].filter((f) => !fields.includes(f)),
      [],
      "cases for fields the validator does not have",
    );
  });

  for (const bad of BAD) {
    it(`${bad.field}: ${bad.name}`, () => {
      const result = validateAgentConfig(json(bad.doc), { kubernetes: bad.kubernetes === true });
      assert.equal(result.ok, false, "accepted");
      if (result.ok) return;
      assert.ok(
        result.errors.some((e) => e.path === bad.at),
        `no error at ${bad.at}: ${JSON.stringify(result.errors)}`,
      );
    });
  }
});

describe("sync groups", () => {
  it("an instance in two groups, and a weighted member track entry, are errors", () => {
    const doc = {
      scripts: [script],
      instances: [inst, { ...inst2, track: { scripts: [{ name: "chk", weight: -20 }] } }, { ...inst2, name: "c", virtualRouterID: 53 }],
      syncGroups: [
        { name: "A", instances: ["web", "db"] },
        { name: "B", instances: ["c", "web"] },
      ],
    };
    const result = validateAgentConfig(doc);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => e.path),
      ["instances[1].track.scripts[0].weight", "syncGroups[1].instances[1]"],
    );
  });

  it("members get the group's name and tracking, unweighted", () => {
    const result = validateAgentConfig({
      ...group({ track: { scripts: ["chk"], interfaces: ["eth1"] } }),
      scripts: [{ ...script, weight: -30 }],
    });
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.config.syncGroups, [{ name: "VG", instances: ["web", "db"] }]);
    for (const member of result.config.instances) {
      assert.equal(member.syncGroup, "VG");
      assert.deepEqual(member.track.scripts, [{ name: "chk", weight: 0 }]);
      assert.deepEqual(member.track.interfaces, [{ name: "eth1", weight: 0 }]);
    }
  });
});
