import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AgentSupervisor } from "./supervisor.js";
import { ManualClock } from "../../base/clock.js";
import type { AgentMetrics } from "./metrics.js";
import { FakeAddressTable, FakeAnnouncer, FakeSegment } from "./fakes.js";
import type { AgentConfig } from "../config/types.js";
import { validateAgentConfig } from "../config/validate.js";
import { runClock as run, simulatedAgent, vipConfig } from "./simulated-agents.js";
import { encodeAdvert } from "../vrrp/codec.js";

const VIP = "192.0.2.5";
const config = (patch: Record<string, unknown> = {}): AgentConfig => vipConfig(VIP, patch);

interface Node {
  readonly address: string;
  readonly agent: { start(): Promise<unknown>; stop(): Promise<void>; snapshot: AgentSupervisor["snapshot"]; supervisor: AgentSupervisor };
  readonly table: FakeAddressTable;
  readonly metrics: AgentMetrics;
  readonly logs: string[];
}

function lab(clock: ManualClock) {
  const segment = new FakeSegment();
  const nodes: Node[] = [];
  const add = (address: string, cfg: AgentConfig, table = new FakeAddressTable()): Node => {
    const { supervisor, metrics, logs } = simulatedAgent({ clock, segment, address, addresses: table });
    const agent = {
      supervisor,
      start: () => supervisor.apply(cfg),
      stop: () => supervisor.stop(),
      snapshot: () => supervisor.snapshot(),
    };
    const node = { address, agent, table, metrics, logs };
    nodes.push(node);
    return node;
  };
  const holders = () => nodes.filter((n) => n.table.has("eth0", VIP)).map((n) => n.address);
  const masters = () => nodes.filter((n) => n.agent.snapshot()[0]?.phase === "master").map((n) => n.address);
  return { segment, nodes, add, holders, masters };
}

async function timeUntil(clock: ManualClock, done: () => boolean, limitMs: number): Promise<number> {
  const start = clock.now();
  while (!done()) {
    if (clock.now() - start > limitMs) throw new Error(`not done within ${limitMs} ms`);
    await run(clock, 1, 1);
  }
  return clock.now() - start;
}

describe("agents on a simulated segment", () => {
  it("three agents elect the highest priority; only it holds the VIP", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    l.add("192.0.2.11", config({ priority: 100 }));
    l.add("192.0.2.12", config({ priority: 150 }));
    l.add("192.0.2.13", config({ priority: 120 }));
    for (const n of l.nodes) await n.agent.start();
    await run(clock, 5000);
    assert.deepEqual(l.masters(), ["192.0.2.12"]);
    assert.deepEqual(l.holders(), ["192.0.2.12"]);
  });

  it("on equal priority the higher primary address wins", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    l.add("192.0.2.13", config());
    l.add("192.0.2.9", config());
    l.add("192.0.2.11", config());
    for (const n of l.nodes) await n.agent.start();
    await run(clock, 6000);
    assert.deepEqual(l.masters(), ["192.0.2.13"]);
    assert.deepEqual(l.holders(), ["192.0.2.13"]);
  });

  it("node loss: the next priority takes over one Master_Down_Interval after the last advert", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    l.add("192.0.2.11", config({ priority: 100 }));
    l.add("192.0.2.12", config({ priority: 150 }));
    l.add("192.0.2.13", config({ priority: 120 }));
    for (const n of l.nodes) await n.agent.start();
    await run(clock, 5000);
    // Cut the master right after it advertised.
    const lastAdvert = l.segment.sent.filter((s) => s.source === "192.0.2.12").length;
    await timeUntil(clock, () => l.segment.sent.filter((s) => s.source === "192.0.2.12").length > lastAdvert, 2000);
    l.segment.setUp("192.0.2.12", false);
    const took = await timeUntil(clock, () => l.masters().includes("192.0.2.13"), 10_000);
    // Master_Down_Interval for priority 120 at 1 s: 3000 + (136 × 1000)/256 = 3531.25 ms.
    assert.ok(took >= 3531 && took <= 3536, `took ${took} ms`);
    assert.ok(l.nodes[2]!.table.has("eth0", VIP));
    assert.ok(!l.nodes[0]!.table.has("eth0", VIP));
  });

  it("graceful stop: priority 0 hands over after Skew_Time only", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    l.add("192.0.2.11", config({ priority: 100, advertInterval: "100ms" }));
    const master = l.add("192.0.2.12", config({ priority: 150, advertInterval: "100ms" }));
    for (const n of l.nodes) await n.agent.start();
    await run(clock, 1000);
    assert.deepEqual(l.holders(), ["192.0.2.12"]);
    await master.agent.stop();
    assert.ok(!master.table.has("eth0", VIP), "the stopping master removes its VIP");
    const took = await timeUntil(clock, () => l.masters().includes("192.0.2.11"), 1000);
    // Skew_Time for priority 100 at 100 ms: (156 × 100)/256 = 60.9 ms.
    assert.ok(took >= 60 && took <= 63, `took ${took} ms`);
    await run(clock, 10);
    assert.deepEqual(l.holders(), ["192.0.2.11"]);
  });

  it("preemption: a returning higher-priority router takes the VIP back", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    l.add("192.0.2.11", config({ priority: 100 }));
    await l.nodes[0]!.agent.start();
    await run(clock, 5000);
    l.add("192.0.2.12", config({ priority: 150 }));
    await l.nodes[1]!.agent.start();
    await run(clock, 5000);
    assert.deepEqual(l.holders(), ["192.0.2.12"]);
  });

  it("nopreempt: a returning higher-priority router stays backup", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    l.add("192.0.2.11", config({ priority: 100, preempt: false }));
    await l.nodes[0]!.agent.start();
    await run(clock, 5000);
    l.add("192.0.2.12", config({ priority: 150, preempt: false }));
    await l.nodes[1]!.agent.start();
    await run(clock, 10_000);
    assert.deepEqual(l.holders(), ["192.0.2.11"]);
    assert.equal(l.nodes[1]!.agent.snapshot()[0]!.phase, "backup");
  });

  it("removes a VIP left by an earlier crash before joining, and nothing else", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    const table = new FakeAddressTable({ eth0: [VIP, "192.0.2.99"] });
    l.add("192.0.2.11", config({ priority: 100 }), table);
    l.add("192.0.2.12", config({ priority: 150 }));
    await l.nodes[1]!.agent.start();
    await run(clock, 5000);
    await l.nodes[0]!.agent.start();
    assert.deepEqual(table.log[0], "remove eth0 192.0.2.5/24");
    assert.ok(table.has("eth0", "192.0.2.99"), "an address we did not configure is left alone");
    await run(clock, 5000);
    assert.deepEqual(l.holders(), ["192.0.2.12"]);
  });

  it("reads an interface's addresses once for all the instances of a config, and still removes each one's leftover", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    class CountingTable extends FakeAddressTable {
      lookups = 0;
      override async link(ifname: string) {
        this.lookups++;
        return super.link(ifname);
      }
      override async linkState(ifname: string) {
        const { addresses: _a, ...state } = await super.link(ifname); // polls of the link state are not address dumps
        return state;
      }
    }
    const table = new CountingTable({ eth0: ["192.0.2.6", "192.0.2.8", "192.0.2.99"] });
    const instances = [6, 7, 8].map((n) => ({ name: `vip${n}`, interface: "eth0", virtualRouterId: n, addresses: [`192.0.2.${n}/24`] }));
    const result = validateAgentConfig({ instances });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const node = l.add("192.0.2.11", result.config, table);
    await node.agent.start();
    assert.equal(table.lookups, 1);
    assert.deepEqual(table.log, ["remove eth0 192.0.2.6/24", "remove eth0 192.0.2.8/24"]);
    assert.ok(table.has("eth0", "192.0.2.99"), "an address we did not configure is left alone");
  });

  it("drops malformed packets, counts them by reason, and keeps running", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    const node = l.add("192.0.2.11", config({ priority: 150 }));
    await node.agent.start();
    await run(clock, 5000);
    const junk = [Buffer.alloc(0), Buffer.from([0x31]), Buffer.from("not vrrp at all, just bytes"), Buffer.alloc(64, 0xff)];
    for (const payload of junk) {
      l.segment.inject({ family: 4, payload, source: "192.0.2.50", destination: "224.0.0.18", ttl: 255, ifindex: 2 });
    }
    await run(clock, 3000);
    assert.deepEqual(l.masters(), ["192.0.2.11"]);
    const metrics = await node.metrics.registry.getSingleMetricAsString("floatip_packets_dropped_total");
    const total = [...metrics.matchAll(/^floatip_packets_dropped_total\{[^}]*\} (\d+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
    assert.equal(total, junk.length);
  });

  it("takes a repeated advert as it took the first, and checks the same bytes again when TTL or source differ", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    const node = l.add("192.0.2.11", config({ priority: 100 }));
    await node.agent.start();
    const group = "224.0.0.18";
    const advert = { version: 3, family: 4, virtualRouterId: 51, priority: 200, advertIntervalMs: 1000, addresses: [VIP] } as const;
    const payload = encodeAdvert(advert, { source: "192.0.2.12", destination: group });
    const packet = (source: string, ttl: number) => ({ family: 4 as const, payload, source, destination: group, ttl, ifindex: 2 });
    // 10 s of repeats from a higher-priority master: each one pushes Master_Down back, as the first did.
    for (let i = 0; i < 10; i++) {
      l.segment.inject(packet("192.0.2.12", 255));
      await run(clock, 1000);
    }
    assert.deepEqual(l.masters(), []);
    l.segment.inject(packet("192.0.2.12", 64)); // same bytes, TTL 64: dropped by the checks
    l.segment.inject(packet("192.0.2.13", 255)); // same bytes from another source: its pseudo-header checksum fails
    const value = async (name: string, labels: Record<string, string>) => {
      const metric = await node.metrics.registry.getSingleMetric(name)!.get();
      const found = metric.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
      return found?.value ?? 0;
    };
    assert.equal(await value("floatip_adverts_received_total", { vrrp_instance: "vip", vrid: "51" }), 10);
    assert.equal(await value("floatip_packets_dropped_total", { vrrp_instance: "vip", reason: "bad-ttl" }), 1);
    assert.equal(await value("floatip_packets_dropped_total", { vrrp_instance: "", reason: "bad-checksum" }), 1);
    // Silence: the backup takes over one Master_Down_Interval after the last accepted repeat.
    await run(clock, 4000);
    assert.deepEqual(l.masters(), ["192.0.2.11"]);
  });

  it("warns once when master for 3 intervals while a unicast peer was never heard (firewall hint)", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    const unicast = (source: string, peer: string) =>
      config({ priority: source.endsWith("11") ? 150 : 100, unicast: { source, peers: [peer] } });
    const lonely = l.add("192.0.2.11", unicast("192.0.2.11", "192.0.2.12"));
    await lonely.agent.start();
    await run(clock, 10_000);
    const warnings = lonely.logs.filter((line) => line.includes("never been heard"));
    assert.equal(warnings.length, 1, lonely.logs.join(""));
    assert.match(warnings[0]!, /"peer":"192.0.2.12"/);

    const clock2 = new ManualClock(0);
    const l2 = lab(clock2);
    const a = l2.add("192.0.2.11", unicast("192.0.2.11", "192.0.2.12"));
    const b = l2.add("192.0.2.12", unicast("192.0.2.12", "192.0.2.11"));
    await b.agent.start();
    await run(clock2, 1000);
    await a.agent.start();
    await run(clock2, 10_000);
    assert.deepEqual(l2.masters(), ["192.0.2.11"]);
    assert.equal(a.logs.filter((line) => line.includes("never been heard")).length, 0, "the peer was heard before we became master");
  });

  it("a unicast router entering backup announces its own source address (peers' neighbour caches may have given up on it); multicast ones do not", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const start = async (address: string, cfg: AgentConfig) => {
      const announcer = new FakeAnnouncer();
      const { supervisor } = simulatedAgent({ clock, segment, address, addresses: new FakeAddressTable(), announcer });
      await supervisor.apply(cfg);
      return announcer;
    };
    const unicast = await start("192.0.2.11", config({ priority: 100, unicast: { source: "192.0.2.11", peers: ["192.0.2.12"] } }));
    const multicast = await start("192.0.2.13", config({ priority: 90 }));
    await run(clock, 50);
    assert.deepEqual(unicast.announced, ["eth0 192.0.2.11"]);
    assert.deepEqual(multicast.announced, []);
  });

  it("applying a changed config touches only the instances that changed", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    const both = (priority: number, extra: readonly Record<string, unknown>[]) =>
      validateAgentConfig({
        instances: [{ name: "vip", interface: "eth0", virtualRouterId: 51, priority, addresses: [`${VIP}/24`] }, ...extra],
      });
    const a1 = both(150, []);
    const b1 = both(100, []);
    assert.ok(a1.ok && b1.ok);
    const n1 = l.add("192.0.2.11", a1.config);
    const n2 = l.add("192.0.2.12", b1.config);
    await n1.agent.start();
    await n2.agent.start();
    await run(clock, 5000);
    const transitions = (n: typeof n1) => n.logs.filter((line) => line.includes('"instance":"vip"') && line.includes("->")).length;
    const before = [transitions(n1), transitions(n2)];

    const second = { name: "db", interface: "eth0", virtualRouterId: 52, priority: 120, addresses: ["192.0.2.6/24"] };
    const a2 = both(150, [second]);
    const b2 = both(100, [{ ...second, priority: 110 }]);
    assert.ok(a2.ok && b2.ok);
    assert.deepEqual(await n1.agent.supervisor.apply(a2.config), {
      added: ["db"],
      removed: [],
      replaced: [],
      updated: [],
      unchanged: ["vip"],
    });
    await n2.agent.supervisor.apply(b2.config);
    await run(clock, 5000);
    assert.deepEqual([transitions(n1), transitions(n2)], before, "the untouched instance never transitioned");
    assert.ok(n1.table.has("eth0", "192.0.2.6") && !n2.table.has("eth0", "192.0.2.6"));

    // A changed priority changes only that instance, in place (the backup preempts with it); removing it releases its VIP.
    const b3 = both(100, [{ ...second, priority: 130 }]);
    assert.ok(b3.ok);
    assert.deepEqual(await n2.agent.supervisor.apply(b3.config), {
      added: [],
      removed: [],
      replaced: [],
      updated: ["db"],
      unchanged: ["vip"],
    });
    await run(clock, 5000);
    assert.ok(n2.table.has("eth0", "192.0.2.6") && !n1.table.has("eth0", "192.0.2.6"), "the higher new priority took db");
    assert.deepEqual(await n2.agent.supervisor.apply(b1.config), {
      added: [],
      removed: ["db"],
      replaced: [],
      updated: [],
      unchanged: ["vip"],
    });
    await run(clock, 5000);
    assert.ok(!n2.table.has("eth0", "192.0.2.6"));
    assert.ok(n1.table.has("eth0", "192.0.2.6"), "the other node took db over after the priority-0 advert");
    assert.deepEqual([transitions(n1), transitions(n2)], before);
    assert.deepEqual(l.holders(), ["192.0.2.11"]);
  });

  it("instances on one interface share one link poll per second; losing the link faults them all; the poll ends with the last of them", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    const table = new LinkCountingTable();
    const on = (ifname: string, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        name: `${ifname}-${i}`,
        interface: ifname,
        virtualRouterId: i + 1,
        addresses: [`192.0.2.${100 + i}/24`],
      }));
    const many = validateAgentConfig({ instances: on("eth0", 30) });
    const other = validateAgentConfig({ instances: on("eth1", 1) });
    assert.ok(many.ok && other.ok);
    const node = l.add("192.0.2.11", many.config, table);
    await node.agent.start();
    await run(clock, 2000);
    const before = table.calls("eth0");
    await run(clock, 10_000);
    assert.equal(table.calls("eth0") - before, 10, "one linkState per second for 30 instances");

    table.down.add("eth0");
    await run(clock, 1100);
    assert.ok(
      node.agent.snapshot().every((r) => r.phase === "fault"),
      "every instance went to FAULT within a poll interval",
    );
    table.down.delete("eth0");
    await run(clock, 1100);
    assert.ok(
      node.agent.snapshot().every((r) => r.phase !== "fault"),
      "and left it with the link",
    );

    await node.agent.supervisor.apply(other.config);
    const after = table.calls("eth0");
    await run(clock, 5000);
    assert.equal(table.calls("eth0"), after, "no eth0 poll once no instance tracks it");
    assert.ok(table.calls("eth1") >= 5);
    await node.agent.stop();
  });
});

/** Counts linkState calls per interface; interfaces in `down` report the link down. */
class LinkCountingTable extends FakeAddressTable {
  readonly down = new Set<string>();
  private readonly counts = new Map<string, number>();
  calls(ifname: string): number {
    return this.counts.get(ifname) ?? 0;
  }
  override async linkState(ifname: string): ReturnType<FakeAddressTable["linkState"]> {
    this.counts.set(ifname, this.calls(ifname) + 1);
    return { ...(await super.linkState(ifname)), up: !this.down.has(ifname) };
  }
}
