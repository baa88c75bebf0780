import { describe, it } from "node:test";
import assert from "node:assert/strict";
import yaml from "js-yaml";
import { MAX_ALIAS_VALUES, checkExpansion, type ExpansionCheck } from "./yaml-expansion.js";
import { parseYamlConfig } from "./load.js";

const load = (text: string): unknown => yaml.load(text, { schema: yaml.CORE_SCHEMA });
const list = (n: number, item: string): string => `[${Array(n).fill(item).join(", ")}]`;

describe("YAML alias expansion (fuzz finding F6)", () => {
  const rows: readonly [string, string, number, ExpansionCheck][] = [
    ["scalars count one each", "a: 1\nb: [x, y]\n", 10, { ok: true, values: 5 }],
    ["a document without aliases passes whatever its size", `a: ${list(50, "x")}\n`, 10, { ok: true, values: 52 }],
    ["each alias adds the values under its node", "a: &a [x, y]\nb: [*a, *a]\n", 10, { ok: true, values: 11 }],
    ["aliases of scalars add one each", "a: &a x\nb: [*a, *a, *a]\n", 10, { ok: true, values: 6 }],
    [
      "going over names the alias that goes over",
      "a: &a [x, y, z]\nb: [*a, *a, *a, *a]\n",
      10,
      { ok: false, reason: "too-large", path: "b[2]" },
    ],
    [
      "nested aliases multiply",
      "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n",
      20,
      { ok: false, reason: "too-large", path: "d[0]" },
    ],
    ["a node containing an alias to itself never ends", "a: &a [x, {b: *a}]\n", 1000, { ok: false, reason: "cycle", path: "a[1].b" }],
  ];
  for (const [name, text, limit, expected] of rows) {
    it(name, () => assert.deepEqual(checkExpansion(load(text), limit), expected));
  }

  it("counts a chain of doubling aliases without expanding it", () => {
    // 2^60 values: expanding would never end; counting visits each anchor once.
    const text = ["a0: &a0 [x, x]", ...Array.from({ length: 60 }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}, *a${i}]`)].join("\n");
    const result = checkExpansion(load(text), Infinity);
    assert.ok(result.ok);
    assert.ok(result.values > 2 ** 60);
  });

  it("parseYamlConfig rejects the reproducer shape at once, naming the alias", () => {
    // instances × expressions × values through aliases: 1,200³ values before the limit.
    const n = 1200;
    const text = [
      `v: &v ${list(n, "a")}`,
      "e: &e {key: k, operator: In, values: *v}",
      `es: &es ${list(n, "*e")}`,
      "i: &i {name: x, interface: eth0, virtualRouterId: 1, addresses: [192.0.2.1], track: {pods: {namespace: n, selector: {matchExpressions: *es}}}}",
      `instances: ${list(n, "*i")}`,
    ].join("\n");
    const started = Date.now();
    const result = parseYamlConfig(text, "agent.yaml");
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    assert.deepEqual(result, {
      ok: false,
      errors: [
        {
          path: "config.es[40]",
          message: `YAML aliases add more than 50,000 values to the document, going over with the alias here; use fewer aliases or write the repeated parts out`,
        },
      ],
    });
    assert.equal(MAX_ALIAS_VALUES, 50_000);
  });

  it("parseYamlConfig names a self-referencing alias under instances", () => {
    const result = parseYamlConfig("instances: &i [{name: x, track: *i}]\n", "agent.yaml");
    assert.deepEqual(result, {
      ok: false,
      errors: [{ path: "instances[0].track", message: "YAML alias to a node that contains it: the document would never end" }],
    });
  });

  it("parseYamlConfig accepts aliases that share blocks between instances", () => {
    const first =
      "  - {name: i0, interface: eth0, virtualRouterId: 1, addresses: [192.0.2.1], garp: &garp {repeat: 3, delay: 2s}, track: &track {scripts: [chk, {name: chk, weight: -20}], interfaces: [eth0, eth1]}}";
    const others = Array.from(
      { length: 199 },
      (_, i) =>
        `  - {name: i${i + 1}, interface: eth0, virtualRouterId: ${i + 2}, addresses: [192.0.2.${i + 2}], garp: *garp, track: *track}`,
    );
    const text = ["scripts: [{name: chk, command: /bin/true}]", "instances:", first, ...others].join("\n");
    const result = parseYamlConfig(text, "agent.yaml");
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors.slice(0, 3)));
    assert.equal(result.config.instances.length, 200);
    assert.ok(result.config.instances.every((i) => i.garp.repeat === 3 && i.track.interfaces.length === 2 && i.track.scripts.length === 2));
  });
});
