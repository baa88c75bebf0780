/**
 * Every rendered VRRPNode spec goes through exactly what `floatip agent
 * --kubernetes` does with it: resolve peer sets and Secret references, fill in missing
 * interfaces, validate with the Kubernetes additions on.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "../../agent/config/validate.js";
import type { AgentConfig } from "../../agent/config/types.js";
import { fillInterfaces } from "../../agent/config/fill-interfaces.js";
import { resolveSecrets } from "../../agent/kube/secrets.js";
import { expandPeerSets } from "../../agent/kube/peer-sets.js";
import type { LinkInfo } from "../../agent/os/ports.js";
import { plan } from "./plan.js";
import type { PlanResult } from "./types.js";
import { at, node, nodes, vip } from "./test-fixtures.js";
import type { VirtualIP } from "../api/types.js";

const links: LinkInfo[] = [
  { name: "lo", index: 1, mac: "00:00:00:00:00:00", up: true, addresses: [{ address: "127.0.0.1", prefixLength: 8, family: 4 }] },
  {
    name: "eth0",
    index: 2,
    mac: "02:00:00:00:00:01",
    up: true,
    addresses: [
      { address: "192.0.2.200", prefixLength: 24, family: 4 },
      { address: "2001:db8::200", prefixLength: 64, family: 6 },
    ],
  },
];

async function agentView(doc: unknown): Promise<AgentConfig> {
  const peers = expandPeerSets(doc);
  assert.deepEqual(peers.errors, []);
  const resolved = await resolveSecrets(peers.doc, async () => ({ password: "s3cret" }));
  assert.ok(resolved.ok, JSON.stringify(!resolved.ok && resolved.errors));
  const filled = fillInterfaces(resolved.doc, links);
  assert.ok(filled.ok, JSON.stringify(!filled.ok && filled.errors));
  const validated = validateAgentConfig(filled.doc, { kubernetes: true });
  assert.ok(validated.ok, `${JSON.stringify(doc)}\n${JSON.stringify(!validated.ok && validated.errors)}`);
  return validated.config;
}

async function checkAll(result: PlanResult): Promise<Map<string, AgentConfig>> {
  const out = new Map<string, AgentConfig>();
  for (const [name, doc] of result.nodes) out.set(name, await agentView(JSON.parse(JSON.stringify(doc))));
  return out;
}

/** The router name carrying VirtualIP `ref` (`web-v6`: dual-stack web's IPv6 router). */
function routerOf(result: PlanResult, ref: string): string {
  const own = result.vips.get(ref);
  const routers = own?.routers ?? result.vips.get(ref.replace(/-v6$/, ""))!.routers!;
  return (own !== undefined ? routers[0] : routers.find((r) => r.family === 6))!.instance;
}

const track = {
  pods: { namespace: "web", selector: { matchLabels: { app: "web" } }, weight: 50 },
  scripts: [{ name: "chk", command: "/bin/true", interval: "2s", timeout: "1s", weight: -20, fall: 2, rise: 2, user: "nobody" }],
  interfaces: [{ name: "eth1", weight: -10 }],
  files: [{ name: "tf", path: "/run/tf", weight: 3, reverse: true }],
  httpChecks: [{ name: "up", url: "http://127.0.0.1:8080/healthz", interval: "500ms", weight: -40, fall: 3, rise: 2 }],
};

function scenario(): VirtualIP[] {
  return [
    vip("web", { addresses: ["192.0.2.5/24", "2001:db8::5/64"], track }, { created: at(1) }),
    vip(
      "legacy",
      { addresses: ["192.0.2.6/24"], version: 2, advertisementInterval: "3s", authentication: { secretRef: { name: "legacy" } } },
      { created: at(2) },
    ),
    vip(
      "fast",
      { addresses: ["192.0.2.7/24"], advertisementInterval: "50ms", interface: "eth0", priorities: { "node-0": 254, "node-1": 1 } },
      { created: at(3) },
    ),
    vip("mc", { addresses: ["2001:db8::8/64"], transport: "multicast", preferredNodes: ["node-2"] }, { created: at(4) }),
    vip(
      "gate",
      {
        addresses: ["192.0.2.9/24"],
        nodeSelector: { zone: "a" },
        track: { pods: { namespace: "gw", selector: { matchExpressions: [{ key: "app", operator: "Exists" }] }, mode: "fault" } },
      },
      { created: at(5) },
    ),
    vip(
      "garp",
      {
        addresses: ["192.0.2.10/24"],
        garp: {
          repeat: 1,
          delay: "0s",
          refresh: "1m",
          refreshRepeat: 2,
          interval: "10ms",
          lowerPriorityRepeat: 3,
          lowerPriorityDelay: "2s",
        },
        preempt: false,
        preemptDelay: "10s",
      },
      { created: at(6) },
    ),
    vip("clash", { addresses: ["192.0.2.5/32"] }, { created: at(7) }),
    vip(
      "chk2",
      { addresses: ["192.0.2.11/24"], track: { scripts: [{ name: "chk", command: "/bin/false" }] }, releaseOnCordon: true },
      { created: at(8) },
    ),
  ];
}

describe("rendered specs are accepted by the agent", () => {
  it("a mixed cluster: every node's spec validates, and says what the plan says", async () => {
    const cluster = [
      node("node-0", 0, { labels: { zone: "a" } }),
      node("node-1", 1, { labels: { zone: "a" }, unschedulable: true }),
      node("node-2", 2, { internalIPs: { v4: "198.51.100.3" } }),
      node("node-3", 3),
    ];
    const result = plan({ virtualIPs: scenario(), nodes: cluster }, { maxCandidates: 0 });
    const configs = await checkAll(result);
    assert.equal(configs.size, 4);
    const web = configs.get("node-0")!.instances.find((i) => i.name === routerOf(result, "web"))!;
    assert.equal(web.interface, "eth0", "filled in by the agent");
    assert.equal(web.priority, result.vips.get("web")!.priorities["node-0"]);
    assert.deepEqual(web.track.pods, { namespace: "web", selector: { matchLabels: { app: "web" } }, weight: 50 });
    assert.deepEqual(web.track.scripts, [{ name: "web/chk" }]);
    assert.deepEqual(web.track.httpChecks, [{ name: "web/up" }]);
    assert.deepEqual(configs.get("node-0")!.httpChecks, [
      { name: "web/up", url: "http://127.0.0.1:8080/healthz", intervalMs: 500, timeoutMs: 500, weight: -40, fall: 3, rise: 2 },
    ]);
    const legacy = configs.get("node-3")!.instances.find((i) => i.name === routerOf(result, "legacy"))!;
    assert.deepEqual(legacy.authentication, { type: "pass", password: "s3cret" });
    assert.equal(legacy.advertIntervalMs, 3000);
    const v6 = configs.get("node-3")!.instances.find((i) => i.name === routerOf(result, "web-v6"))!;
    assert.deepEqual(v6.unicast, { source: "2001:db8:f::4", peers: ["2001:db8:f::1", "2001:db8:f::2"] });
    assert.equal(
      configs.get("node-2")!.instances.some((i) => i.name === routerOf(result, "web-v6")),
      false,
      "node-2 has no IPv6 InternalIP",
    );
    assert.deepEqual(
      configs.get("node-3")!.scripts.map((s) => s.name),
      ["chk2/chk", "web/chk"],
    );
    const garp = [...configs.values()].flatMap((c) => c.instances).find((i) => i.name === routerOf(result, "garp"))!.garp;
    assert.deepEqual([garp.lowerPriorityRepeat, garp.lowerPriorityDelayMs], [3, 2000], "the lower-priority burst reaches the agent");
    assert.deepEqual(
      [web.garp.lowerPriorityRepeat, web.garp.lowerPriorityDelayMs],
      [5, 5000],
      "unset: the agent's defaults (repeat, delay)",
    );
  });

  it("empty specs (nodes running nothing) are accepted", async () => {
    const result = plan({ virtualIPs: [], nodes: nodes(2) });
    const configs = await checkAll(result);
    assert.deepEqual(
      [...configs.values()].map((c) => c.instances.length),
      [0, 0],
    );
  });

  it("a larger cluster with every feature mixed in validates node by node", async () => {
    const features = scenario().map((v) => v.spec);
    const vips = Array.from({ length: 60 }, (_, i) => {
      const spec = features[i % features.length]!;
      const v4 = `192.0.2.${i + 20}/24`;
      const v6 = `2001:db8::${(i + 20).toString(16)}/64`;
      const addresses = spec.addresses.length > 1 ? [v4, v6] : spec.addresses[0]!.includes(":") ? [v6] : [v4];
      const { priorities: _p, ...rest } = spec;
      return vip(`vip-${i}`, { ...rest, addresses, ...(i % 7 === 0 ? { priorities: { "node-1": 100 + i } } : {}) }, { created: at(i) });
    });
    const result = plan({ virtualIPs: vips, nodes: nodes(12) });
    const configs = await checkAll(result);
    const rendered = [...result.vips.values()].filter((p) => p.renderedNodes.length > 0).length;
    assert.ok(rendered >= 50, `${rendered} rendered`);
    assert.ok([...configs.values()].every((c) => c.instances.length > 0));
  });
});
