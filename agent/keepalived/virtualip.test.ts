import { describe, it } from "node:test";
import assert from "node:assert/strict";
import yaml from "js-yaml";
import { validateAgentConfig } from "../config/validate.js";
import type { AgentConfig } from "../config/types.js";
import { dnsLabel, formatManifests, resourceNames, toVirtualIpManifests } from "./virtualip.js";

function config(input: unknown): AgentConfig {
  const result = validateAgentConfig(input);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.config;
}

const input = {
  scripts: [{ name: "chk", command: "/bin/chk", interval: 2, weight: -4 }],
  trackFiles: [{ name: "tf", path: "/run/tf" }],
  instances: [
    {
      name: "VI_1",
      interface: "eth0",
      virtualRouterId: 51,
      version: 2,
      priority: 150,
      initialState: "master",
      preemptDelay: "5s",
      addresses: ["192.0.2.5", { address: "192.0.2.6/24", device: "eth1" }],
      authentication: { type: "pass", password: "s3cret" },
      unicast: { source: "192.0.2.11", peers: ["192.0.2.12"] },
      garp: { refresh: "60s", lowerPriorityRepeat: 1 },
      track: { scripts: [{ name: "chk", weight: -10 }], interfaces: ["eth1"], files: ["tf"] },
      notify: { master: "/m.sh" },
    },
    { name: "vi_1", interface: "eth0", virtualRouterId: 52, addresses: ["2001:db8::5/64"], advertInterval: "100ms" },
  ],
};

describe("VirtualIP manifests", () => {
  it("sanitises names to DNS-1123 labels", () => {
    assert.equal(dnsLabel("VI_1"), "vi-1");
    assert.equal(dnsLabel("__Web..Front__"), "web-front");
    assert.equal(dnsLabel("___"), "vip");
    assert.equal(dnsLabel("x".repeat(80)).length, 63);
    assert.deepEqual(resourceNames(config(input).instances), ["vi-1", "vi-1-2"]);
  });

  it("writes one VirtualIP per instance and the password only in a Secret", () => {
    const text = formatManifests(toVirtualIpManifests(config(input)));
    const docs = yaml.loadAll(text) as Record<string, any>[];
    assert.deepEqual(
      docs.map((d) => `${d["kind"]}/${d["metadata"].name}`),
      ["Secret/vi-1-auth", "VirtualIP/vi-1", "VirtualIP/vi-1-2"],
    );
    assert.deepEqual(docs[0], {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "vi-1-auth" },
      type: "Opaque",
      stringData: { password: "s3cret" },
    });
    assert.equal(text.split("s3cret").length, 2, "the password appears once, in the Secret");
    assert.deepEqual(docs[1], {
      apiVersion: "floatip.io/v1alpha1",
      kind: "VirtualIP",
      metadata: { name: "vi-1" },
      spec: {
        addresses: ["192.0.2.5/32", "192.0.2.6/24"],
        interface: "eth0",
        virtualRouterID: 51,
        version: 2,
        advertisementInterval: "1s",
        preempt: true,
        preemptDelay: "5s",
        transport: "unicast",
        authentication: { secretRef: { name: "vi-1-auth", key: "password" } },
        track: {
          scripts: [
            {
              name: "chk",
              command: "/bin/chk",
              interval: "2s",
              timeout: "2s",
              weight: -10,
              reverse: false,
              fall: 1,
              rise: 1,
              initFail: false,
            },
          ],
          interfaces: [{ name: "eth1", weight: 0, reverse: false }],
          files: [{ name: "tf", path: "/run/tf", weight: 1, reverse: false }],
        },
        garp: { repeat: 5, delay: "5s", refresh: "60s", lowerPriorityRepeat: 1 },
      },
    });
    assert.deepEqual(docs[2]!["spec"], {
      addresses: ["2001:db8::5/64"],
      interface: "eth0",
      virtualRouterID: 52,
      version: 3,
      advertisementInterval: "100ms",
      preempt: true,
      preemptDelay: "0s",
      transport: "multicast",
      garp: { repeat: 5, delay: "5s", refresh: "0s" },
    });
  });

  it("names what stays per node in comments", () => {
    const text = formatManifests(toVirtualIpManifests(config(input)));
    assert.match(text, /# .*per node.*priority 150, state MASTER/);
    assert.match(text, /# .*source 192\.0\.2\.11, peers 192\.0\.2\.12/);
    assert.match(text, /# .*notify_master/);
    assert.match(text, /# .*192\.0\.2\.6 dev eth1/);
  });
});
