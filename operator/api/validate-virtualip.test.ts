import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateVirtualIPSpec } from "./validate-virtualip.js";
import type { VirtualIPConfig } from "./virtualip-config.js";

const base = { addresses: ["192.0.2.5/24"] };

function ok(spec: unknown): VirtualIPConfig {
  const result = validateVirtualIPSpec(spec);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.config;
}

describe("validateVirtualIPSpec", () => {
  it("applies the defaults", () => {
    assert.deepEqual(ok(base), {
      addresses: [{ address: "192.0.2.5", family: 4, prefixLength: 24, cidr: "192.0.2.5/24" }],
      families: [4],
      version: 3,
      advertIntervalMs: 1000,
      nodeSelector: {},
      placement: { kind: "hash" },
      preempt: true,
      preemptDelayMs: 0,
      transport: "unicast",
      track: { scripts: [], interfaces: [], files: [] },
      garp: { repeat: 5, delayMs: 5000, refreshMs: 0 },
      releaseOnCordon: false,
    });
  });

  it("reads a full spec, canonicalising addresses and durations", () => {
    const config = ok({
      addresses: ["192.0.2.5", "2001:DB8:0:0::5/64"],
      interface: "eth0",
      virtualRouterID: 51,
      version: 3,
      advertisementInterval: "1.5s",
      nodeSelector: { "kubernetes.io/os": "linux" },
      preferredNodes: ["node-a", "node-b"],
      preempt: false,
      preemptDelay: "30s",
      transport: "multicast",
      track: {
        pods: { namespace: "default", selector: { matchLabels: { app: "web" } }, weight: 50 },
        scripts: [{ name: "chk", command: "/bin/true", interval: "2s", timeout: "1s", weight: -20, fall: 2, rise: 1 }],
        interfaces: [{ name: "eth1", weight: 0 }],
        files: [{ name: "tf", path: "/run/tf", weight: 2, reverse: false }],
      },
      garp: {
        repeat: 3,
        delay: "1s",
        refresh: "60s",
        refreshRepeat: 2,
        interval: "10ms",
        lowerPriorityRepeat: 0,
        lowerPriorityDelay: "2s",
      },
      releaseOnCordon: true,
    });
    assert.deepEqual(
      config.addresses.map((a) => a.cidr),
      ["192.0.2.5/32", "2001:db8::5/64"],
    );
    assert.deepEqual(config.families, [4, 6]);
    assert.equal(config.advertIntervalMs, 1500);
    assert.deepEqual(config.placement, { kind: "preferred", nodes: ["node-a", "node-b"] });
    assert.deepEqual(config.track.pods, { namespace: "default", selector: { matchLabels: { app: "web" } }, weight: 50 });
    assert.deepEqual(config.track.scripts[0], {
      name: "chk",
      command: "/bin/true",
      intervalMs: 2000,
      timeoutMs: 1000,
      weight: -20,
      reverse: false,
      fall: 2,
      rise: 1,
      initFail: false,
    });
    assert.deepEqual(config.garp, {
      repeat: 3,
      delayMs: 1000,
      refreshMs: 60_000,
      refreshRepeat: 2,
      intervalMs: 10,
      lowerPriorityRepeat: 0,
      lowerPriorityDelayMs: 2000,
    });
    assert.equal(config.releaseOnCordon, true);
  });

  it("accepts version 2 with authentication, defaulting the key", () => {
    const config = ok({ ...base, version: 2, advertisementInterval: "3s", authentication: { secretRef: { name: "web-vrrp" } } });
    assert.deepEqual(config.authentication, { secretRef: { name: "web-vrrp", key: "password" } });
    assert.equal(config.advertIntervalMs, 3000);
  });

  it("accepts mode fault for pods and explicit priorities", () => {
    const config = ok({
      ...base,
      priorities: { "node-a": 200, "node.b": 1 },
      track: {
        pods: { namespace: "web", selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] }, mode: "fault" },
      },
    });
    assert.equal(config.track.pods?.weight, 0);
    assert.deepEqual(config.placement, { kind: "priorities", priorities: { "node-a": 200, "node.b": 1 } });
  });

  const invalid: ReadonlyArray<readonly [string, unknown, string, RegExp]> = [
    ["not a mapping", "web", "spec", /mapping/],
    ["unknown field", { ...base, vrid: 5 }, "spec.vrid", /unknown field/],
    ["no addresses", {}, "spec.addresses", /required/],
    ["empty addresses", { addresses: [] }, "spec.addresses", /at least one/],
    ["17 addresses", { addresses: Array.from({ length: 17 }, (_, i) => `192.0.2.${i + 1}`) }, "spec.addresses", /at most 16/],
    ["bad CIDR", { addresses: ["192.0.2.5/24", "192.0.2.300/24"] }, "spec.addresses[1]", /not an IP address/],
    ["bad prefix", { addresses: ["192.0.2.5/33"] }, "spec.addresses[0]", /prefix length/],
    ["address as a number", { addresses: [5] }, "spec.addresses[0]", /CIDR/],
    ["duplicate address", { addresses: ["192.0.2.5/24", "192.0.2.5/32"] }, "spec.addresses[1]", /twice/],
    ["VRID 0", { ...base, virtualRouterID: 0 }, "spec.virtualRouterID", /between 1 and 255/],
    ["VRID 256", { ...base, virtualRouterID: 256 }, "spec.virtualRouterID", /between 1 and 255/],
    ["VRID 1.5", { ...base, virtualRouterID: 1.5 }, "spec.virtualRouterID", /integer/],
    ["version 4", { ...base, version: 4 }, "spec.version", /2 or 3/],
    ["IPv6 with version 2", { addresses: ["2001:db8::5/64"], version: 2 }, "spec.version", /version 3/],
    ["auth with version 3", { ...base, authentication: { secretRef: { name: "s" } } }, "spec.authentication", /version 2 only/],
    ["auth without secretRef", { ...base, version: 2, authentication: {} }, "spec.authentication.secretRef", /required/],
    [
      "auth with a bad Secret name",
      { ...base, version: 2, authentication: { secretRef: { name: "Web_Pass" } } },
      "spec.authentication.secretRef.name",
      /Secret name/,
    ],
    [
      "auth with a password",
      { ...base, version: 2, authentication: { secretRef: { name: "s" }, password: "x" } },
      "spec.authentication.password",
      /unknown field/,
    ],
    ["interval below 10ms", { ...base, advertisementInterval: "5ms" }, "spec.advertisementInterval", /between 10ms and 40.95s/],
    ["interval above 40.95s", { ...base, advertisementInterval: "41s" }, "spec.advertisementInterval", /between/],
    ["interval not in centiseconds", { ...base, advertisementInterval: "15ms" }, "spec.advertisementInterval", /multiple of 10ms/],
    [
      "v2 interval not whole seconds",
      { ...base, version: 2, advertisementInterval: "1.5s" },
      "spec.advertisementInterval",
      /whole seconds/,
    ],
    [
      "v2 interval below 1s",
      { ...base, version: 2, advertisementInterval: "500ms" },
      "spec.advertisementInterval",
      /between 1000ms and 255s/,
    ],
    ["interval without a unit", { ...base, advertisementInterval: "1" }, "spec.advertisementInterval", /duration with a unit/],
    ["interval as a number", { ...base, advertisementInterval: 1 }, "spec.advertisementInterval", /duration with a unit/],
    ["bad preemptDelay", { ...base, preemptDelay: "soon" }, "spec.preemptDelay", /duration/],
    ["compound duration", { ...base, preemptDelay: "1m30s" }, "spec.preemptDelay", /duration/],
    ["bad garp delay", { ...base, garp: { delay: "-1s" } }, "spec.garp.delay", /duration/],
    ["garp repeat 0", { ...base, garp: { repeat: 0 } }, "spec.garp.repeat", /between 1 and 100/],
    ["garp lowerPriorityRepeat 101", { ...base, garp: { lowerPriorityRepeat: 101 } }, "spec.garp.lowerPriorityRepeat", /between 0 and 100/],
    ["bad garp lowerPriorityDelay", { ...base, garp: { lowerPriorityDelay: "soon" } }, "spec.garp.lowerPriorityDelay", /duration/],
    [
      "priorities and preferredNodes",
      { ...base, priorities: { a: 100 }, preferredNodes: ["a"] },
      "spec.preferredNodes",
      /mutually exclusive/,
    ],
    ["priority 0", { ...base, priorities: { a: 0 } }, "spec.priorities.a", /between 1 and 254/],
    ["priority 255", { ...base, priorities: { "node.a": 255 } }, 'spec.priorities["node.a"]', /between 1 and 254/],
    ["empty priorities", { ...base, priorities: {} }, "spec.priorities", /at least one/],
    ["preferred node twice", { ...base, preferredNodes: ["a", "a"] }, "spec.preferredNodes[1]", /twice/],
    ["node name twice", { ...base, nodeNames: ["a", "a"] }, "spec.nodeNames[1]", /twice/],
    ["node names not a list", { ...base, nodeNames: "a" }, "spec.nodeNames", /must be a list/],
    ["unknown transport", { ...base, transport: "broadcast" }, "spec.transport", /unicast" or "multicast/],
    [
      "nodeSelector value not a string",
      { ...base, nodeSelector: { "kubernetes.io/os": 1 } },
      'spec.nodeSelector["kubernetes.io/os"]',
      /string/,
    ],
    ["bad interface", { ...base, interface: "a-very-long-interface" }, "spec.interface", /interface name/],
    ["pods without selector", { ...base, track: { pods: { namespace: "web", weight: 10 } } }, "spec.track.pods.selector", /required/],
    [
      "pods with an empty selector",
      { ...base, track: { pods: { namespace: "web", selector: {}, weight: 10 } } },
      "spec.track.pods.selector",
      /empty selector/,
    ],
    [
      "pods without namespace",
      { ...base, track: { pods: { selector: { matchLabels: { a: "b" } }, weight: 10 } } },
      "spec.track.pods.namespace",
      /required/,
    ],
    [
      "pods without weight or mode",
      { ...base, track: { pods: { namespace: "web", selector: { matchLabels: { a: "b" } } } } },
      "spec.track.pods.weight",
      /mode: fault/,
    ],
    [
      "pods with weight and mode",
      { ...base, track: { pods: { namespace: "web", selector: { matchLabels: { a: "b" } }, weight: 5, mode: "fault" } } },
      "spec.track.pods.mode",
      /mutually exclusive/,
    ],
    [
      "pods weight 254",
      { ...base, track: { pods: { namespace: "web", selector: { matchLabels: { a: "b" } }, weight: 254 } } },
      "spec.track.pods.weight",
      /between 1 and 253/,
    ],
    [
      "pods mode other",
      { ...base, track: { pods: { namespace: "web", selector: { matchLabels: { a: "b" } }, mode: "weight" } } },
      "spec.track.pods.mode",
      /"fault"/,
    ],
    [
      "In without values",
      { ...base, track: { pods: { namespace: "w", selector: { matchExpressions: [{ key: "a", operator: "In" }] }, mode: "fault" } } },
      "spec.track.pods.selector.matchExpressions[0].values",
      /not be empty/,
    ],
    [
      "bad operator",
      { ...base, track: { pods: { namespace: "w", selector: { matchExpressions: [{ key: "a", operator: "Gt" }] }, mode: "fault" } } },
      "spec.track.pods.selector.matchExpressions[0].operator",
      /one of/,
    ],
    ["script without command", { ...base, track: { scripts: [{ name: "chk" }] } }, "spec.track.scripts[0].command", /non-empty string/],
    [
      "script name with a slash",
      { ...base, track: { scripts: [{ name: "a/b", command: "x" }] } },
      "spec.track.scripts[0].name",
      /a name of/,
    ],
    [
      "script listed twice",
      {
        ...base,
        track: {
          scripts: [
            { name: "c", command: "x" },
            { name: "c", command: "y" },
          ],
        },
      },
      "spec.track.scripts[1].name",
      /twice/,
    ],
    [
      "script weight 254",
      { ...base, track: { scripts: [{ name: "c", command: "x", weight: 254 }] } },
      "spec.track.scripts[0].weight",
      /between -253 and 253/,
    ],
    [
      "script interval 0",
      { ...base, track: { scripts: [{ name: "c", command: "x", interval: "0s" }] } },
      "spec.track.scripts[0].interval",
      /more than 0/,
    ],
    [
      "HTTP check with an ftp URL",
      { ...base, track: { httpChecks: [{ name: "h", url: "ftp://127.0.0.1/" }] } },
      "spec.track.httpChecks[0].url",
      /http or https/,
    ],
    ["HTTP check without url", { ...base, track: { httpChecks: [{ name: "h" }] } }, "spec.track.httpChecks[0].url", /string/],
    [
      "HTTP check name with a slash",
      { ...base, track: { httpChecks: [{ name: "a/b", url: "http://127.0.0.1/" }] } },
      "spec.track.httpChecks[0].name",
      /a name of/,
    ],
    [
      "HTTP check listed twice",
      {
        ...base,
        track: {
          httpChecks: [
            { name: "h", url: "http://127.0.0.1/" },
            { name: "h", url: "http://127.0.0.1/x" },
          ],
        },
      },
      "spec.track.httpChecks[1].name",
      /twice/,
    ],
    [
      "HTTP check with an unknown field",
      { ...base, track: { httpChecks: [{ name: "h", url: "http://127.0.0.1/", reverse: true }] } },
      "spec.track.httpChecks[0].reverse",
      /./,
    ],
    [
      "HTTP check tls on http",
      { ...base, track: { httpChecks: [{ name: "h", url: "http://127.0.0.1/", tls: { insecureSkipVerify: true } }] } },
      "spec.track.httpChecks[0].tls",
      /https/,
    ],
    [
      "HTTP check weight 254",
      { ...base, track: { httpChecks: [{ name: "h", url: "http://127.0.0.1/", weight: 254 }] } },
      "spec.track.httpChecks[0].weight",
      /between -253 and 253/,
    ],
    [
      "track file with a relative path",
      { ...base, track: { files: [{ name: "f", path: "run/f" }] } },
      "spec.track.files[0].path",
      /absolute/,
    ],
    ["track interface as a string", { ...base, track: { interfaces: ["eth1"] } }, "spec.track.interfaces[0]", /mapping/],
    [
      "33 scripts",
      { ...base, track: { scripts: Array.from({ length: 33 }, (_, i) => ({ name: `s${i}`, command: "x" })) } },
      "spec.track.scripts",
      /at most 32/,
    ],
    ["nodeSelector value too long", { ...base, nodeSelector: { zone: "x".repeat(64) } }, "spec.nodeSelector.zone", /at most 63/],
    ["releaseOnCordon not boolean", { ...base, releaseOnCordon: "yes" }, "spec.releaseOnCordon", /true or false/],
  ];

  for (const [name, spec, field, message] of invalid) {
    it(`rejects: ${name}`, () => {
      const result = validateVirtualIPSpec(spec);
      assert.equal(result.ok, false, `${name} was accepted`);
      if (result.ok) return;
      const hit = result.errors.find((e) => e.field === field);
      assert.ok(hit, `no error at ${field}: ${JSON.stringify(result.errors)}`);
      assert.match(hit.message, message);
    });
  }

  it("reports every error at once, under the given path", () => {
    const result = validateVirtualIPSpec({ addresses: ["x"], virtualRouterID: 0, transport: "x" }, { path: "items[3].spec" });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.errors.map((e) => e.field),
      ["items[3].spec.addresses[0]", "items[3].spec.virtualRouterID", "items[3].spec.transport"],
    );
  });
});
