/**
 * One source for the contract's numbers: the CRDs' bounds (crds/*.yaml), the TypeScript validators
 * and the chart's values.schema.json all say what limits.ts says (through crd-bounds.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import yaml from "js-yaml";
import { CRD_BOUNDS, type SchemaBounds } from "./crd-bounds.js";
import * as limits from "./limits.js";
import { validateVirtualIPSpec } from "./validate-virtualip.js";

type Schema = { properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean } & SchemaBounds;
const KEYS = ["minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "maxProperties"] as const;
const repo = (path: string) => new URL(`../../../${path}`, import.meta.url);

/** Every bound in a schema, by path (properties joined by ".", then "items" / "additionalProperties"). */
function boundsOf(schema: Schema, path = "", out: Record<string, SchemaBounds> = {}): Record<string, SchemaBounds> {
  const here = Object.fromEntries(KEYS.filter((k) => schema[k] !== undefined).map((k) => [k, schema[k]]));
  if (Object.keys(here).length > 0) out[path] = here;
  const join = (key: string) => (path === "" ? key : `${path}.${key}`);
  for (const [key, child] of Object.entries(schema.properties ?? {})) boundsOf(child, join(key), out);
  if (schema.items !== undefined) boundsOf(schema.items, join("items"), out);
  if (typeof schema.additionalProperties === "object") boundsOf(schema.additionalProperties, join("additionalProperties"), out);
  return out;
}

const crdSchema = (name: string): Schema => {
  const crd = yaml.load(readFileSync(repo(`crds/${name}.yaml`), "utf8")) as {
    spec: { versions: Array<{ schema: { openAPIV3Schema: Schema } }> };
  };
  return crd.spec.versions[0]!.schema.openAPIV3Schema;
};

describe("the contract's numbers come from limits.ts", () => {
  for (const [name, table] of Object.entries(CRD_BOUNDS)) {
    it(`crds/${name}.yaml has exactly the bounds of crd-bounds.ts`, () => {
      assert.deepEqual(boundsOf(crdSchema(name)), table);
    });
  }

  // A spec that is valid except for the one value put at `path` (array paths get one minimal entry).
  const minimalItems: Record<string, Record<string, unknown>> = {
    "track.scripts": { name: "chk", command: "/bin/true" },
    "track.interfaces": { name: "eth1" },
    "track.files": { name: "f", path: "/run/floatip/f" },
    "track.httpChecks": { name: "h", url: "http://192.0.2.9/healthz" },
  };
  function specWith(path: string, value: unknown): Record<string, unknown> {
    const spec: Record<string, unknown> = { addresses: ["192.0.2.5/24"] };
    if (path === "priorities.additionalProperties") return { ...spec, priorities: { "node-a": value } };
    if (path === "track.pods.weight")
      return { ...spec, track: { pods: { namespace: "default", selector: { matchLabels: { app: "web" } }, weight: value } } };
    const list = Object.keys(minimalItems).find((l) => path.startsWith(`${l}.items.`));
    if (list !== undefined) {
      const [group, key] = list.split(".") as [string, string];
      const field = path.slice(`${list}.items.`.length);
      return { ...spec, [group]: { [key]: [{ ...minimalItems[list], [field]: value }] } };
    }
    const parts = path.split(".");
    const leaf = parts.pop()!;
    let node: Record<string, unknown> = spec;
    for (const p of parts) node = (node[p] ??= {}) as Record<string, unknown>;
    node[leaf] = value;
    return spec;
  }

  const numeric = Object.entries(CRD_BOUNDS.virtualip).filter(
    ([path, b]) => path.startsWith("spec.") && b.minimum !== undefined && b.maximum !== undefined,
  );
  for (const [schemaPath, b] of numeric) {
    const path = schemaPath.slice("spec.".length);
    it(`validateVirtualIPSpec: spec.${path} accepts ${b.minimum} and ${b.maximum}, rejects one past each`, () => {
      for (const v of [b.minimum!, b.maximum!]) {
        const r = validateVirtualIPSpec(specWith(path, v));
        assert.ok(r.ok, `${v}: ${JSON.stringify(!r.ok && r.errors)}`);
      }
      for (const v of [b.minimum! - 1, b.maximum! + 1]) {
        const r = validateVirtualIPSpec(specWith(path, v));
        assert.ok(!r.ok, `${v} is accepted`);
        const field = `spec.${path.replace(".items.", "[0].").replace("additionalProperties", "node-a")}`;
        assert.ok(
          r.errors.some((e) => e.field === field || e.field === field.replace(".node-a", '["node-a"]')),
          `${v}: ${JSON.stringify(r.errors)} names ${field}`,
        );
      }
    });
  }

  it("validateVirtualIPSpec: at most MAX_ADDRESSES addresses, NODE_NAMES_MAX node names", () => {
    const addresses = Array.from({ length: limits.MAX_ADDRESSES + 1 }, (_, i) => `192.0.2.${i + 1}/24`);
    assert.ok(validateVirtualIPSpec({ addresses: addresses.slice(0, -1) }).ok);
    assert.ok(!validateVirtualIPSpec({ addresses }).ok);
    const nodeNames = Array.from({ length: limits.NODE_NAMES_MAX + 1 }, (_, i) => `node-${i}`);
    assert.ok(validateVirtualIPSpec({ addresses: ["192.0.2.5/24"], nodeNames: nodeNames.slice(0, -1) }).ok);
    assert.ok(!validateVirtualIPSpec({ addresses: ["192.0.2.5/24"], nodeNames }).ok);
  });

  it("charts/floatip/values.schema.json: Kubernetes names bounded as limits.ts bounds them", () => {
    type Prop = { properties?: Record<string, Prop>; items?: Prop; maxLength?: number; pattern?: string };
    const values = JSON.parse(readFileSync(repo("charts/floatip/values.schema.json"), "utf8")) as Prop;
    const at = (path: string) => path.split(".").reduce<Prop>((s, k) => (k === "items" ? s.items! : s.properties![k]!), values);
    const subdomain = { maxLength: limits.DNS_SUBDOMAIN_MAX, pattern: limits.DNS_SUBDOMAIN.source };
    const label = { maxLength: limits.DNS_LABEL_MAX, pattern: limits.DNS_LABEL.source };
    const pick = (p: Prop) => ({ maxLength: p.maxLength, pattern: p.pattern });
    assert.deepEqual(pick(at("controller.leaderElection.leaseName")), subdomain);
    assert.deepEqual(pick(at("agent.secretNames.items")), subdomain);
    assert.deepEqual(pick(at("agent.secretNamespaces.items")), label);
  });
});
