import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Reader } from "../../agent/config/reader.js";
import { andSelectors, nodeSelectorForm, readNodeSelector } from "./node-selector.js";
import { validateVirtualIPSpec } from "./validate-virtualip.js";
import { validatePoolSpec } from "./validate-pool.js";
import { plan } from "../planner/plan.js";
import { node, vip } from "../planner/test-fixtures.js";

const read = (value: unknown) => {
  const r = new Reader();
  const selector = readNodeSelector(r, value, "spec.nodeSelector");
  return { selector, errors: r.errors.map((e) => `${e.path}: ${e.message}`) };
};

describe("nodeSelector: LabelSelector, and the old label map", () => {
  const cases: [string, unknown, unknown][] = [
    ["empty selects every node", {}, {}],
    ["a plain label map (the old form) is matchLabels", { disktype: "ssd", zone: "a" }, { matchLabels: { disktype: "ssd", zone: "a" } }],
    ["matchLabels", { matchLabels: { zone: "a" } }, { matchLabels: { zone: "a" } }],
    [
      "matchExpressions",
      {
        matchExpressions: [
          { key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" },
          { key: "zone", operator: "In", values: ["a", "b"] },
        ],
      },
      {
        matchExpressions: [
          { key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" },
          { key: "zone", operator: "In", values: ["a", "b"] },
        ],
      },
    ],
    ["empty parts are dropped", { matchLabels: {}, matchExpressions: [] }, {}],
  ];
  for (const [what, value, want] of cases) {
    it(what, () => assert.deepEqual(read(value), { selector: want, errors: [] }));
  }

  const bad: [string, unknown, RegExp][] = [
    [
      "mixing both forms",
      { matchLabels: { a: "b" }, zone: "a" },
      /^spec\.nodeSelector\.zone: mixes a plain label map .* with matchLabels: move the labels into spec\.nodeSelector\.matchLabels$/,
    ],
    [
      "an unknown operator",
      { matchExpressions: [{ key: "zone", operator: "Near" }] },
      /^spec\.nodeSelector\.matchExpressions\[0\]\.operator: must be one of In, NotIn, Exists, DoesNotExist/,
    ],
    [
      "In without values",
      { matchExpressions: [{ key: "zone", operator: "In" }] },
      /^spec\.nodeSelector\.matchExpressions\[0\]\.values: must not be empty for operator In$/,
    ],
    ["a bad label value in the old form", { zone: "a b" }, /^spec\.nodeSelector\.zone: must be a label value/],
    ["a bad label key in matchLabels", { matchLabels: { "-x": "a" } }, /^spec\.nodeSelector\.matchLabels\["-x"\]: "-x" is not a label key/],
    ["not a mapping", ["zone"], /^spec\.nodeSelector: must be a mapping/],
  ];
  for (const [what, value, want] of bad) {
    it(`refuses ${what}`, () => {
      const got = read(value);
      assert.equal(got.selector, undefined);
      assert.match(got.errors.join("\n"), want);
    });
  }

  it("tells the forms apart", () => {
    assert.equal(nodeSelectorForm({ zone: "a" }), "labels");
    assert.equal(nodeSelectorForm({ matchLabels: { zone: "a" } }), "selector");
    assert.equal(nodeSelectorForm({}), "selector");
  });

  it("VirtualIP and VirtualIPPool validators take both forms", () => {
    const v = validateVirtualIPSpec({ addresses: ["192.0.2.5/24"], nodeSelector: { zone: "a" } });
    assert.ok(v.ok && JSON.stringify(v.config.nodeSelector) === JSON.stringify({ matchLabels: { zone: "a" } }));
    const p = validatePoolSpec({ addresses: ["192.0.2.0/28"], nodeSelector: { matchExpressions: [{ key: "zone", operator: "Exists" }] } });
    assert.ok(
      p.ok && JSON.stringify(p.config.nodeSelector) === JSON.stringify({ matchExpressions: [{ key: "zone", operator: "Exists" }] }),
    );
  });

  it("andSelectors: labels merged, requirements concatenated once", () => {
    const dne = { key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" as const };
    assert.deepEqual(
      andSelectors([{ matchLabels: { b: "1" }, matchExpressions: [dne] }, { matchLabels: { a: "2" }, matchExpressions: [dne] }, {}]),
      { matchLabels: { a: "2", b: "1" }, matchExpressions: [dne] },
    );
    assert.deepEqual(andSelectors([]), {});
  });
});

describe("planner: nodes chosen by LabelSelector", () => {
  const cp = node("cp", 0, { labels: { "node-role.kubernetes.io/control-plane": "", zone: "a" } });
  const w1 = node("w1", 1, { labels: { zone: "a" } });
  const w2 = node("w2", 2, { labels: { zone: "b" } });
  const rendered = (spec: Record<string, unknown>) =>
    plan({ virtualIPs: [vip("v", spec)], nodes: [cp, w1, w2] }).vips.get("v")!.renderedNodes;

  it("DoesNotExist keeps control-plane nodes out", () => {
    assert.deepEqual(
      rendered({ nodeSelector: { matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" }] } }),
      ["w1", "w2"],
    );
  });
  it("Exists, In, NotIn", () => {
    assert.deepEqual(
      rendered({ nodeSelector: { matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists" }] } }),
      ["cp"],
    );
    assert.deepEqual(rendered({ nodeSelector: { matchExpressions: [{ key: "zone", operator: "In", values: ["b", "c"] }] } }), ["w2"]);
    assert.deepEqual(rendered({ nodeSelector: { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["b"] }] } }), ["cp", "w1"]);
  });
  it("the old label map selects what matchLabels selects", () => {
    assert.deepEqual(rendered({ nodeSelector: { zone: "a" } }), rendered({ nodeSelector: { matchLabels: { zone: "a" } } }));
    assert.deepEqual(rendered({ nodeSelector: { zone: "a" } }), ["cp", "w1"]);
  });
});
