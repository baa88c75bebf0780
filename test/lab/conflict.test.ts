/**
 * Conflict detection against the real kernel and real keepalived, in a
 * namespace lab: a host that holds the VIP statically (its kernel answers
 * our ARP probe and DAD solicitation), a foreign VRRP speaker on our VRID,
 * an unknown unicast peer; and nothing reported in ordinary elections,
 * handovers and preemption.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLab, type Lab, type LabHost } from "./netns.js";
import {
  Scratch,
  httpGetIn,
  keepalivedConf,
  metricSum,
  soleHolder,
  startAgent,
  startKeepalived,
  stopSpeaker,
  type Speaker,
} from "./vrrp-lab.js";

const VIP4 = "192.0.2.50";
const VIP6 = "2001:db8::50";
const PORT = 9151;
const PROBE_ARGS = ["--conflict-probe-interval", "1s"];

interface Instance {
  readonly name: string;
  readonly vrid: number;
  readonly addresses: readonly string[];
  readonly priority?: number;
  readonly unicast?: { readonly source: string; readonly peers: readonly string[] };
}

const agentConfig = (instances: readonly Instance[]) => ({
  instances: instances.map((i) => ({
    name: i.name,
    interface: "eth0",
    virtualRouterId: i.vrid,
    version: 3,
    priority: i.priority ?? 100,
    advertInterval: "100ms",
    addresses: i.addresses,
    garp: { repeat: 1, delay: 0 },
    ...(i.unicast !== undefined ? { unicast: i.unicast } : {}),
  })),
});

interface StateConflict {
  readonly kind: string;
  readonly address?: string;
  readonly mac?: string;
  readonly source?: string;
  readonly mismatch?: string;
  readonly addresses?: readonly string[];
  readonly since?: number;
}
interface StateInstance {
  readonly name: string;
  readonly phase: string;
  readonly conflicts: readonly StateConflict[];
}

describe("conflict detection in namespaces", { timeout: 180_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  const running: Speaker[] = [];
  const n = (i: number) => lab.nodes[i]!;

  const agent = (host: LabHost, instances: readonly Instance[]) => {
    const speaker = startAgent({ lab, host, scratch, config: agentConfig(instances), metricsPort: PORT, extraArgs: PROBE_ARGS });
    running.push(speaker);
    return speaker;
  };
  const state = async (host: LabHost): Promise<StateInstance[]> =>
    (JSON.parse(await httpGetIn(lab, host, `http://${host.ipv4}:${PORT}/state`)) as { instances: StateInstance[] }).instances;
  const metrics = (host: LabHost) => httpGetIn(lab, host, `http://${host.ipv4}:${PORT}/metrics`);
  const instance = async (host: LabHost, name: string) => (await state(host)).find((i) => i.name === name);
  const macOf = async (host: LabHost) =>
    (JSON.parse(await lab.exec(host.ns, ["ip", "-j", "link", "show", "dev", host.ifname])) as { address: string }[])[0]!.address;
  const conflictLines = (speaker: Speaker) =>
    speaker
      .output()
      .split("\n")
      .filter((line) => line.includes('"msg":"conflict: '));

  before(async () => {
    lab = await createLab({ nodes: 3, client: false });
    scratch = new Scratch();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => stopSpeaker(lab, s, "SIGKILL")));
    for (const h of lab.nodes) {
      for (const address of [`${VIP4}/32`, "192.0.2.52/32", "192.0.2.99/32"]) {
        await lab.exec(h.ns, ["ip", "addr", "flush", "dev", h.ifname, "to", address]).catch(() => undefined);
      }
      await lab.exec(h.ns, ["ip", "-6", "addr", "flush", "dev", h.ifname, "to", `${VIP6}/128`]).catch(() => undefined);
    }
  });
  after(async () => {
    await lab?.destroy();
    scratch?.cleanup();
  });

  it("a host holding the VIPs statically: the master reports its MAC for IPv4 and IPv6, keeps the VIPs, clears it when the host lets go", async () => {
    const foreign = n(2);
    const foreignMac = await macOf(foreign);
    await lab.exec(foreign.ns, ["ip", "addr", "add", `${VIP4}/24`, "dev", foreign.ifname]);
    await lab.exec(foreign.ns, ["ip", "addr", "add", `${VIP6}/64`, "dev", foreign.ifname, "nodad"]);
    const speaker = agent(n(0), [
      { name: "v4", vrid: 60, addresses: [`${VIP4}/24`] },
      { name: "v6", vrid: 61, addresses: [`${VIP6}/64`] },
    ]);
    // Master after Master_Down_Interval (~0.4 s), suspicion from the takeover probe, confirmation 1 s later.
    const found = await lab.waitFor(
      async () => {
        const list = await state(n(0));
        return list.length === 2 && list.every((i) => i.conflicts.length > 0) ? list : undefined;
      },
      8000,
      "duplicate-address conflicts in /state",
    );
    assert.deepEqual(
      found.map((i) => ({
        name: i.name,
        phase: i.phase,
        conflicts: i.conflicts.map(({ kind, address, mac }) => ({ kind, address, mac })),
      })),
      [
        { name: "v4", phase: "master", conflicts: [{ kind: "duplicate-address", address: VIP4, mac: foreignMac }] },
        { name: "v6", phase: "master", conflicts: [{ kind: "duplicate-address", address: VIP6, mac: foreignMac }] },
      ],
    );
    const text = await metrics(n(0));
    for (const name of ["v4", "v6"]) {
      assert.equal(metricSum(text, "floatip_conflicts_active", { vrrp_instance: name, kind: "duplicate-address" }), 1, name);
      assert.equal(metricSum(text, "floatip_conflicts_total", { vrrp_instance: name, kind: "duplicate-address" }), 1, name);
    }
    // Reported, not fought: the agent keeps the addresses and stays master.
    const own = await lab.addresses(n(0).ns, n(0).ifname);
    assert.ok(own.some((a) => a.address === VIP4) && own.some((a) => a.address === VIP6));
    // One log line per conflict, however many probes are answered.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(conflictLines(speaker).length, 2, conflictLines(speaker).join("\n"));

    await lab.exec(foreign.ns, ["ip", "addr", "del", `${VIP4}/24`, "dev", foreign.ifname]);
    await lab.waitFor(async () => (await instance(n(0), "v4"))?.conflicts.length === 0, 5000, "the IPv4 conflict to clear");
    const after = await metrics(n(0));
    assert.equal(metricSum(after, "floatip_conflicts_active", { vrrp_instance: "v4", kind: "duplicate-address" }), 0);
    assert.equal(
      metricSum(after, "floatip_conflicts_active", { vrrp_instance: "v6", kind: "duplicate-address" }),
      1,
      "the IPv6 holder is still there",
    );
  });

  it("a foreign VRRP speaker (keepalived, same VRID, other addresses) and an unknown unicast peer: reported with their source address", async () => {
    const foreign = n(2);
    const conf = `${keepalivedConf({ ifname: foreign.ifname, vrid: 60, priority: 200, version: 3, advertInt: "0.1", vips: ["192.0.2.99/24"] })}
vrrp_instance stray {
    state BACKUP
    interface ${foreign.ifname}
    virtual_router_id 62
    priority 100
    version 3
    advert_int 0.1
    unicast_src_ip ${foreign.ipv4}
    unicast_peer {
        ${n(0).ipv4}
    }
    virtual_ipaddress {
        192.0.2.52/24
    }
}
`;
    running.push(startKeepalived({ lab, host: foreign, scratch, conf }));
    const speaker = agent(n(0), [
      { name: "mc", vrid: 60, addresses: [`${VIP4}/24`] },
      { name: "uni", vrid: 62, addresses: ["192.0.2.52/24"], unicast: { source: n(0).ipv4, peers: [n(1).ipv4] } },
    ]);
    const found = await lab.waitFor(
      async () => {
        const list = await state(n(0));
        const mc = list.find((i) => i.name === "mc")?.conflicts.find((c) => c.kind === "foreign-vrrp");
        const uni = list.find((i) => i.name === "uni")?.conflicts.find((c) => c.kind === "unknown-peer");
        return mc !== undefined && uni !== undefined ? { mc, uni } : undefined;
      },
      10_000,
      "foreign-vrrp and unknown-peer conflicts in /state",
    );
    assert.deepEqual(
      { ...found.mc, since: 0 },
      { kind: "foreign-vrrp", source: foreign.ipv4, mismatch: "address-mismatch", addresses: ["192.0.2.99"], since: 0 },
    );
    assert.equal(found.uni.source, foreign.ipv4);
    const text = await metrics(n(0));
    assert.equal(metricSum(text, "floatip_conflicts_active", { vrrp_instance: "mc", kind: "foreign-vrrp" }), 1);
    assert.equal(metricSum(text, "floatip_conflicts_active", { vrrp_instance: "uni", kind: "unknown-peer" }), 1);
    // Ten adverts a second are dropped, yet each conflict is logged once.
    await new Promise((r) => setTimeout(r, 2000));
    const lines = conflictLines(speaker).filter((l) => !l.includes("is also answered by"));
    assert.equal(lines.length, 2, lines.join("\n"));
  });

  it("ordinary election, SIGTERM handover and preemption between two agents: probes go out, zero conflicts", async () => {
    const instances = (priority: number): Instance[] => [
      { name: "v4", vrid: 70, priority, addresses: [`${VIP4}/24`] },
      { name: "v6", vrid: 71, priority, addresses: [`${VIP6}/64`] },
    ];
    agent(n(0), instances(100));
    const high = agent(n(1), instances(150));
    assert.equal(await soleHolder(lab, VIP4, 10_000, lab.nodes, 1500), n(1).name);
    await stopSpeaker(lab, high, "SIGTERM"); // handover at Skew_Time
    running.splice(running.indexOf(high), 1);
    assert.equal(await soleHolder(lab, VIP4, 10_000, lab.nodes, 1500), n(0).name);
    agent(n(1), instances(150)); // comes back and preempts
    assert.equal(await soleHolder(lab, VIP4, 10_000, lab.nodes, 2500), n(1).name);
    for (const host of [n(0), n(1)]) {
      const text = await metrics(host);
      for (const kind of ["duplicate-address", "foreign-vrrp", "unknown-peer"]) {
        assert.equal(metricSum(text, "floatip_conflicts_total", { kind }), 0, `${host.name} ${kind}`);
      }
      assert.ok((await state(host)).every((i) => i.conflicts.length === 0));
    }
    // Detection was live: both masters probed (n1 at its takeover, n2 at its takeover and every second since).
    assert.ok(metricSum(await metrics(n(1)), "floatip_conflict_probes_sent_total") >= 4);
    assert.ok(metricSum(await metrics(n(0)), "floatip_conflict_probes_sent_total") >= 2);
  });
});
