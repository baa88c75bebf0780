// Every field of the VirtualIP spec, given bad values, is rejected with a
// message naming the field: by the CRD schema (structural schema and CEL, as
// the test API server enforces them) and by the controller's validator
// (operator/api/validate-virtualip.ts, which must hold where the API server
// did not check). The fields are read from crds/virtualip.yaml, so a field
// added without a bad-value case here fails the test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import yaml from "js-yaml";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { validateVirtualIPSpec } from "../../operator/api/validate-virtualip.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { rejects } from "./testutil.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const crdFile = root + "crds/virtualip.yaml";

type Schema = { properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean };

/** Schema fields under spec, as "spec.a.b", with "[]" for list items and ".*" for map values. */
function schemaFields(schema: Schema, path: string): string[] {
  const out = [path];
  for (const [key, sub] of Object.entries(schema.properties ?? {})) out.push(...schemaFields(sub, `${path}.${key}`));
  if (schema.items !== undefined) out.push(...schemaFields(schema.items, `${path}[]`));
  if (typeof schema.additionalProperties === "object") out.push(...schemaFields(schema.additionalProperties, `${path}.*`));
  return out;
}

interface BadValue {
  /** The schema field (schemaFields form) this value is bad for. */
  readonly field: string;
  readonly name: string;
  readonly spec: unknown;
  /** Where both paths must report it (with list indices and map keys). */
  readonly at: string;
  /** Where the API server reports it, when its CEL rule names another field of the same object. */
  readonly serverAt?: string;
  /** The schema cannot say this; the API server accepts it and the controller alone rejects it. */
  readonly controllerOnly?: string;
}

const base = { addresses: ["192.0.2.5/24"] };
const v2 = { ...base, version: 2 };
const secret = (ref: Record<string, unknown>) => ({ ...v2, authentication: { secretRef: { name: "web-vrrp", ...ref } } });
const pods = (patch: Record<string, unknown>) => ({
  ...base,
  track: { pods: { namespace: "web", selector: { matchLabels: { app: "web" } }, weight: 10, ...patch } },
});
const selector = (sel: unknown) => pods({ selector: sel });
const expression = (patch: Record<string, unknown>) =>
  selector({ matchExpressions: [{ key: "app", operator: "In", values: ["web"], ...patch }] });
const script = (patch: Record<string, unknown>) => ({ ...base, track: { scripts: [{ name: "chk", command: "/bin/true", ...patch }] } });
const trackIf = (patch: Record<string, unknown>) => ({ ...base, track: { interfaces: [{ name: "eth1", ...patch }] } });
const file = (patch: Record<string, unknown>) => ({ ...base, track: { files: [{ name: "tf", path: "/run/tf", ...patch }] } });
const httpCheck = (patch: Record<string, unknown>) => ({
  ...base,
  track: { httpChecks: [{ name: "app", url: "http://127.0.0.1:8080/healthz", ...patch }] },
});
const garp = (patch: Record<string, unknown>) => ({ ...base, garp: patch });
/** A map value: the validator writes `path.key`, the API server `path[key]` (as Kubernetes field paths do). */
const mapValue = (path: string, key: string) => ({ at: `${path}.${key}`, serverAt: `${path}[${key}]` });
const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

const BAD: readonly BadValue[] = [
  { field: "spec", name: "not a mapping", spec: "192.0.2.5", at: "spec" },
  { field: "spec.addresses", name: "missing", spec: { interface: "eth0" }, at: "spec.addresses" },
  { field: "spec.addresses", name: "empty", spec: { addresses: [] }, at: "spec.addresses" },
  { field: "spec.addresses", name: "17 addresses", spec: { addresses: many(17, (i) => `192.0.2.${i + 1}`) }, at: "spec.addresses" },
  { field: "spec.addresses", name: "not a list", spec: { addresses: "192.0.2.5/24" }, at: "spec.addresses" },
  { field: "spec.addresses[]", name: "octet 300", spec: { addresses: ["192.0.2.5/24", "192.0.2.300/24"] }, at: "spec.addresses[1]" },
  { field: "spec.addresses[]", name: "prefix /33", spec: { addresses: ["192.0.2.5/33"] }, at: "spec.addresses[0]" },
  { field: "spec.addresses[]", name: "a name", spec: { addresses: ["vip.example"] }, at: "spec.addresses[0]" },
  { field: "spec.addresses[]", name: "a number", spec: { addresses: [5] }, at: "spec.addresses[0]" },
  { field: "spec.addresses[]", name: "listed twice", spec: { addresses: ["192.0.2.5/24", "192.0.2.5/24"] }, at: "spec.addresses[1]" },
  {
    field: "spec.addresses[]",
    name: "one address with two prefixes",
    spec: { addresses: ["192.0.2.5/24", "192.0.2.5/32"] },
    at: "spec.addresses[1]",
    controllerOnly: "the strings differ; only the parsed addresses are equal",
  },
  { field: "spec.interface", name: "a slash", spec: { ...base, interface: "eth0/1" }, at: "spec.interface" },
  { field: "spec.interface", name: "16 characters", spec: { ...base, interface: "a-very-long-name" }, at: "spec.interface" },
  { field: "spec.interface", name: "empty", spec: { ...base, interface: "" }, at: "spec.interface" },
  { field: "spec.virtualRouterID", name: "0", spec: { ...base, virtualRouterID: 0 }, at: "spec.virtualRouterID" },
  { field: "spec.virtualRouterID", name: "256", spec: { ...base, virtualRouterID: 256 }, at: "spec.virtualRouterID" },
  { field: "spec.virtualRouterID", name: "1.5", spec: { ...base, virtualRouterID: 1.5 }, at: "spec.virtualRouterID" },
  { field: "spec.virtualRouterID", name: "text", spec: { ...base, virtualRouterID: "51" }, at: "spec.virtualRouterID" },
  { field: "spec.version", name: "4", spec: { ...base, version: 4 }, at: "spec.version" },
  { field: "spec.version", name: "2 with IPv6", spec: { addresses: ["2001:db8::5/64"], version: 2 }, at: "spec.version" },
  { field: "spec.advertisementInterval", name: "no unit", spec: { ...base, advertisementInterval: "1" }, at: "spec.advertisementInterval" },
  {
    field: "spec.advertisementInterval",
    name: "15ms (not centiseconds)",
    spec: { ...base, advertisementInterval: "15ms" },
    at: "spec.advertisementInterval",
  },
  { field: "spec.advertisementInterval", name: "41s", spec: { ...base, advertisementInterval: "41s" }, at: "spec.advertisementInterval" },
  {
    field: "spec.advertisementInterval",
    name: "1500ms with version 2",
    spec: { ...v2, advertisementInterval: "1500ms" },
    at: "spec.advertisementInterval",
  },
  { field: "spec.advertisementInterval", name: "a number", spec: { ...base, advertisementInterval: 1 }, at: "spec.advertisementInterval" },
  { field: "spec.nodeSelector", name: "a list", spec: { ...base, nodeSelector: ["zone=a"] }, at: "spec.nodeSelector" },
  {
    field: "spec.nodeSelector",
    name: "65 labels",
    spec: { ...base, nodeSelector: Object.fromEntries(many(65, (i) => [`l${i}`, "x"])) },
    at: "spec.nodeSelector",
  },
  {
    field: "spec.nodeSelector",
    controllerOnly: "the old map form is kept by x-kubernetes-preserve-unknown-fields: the schema does not see its values",
    name: "old map form, a number",
    spec: { ...base, nodeSelector: { zone: 1 } },
    ...mapValue("spec.nodeSelector", "zone"),
  },
  {
    field: "spec.nodeSelector",
    controllerOnly: "the old map form is kept by x-kubernetes-preserve-unknown-fields: the schema does not see its values",
    name: "old map form, 64 characters",
    spec: { ...base, nodeSelector: { zone: "x".repeat(64) } },
    ...mapValue("spec.nodeSelector", "zone"),
  },
  {
    field: "spec.nodeSelector",
    controllerOnly: "the old map form is kept by x-kubernetes-preserve-unknown-fields: the schema does not see its values",
    name: "old map form, not a label value",
    spec: { ...base, nodeSelector: { zone: "eu west" } },
    ...mapValue("spec.nodeSelector", "zone"),
  },
  {
    field: "spec.nodeSelector.matchLabels",
    name: "a list",
    spec: { ...base, nodeSelector: { matchLabels: ["zone=a"] } },
    at: "spec.nodeSelector.matchLabels",
  },
  {
    field: "spec.nodeSelector.matchLabels.*",
    name: "a number",
    spec: { ...base, nodeSelector: { matchLabels: { zone: 1 } } },
    ...mapValue("spec.nodeSelector.matchLabels", "zone"),
  },
  {
    field: "spec.nodeSelector.matchExpressions",
    name: "an object",
    spec: { ...base, nodeSelector: { matchExpressions: { key: "zone" } } },
    at: "spec.nodeSelector.matchExpressions",
  },
  {
    field: "spec.nodeSelector.matchExpressions[]",
    name: "a string",
    spec: { ...base, nodeSelector: { matchExpressions: ["zone In a"] } },
    at: "spec.nodeSelector.matchExpressions[0]",
  },
  {
    field: "spec.nodeSelector.matchExpressions[].key",
    name: "a number",
    spec: { ...base, nodeSelector: { matchExpressions: [{ key: 1, operator: "Exists" }] } },
    at: "spec.nodeSelector.matchExpressions[0].key",
  },
  {
    field: "spec.nodeSelector.matchExpressions[].operator",
    name: "not an operator",
    spec: { ...base, nodeSelector: { matchExpressions: [{ key: "zone", operator: "Maybe" }] } },
    at: "spec.nodeSelector.matchExpressions[0].operator",
  },
  {
    field: "spec.nodeSelector.matchExpressions[].values",
    name: "a string",
    spec: { ...base, nodeSelector: { matchExpressions: [{ key: "zone", operator: "In", values: "a" }] } },
    at: "spec.nodeSelector.matchExpressions[0].values",
  },
  {
    field: "spec.nodeSelector.matchExpressions[].values[]",
    name: "a number",
    spec: { ...base, nodeSelector: { matchExpressions: [{ key: "zone", operator: "In", values: [1] }] } },
    at: "spec.nodeSelector.matchExpressions[0].values[0]",
  },
  {
    field: "spec.nodeSelector",
    name: "a key that is not a label key",
    spec: { ...base, nodeSelector: { "zone name": "a" } },
    at: 'spec.nodeSelector["zone name"]',
    controllerOnly: "a schema constrains map values, not keys",
  },
  { field: "spec.priorities", name: "empty", spec: { ...base, priorities: {} }, at: "spec.priorities" },
  { field: "spec.priorities", name: "a list", spec: { ...base, priorities: [100] }, at: "spec.priorities" },
  { field: "spec.priorities.*", name: "0", spec: { ...base, priorities: { a: 0 } }, ...mapValue("spec.priorities", "a") },
  { field: "spec.priorities.*", name: "255 (the owner's)", spec: { ...base, priorities: { a: 255 } }, ...mapValue("spec.priorities", "a") },
  { field: "spec.priorities.*", name: "text", spec: { ...base, priorities: { a: "100" } }, ...mapValue("spec.priorities", "a") },
  { field: "spec.nodeNames", name: "a string", spec: { ...base, nodeNames: "a" }, at: "spec.nodeNames" },
  { field: "spec.nodeNames[]", name: "listed twice", spec: { ...base, nodeNames: ["a", "a"] }, at: "spec.nodeNames[1]" },
  { field: "spec.nodeNames[]", name: "empty", spec: { ...base, nodeNames: [""] }, at: "spec.nodeNames[0]" },
  { field: "spec.nodeNames[]", name: "254 characters", spec: { ...base, nodeNames: ["a".repeat(254)] }, at: "spec.nodeNames[0]" },
  {
    field: "spec.preferredNodes",
    name: "with priorities",
    spec: { ...base, priorities: { a: 100 }, preferredNodes: ["a"] },
    at: "spec.preferredNodes",
  },
  { field: "spec.preferredNodes", name: "empty", spec: { ...base, preferredNodes: [] }, at: "spec.preferredNodes" },
  { field: "spec.preferredNodes", name: "a string", spec: { ...base, preferredNodes: "a" }, at: "spec.preferredNodes" },
  { field: "spec.preferredNodes[]", name: "listed twice", spec: { ...base, preferredNodes: ["a", "a"] }, at: "spec.preferredNodes[1]" },
  { field: "spec.preferredNodes[]", name: "empty", spec: { ...base, preferredNodes: [""] }, at: "spec.preferredNodes[0]" },
  {
    field: "spec.preferredNodes[]",
    name: "254 characters",
    spec: { ...base, preferredNodes: ["a".repeat(254)] },
    at: "spec.preferredNodes[0]",
  },
  { field: "spec.preempt", name: "text", spec: { ...base, preempt: "yes" }, at: "spec.preempt" },
  { field: "spec.preemptDelay", name: "a word", spec: { ...base, preemptDelay: "soon" }, at: "spec.preemptDelay" },
  { field: "spec.preemptDelay", name: "compound", spec: { ...base, preemptDelay: "1m30s" }, at: "spec.preemptDelay" },
  { field: "spec.preemptDelay", name: "negative", spec: { ...base, preemptDelay: "-1s" }, at: "spec.preemptDelay" },
  { field: "spec.transport", name: "broadcast", spec: { ...base, transport: "broadcast" }, at: "spec.transport" },
  {
    field: "spec.authentication",
    name: "with version 3",
    spec: { ...base, authentication: { secretRef: { name: "s" } } },
    at: "spec.authentication",
  },
  { field: "spec.authentication", name: "a string", spec: { ...v2, authentication: "secret" }, at: "spec.authentication" },
  { field: "spec.authentication.secretRef", name: "missing", spec: { ...v2, authentication: {} }, at: "spec.authentication.secretRef" },
  {
    field: "spec.authentication.secretRef",
    name: "a string",
    spec: { ...v2, authentication: { secretRef: "web-vrrp" } },
    at: "spec.authentication.secretRef",
  },
  {
    field: "spec.authentication.secretRef.name",
    name: "missing",
    spec: { ...v2, authentication: { secretRef: {} } },
    at: "spec.authentication.secretRef.name",
  },
  {
    field: "spec.authentication.secretRef.name",
    name: "capitals and _",
    spec: secret({ name: "Web_Pass" }),
    at: "spec.authentication.secretRef.name",
  },
  {
    field: "spec.authentication.secretRef.namespace",
    name: "capitals",
    spec: secret({ namespace: "Web" }),
    at: "spec.authentication.secretRef.namespace",
  },
  {
    field: "spec.authentication.secretRef.namespace",
    name: "64 characters",
    spec: secret({ namespace: "a".repeat(64) }),
    at: "spec.authentication.secretRef.namespace",
  },
  {
    field: "spec.authentication.secretRef.key",
    name: "a space",
    spec: secret({ key: "pass word" }),
    at: "spec.authentication.secretRef.key",
  },
  { field: "spec.track", name: "a list", spec: { ...base, track: [] }, at: "spec.track" },
  { field: "spec.track.pods", name: "a string", spec: { ...base, track: { pods: "web" } }, at: "spec.track.pods" },
  { field: "spec.track.pods", name: "neither weight nor mode", spec: pods({ weight: undefined }), at: "spec.track.pods.weight" },
  {
    field: "spec.track.pods",
    name: "weight and mode",
    spec: pods({ mode: "fault" }),
    at: "spec.track.pods.mode",
    serverAt: "spec.track.pods.weight",
  },
  { field: "spec.track.pods.namespace", name: "missing", spec: pods({ namespace: undefined }), at: "spec.track.pods.namespace" },
  { field: "spec.track.pods.namespace", name: "capitals", spec: pods({ namespace: "Web" }), at: "spec.track.pods.namespace" },
  { field: "spec.track.pods.selector", name: "missing", spec: pods({ selector: undefined }), at: "spec.track.pods.selector" },
  { field: "spec.track.pods.selector", name: "empty", spec: selector({}), at: "spec.track.pods.selector" },
  { field: "spec.track.pods.selector", name: "empty matchLabels", spec: selector({ matchLabels: {} }), at: "spec.track.pods.selector" },
  {
    field: "spec.track.pods.selector.matchLabels",
    name: "a list",
    spec: selector({ matchLabels: ["app=web"] }),
    at: "spec.track.pods.selector.matchLabels",
  },
  {
    field: "spec.track.pods.selector.matchLabels",
    name: "a key that is not a label key",
    spec: selector({ matchLabels: { "app/": "web" } }),
    at: 'spec.track.pods.selector.matchLabels["app/"]',
    controllerOnly: "a schema constrains map values, not keys",
  },
  {
    field: "spec.track.pods.selector.matchLabels.*",
    name: "a number",
    spec: selector({ matchLabels: { app: 1 } }),
    ...mapValue("spec.track.pods.selector.matchLabels", "app"),
  },
  {
    field: "spec.track.pods.selector.matchLabels.*",
    name: "not a label value",
    spec: selector({ matchLabels: { app: "web server" } }),
    ...mapValue("spec.track.pods.selector.matchLabels", "app"),
  },
  {
    field: "spec.track.pods.selector.matchExpressions",
    name: "a mapping",
    spec: selector({ matchExpressions: { key: "app" } }),
    at: "spec.track.pods.selector.matchExpressions",
  },
  {
    field: "spec.track.pods.selector.matchExpressions",
    name: "33 requirements",
    spec: selector({ matchExpressions: many(33, (i) => ({ key: `k${i}`, operator: "Exists" })) }),
    at: "spec.track.pods.selector.matchExpressions",
  },
  {
    field: "spec.track.pods.selector.matchExpressions[]",
    name: "a string",
    spec: selector({ matchExpressions: ["app in (web)"] }),
    at: "spec.track.pods.selector.matchExpressions[0]",
  },
  {
    field: "spec.track.pods.selector.matchExpressions[].key",
    name: "missing",
    spec: expression({ key: undefined }),
    at: "spec.track.pods.selector.matchExpressions[0].key",
  },
  {
    field: "spec.track.pods.selector.matchExpressions[].key",
    name: "empty",
    spec: expression({ key: "" }),
    at: "spec.track.pods.selector.matchExpressions[0].key",
  },
  {
    field: "spec.track.pods.selector.matchExpressions[].key",
    name: "not a label key",
    spec: expression({ key: "app name" }),
    at: "spec.track.pods.selector.matchExpressions[0].key",
  },
  {
    field: "spec.track.pods.selector.matchExpressions[].operator",
    name: "Gt",
    spec: expression({ operator: "Gt" }),
    at: "spec.track.pods.selector.matchExpressions[0].operator",
  },
  {
    field: "spec.track.pods.selector.matchExpressions[].operator",
    name: "missing",
    spec: expression({ operator: undefined }),
    at: "spec.track.pods.selector.matchExpressions[0].operator",
  },
  {
    field: "spec.track.pods.selector.matchExpressions[].values",
    name: "empty for In",
    spec: expression({ values: [] }),
    at: "spec.track.pods.selector.matchExpressions[0].values",
  },
  {
    field: "spec.track.pods.selector.matchExpressions[].values",
    name: "given for Exists",
    spec: expression({ operator: "Exists" }),
    at: "spec.track.pods.selector.matchExpressions[0].values",
  },
  {
    field: "spec.track.pods.selector.matchExpressions[].values",
    name: "65 values",
    spec: expression({ values: many(65, (i) => `v${i}`) }),
    at: "spec.track.pods.selector.matchExpressions[0].values",
  },
  {
    field: "spec.track.pods.selector.matchExpressions[].values[]",
    name: "a number",
    spec: expression({ values: [1] }),
    at: "spec.track.pods.selector.matchExpressions[0].values[0]",
  },
  {
    field: "spec.track.pods.selector.matchExpressions[].values[]",
    name: "not a label value",
    spec: expression({ values: ["web server"] }),
    at: "spec.track.pods.selector.matchExpressions[0].values[0]",
  },
  { field: "spec.track.pods.weight", name: "0", spec: pods({ weight: 0 }), at: "spec.track.pods.weight" },
  { field: "spec.track.pods.weight", name: "254", spec: pods({ weight: 254 }), at: "spec.track.pods.weight" },
  { field: "spec.track.pods.mode", name: "weight", spec: pods({ weight: undefined, mode: "weight" }), at: "spec.track.pods.mode" },
  { field: "spec.track.scripts", name: "a mapping", spec: { ...base, track: { scripts: { chk: "/bin/true" } } }, at: "spec.track.scripts" },
  {
    field: "spec.track.scripts",
    name: "33 scripts",
    spec: { ...base, track: { scripts: many(33, (i) => ({ name: `s${i}`, command: "x" })) } },
    at: "spec.track.scripts",
  },
  { field: "spec.track.scripts[]", name: "a string", spec: { ...base, track: { scripts: ["/bin/true"] } }, at: "spec.track.scripts[0]" },
  { field: "spec.track.scripts[].name", name: "missing", spec: script({ name: undefined }), at: "spec.track.scripts[0].name" },
  { field: "spec.track.scripts[].name", name: "a slash", spec: script({ name: "a/b" }), at: "spec.track.scripts[0].name" },
  {
    field: "spec.track.scripts[].name",
    name: "listed twice",
    spec: {
      ...base,
      track: {
        scripts: [
          { name: "c", command: "x" },
          { name: "c", command: "y" },
        ],
      },
    },
    at: "spec.track.scripts[1].name",
    serverAt: "spec.track.scripts[1]",
  },
  { field: "spec.track.scripts[].command", name: "missing", spec: script({ command: undefined }), at: "spec.track.scripts[0].command" },
  { field: "spec.track.scripts[].command", name: "empty", spec: script({ command: "" }), at: "spec.track.scripts[0].command" },
  { field: "spec.track.scripts[].interval", name: "0s", spec: script({ interval: "0s" }), at: "spec.track.scripts[0].interval" },
  { field: "spec.track.scripts[].interval", name: "no unit", spec: script({ interval: "5" }), at: "spec.track.scripts[0].interval" },
  { field: "spec.track.scripts[].timeout", name: "a word", spec: script({ timeout: "long" }), at: "spec.track.scripts[0].timeout" },
  { field: "spec.track.scripts[].weight", name: "254", spec: script({ weight: 254 }), at: "spec.track.scripts[0].weight" },
  { field: "spec.track.scripts[].weight", name: "-254", spec: script({ weight: -254 }), at: "spec.track.scripts[0].weight" },
  { field: "spec.track.scripts[].reverse", name: "text", spec: script({ reverse: "yes" }), at: "spec.track.scripts[0].reverse" },
  { field: "spec.track.scripts[].fall", name: "0", spec: script({ fall: 0 }), at: "spec.track.scripts[0].fall" },
  { field: "spec.track.scripts[].rise", name: "1000001", spec: script({ rise: 1_000_001 }), at: "spec.track.scripts[0].rise" },
  { field: "spec.track.scripts[].initFail", name: "a number", spec: script({ initFail: 1 }), at: "spec.track.scripts[0].initFail" },
  { field: "spec.track.scripts[].user", name: "empty", spec: script({ user: "" }), at: "spec.track.scripts[0].user" },
  { field: "spec.track.scripts[].user", name: "a number", spec: script({ user: 0 }), at: "spec.track.scripts[0].user" },
  { field: "spec.track.interfaces", name: "a string", spec: { ...base, track: { interfaces: "eth1" } }, at: "spec.track.interfaces" },
  {
    field: "spec.track.interfaces",
    name: "33 interfaces",
    spec: { ...base, track: { interfaces: many(33, (i) => ({ name: `eth${i}` })) } },
    at: "spec.track.interfaces",
  },
  {
    field: "spec.track.interfaces[]",
    name: "a string",
    spec: { ...base, track: { interfaces: ["eth1"] } },
    at: "spec.track.interfaces[0]",
  },
  { field: "spec.track.interfaces[].name", name: "missing", spec: trackIf({ name: undefined }), at: "spec.track.interfaces[0].name" },
  { field: "spec.track.interfaces[].name", name: "a space", spec: trackIf({ name: "eth 1" }), at: "spec.track.interfaces[0].name" },
  { field: "spec.track.interfaces[].weight", name: "254", spec: trackIf({ weight: 254 }), at: "spec.track.interfaces[0].weight" },
  { field: "spec.track.interfaces[].reverse", name: "text", spec: trackIf({ reverse: "no" }), at: "spec.track.interfaces[0].reverse" },
  { field: "spec.track.files", name: "a string", spec: { ...base, track: { files: "/run/tf" } }, at: "spec.track.files" },
  {
    field: "spec.track.files",
    name: "33 files",
    spec: { ...base, track: { files: many(33, (i) => ({ name: `f${i}`, path: `/run/f${i}` })) } },
    at: "spec.track.files",
  },
  { field: "spec.track.files[]", name: "a string", spec: { ...base, track: { files: ["/run/tf"] } }, at: "spec.track.files[0]" },
  { field: "spec.track.files[].name", name: "missing", spec: file({ name: undefined }), at: "spec.track.files[0].name" },
  { field: "spec.track.files[].name", name: "starts with a dot", spec: file({ name: ".tf" }), at: "spec.track.files[0].name" },
  { field: "spec.track.files[].path", name: "missing", spec: file({ path: undefined }), at: "spec.track.files[0].path" },
  { field: "spec.track.files[].path", name: "relative", spec: file({ path: "run/tf" }), at: "spec.track.files[0].path" },
  { field: "spec.track.files[].weight", name: "255", spec: file({ weight: 255 }), at: "spec.track.files[0].weight" },
  { field: "spec.track.files[].reverse", name: "text", spec: file({ reverse: "no" }), at: "spec.track.files[0].reverse" },
  {
    field: "spec.track.httpChecks",
    name: "a mapping",
    spec: { ...base, track: { httpChecks: { app: "http://127.0.0.1/" } } },
    at: "spec.track.httpChecks",
  },
  {
    field: "spec.track.httpChecks",
    name: "33 checks",
    spec: { ...base, track: { httpChecks: many(33, (i) => ({ name: `h${i}`, url: "http://127.0.0.1/" })) } },
    at: "spec.track.httpChecks",
  },
  {
    field: "spec.track.httpChecks[]",
    name: "a string",
    spec: { ...base, track: { httpChecks: ["http://127.0.0.1/"] } },
    at: "spec.track.httpChecks[0]",
  },
  { field: "spec.track.httpChecks[].name", name: "missing", spec: httpCheck({ name: undefined }), at: "spec.track.httpChecks[0].name" },
  { field: "spec.track.httpChecks[].name", name: "a slash", spec: httpCheck({ name: "a/b" }), at: "spec.track.httpChecks[0].name" },
  {
    field: "spec.track.httpChecks[].name",
    name: "listed twice",
    spec: {
      ...base,
      track: {
        httpChecks: [
          { name: "h", url: "http://127.0.0.1/" },
          { name: "h", url: "http://127.0.0.1/x" },
        ],
      },
    },
    at: "spec.track.httpChecks[1].name",
    serverAt: "spec.track.httpChecks[1]",
  },
  { field: "spec.track.httpChecks[].url", name: "missing", spec: httpCheck({ url: undefined }), at: "spec.track.httpChecks[0].url" },
  { field: "spec.track.httpChecks[].url", name: "ftp", spec: httpCheck({ url: "ftp://127.0.0.1/" }), at: "spec.track.httpChecks[0].url" },
  { field: "spec.track.httpChecks[].interval", name: "0s", spec: httpCheck({ interval: "0s" }), at: "spec.track.httpChecks[0].interval" },
  {
    field: "spec.track.httpChecks[].interval",
    name: "no unit",
    spec: httpCheck({ interval: "5" }),
    at: "spec.track.httpChecks[0].interval",
  },
  {
    field: "spec.track.httpChecks[].timeout",
    name: "a word",
    spec: httpCheck({ timeout: "long" }),
    at: "spec.track.httpChecks[0].timeout",
  },
  { field: "spec.track.httpChecks[].weight", name: "254", spec: httpCheck({ weight: 254 }), at: "spec.track.httpChecks[0].weight" },
  { field: "spec.track.httpChecks[].fall", name: "0", spec: httpCheck({ fall: 0 }), at: "spec.track.httpChecks[0].fall" },
  { field: "spec.track.httpChecks[].rise", name: "1000001", spec: httpCheck({ rise: 1_000_001 }), at: "spec.track.httpChecks[0].rise" },
  {
    field: "spec.track.httpChecks[].tls",
    name: "a string",
    spec: httpCheck({ url: "https://127.0.0.1/", tls: "verify" }),
    at: "spec.track.httpChecks[0].tls",
  },
  {
    field: "spec.track.httpChecks[].tls.caFile",
    name: "relative",
    spec: httpCheck({ url: "https://127.0.0.1/", tls: { caFile: "ca.pem" } }),
    at: "spec.track.httpChecks[0].tls.caFile",
  },
  {
    field: "spec.track.httpChecks[].tls.serverName",
    name: "empty",
    spec: httpCheck({ url: "https://127.0.0.1/", tls: { serverName: "" } }),
    at: "spec.track.httpChecks[0].tls.serverName",
  },
  {
    field: "spec.track.httpChecks[].tls.insecureSkipVerify",
    name: "text",
    spec: httpCheck({ url: "https://127.0.0.1/", tls: { insecureSkipVerify: "yes" } }),
    at: "spec.track.httpChecks[0].tls.insecureSkipVerify",
  },
  { field: "spec.garp", name: "a number", spec: { ...base, garp: 5 }, at: "spec.garp" },
  { field: "spec.garp.repeat", name: "0", spec: garp({ repeat: 0 }), at: "spec.garp.repeat" },
  { field: "spec.garp.repeat", name: "101", spec: garp({ repeat: 101 }), at: "spec.garp.repeat" },
  { field: "spec.garp.delay", name: "negative", spec: garp({ delay: "-1s" }), at: "spec.garp.delay" },
  { field: "spec.garp.refresh", name: "a word", spec: garp({ refresh: "hourly" }), at: "spec.garp.refresh" },
  { field: "spec.garp.refreshRepeat", name: "0", spec: garp({ refreshRepeat: 0 }), at: "spec.garp.refreshRepeat" },
  { field: "spec.garp.lowerPriorityRepeat", name: "101", spec: garp({ lowerPriorityRepeat: 101 }), at: "spec.garp.lowerPriorityRepeat" },
  { field: "spec.garp.lowerPriorityDelay", name: "no unit", spec: garp({ lowerPriorityDelay: "5" }), at: "spec.garp.lowerPriorityDelay" },
  { field: "spec.garp.interval", name: "no unit", spec: garp({ interval: "10" }), at: "spec.garp.interval" },
  { field: "spec.releaseOnCordon", name: "text", spec: { ...base, releaseOnCordon: "true" }, at: "spec.releaseOnCordon" },
  { field: "spec.maxCandidates", name: "-1", spec: { ...base, maxCandidates: -1 }, at: "spec.maxCandidates" },
  { field: "spec.maxCandidates", name: "256", spec: { ...base, maxCandidates: 256 }, at: "spec.maxCandidates" },
];

/** The spec as JSON would carry it: keys set to undefined are left out. */
const json = (spec: unknown): unknown => JSON.parse(JSON.stringify(spec));

describe("VirtualIP bad values: every spec field, schema and controller", () => {
  const crd = yaml.load(readFileSync(crdFile, "utf8")) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
  const specSchema = crd.spec.versions[0]!.schema.openAPIV3Schema.properties!["spec"]!;

  it("has bad values for every field of the CRD's spec schema, and only for those", () => {
    const fields = schemaFields(specSchema, "spec");
    const covered = new Set(BAD.map((b) => b.field));
    assert.deepEqual(
      fields.filter((f) => !covered.has(f)),
      [],
      "fields without a bad-value case",
    );
    assert.deepEqual(
      [...covered].filter((f) => !fields.includes(f)),
      [],
      "cases for fields the schema does not have",
    );
  });

  describe("the controller's validator rejects each, naming the field", () => {
    for (const bad of BAD) {
      it(`${bad.field}: ${bad.name}`, () => {
        const result = validateVirtualIPSpec(json(bad.spec));
        assert.equal(result.ok, false, "accepted");
        if (result.ok) return;
        assert.ok(
          result.errors.some((e) => e.field === bad.at),
          `no error at ${bad.at}: ${JSON.stringify(result.errors)}`,
        );
      });
    }
  });

  describe("the API server rejects each by the CRD schema, naming the field", () => {
    let server: TestApiServer;
    let custom: CustomObjectsApi;
    before(async () => {
      server = await startTestApiServer({ crds: [crdFile] });
      custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    });
    after(() => server.close());
    const create = (spec: unknown) =>
      custom.createClusterCustomObject({
        group: "floatip.io",
        version: "v1alpha1",
        plural: "virtualips",
        dryRun: "All",
        body: { apiVersion: "floatip.io/v1alpha1", kind: "VirtualIP", metadata: { name: "bad" }, spec: json(spec) },
      });

    for (const bad of BAD) {
      it(`${bad.field}: ${bad.name}${bad.controllerOnly !== undefined ? " (accepted: controller only)" : ""}`, async () => {
        if (bad.controllerOnly !== undefined) {
          await create(bad.spec); // the schema cannot say it (bad.controllerOnly); the validator above rejects it
          return;
        }
        const status = await rejects(() => create(bad.spec));
        const at = bad.serverAt ?? bad.at;
        assert.equal(status.code, 422, status.message);
        assert.ok(
          status.details?.causes?.some((c) => c.field === at),
          `no cause at ${at}: ${status.message}`,
        );
        assert.ok(status.message?.includes(`${at}: `), `message does not name ${at}: ${status.message}`);
      });
    }

    it("accepts the base specs the bad values are built from, and ran every CEL rule", async () => {
      for (const spec of [base, v2, secret({}), pods({}), expression({}), script({}), trackIf({}), file({}), garp({ repeat: 3 })])
        await create(spec);
      assert.deepEqual([...server.unsupportedValidations], []);
    });
  });
});
