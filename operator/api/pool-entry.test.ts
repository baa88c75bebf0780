/** A pool entry's syntax: the controller's pattern and message are the CRD's CEL rule (no API server needed). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { POOL_ENTRY_MESSAGE, POOL_ENTRY_PATTERN } from "./limits.js";
import { validatePoolSpec } from "./validate-pool.js";

type Rule = { rule: string; message: string };
const crd = yaml.load(readFileSync(new URL("../../../crds/virtualippool.yaml", import.meta.url), "utf8")) as {
  spec: {
    versions: {
      schema: {
        openAPIV3Schema: {
          properties: { spec: { properties: { addresses: { items: { "x-kubernetes-validations": Rule[]; pattern?: string } } } } };
        };
      };
    }[];
  };
};
/** RegExp.source writes "/" as "\\/"; the CEL rule need not. */
const entrySource = POOL_ENTRY_PATTERN.source.split("\\/").join("/");
const items = crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties.addresses.items;

describe("VirtualIPPool entries: one syntax rule, in the CRD and in the controller", () => {
  it("the CRD's CEL rule runs POOL_ENTRY_PATTERN with POOL_ENTRY_MESSAGE (and no looser pattern before it)", () => {
    assert.deepEqual(
      items["x-kubernetes-validations"].map((r) => [r.rule, r.message]),
      [[`self.matches('${entrySource}')`, POOL_ENTRY_MESSAGE]],
    );
    assert.equal(items.pattern, undefined);
    assert.ok(!entrySource.includes("\\") && !entrySource.includes("'"), "the expression needs no escaping inside a CEL string");
  });

  const good = [
    "192.0.2.64/28",
    "192.0.2.10-192.0.2.20",
    "192.0.2.10 - 192.0.2.20",
    "192.0.2.5",
    "0.0.0.0/0",
    "2001:db8::/120",
    "2001:db8::10-2001:db8::1f",
    "2001:db8::5",
    "::ffff:192.0.2.1",
  ];
  const bad = [
    "192.0.2.300",
    "192.0.2.10-192.0.2.300",
    "192.0.2.10-",
    "192.0.2.10..20",
    "192.0.2.0/33",
    "2001:db8::/129",
    "192.0.2.0/24/2",
    "pool-a",
    "192.0.2",
    "",
  ];
  for (const text of good) it(`accepts ${JSON.stringify(text)}`, () => assert.ok(POOL_ENTRY_PATTERN.test(text)));
  for (const text of bad) {
    it(`refuses ${JSON.stringify(text)} with the CRD's message`, () => {
      assert.ok(!POOL_ENTRY_PATTERN.test(text));
      const r = validatePoolSpec({ addresses: ["198.51.100.0/30", text] });
      assert.deepEqual(r.ok ? [] : r.errors, [{ field: "spec.addresses[1]", message: POOL_ENTRY_MESSAGE }]);
    });
  }
});
