/**
 * Conflict reporting of running agents on a simulated segment (manual clock,
 * fake VRRP segment, fake ARP neighbourhood): what a master reports for a
 * static holder of its address, for a split brain, for foreign VRRP on its
 * VRID, and that ordinary elections and preemption report nothing.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AgentSupervisor } from "./supervisor.js";
import { ManualClock } from "../../base/clock.js";
import type { AgentMetrics } from "./metrics.js";
import { FakeAddressTable, FakeNeighbourhood, FakeSegment } from "./fakes.js";
import type { AgentConfig } from "../config/types.js";
import { encodeAdvert } from "../vrrp/codec.js";
import { runClock as run, simulatedAgent, vipConfig } from "./simulated-agents.js";

const VIP = "192.0.2.5";
const FOREIGN_MAC = "02:00:00:00:00:99";
const config = (patch: Record<string, unknown> = {}): AgentConfig => vipConfig(VIP, patch);

function lab(clock: ManualClock) {
  const segment = new FakeSegment();
  const neighbourhood = new FakeNeighbourhood();
  const nodes: {
    address: string;
    mac: string;
    supervisor: AgentSupervisor;
    metrics: AgentMetrics;
    logs: string[];
    probes: string[];
    changes: string[];
  }[] = [];
  const add = async (address: string, cfg: AgentConfig) => {
    const changes: string[] = [];
    const table = new FakeAddressTable();
    const mac = `02:00:00:00:00:${address.split(".")[3]!.padStart(2, "0")}`;
    const prober = neighbourhood.prober(mac, table);
    const { supervisor, metrics, logs } = simulatedAgent({
      clock,
      segment,
      address,
      addresses: table,
      conflicts: { prober, probeIntervalMs: 10_000, onChange: (instance) => changes.push(instance) },
    });
    const node = { address, mac, supervisor, metrics, logs, probes: prober.probes, changes };
    nodes.push(node);
    await supervisor.apply(cfg);
    return node;
  };
  const conflicts = (node: (typeof nodes)[number]) => node.supervisor.snapshot()[0]?.conflicts ?? [];
  const phase = (node: (typeof nodes)[number]) => node.supervisor.snapshot()[0]?.phase;
  return { segment, neighbourhood, nodes, add, conflicts, phase };
}

async function metric(metrics: AgentMetrics, name: string, kind: string): Promise<number> {
  const text = await metrics.registry.getSingleMetricAsString(name);
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(`kind="${kind}"`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("conflict reporting by running agents", () => {
  it("ordinary election and preemption: probes go out, no conflict anywhere", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    const low = await l.add("192.0.2.11", config({ priority: 100 }));
    await run(clock, 5000);
    assert.equal(l.phase(low), "master");
    const high = await l.add("192.0.2.12", config({ priority: 150 }));
    await run(clock, 30_000);
    assert.equal(l.phase(high), "master", "the higher priority preempted");
    assert.equal(l.phase(low), "backup");
    for (const node of l.nodes) {
      assert.deepEqual(l.conflicts(node), [], node.address);
      assert.equal(await metric(node.metrics, "floatip_conflicts_total", "duplicate-address"), 0);
      assert.equal(await metric(node.metrics, "floatip_conflicts_total", "foreign-vrrp"), 0);
    }
    // The takeover probe and then one every 10 s while master.
    assert.ok(high.probes.length >= 3, `probes: ${high.probes.length}`);
    assert.ok(low.probes.length >= 1);
  });

  it("a host holding the VIP statically: the master reports its MAC, keeps the VIP, and clears it when it goes", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    l.neighbourhood.statics.set(VIP, FOREIGN_MAC);
    const node = await l.add("192.0.2.11", config({ priority: 100 }));
    await run(clock, 3700); // master after Master_Down_Interval (3 intervals + skew)
    assert.equal(l.phase(node), "master");
    assert.deepEqual(l.conflicts(node), [], "one answer is only a suspicion");
    await run(clock, 2500); // confirming probe 2 s later
    const [conflict] = l.conflicts(node);
    assert.deepEqual({ ...conflict, since: 0 }, { kind: "duplicate-address", address: VIP, mac: FOREIGN_MAC, since: 0 });
    assert.equal(await metric(node.metrics, "floatip_conflicts_total", "duplicate-address"), 1);
    assert.equal(await metric(node.metrics, "floatip_conflicts_active", "duplicate-address"), 1);
    assert.equal(node.logs.filter((line) => line.includes("is also answered by 02:00:00:00:00:99")).length, 1, "logged once");
    assert.deepEqual(node.changes, ["vip"]);
    await run(clock, 30_000);
    assert.equal(l.phase(node), "master", "VRRP goes on: reported, not fought");
    assert.equal(await metric(node.metrics, "floatip_conflicts_total", "duplicate-address"), 1, "one conflict, however long");
    assert.equal(node.logs.filter((line) => line.includes("is also answered by")).length, 1, "no log flood");

    l.neighbourhood.statics.delete(VIP);
    await run(clock, 12_000); // next periodic probe + answer window
    assert.deepEqual(l.conflicts(node), []);
    assert.equal(await metric(node.metrics, "floatip_conflicts_active", "duplicate-address"), 0);
    assert.deepEqual(node.changes, ["vip", "vip"]);
  });

  it("split brain (VRRP blocked between two masters, ARP passes): each reports the other's MAC", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    const a = await l.add("192.0.2.11", config({ priority: 100 }));
    const b = await l.add("192.0.2.12", config({ priority: 150 }));
    await run(clock, 5000);
    assert.equal(l.phase(b), "master");
    l.segment.setUp("192.0.2.11", false); // a hears no adverts and sends none
    await run(clock, 5000);
    assert.equal(l.phase(a), "master");
    await run(clock, 12_000); // b's next periodic probe, then its confirmation
    assert.deepEqual(
      l.conflicts(a).map((c) => c.kind === "duplicate-address" && c.mac),
      [b.mac],
    );
    assert.deepEqual(
      l.conflicts(b).map((c) => c.kind === "duplicate-address" && c.mac),
      [a.mac],
    );
    l.segment.setUp("192.0.2.11", true); // healed: a yields to b's adverts
    await run(clock, 15_000);
    assert.equal(l.phase(a), "backup");
    assert.deepEqual(l.conflicts(a), []);
    assert.deepEqual(l.conflicts(b), [], "a no longer answers");
  });

  it("adverts on our VRID with another address list: foreign-vrrp naming the source, ended when it stops", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    const node = await l.add("192.0.2.11", config({ priority: 100 }));
    await run(clock, 4000);
    const source = "192.0.2.66";
    const payload = encodeAdvert(
      { version: 3, family: 4, virtualRouterId: 51, priority: 200, advertIntervalMs: 1000, addresses: ["192.0.2.99"] },
      { source, destination: "224.0.0.18" },
    );
    for (let i = 0; i < 5; i++) {
      l.segment.inject({ family: 4, payload, source, destination: "224.0.0.18", ttl: 255, ifindex: 2 });
      await run(clock, 1000);
    }
    assert.equal(l.phase(node), "master", "foreign adverts never change the state");
    assert.deepEqual(
      l.conflicts(node).map((c) => ({ ...c, since: 0 })),
      [{ kind: "foreign-vrrp", source, mismatch: "address-mismatch", addresses: ["192.0.2.99"], since: 0 }],
    );
    assert.equal(await metric(node.metrics, "floatip_conflicts_active", "foreign-vrrp"), 1);
    await run(clock, 5000);
    assert.deepEqual(l.conflicts(node), []);
    assert.equal(await metric(node.metrics, "floatip_conflicts_active", "foreign-vrrp"), 0);
    assert.equal(await metric(node.metrics, "floatip_conflicts_total", "foreign-vrrp"), 1);
  });

  it("unicast adverts from an address that is not a peer: unknown-peer", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    const node = await l.add("192.0.2.11", config({ unicast: { source: "192.0.2.11", peers: ["192.0.2.12"] } }));
    await run(clock, 4000);
    const source = "192.0.2.77";
    const payload = encodeAdvert(
      { version: 3, family: 4, virtualRouterId: 51, priority: 100, advertIntervalMs: 1000, addresses: [VIP] },
      { source, destination: "192.0.2.11" },
    );
    for (let i = 0; i < 5; i++) {
      l.segment.inject({ family: 4, payload, source, destination: "192.0.2.11", ttl: 255, ifindex: 2 });
      await run(clock, 1000);
    }
    assert.deepEqual(
      l.conflicts(node).map((c) => `${c.kind} ${"source" in c ? c.source : ""}`),
      [`unknown-peer ${source}`],
    );
    assert.equal(await metric(node.metrics, "floatip_conflicts_total", "unknown-peer"), 1);
  });

  it("removing the instance ends its conflicts in the metrics", async () => {
    const clock = new ManualClock(0);
    const l = lab(clock);
    l.neighbourhood.statics.set(VIP, FOREIGN_MAC);
    const node = await l.add("192.0.2.11", config());
    await run(clock, 6000);
    assert.equal(l.conflicts(node).length, 1);
    await node.supervisor.apply({ scripts: [], trackFiles: [], instances: [] });
    const text = await node.metrics.registry.getSingleMetricAsString("floatip_conflicts_active");
    assert.doesNotMatch(text, /vrrp_instance="vip"/);
  });
});
