/**
 * Agents in network namespaces, real kernel: election, failover on node
 * loss and on SIGTERM, preemption, crash recovery, hostile packets.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLab, type Lab, type LabHost } from "./netns.js";
import { encodeAdvert } from "../../agent/vrrp/codec.js";
import { AddressWatch, Scratch, holders, httpGetIn, metricSum, soleHolder, startAgent, stopSpeaker, type Speaker } from "./vrrp-lab.js";

const VIP = "192.0.2.5";

interface InstancePatch {
  readonly priority?: number;
  readonly advertInterval?: string;
  readonly preempt?: boolean;
  readonly version?: 2 | 3;
  readonly vrid?: number;
  readonly initialState?: "backup" | "master";
}

function agentConfig(patch: InstancePatch = {}) {
  return {
    instances: [
      {
        name: "vip",
        // no interface: the agent picks eth0, whose 192.0.2.0/24 contains the VIP
        virtualRouterId: patch.vrid ?? 51,
        version: patch.version ?? 3,
        priority: patch.priority ?? 100,
        advertInterval: patch.advertInterval ?? "100ms",
        preempt: patch.preempt ?? true,
        initialState: patch.initialState ?? "backup",
        addresses: [`${VIP}/24`],
        garp: { repeat: 1, delay: 0 },
      },
    ],
  };
}

/** Master_Down_Interval and Skew_Time of a v3 backup (RFC 5798 §6.1), ms. */
const skew = (priority: number, intervalMs: number) => ((256 - priority) * intervalMs) / 256;
const masterDown = (priority: number, intervalMs: number) => 3 * intervalMs + skew(priority, intervalMs);

describe("agents in namespaces", { timeout: 240_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  let watch: AddressWatch;
  const running: Speaker[] = [];

  const start = (host: LabHost, patch: InstancePatch = {}, metricsPort?: number) => {
    const speaker = startAgent({ lab, host, scratch, config: agentConfig(patch), ...(metricsPort !== undefined ? { metricsPort } : {}) });
    running.push(speaker);
    return speaker;
  };
  const stopAll = async () => {
    await Promise.all(running.splice(0).map((s) => stopSpeaker(lab, s, "SIGKILL")));
    for (const h of lab.nodes) await lab.exec(h.ns, ["ip", "addr", "flush", "dev", h.ifname, "to", `${VIP}/32`]).catch(() => undefined);
  };
  const n = (i: number) => lab.nodes[i]!;

  before(async () => {
    lab = await createLab({ nodes: 3 });
    scratch = new Scratch();
    watch = new AddressWatch(lab);
    await watch.start(lab.nodes);
  });
  afterEach(async () => {
    await stopAll();
  });
  after(async () => {
    await watch?.stop();
    await lab?.destroy();
    scratch?.cleanup();
  });

  it("three agents elect the highest priority; the VIP is on its interface only", async () => {
    start(n(0), { priority: 100 });
    start(n(1), { priority: 150 });
    start(n(2), { priority: 120 });
    assert.equal(await soleHolder(lab, VIP, 5000), "n2");
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(await holders(lab, VIP), ["n2"], "still exactly one holder a second later");
    const addr = (await lab.addresses(n(1).ns, "eth0")).find((a) => a.address === VIP);
    assert.equal(addr?.prefixLength, 24);
  });

  it("equal priority: after a partition heals, the higher primary address stays master", async () => {
    // RFC 5798 §6.4.2: a backup accepts an equal-priority master, so the tie-break decides only
    // between routers that are master at once. Isolate the two bridge ports (carrier stays up,
    // they just cannot hear each other) so both become master, then heal.
    start(n(0), { priority: 100 });
    assert.equal(await soleHolder(lab, VIP, 5000), "n1");
    start(n(2), { priority: 100 });
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(await holders(lab, VIP), ["n1"], "an equal-priority newcomer does not preempt");
    await lab.isolate([n(0), n(2)], true);
    try {
      await lab.waitFor(async () => (await holders(lab, VIP)).length === 2, 3000, "two masters while partitioned");
    } finally {
      await lab.isolate([n(0), n(2)], false);
    }
    const healed = Date.now();
    await lab.waitFor(async () => (await holders(lab, VIP)).join() === "n3", 1000, "one master after healing");
    console.log(`# partition healed: one master after ${Date.now() - healed} ms`);
    assert.equal(await soleHolder(lab, VIP, 3000), "n3");
  });

  it("node loss: the VIP moves within Master_Down_Interval + 50 ms", async () => {
    start(n(0), { priority: 100 });
    start(n(1), { priority: 150 });
    start(n(2), { priority: 120 });
    assert.equal(await soleHolder(lab, VIP, 5000), "n2");
    await new Promise((r) => setTimeout(r, 500));
    const cut = Date.now();
    await lab.setPortDown(n(1));
    const moved = await lab.waitFor(() => watch.first(VIP, true, cut, "n3"), 5000, "VIP on n3");
    const took = moved.at - cut;
    const limit = masterDown(120, 100) + 50;
    console.log(`# node loss: VIP on the new master ${took} ms after the cut (Master_Down_Interval ${masterDown(120, 100)} ms)`);
    assert.ok(took <= limit, `failover took ${took} ms, limit ${limit} ms`);
    assert.ok(!watch.first(VIP, true, cut, "n1"), "the lowest priority never took it");
    // Its own interface lost carrier: the cut master goes to FAULT and releases the VIP (as keepalived does).
    await lab.waitFor(() => watch.first(VIP, false, cut, "n2"), 2500, "the cut master releases the VIP");
    await lab.setPortUp(n(1));
    // Back with the higher priority it preempts; exactly one holder after.
    await lab.waitFor(async () => (await holders(lab, VIP)).join() === "n2", 5000, "n2 takes the VIP back");
    assert.equal(await soleHolder(lab, VIP, 3000), "n2");
  });

  it("graceful stop (SIGTERM): the VIP moves within Skew_Time + 50 ms", async () => {
    start(n(0), { priority: 100 });
    const master = start(n(1), { priority: 150 });
    assert.equal(await soleHolder(lab, VIP, 5000), "n2");
    await new Promise((r) => setTimeout(r, 500));
    const sent = Date.now();
    const stopped = stopSpeaker(lab, master, "SIGTERM");
    const gone = await lab.waitFor(() => watch.first(VIP, false, sent, "n2"), 3000, "VIP removed from n2");
    const moved = await lab.waitFor(() => watch.first(VIP, true, sent, "n1"), 3000, "VIP on n1");
    await stopped;
    const took = moved.at - gone.at;
    const limit = skew(100, 100) + 50;
    console.log(
      `# SIGTERM: VIP on the new master ${took} ms after the old one let go, ${moved.at - sent} ms after the signal (Skew_Time ${skew(100, 100)} ms)`,
    );
    assert.ok(took <= limit, `handover took ${took} ms after the master let go, limit ${limit} ms`);
    assert.ok(moved.at - sent <= limit + 200, `handover took ${moved.at - sent} ms from SIGTERM`);
    assert.equal(master.child.exitCode, 0, master.output());
    // The priority-0 advert left from the signal handler (agent/native/farewell.c), not the JS stop path.
    assert.match(master.output(), /priority-0 advert went out from the stop signal's handler/);
  });

  it("preemption: a returning higher-priority agent takes the VIP back; with preempt off it does not", async () => {
    start(n(0), { priority: 100 });
    assert.equal(await soleHolder(lab, VIP, 5000), "n1");
    const high = start(n(1), { priority: 150 });
    assert.equal(await lab.waitFor(async () => ((await holders(lab, VIP)).join() === "n2" ? "n2" : undefined), 3000, "preempted"), "n2");
    await stopSpeaker(lab, high, "SIGTERM");
    await stopAll();

    start(n(0), { priority: 100, preempt: false });
    assert.equal(await soleHolder(lab, VIP, 5000), "n1");
    start(n(1), { priority: 150, preempt: false });
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await holders(lab, VIP), ["n1"], "nopreempt: the lower-priority master keeps it");
  });

  it("kill -9 of the master, then restart: the stale VIP is removed on start and exactly one node holds it", async () => {
    start(n(0), { priority: 100 });
    const master = start(n(1), { priority: 150 });
    assert.equal(await soleHolder(lab, VIP, 5000), "n2");
    await stopSpeaker(lab, master, "SIGKILL");
    // The dead agent leaves its VIP behind; the backup takes over anyway.
    await lab.waitFor(async () => (await holders(lab, VIP)).includes("n1"), 3000, "n1 takes over");
    assert.deepEqual(await holders(lab, VIP), ["n1", "n2"], "kill -9 leaves the stale alias on n2");
    const restarted = Date.now();
    start(n(1), { priority: 100 }); // comes back with a lower priority: must not keep the stale VIP
    await lab.waitFor(() => watch.first(VIP, false, restarted, "n2"), 3000, "stale VIP removed on start");
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(await holders(lab, VIP), ["n1"]);
  });

  it("malformed, truncated, wrong-TTL and wrong-checksum packets are dropped, counted, and change nothing", async () => {
    const master = start(n(0), { priority: 150 }, 9100);
    assert.equal(await soleHolder(lab, VIP, 5000), "n1");
    const client = lab.client!;
    // A raw IP protocol 112 sender in the client namespace (documentation addresses only).
    const sendScript = `
      const raw = require(${JSON.stringify(require_("raw-socket"))});
      const s = raw.createSocket({ protocol: 112 });
      const packets = JSON.parse(process.argv[1]);
      let i = 0;
      const next = () => {
        if (i >= packets.length) { s.close(); return; }
        const p = packets[i++];
        s.setOption(raw.SocketLevel.IPPROTO_IP, 33 /* IP_MULTICAST_TTL */, p.ttl);
        s.send(Buffer.from(p.hex, "hex"), 0, p.hex.length / 2, "224.0.0.18", (err) => { if (err) { console.error(err); process.exit(1); } setTimeout(next, 5); });
      };
      next();`;
    const valid = encodeAdvert(
      { version: 3, family: 4, virtualRouterId: 51, priority: 254, advertIntervalMs: 100, addresses: [VIP] },
      { source: client.ipv4, destination: "224.0.0.18" },
    );
    const badChecksum = Buffer.from(valid);
    badChecksum[6] = badChecksum[6]! ^ 0xff;
    const badVersion = Buffer.from(valid);
    badVersion[0] = 0x41;
    const packets = [
      { hex: valid.subarray(0, 1).toString("hex"), ttl: 255 }, // truncated
      { hex: valid.subarray(0, 7).toString("hex"), ttl: 255 }, // truncated
      { hex: badChecksum.toString("hex"), ttl: 255 },
      { hex: badVersion.toString("hex"), ttl: 255 },
      { hex: valid.toString("hex"), ttl: 64 }, // a higher priority, but not from this link
    ];
    await lab.exec(client.ns, ["ip", "route", "replace", "224.0.0.0/4", "dev", client.ifname]);
    await lab.exec(client.ns, [process.execPath, "-e", sendScript, JSON.stringify(packets)]);
    await new Promise((r) => setTimeout(r, 500));
    const metrics = await httpGetIn(lab, n(0), `http://${n(0).ipv4}:9100/metrics`);
    const dropped = metricSum(metrics, "floatip_packets_dropped_total");
    assert.ok(dropped >= packets.length, `dropped ${dropped}:\n${metrics}`);
    assert.ok(metricSum(metrics, "floatip_packets_dropped_total", { reason: "truncated" }) >= 2);
    assert.ok(metricSum(metrics, "floatip_packets_dropped_total", { reason: "bad-checksum" }) >= 1);
    assert.ok(metricSum(metrics, "floatip_packets_dropped_total", { reason: "bad-version" }) >= 1);
    assert.ok(metricSum(metrics, "floatip_packets_dropped_total", { reason: "bad-ttl" }) >= 1);
    assert.deepEqual(await holders(lab, VIP), ["n1"]);
    assert.equal(master.child.exitCode, null, "the agent is still running");
  });

  it("an invalid config exits 2 naming the field, with nothing touched on the interface", async () => {
    const before = await lab.addresses(n(0).ns, "eth0");
    const bad = {
      instances: [
        { name: "vip", interface: "eth0", virtualRouterId: 0, addresses: [`${VIP}/24`] },
        { name: "two", interface: "eth0", virtualRouterId: 9, version: 2, addresses: ["2001:db8::9"] },
      ],
    };
    const speaker = startAgent({ lab, host: n(0), scratch, config: bad });
    running.push(speaker);
    const code = await new Promise<number | null>((resolve) => speaker.child.once("exit", (c) => resolve(c)));
    assert.equal(code, 2);
    assert.match(speaker.output(), /instances\[0\]\.virtualRouterId: must be between 1 and 255, got 0/);
    assert.match(speaker.output(), /instances\[1\]\.version: VRRPv2 carries IPv4 only/);
    assert.deepEqual(await lab.addresses(n(0).ns, "eth0"), before);
  });
});

function require_(name: string): string {
  return new URL(`../../../node_modules/${name}/index.js`, import.meta.url).pathname;
}
