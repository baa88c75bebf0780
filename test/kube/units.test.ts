// Unit tests of the test API server's pieces: selectors, JSONPath, CEL, schema, patches, tables.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCel } from "./cel.js";
import { evaluate, makeRuleRunner } from "./cel-eval.js";
import { jsonPathResults } from "./jsonpath.js";
import { jsonPatch, mergePatch, strategicMerge } from "./patch.js";
import { applyStructuralSchema } from "./schema.js";
import { makeSelector, parseLabelSelector } from "./selectors.js";
import { humanDuration } from "./table.js";
import { KubeObject, SchemaNode } from "./types.js";

const obj = (labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "x", labels },
  ...extra,
});

describe("selectors", () => {
  it("parses and matches label selectors", () => {
    assert.deepEqual(parseLabelSelector("a in (x,y), !b,c"), [
      { key: "a", op: "in", values: ["x", "y"] },
      { key: "b", op: "!exists", values: [] },
      { key: "c", op: "exists", values: [] },
    ]);
    assert.equal(makeSelector("app.kubernetes.io/name=floatip", undefined)(obj({ "app.kubernetes.io/name": "floatip" })), true);
    assert.equal(makeSelector("a notin (x)", undefined)(obj({})), true);
    assert.equal(makeSelector("n>3", undefined)(obj({ n: "4" })), true);
    assert.throws(() => makeSelector("a in x", undefined), /unable to parse requirement/);
  });
  it("matches field selectors on dotted paths, with escapes", () => {
    const o = obj({}, { spec: { nodeName: "n,1", unschedulable: true } });
    assert.equal(makeSelector(undefined, "spec.nodeName=n\\,1")(o), true);
    assert.equal(makeSelector(undefined, "spec.unschedulable=true,metadata.name==x")(o), true);
    assert.equal(makeSelector(undefined, "spec.missing=")(o), true);
  });
});

describe("JSONPath subset", () => {
  const o = {
    status: {
      conditions: [
        { type: "A", status: "False" },
        { type: "Ready", status: "True" },
      ],
      n: [1, 2],
    },
    metadata: { labels: { "a.b/c": "v" } },
  };
  it("selects children, indexes, wildcards, quoted keys and filters", () => {
    assert.deepEqual(jsonPathResults('.status.conditions[?(@.type=="Ready")].status', o), ["True"]);
    assert.deepEqual(jsonPathResults(".status.conditions[0].type", o), ["A"]);
    assert.deepEqual(jsonPathResults(".status.conditions[-1].type", o), ["Ready"]);
    assert.deepEqual(jsonPathResults(".status.conditions[*].type", o), ["A", "Ready"]);
    assert.deepEqual(jsonPathResults("{.metadata.labels['a.b/c']}", o), ["v"]);
    assert.deepEqual(jsonPathResults(".status.n[?(@ > 1)]", { status: { n: [] } }).length, 0);
    assert.deepEqual(jsonPathResults(".status.missing", o), []);
  });
});

describe("CEL subset", () => {
  const ev = (src: string, self: unknown, oldSelf?: unknown): unknown => evaluate(parseCel(src), { self, oldSelf });
  it("evaluates the common rule forms", () => {
    assert.equal(ev("has(self.a) && self.a.size() > 1 && size(self.a) == 2", { a: "xy" }), true);
    assert.equal(ev("!has(self.b) || self.b", { a: 1 }), true);
    assert.equal(ev("self.l.all(x, x > 0) && self.l.exists(x, x == 2) && self.l.exists_one(x, x == 1)", { l: [1, 2] }), true);
    assert.equal(ev("self.l.map(x, x * 2) == [2, 4] && self.l.filter(x, x > 1) == [2]", { l: [1, 2] }), true);
    assert.equal(ev("self.m.all(k, k.startsWith('n')) && 'n1' in self.m && self.m['n1'] == 1", { m: { n1: 1 } }), true);
    assert.equal(ev("self.s.matches('^[a-z]+$') && self.s.endsWith('c') && self.s.contains('b')", { s: "abc" }), true);
    assert.equal(ev("self > 0 ? 'pos' : 'neg'", -1), "neg");
    assert.equal(ev("duration(self) >= duration('10ms') && duration(self).getMilliseconds() == 1500", "1.5s"), true);
    assert.equal(ev("duration(string(duration(self).getMilliseconds()) + 'ms') == duration(self)", "1m30s"), true);
    assert.equal(ev("isCIDR(self) && cidr(self).prefixLength() == 64 && cidr(self).ip().family() == 6", "2001:db8::/64"), true);
    assert.equal(ev("isIP(self)", "300.0.0.1"), false);
    assert.equal(ev("self == oldSelf", 1, 2), false);
    assert.equal(ev("7 / 2 == 3 && 7 % 2 == 1 && -self == 1 && 0x10 == 16", -1), true);
    assert.equal(ev("self.missing == 1 || true", {}), true, "errors are absorbed by || when the other side decides");
    assert.throws(() => ev("self.missing == 1", {}), /no such key: missing/);
  });
  it("runs rules: messages, reasons, fieldPath, transition rules, unsupported ones skipped", () => {
    const unsupported = new Set<string>();
    const run = makeRuleRunner(unsupported);
    const rules = [
      { rule: "self.a < 3", message: "a too big", fieldPath: ".a", reason: "FieldValueForbidden" },
      { rule: "self.a == oldSelf.a", messageExpression: "'a changed from ' + string(oldSelf.a)" },
      { rule: "self.a.frobnicate()" },
      { rule: "self.b == 1" },
    ];
    const causes = run(rules, { a: 5 }, { value: { a: 4 } }, "spec", { type: "object" });
    assert.deepEqual(causes, [
      { reason: "FieldValueForbidden", message: "Forbidden: a too big", field: "spec.a" },
      { reason: "FieldValueInvalid", message: 'Invalid value: "object": a changed from 4', field: "spec" },
      { reason: "FieldValueInvalid", message: 'Invalid value: "object": no such key: b evaluating rule: self.b == 1', field: "spec" },
    ]);
    assert.deepEqual([...unsupported], ["self.a.frobnicate() (function frobnicate())"]);
    assert.equal(run([rules[1]!], { a: 5 }, undefined, "spec", { type: "object" }).length, 0, "transition rules need an old value");
  });
});

describe("structural schema", () => {
  const schema: SchemaNode = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        maxProperties: 6,
        properties: {
          port: { "x-kubernetes-int-or-string": true },
          n: { type: "integer", format: "int32", nullable: true },
          when: { type: "string", format: "date-time" },
          d: { type: "string", default: "x" },
          items: {
            type: "array",
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            items: { type: "object", properties: { name: { type: "string" }, v: { type: "number", exclusiveMinimum: true, minimum: 0 } } },
          },
          one: { type: "string", anyOf: [{ pattern: "^a" }, { pattern: "^b" }] },
          s: { type: "string", minLength: 2 },
        },
      },
    },
  };
  const check = (spec: Record<string, unknown>) =>
    applyStructuralSchema(schema, { apiVersion: "x/v1", kind: "X", metadata: { name: "x" }, spec, junk: 1 }, undefined, {});
  it("prunes, defaults, and keeps nullable nulls", () => {
    const r = check({ port: "http", n: null, extra: 1 });
    assert.deepEqual(r.causes, []);
    assert.deepEqual(r.value.spec, { port: "http", n: null, d: "x" });
    assert.equal(r.value.junk, undefined);
    assert.deepEqual(r.pruned.sort(), ["junk", "spec.extra"]);
  });
  it("reports field errors with the real server's paths and wording", () => {
    const r = check({
      port: true,
      n: 2 ** 40,
      when: "yesterday",
      items: [
        { name: "a", v: 0 },
        { name: "a", v: 1 },
      ],
      one: "c",
      s: "x",
    });
    const byField = Object.fromEntries(r.causes.map((c) => [c.field, c.message]));
    assert.match(byField["spec.port"] ?? "", /must be of type integer,string/);
    assert.match(byField["spec.n"] ?? "", /must be of type int32/);
    assert.match(byField["spec.when"] ?? "", /must be of type date-time/);
    assert.equal(byField["spec.items[1]"], 'Duplicate value: {"name":"a"}');
    assert.match(byField["spec.items[0].v"] ?? "", /should be greater than 0/);
    assert.match(byField["spec.one"] ?? "", /anyOf/);
    assert.match(byField["spec.s"] ?? "", /should be at least 2 chars long/);
    assert.equal(
      check({ a: 1, b: 2, c: 3, port: 1, n: 1, s: "ab", when: "2026-01-01T00:00:00Z" }).causes.length,
      0,
      "pruned before maxProperties",
    );
  });
});

describe("patches and tables", () => {
  it("applies JSON patch operations", () => {
    const out = jsonPatch({ a: [1, 2], b: { c: 1 } }, [
      { op: "add", path: "/a/-", value: 3 },
      { op: "move", from: "/b/c", path: "/d" },
      { op: "copy", from: "/d", path: "/e~1f" },
      { op: "test", path: "/a/2", value: 3 },
    ]);
    assert.deepEqual(out, { a: [1, 2, 3], b: {}, d: 1, "e/f": 1 });
    assert.throws(() => jsonPatch({}, [{ op: "remove", path: "/x" }]), /missing/);
  });
  it("merges: RFC 7386 and strategic merge directives", () => {
    assert.deepEqual(mergePatch({ a: { b: 1, c: 2 }, l: [1] }, { a: { b: null }, l: [2] }), { a: { c: 2 }, l: [2] });
    const keys = { "spec.containers": "name" };
    assert.deepEqual(
      strategicMerge(
        { spec: { containers: [{ name: "a", x: 1 }], o: { p: 1, q: 2 } } },
        { spec: { $retainKeys: ["containers"], containers: [{ $patch: "replace" }, { name: "b" }] } },
        "",
        keys,
      ),
      {
        spec: { containers: [{ name: "b" }] },
      },
    );
    assert.deepEqual(strategicMerge({ m: { a: 1 } }, { m: { $patch: "replace", b: 2 } }, "", {}), { m: { b: 2 } });
  });
  it("formats ages like kubectl", () => {
    assert.deepEqual([5e3, 150e3, 3600e3 * 5.5, 86400e3 * 3].map(humanDuration), ["5s", "2m30s", "5h30m", "3d"]);
  });
});
