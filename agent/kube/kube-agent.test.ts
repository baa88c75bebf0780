import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AgentConfig } from "../config/types.js";
import { ManualClock } from "../../base/clock.js";
import { jsonLogger } from "../../base/logger.js";
import type { RouterSnapshot } from "../runtime/router.js";
import type { ApplyReport } from "../runtime/supervisor.js";
import type { AgentKubeApi, VrrpNodeObject, WatchHandlers } from "./api.js";
import type { CachedConfig, ConfigCache } from "./config-cache.js";
import { KubeAgent } from "./kube-agent.js";
import type { NodeStatus } from "./node-status.js";
import { PodIndex } from "./pod-index.js";
import type { LinkInfo } from "../os/ports.js";

class FakeApi implements AgentKubeApi {
  node?: WatchHandlers<VrrpNodeObject>;
  readonly statuses: NodeStatus[] = [];
  secrets: Record<string, Record<string, string>> = { "floatip-system/web": { password: "s3cret" } };
  down = false;
  async watchVrrpNode(_name: string, handlers: WatchHandlers<VrrpNodeObject>) {
    this.node = handlers;
    return { stop: async () => undefined };
  }
  async watchPodsOnNode() {
    return { stop: async () => undefined };
  }
  async readSecret(namespace: string, name: string) {
    const data = this.secrets[`${namespace}/${name}`];
    if (data === undefined) throw Object.assign(new Error("not found"), { code: 404 });
    return data;
  }
  async patchVrrpNodeStatus(_name: string, status: unknown) {
    if (this.down) throw new Error("connect ECONNREFUSED");
    this.statuses.push(status as NodeStatus);
  }
}

class FakeRunner {
  applied: AgentConfig[] = [];
  conflicts: RouterSnapshot["conflicts"] = [];
  async apply(config: AgentConfig): Promise<ApplyReport> {
    this.applied.push(config);
    return { added: config.instances.map((i) => i.name), removed: [], replaced: [], updated: [], unchanged: [] };
  }
  snapshot(): RouterSnapshot[] {
    const last = this.applied.at(-1);
    return (last?.instances ?? []).map((i) => ({
      name: i.name,
      phase: "backup",
      priority: i.priority,
      effectivePriority: i.priority,
      masterAddress: undefined,
      since: 0,
      conflicts: this.conflicts,
    }));
  }
}

class MemoryCache implements ConfigCache {
  constructor(public entry?: CachedConfig) {}
  async load() {
    return this.entry;
  }
  async save(entry: CachedConfig) {
    this.entry = entry;
  }
}

const instance = (extra: Record<string, unknown> = {}) => ({
  name: "web",
  interface: "eth0",
  virtualRouterId: 51,
  priority: 150,
  addresses: ["192.0.2.5/24"],
  ...extra,
});

const LINKS: readonly LinkInfo[] = [
  { name: "eth0", index: 2, mac: "02:00:00:00:00:01", up: true, addresses: [{ address: "192.0.2.1", family: 4, prefixLength: 24 }] },
];

function setup(cache = new MemoryCache(), options: { allowScripts?: boolean; links?: () => readonly LinkInfo[] } = {}) {
  const api = new FakeApi();
  const runner = new FakeRunner();
  const logs: string[] = [];
  const clock = new ManualClock(0);
  const agent = new KubeAgent({
    api,
    nodeName: "node-a",
    runner,
    pods: new PodIndex(),
    cache,
    links: async () => options.links?.() ?? LINKS,
    ...(options.allowScripts !== undefined ? { allowScripts: options.allowScripts } : {}),
    clock,
    wallClock: () => new Date("2026-11-25T12:00:00Z"),
    logger: jsonLogger({ write: (l) => logs.push(l), wallClock: () => new Date(0) }),
    statusIntervalMs: 0,
  });
  const pump = async (rounds = 5) => {
    for (let i = 0; i < rounds; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advanceTo(clock.now() + 1000);
    }
  };
  /** Advance time until queued applies and status writes are done (bounded). */
  const settle = async () => {
    let done = false;
    void agent.settled().then(() => (done = true));
    for (let i = 0; i < 200 && !done; i++) await pump(1);
    assert.ok(done, "settled");
  };
  return { api, runner, agent, cache, logs, settle, pump };
}

describe("the agent in a cluster", () => {
  it("applies its VRRPNode spec, caches it, and reports status with the observed generation", async () => {
    const { api, runner, agent, cache, settle } = setup();
    await agent.start();
    api.node!.onUpsert({ metadata: { name: "node-a", generation: 3 }, spec: { instances: [instance()] } });
    await settle();
    assert.equal(runner.applied.length, 1);
    assert.equal(cache.entry?.generation, 3);
    const status = api.statuses.at(-1)!;
    assert.equal(status.observedGeneration, 3);
    assert.deepEqual(
      status.instances.map((i) => [i.name, i.state, i.priority]),
      [["web", "Backup", 150]],
    );
    assert.deepEqual(status.configErrors, []);
  });

  it("a conflict starting or ending is written to the status", async () => {
    const { api, runner, agent, settle } = setup();
    await agent.start();
    api.node!.onUpsert({ metadata: { name: "node-a", generation: 1 }, spec: { instances: [instance()] } });
    await settle();
    runner.conflicts = [{ kind: "duplicate-address", address: "192.0.2.5", mac: "02:00:00:00:00:99", since: 0 }];
    agent.conflictsChanged();
    await settle();
    assert.deepEqual(
      api.statuses.at(-1)!.instances[0]!.conflicts?.map((c) => c.kind === "duplicate-address" && c.mac),
      ["02:00:00:00:00:99"],
    );
    runner.conflicts = [];
    agent.conflictsChanged();
    await settle();
    assert.equal(api.statuses.at(-1)!.instances[0]!.conflicts, undefined);
  });

  it("resolves the VRRPv2 password from the Secret, and never reports it", async () => {
    const { api, runner, agent, logs, settle } = setup();
    await agent.start();
    const auth = { authentication: { type: "pass", secretRef: { namespace: "floatip-system", name: "web", key: "password" } }, version: 2 };
    api.node!.onUpsert({ metadata: { generation: 1 }, spec: { instances: [instance(auth)] } });
    await settle();
    assert.deepEqual(runner.applied[0]!.instances[0]!.authentication, { type: "pass", password: "s3cret" });
    assert.ok(!JSON.stringify(api.statuses).includes("s3cret"));
    assert.ok(!logs.join("").includes("s3cret"));
  });

  it("an invalid or unresolvable instance is reported field by field and its previous version keeps running", async () => {
    const { api, runner, agent, settle } = setup();
    await agent.start();
    api.node!.onUpsert({ metadata: { generation: 1 }, spec: { instances: [instance()] } });
    await settle();
    const good = runner.applied.at(-1)!;
    api.node!.onUpsert({ metadata: { generation: 2 }, spec: { instances: [instance({ virtualRouterId: 0 })] } });
    await settle();
    assert.deepEqual(runner.applied.at(-1), good, "nothing of the invalid instance was applied");
    let status = api.statuses.at(-1)!;
    assert.equal(status.observedGeneration, 2);
    assert.deepEqual(
      status.configErrors.map((e) => [e.instance, e.field]),
      [["web", "instances[0].virtualRouterId"]],
    );
    assert.match(status.configErrors[0]!.message, /previous version keeps running/);
    const missing = { authentication: { type: "pass", secretRef: { namespace: "x", name: "nope", key: "k" } }, version: 2 };
    api.node!.onUpsert({ metadata: { generation: 3 }, spec: { instances: [instance(missing)] } });
    await settle();
    status = api.statuses.at(-1)!;
    assert.match(status.configErrors[0]!.message, /cannot read Secret x\/nope/);
    assert.deepEqual(runner.applied.at(-1), good);
  });

  it("a spec that is not a config at all is rejected whole and the previous config keeps running", async () => {
    const { api, runner, agent, settle } = setup();
    await agent.start();
    api.node!.onUpsert({ metadata: { generation: 1 }, spec: { instances: [instance()] } });
    await settle();
    api.node!.onUpsert({ metadata: { generation: 2 }, spec: { instances: "web" } });
    await settle();
    assert.equal(runner.applied.length, 1);
    const status = api.statuses.at(-1)!;
    assert.deepEqual(
      status.configErrors.map((e) => [e.instance, e.field]),
      [[undefined, "instances"]],
    );
  });

  it("one instance it cannot hold (no address in its subnet) is refused by name; the others are applied", async () => {
    const { api, runner, agent, settle } = setup();
    await agent.start();
    const far = { name: "far", virtualRouterId: 52, addresses: ["198.51.100.5/24"] };
    api.node!.onUpsert({ metadata: { generation: 1 }, spec: { instances: [far, instance({ interface: undefined })] } });
    await settle();
    assert.deepEqual(
      runner.applied.at(-1)!.instances.map((i) => [i.name, i.interface]),
      [["web", "eth0"]],
    );
    const status = api.statuses.at(-1)!;
    assert.deepEqual(
      status.instances.map((i) => i.name),
      ["web"],
    );
    assert.deepEqual(
      status.configErrors.map((e) => [e.instance, e.field]),
      [["far", "instances[0].interface"]],
    );
    // Later specs are applied around it: a new instance starts, a removed one stops.
    const added = instance({ name: "api", virtualRouterId: 53, addresses: ["192.0.2.6/24"] });
    api.node!.onUpsert({ metadata: { generation: 2 }, spec: { instances: [far, instance(), added] } });
    await settle();
    assert.deepEqual(
      runner.applied.at(-1)!.instances.map((i) => i.name),
      ["web", "api"],
    );
    api.node!.onUpsert({ metadata: { generation: 3 }, spec: { instances: [far, added] } });
    await settle();
    assert.deepEqual(
      runner.applied.at(-1)!.instances.map((i) => i.name),
      ["api"],
    );
  });

  it("a broken shared script refuses only the instances that track it", async () => {
    const { api, runner, agent, settle } = setup(new MemoryCache(), { allowScripts: true });
    await agent.start();
    const scripts = [
      { name: "ok", command: "/bin/true", interval: "1s" },
      { name: "bad", command: "/bin/true", interval: "0s" },
    ];
    const a = instance({ name: "a", track: { scripts: [{ name: "ok" }] } });
    const b = instance({ name: "b", virtualRouterId: 52, track: { scripts: [{ name: "bad" }] } });
    api.node!.onUpsert({ metadata: { generation: 1 }, spec: { scripts, instances: [a, b] } });
    await settle();
    assert.deepEqual(
      runner.applied.at(-1)!.instances.map((i) => i.name),
      ["a"],
    );
    assert.deepEqual(
      api.statuses.at(-1)!.configErrors.map((e) => [e.instance, e.field]),
      [["b", "scripts[1].interval"]],
    );
  });

  it("script checks and notify commands from the VRRPNode are refused unless allowed, and the status says so", async () => {
    const scripts = [{ name: "check", command: "/bin/true", interval: "1s" }];
    const tracked = instance({ name: "tracked", virtualRouterId: 52, track: { scripts: [{ name: "check" }] } });
    const notified = instance({ name: "notified", virtualRouterId: 53, notify: { master: "/bin/true" } });
    const spec = { scripts, instances: [instance(), tracked, notified] };
    const off = setup();
    await off.agent.start();
    off.api.node!.onUpsert({ metadata: { generation: 1 }, spec });
    await off.settle();
    assert.deepEqual(
      off.runner.applied.at(-1)!.instances.map((i) => i.name),
      ["web"],
    );
    const errors = off.api.statuses.at(-1)!.configErrors;
    assert.deepEqual(
      errors.map((e) => [e.instance, e.field]),
      [
        ["tracked", "instances[1].track.scripts"],
        ["notified", "instances[2].notify"],
      ],
    );
    assert.match(errors[0]!.message, /--allow-vrrpnode-scripts/);
    const on = setup(new MemoryCache(), { allowScripts: true });
    await on.agent.start();
    on.api.node!.onUpsert({ metadata: { generation: 1 }, spec });
    await on.settle();
    assert.deepEqual(
      on.runner.applied.at(-1)!.instances.map((i) => i.name),
      ["web", "tracked", "notified"],
    );
    // Restarted with the gate closed, the cache written while it was open runs no command either.
    const restarted = setup(on.cache);
    restarted.api.down = true;
    await restarted.agent.start();
    await restarted.pump(3);
    assert.deepEqual(
      restarted.runner.applied.at(-1)!.instances.map((i) => i.name),
      ["web"],
    );
  });

  it("starts from the cached config when the API server is unreachable", async () => {
    const cached = new MemoryCache();
    const first = setup(cached);
    await first.agent.start();
    first.api.node!.onUpsert({ metadata: { generation: 7 }, spec: { instances: [instance()] } });
    await first.settle();
    await first.agent.stop();

    const second = setup(cached);
    second.api.down = true;
    await second.agent.start();
    await second.pump(10);
    assert.equal(second.runner.applied.length, 1, "ran the cached config before hearing from the API server");
    assert.deepEqual(
      second.runner.applied[0]!.instances.map((i) => i.name),
      ["web"],
    );
    assert.equal(second.api.statuses.length, 0, "status writes wait for the API server");
    second.api.down = false;
    await second.settle();
    assert.equal(second.api.statuses.at(-1)?.observedGeneration, 7, "status catches up once it is back");
  });

  it("when the VRRPNode watch reconnects, a status write waiting out its backoff goes at once", async () => {
    const { api, agent, pump } = setup();
    await agent.start();
    api.down = true;
    api.node!.onUpsert({ metadata: { generation: 1 }, spec: { instances: [instance()] } });
    await pump(65); // failed writes at 0, 1, 3, 7, 15, 31, 61 s: the next one is due at 91 s
    assert.equal(api.statuses.length, 0);
    api.down = false;
    api.node!.onConnected!();
    await pump(2);
    assert.equal(api.statuses.at(-1)?.observedGeneration, 1, "written within 2 s of the reconnect");
  });

  it("rewrites its status every refresh interval without changes (one write per node), and says how often", async () => {
    const { api, agent, settle, pump } = setup();
    await agent.start();
    api.node!.onUpsert({ metadata: { generation: 1 }, spec: { instances: [instance(), instance({ name: "db", virtualRouterId: 52 })] } });
    await settle();
    const before = api.statuses.length;
    assert.equal(api.statuses.at(-1)?.refreshInterval, "20s");
    await pump(61); // 61 s without a change: three heartbeats (at 20, 40, 60 s after the last report)
    assert.equal(api.statuses.length - before, 3, "one write per interval, not one per instance");
    api.down = true;
    await pump(60);
    const stuck = api.statuses.length;
    api.down = false;
    api.node!.onConnected!();
    await pump(2);
    assert.equal(api.statuses.length, stuck + 1, "a heartbeat missed while the API server was away goes once it is back");
    await agent.stop();
    await pump(60);
    assert.equal(api.statuses.length, stuck + 1, "no heartbeat after stop");
  });

  it("reports the node's interface names, and a new one by the next heartbeat (pools with spec.interfaces)", async () => {
    let links: readonly LinkInfo[] = LINKS;
    const { api, agent, settle, pump } = setup(new MemoryCache(), { links: () => links });
    await agent.start();
    api.node!.onUpsert({ metadata: { generation: 1 }, spec: { instances: [] } });
    await settle();
    assert.deepEqual(api.statuses.at(-1)?.interfaces, ["eth0"]);
    links = [...LINKS, { name: "eth1", index: 3, mac: "02:00:00:00:00:02", up: true, addresses: [] }];
    await pump(21);
    assert.deepEqual(api.statuses.at(-1)?.interfaces, ["eth0", "eth1"]);
    await agent.stop();
  });

  it("a deleted VRRPNode removes every instance", async () => {
    const { api, runner, agent, settle } = setup();
    await agent.start();
    api.node!.onUpsert({ metadata: { generation: 1 }, spec: { instances: [instance()] } });
    await settle();
    api.node!.onDelete({ metadata: { generation: 1 } });
    await settle();
    assert.deepEqual(runner.applied.at(-1)!.instances, []);
  });
});
