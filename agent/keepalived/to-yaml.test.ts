import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseYamlConfig } from "../config/load.js";
import { validateAgentConfig } from "../config/validate.js";
import type { AgentConfig } from "../config/types.js";
import { toYaml } from "./to-yaml.js";
import { parseKeepalivedConfig } from "./load.js";

function config(input: unknown): AgentConfig {
  const result = validateAgentConfig(input);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.config;
}

const minimal = { instances: [{ name: "web", interface: "eth0", virtualRouterID: 51, addresses: ["192.0.2.5"] }] };

const everything = {
  scripts: [
    {
      name: "chk",
      command: "/bin/chk --fast",
      interval: "500ms",
      timeout: "2s",
      weight: -4,
      reverse: true,
      fall: 2,
      rise: 3,
      initFail: true,
      user: "nobody",
    },
    { name: "plain", command: "/bin/true" },
  ],
  trackFiles: [
    { name: "tf", path: "/run/tf", weight: -2 },
    { name: "tf1", path: "/run/tf1" },
  ],
  instances: [
    {
      name: "VI_1",
      interface: "eth0",
      virtualRouterID: 51,
      version: 2,
      priority: 150,
      advertisementInterval: 2,
      preempt: false,
      preemptDelay: "30s",
      initialState: "master",
      addresses: [{ address: "192.0.2.6/24", device: "eth1", label: "eth1:vip" }, "192.0.2.7", { address: "192.0.2.8", device: "eth2" }],
      authentication: { type: "pass", password: "123456" },
      unicast: { source: "192.0.2.11", peers: ["192.0.2.12", "192.0.2.13"] },
      garp: {
        repeat: 3,
        delay: "0s",
        refresh: "60s",
        refreshRepeat: 2,
        interval: "10ms",
        lowerPriorityRepeat: 1,
        lowerPriorityDelay: "10s",
      },
      track: {
        scripts: ["chk", { name: "plain", weight: 10, reverse: false }],
        interfaces: [{ name: "eth1", weight: -20 }],
        files: ["tf", { name: "tf1", weight: 3 }],
      },
      notify: { any: "/n.sh", master: '/m.sh "quoted arg"', backup: "/b.sh", fault: "/f.sh", stop: "/s.sh", timeout: "5s" },
      stateFile: "/run/floatip.state",
    },
    {
      name: "v6",
      interface: "eth0",
      virtualRouterID: 52,
      advertisementInterval: "100ms",
      addresses: ["2001:db8::5/64", "2001:db8::6"],
      unicast: { peers: ["2001:db8::1"] },
      notify: {},
    },
    { name: "true", interface: "yes", virtualRouterID: 53, priority: 1, addresses: ["203.0.113.1/24"], track: {} },
  ],
};

describe("toYaml", () => {
  const cases: readonly [string, unknown][] = [
    ["minimal", minimal],
    ["every field", everything],
    ["version 3 default made explicit", { instances: [{ ...minimal.instances[0], version: 3 }] }],
  ];
  for (const [name, input] of cases) {
    it(`round-trips: ${name}`, () => {
      const c = config(input);
      const back = parseYamlConfig(toYaml(c), "out.yaml");
      assert.ok(back.ok, JSON.stringify(!back.ok && back.errors));
      assert.deepEqual(back.config, c);
    });
  }

  it("round-trips a converted keepalived.conf", () => {
    const loaded = parseKeepalivedConfig(
      'vrrp_script c {\n  script "/bin/c"\n  weight 2 reverse\n}\nvrrp_instance X {\n  interface eth0\n  virtual_router_id 9\n  nopreempt\n  virtual_ipaddress {\n    192.0.2.9/24\n  }\n  track_script {\n    c\n  }\n}\n',
      "k.conf",
    );
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
    const back = parseYamlConfig(toYaml(loaded.config), "out.yaml");
    assert.ok(back.ok);
    assert.deepEqual(back.config, loaded.config);
  });

  it("leaves defaults out but keeps the version", () => {
    assert.equal(
      toYaml(config(minimal)),
      "instances:\n  - name: web\n    interface: eth0\n    virtualRouterID: 51\n    version: 3\n    addresses:\n      - 192.0.2.5\n",
    );
  });

  it("writes durations in units and quotes strings YAML would read otherwise", () => {
    const text = toYaml(config(everything));
    assert.match(text, /advertisementInterval: 2s\n/);
    assert.match(text, /preemptDelay: 30s\n/);
    assert.match(text, /interval: 500ms\n/);
    assert.match(text, /password: '123456'\n/);
    assert.match(text, /name: 'true'\n/);
    assert.match(text, /advertisementInterval: 100ms\n/);
  });
});
