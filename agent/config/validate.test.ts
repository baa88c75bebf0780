import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "./validate.js";
import { parseYamlConfig } from "./load.js";

const base = {
  name: "web",
  interface: "eth0",
  virtualRouterID: 51,
  addresses: ["192.0.2.5/24"],
};

const withInstance = (patch: Record<string, unknown>) => ({ instances: [{ ...base, ...patch }] });

describe("agent config validation", () => {
  it("fills keepalived-like defaults", () => {
    const result = validateAgentConfig({ instances: [base] });
    assert.ok(result.ok);
    const inst = result.config.instances[0]!;
    assert.equal(inst.version, 3);
    assert.equal(inst.priority, 100);
    assert.equal(inst.advertIntervalMs, 1000);
    assert.equal(inst.preempt, true);
    assert.equal(inst.preemptDelayMs, 0);
    assert.equal(inst.initialState, "backup");
    assert.equal(inst.family, 4);
    assert.deepEqual(inst.addresses, [{ address: "192.0.2.5", family: 4, prefixLength: 24 }]);
    assert.equal(inst.garp.repeat, 5);
  });

  it("reads every field", () => {
    const result = validateAgentConfig(
      withInstance({
        version: 2,
        priority: 150,
        advertisementInterval: 2,
        preempt: false,
        preemptDelay: "30s",
        initialState: "master",
        addresses: [{ address: "192.0.2.6", device: "eth1", label: "eth1:vip" }, "192.0.2.7"],
        authentication: { type: "pass", password: "secret" },
        unicast: { source: "192.0.2.11", peers: ["192.0.2.12", "192.0.2.13"] },
        garp: {
          repeat: 3,
          delay: "2s",
          refresh: "60s",
          refreshRepeat: 2,
          interval: "10ms",
          lowerPriorityRepeat: 0,
          lowerPriorityDelay: "1s",
        },
      }),
    );
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    const inst = result.config.instances[0]!;
    assert.equal(inst.advertIntervalMs, 2000);
    assert.equal(inst.preemptDelayMs, 30_000);
    assert.deepEqual(inst.addresses[0], { address: "192.0.2.6", family: 4, prefixLength: 32, device: "eth1", label: "eth1:vip" });
    assert.deepEqual(inst.authentication, { type: "pass", password: "secret" });
    assert.deepEqual(inst.unicast, { source: "192.0.2.11", peers: ["192.0.2.12", "192.0.2.13"] });
    assert.deepEqual(inst.garp, {
      repeat: 3,
      delayMs: 2000,
      refreshMs: 60_000,
      refreshRepeat: 2,
      intervalMs: 10,
      lowerPriorityRepeat: 0,
      lowerPriorityDelayMs: 1000,
    });
  });

  it("the lower-priority GARP burst defaults to the master burst's repeat and delay (as keepalived)", () => {
    const defaults = validateAgentConfig(withInstance({}));
    assert.ok(defaults.ok);
    assert.equal(defaults.config.instances[0]!.garp.lowerPriorityRepeat, 5);
    assert.equal(defaults.config.instances[0]!.garp.lowerPriorityDelayMs, 5000);
    const result = validateAgentConfig(withInstance({ garp: { repeat: 2, delay: "0s" } }));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.equal(result.config.instances[0]!.garp.lowerPriorityRepeat, 2);
    assert.equal(result.config.instances[0]!.garp.lowerPriorityDelayMs, 0);
    const bad = validateAgentConfig(withInstance({ garp: { lowerPriorityRepeat: 101, lowerPriorityDelay: "soon" } }));
    assert.ok(!bad.ok);
    assert.deepEqual(
      bad.errors.map((e) => e.path),
      ["instances[0].garp.lowerPriorityRepeat", "instances[0].garp.lowerPriorityDelay"],
    );
  });

  it("canonicalises IPv6 addresses", () => {
    const result = validateAgentConfig(withInstance({ addresses: ["2001:DB8:0:0::5/64"] }));
    assert.ok(result.ok);
    assert.deepEqual(result.config.instances[0]!.addresses[0], { address: "2001:db8::5", family: 6, prefixLength: 64 });
  });

  it("accepts 10ms adverts with version 3", () => {
    const result = validateAgentConfig(withInstance({ advertisementInterval: "10ms" }));
    assert.ok(result.ok);
    assert.equal(result.config.instances[0]!.advertIntervalMs, 10);
  });

  const bad: readonly [string, Record<string, unknown>, string, RegExp][] = [
    ["VRID 0", { virtualRouterID: 0 }, "instances[0].virtualRouterID", /between 1 and 255/],
    ["VRID 256", { virtualRouterID: 256 }, "instances[0].virtualRouterID", /between 1 and 255/],
    ["VRID as text", { virtualRouterID: "51" }, "instances[0].virtualRouterID", /integer/],
    ["priority 0", { priority: 0 }, "instances[0].priority", /between 1 and 255/],
    ["priority 256", { priority: 256 }, "instances[0].priority", /between 1 and 255/],
    ["version 4", { version: 4 }, "instances[0].version", /between 2 and 3/],
    ["missing interface", { interface: undefined }, "instances[0].interface", /non-empty string/],
    ["bad CIDR", { addresses: ["192.0.2.300/24"] }, "instances[0].addresses[0]", /not an IP address/],
    ["bad prefix", { addresses: ["192.0.2.5/33"] }, "instances[0].addresses[0]", /prefix/],
    ["no addresses", { addresses: [] }, "instances[0].addresses", /at least one/],
    ["duplicate address", { addresses: ["192.0.2.5", "192.0.2.5/24"] }, "instances[0].addresses[1]", /twice/],
    ["mixed families", { addresses: ["192.0.2.5", "2001:db8::5"] }, "instances[0].addresses", /all be IPv4 or all IPv6/],
    ["IPv6 with version 2", { version: 2, addresses: ["2001:db8::5"] }, "instances[0].version", /IPv4 only/],
    ["auth with version 3", { authentication: { type: "pass", password: "x" } }, "instances[0].authentication", /VRRPv2 only/],
    ["auth type ah", { version: 2, authentication: { type: "ah", password: "x" } }, "instances[0].authentication.type", /"pass"/],
    [
      "password too long",
      { version: 2, authentication: { type: "pass", password: "123456789" } },
      "instances[0].authentication.password",
      /8 bytes/,
    ],
    [
      "password as a YAML number (not echoed)",
      { version: 2, authentication: { type: "pass", password: 20240607 } },
      "instances[0].authentication.password",
      /^must be a non-empty string \(quote it in YAML\), got a number \(value not shown\)$/,
    ],
    ["password missing", { version: 2, authentication: { type: "pass" } }, "instances[0].authentication.password", /got nothing$/],
    ["interval below 10ms", { advertisementInterval: "5ms" }, "instances[0].advertisementInterval", /between 10ms/],
    ["interval not centiseconds", { advertisementInterval: "15ms" }, "instances[0].advertisementInterval", /centiseconds/],
    ["fractional v2 interval", { version: 2, advertisementInterval: 1.5 }, "instances[0].advertisementInterval", /whole seconds/],
    ["interval text", { advertisementInterval: "fast" }, "instances[0].advertisementInterval", /duration/],
    ["unknown field", { prioirty: 100 }, "instances[0].prioirty", /unknown field/],
    ["bad initial state", { initialState: "MASTER" }, "instances[0].initialState", /"backup" or "master"/],
    ["unicast peer of other family", { unicast: { peers: ["2001:db8::2"] } }, "instances[0].unicast.peers[0]", /IPv4/],
    ["unicast peer not an address", { unicast: { peers: ["node-b"] } }, "instances[0].unicast.peers[0]", /not an IP address/],
    ["label on IPv6", { addresses: [{ address: "2001:db8::5", label: "x" }] }, "instances[0].addresses[0].label", /IPv4 addresses only/],
    ["preempt as text", { preempt: "yes" }, "instances[0].preempt", /true or false/],
  ];
  for (const [name, patch, path, message] of bad) {
    it(`rejects ${name}, naming ${path}`, () => {
      const result = validateAgentConfig(withInstance(patch));
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      const error = result.errors.find((e) => e.path === path);
      assert.ok(error, `expected an error at ${path}, got ${JSON.stringify(result.errors)}`);
      assert.match(error.message, message);
    });
  }

  it("rejects two instances with one VRID on one interface and family", () => {
    const result = validateAgentConfig({ instances: [base, { ...base, name: "other" }] });
    assert.ok(!result.ok);
    assert.match(result.errors[0]!.message, /both use virtualRouterID 51/);
  });

  it("allows one VRID for IPv4 and IPv6 on the same interface (separate VRRP routers)", () => {
    const result = validateAgentConfig({ instances: [base, { ...base, name: "v6", addresses: ["2001:db8::5"] }] });
    assert.ok(result.ok);
  });

  it("an error across instances names the instance by its list index, also after an invalid one", () => {
    const result = validateAgentConfig({
      instances: [
        { ...base, name: "bad", priority: 0 },
        { ...base, virtualRouterID: 52, track: { scripts: [{ name: "nope" }] } },
      ],
    });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => e.path),
      ["instances[0].priority", "instances[1].track.scripts[0]"],
    );
  });

  it("rejects instance names used twice", () => {
    const result = validateAgentConfig({ instances: [base, { ...base, virtualRouterID: 52 }] });
    assert.ok(!result.ok);
    assert.match(result.errors[0]!.message, /name "web" is used twice/);
  });

  it("reports every error, not just the first", () => {
    const result = validateAgentConfig(withInstance({ virtualRouterID: 0, priority: 999 }));
    assert.ok(!result.ok);
    assert.deepEqual(result.errors.map((e) => e.path).sort(), ["instances[0].priority", "instances[0].virtualRouterID"]);
  });

  it("rejects a config that is not a mapping or has no instances", () => {
    assert.equal(validateAgentConfig("x").ok, false);
    assert.equal(validateAgentConfig({ instances: [] }).ok, false);
    assert.equal(validateAgentConfig({}).ok, false);
  });
});

describe("YAML config files", () => {
  it("reads a YAML file into a config", () => {
    const result = parseYamlConfig(
      "instances:\n  - name: web\n    interface: eth0\n    virtualRouterID: 51\n    advertisementInterval: 100ms\n    addresses: [192.0.2.5/24]\n",
      "agent.yaml",
    );
    assert.ok(result.ok);
    assert.equal(result.config.instances[0]!.advertIntervalMs, 100);
  });

  it("reports broken YAML with file and line", () => {
    const result = parseYamlConfig("instances:\n  - name: web\n   bad: [\n", "agent.yaml");
    assert.ok(!result.ok);
    assert.match(result.errors[0]!.path, /^agent\.yaml:\d+$/);
    assert.match(result.errors[0]!.message, /not valid YAML/);
  });
});
