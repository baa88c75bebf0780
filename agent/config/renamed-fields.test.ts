import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "./validate.js";
import { parseYamlConfig } from "./load.js";

const base = { name: "web", interface: "eth0", addresses: ["192.0.2.5/24"] };
const doc = (fields: Record<string, unknown>) => ({ instances: [{ ...base, ...fields }] });

describe("renamed instance fields: virtualRouterID, advertisementInterval (old spellings still read)", () => {
  it("the old and the new spelling give the same config; only the old one is noted as deprecated", () => {
    const current = validateAgentConfig(doc({ virtualRouterID: 51, advertisementInterval: "100ms" }));
    const old = validateAgentConfig(doc({ virtualRouterId: 51, advertInterval: "100ms" }));
    assert.ok(current.ok && old.ok);
    assert.deepEqual(old.config, current.config);
    assert.equal(current.deprecated, undefined);
    assert.deepEqual(
      old.deprecated?.map((d) => d.path),
      ["instances[0].virtualRouterId", "instances[0].advertInterval"],
    );
    assert.match(old.deprecated![0]!.message, /old spelling of virtualRouterID; write virtualRouterID/);
  });

  it("both spellings with the same value: the new one wins, nothing to note", () => {
    const both = validateAgentConfig(doc({ virtualRouterID: 51, virtualRouterId: 51 }));
    assert.ok(both.ok);
    assert.equal(both.config.instances[0]!.virtualRouterId, 51);
    assert.equal(both.deprecated, undefined);
  });

  const conflicts: [string, Record<string, unknown>, string, RegExp][] = [
    [
      "VRID",
      { virtualRouterID: 51, virtualRouterId: 52 },
      "instances[0].virtualRouterID",
      /virtualRouterID 51 and its old spelling virtualRouterId 52; keep only virtualRouterID/,
    ],
    [
      "interval",
      { virtualRouterID: 51, advertisementInterval: "1s", advertInterval: "2s" },
      "instances[0].advertisementInterval",
      /advertisementInterval "1s" and its old spelling advertInterval "2s"/,
    ],
  ];
  for (const [name, fields, path, message] of conflicts) {
    it(`both spellings, different values (${name}): refused, naming the field`, () => {
      const result = validateAgentConfig(doc(fields));
      assert.ok(!result.ok);
      assert.deepEqual(
        result.errors.map((e) => e.path),
        [path],
      );
      assert.match(result.errors[0]!.message, message);
    });
  }

  it("an error in a value given in the old spelling names the old field", () => {
    const result = validateAgentConfig(doc({ virtualRouterId: 300 }));
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => e.path),
      ["instances[0].virtualRouterId"],
    );
  });

  it("standalone YAML: one deprecation warning per old-spelling field, with its line", () => {
    const text = [
      "instances:",
      "  - name: web",
      "    interface: eth0",
      "    virtualRouterId: 51",
      "    addresses: [192.0.2.5/24]",
      "  - name: db",
      "    interface: eth0",
      "    virtualRouterID: 52",
      "    advertInterval: 2s",
      "    addresses: [192.0.2.6/24]",
      "",
    ].join("\n");
    const result = parseYamlConfig(text, "/etc/floatip/agent.yaml");
    assert.ok(result.ok);
    assert.deepEqual(
      result.warnings?.map((w) => `${w.path}: ${w.message}`),
      [
        "/etc/floatip/agent.yaml:4: instances[0].virtualRouterId: virtualRouterId is the old spelling of virtualRouterID; write virtualRouterID (the old name is still read)",
        "/etc/floatip/agent.yaml:9: instances[1].advertInterval: advertInterval is the old spelling of advertisementInterval; write advertisementInterval (the old name is still read)",
      ],
    );
    assert.equal(result.config.instances[1]!.advertIntervalMs, 2000);
  });

  it("standalone YAML in the new spelling: no warning", () => {
    const result = parseYamlConfig(
      "instances:\n  - {name: web, interface: eth0, virtualRouterID: 51, addresses: [192.0.2.5/24]}\n",
      "a.yaml",
    );
    assert.ok(result.ok);
    assert.equal(result.warnings, undefined);
  });

  it("standalone YAML in flow style: the warning names the field without a line", () => {
    const result = parseYamlConfig(
      "instances:\n  - {name: web, interface: eth0, virtualRouterId: 51, addresses: [192.0.2.5/24]}\n",
      "a.yaml",
    );
    assert.ok(result.ok);
    assert.deepEqual(
      result.warnings?.map((w) => w.path),
      ["a.yaml"],
    );
    assert.match(result.warnings![0]!.message, /^instances\[0\]\.virtualRouterId: /);
  });
});
