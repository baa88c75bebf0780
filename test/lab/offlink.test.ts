/**
 * Issue 13 finding 1: adverts from off the link. A host behind a router
 * sends adverts that arrive with TTL / hop limit 63 (64 on the link itself),
 * at priority 254 with the right address list, to the VRRP group and to each
 * node's own address. RFC 5798 §7.1 asks TTL / hop limit 255 of every advert,
 * and a multicast instance takes only adverts sent to the group: the master
 * keeps its VIPs, IPv4 and IPv6, multicast and unicast instances, and every
 * packet is counted under its drop reason.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type LabHost } from "./netns.js";
import { encodeAdvert } from "../../agent/vrrp/codec.js";
import type { Advert } from "../../agent/vrrp/packet.js";
import { holders, httpGetIn, metricSum, soleHolder, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";
import type { FloodPacket, FloodPlan } from "./flood-sender.js";

const SENDER = fileURLToPath(new URL("./flood-sender.js", import.meta.url));
const VIPS = { mc4: "192.0.2.5", mc6: "2001:db8::5", uc4: "192.0.2.7" } as const;
const ROUNDS = 40;
const PORT = 9132;

function agentConfig(priority: number, peers: readonly string[]) {
  const common = { version: 3, priority, advertInterval: "100ms", garp: { repeat: 1, delay: "0s" } };
  return {
    instances: [
      { name: "mc4", virtualRouterId: 61, addresses: [`${VIPS.mc4}/24`], ...common },
      { name: "mc6", virtualRouterId: 62, addresses: [`${VIPS.mc6}/64`], ...common },
      // The attacker's address is a configured peer here: a peer's address forged from another link.
      { name: "uc4", virtualRouterId: 63, addresses: [`${VIPS.uc4}/24`], ...common, unicast: { peers } },
    ],
  };
}

describe("adverts from off the link (TTL / hop limit below 255)", { timeout: 120_000 }, () => {
  const fx = useLab({ nodes: 2, watch: true });

  it("leave the master in place, IPv4 and IPv6, unicast and multicast", async () => {
    const [n1, n2] = fx.lab.nodes as [LabHost, LabHost];
    const attacker = fx.lab.client!;
    fx.running.push(
      startAgent({ lab: fx.lab, host: n1, scratch: fx.scratch, config: agentConfig(200, [n2.ipv4, attacker.ipv4]), metricsPort: PORT }),
    );
    fx.running.push(
      startAgent({ lab: fx.lab, host: n2, scratch: fx.scratch, config: agentConfig(100, [n1.ipv4, attacker.ipv4]), metricsPort: PORT }),
    );
    for (const vip of Object.values(VIPS)) assert.equal(await soleHolder(fx.lab, vip, 10_000, fx.lab.nodes, 500), "n1");

    const metrics = (h: LabHost) => httpGetIn(fx.lab, h, `http://${h.ipv4}:${PORT}/metrics`);
    const transitions = (text: string) => metricSum(text, "floatip_instance_transitions_total");

    // Priority 254 and the right address list: each one would win the election if it were taken.
    const advert = (family: 4 | 6, vrid: number, address: string): Advert => ({
      version: 3,
      family,
      virtualRouterId: vrid,
      priority: 254,
      advertIntervalMs: 100,
      addresses: [address],
    });
    // IPv4 checksums cover the VRRP bytes only; the IPv6 sender has the kernel fill in the checksum.
    const hex = (a: Advert, destination: string) =>
      encodeAdvert(a, { source: a.family === 4 ? attacker.ipv4 : attacker.ipv6, destination: destination.replace(/%.*/, "") }).toString(
        "hex",
      );
    const mc6Group = `ff02::12%${attacker.ifname}`;
    interface Case {
      readonly what: string;
      readonly instance: string;
      readonly reason: string;
      readonly to: readonly string[];
      readonly packet: FloodPacket;
    }
    const cases: Case[] = [];
    for (const ttl of [63, 64]) {
      cases.push({
        what: `IPv4 multicast, TTL ${ttl}`,
        instance: "mc4",
        reason: "bad-ttl",
        to: ["n1", "n2"],
        packet: { hex: hex(advert(4, 61, VIPS.mc4), "224.0.0.18"), ttl, destination: "224.0.0.18" },
      });
      cases.push({
        what: `IPv6 multicast, hop limit ${ttl}`,
        instance: "mc6",
        reason: "bad-ttl",
        to: ["n1", "n2"],
        packet: { hex: hex(advert(6, 62, VIPS.mc6), mc6Group), ttl, destination: mc6Group },
      });
      for (const node of [n1, n2]) {
        cases.push({
          what: `IPv4 unicast to ${node.name}, TTL ${ttl}`,
          instance: "mc4",
          reason: "bad-ttl",
          to: [node.name],
          packet: { hex: hex(advert(4, 61, VIPS.mc4), node.ipv4), ttl, destination: node.ipv4 },
        });
        cases.push({
          what: `IPv6 unicast to ${node.name}, hop limit ${ttl}`,
          instance: "mc6",
          reason: "bad-ttl",
          to: [node.name],
          packet: { hex: hex(advert(6, 62, VIPS.mc6), node.ipv6), ttl, destination: node.ipv6 },
        });
        cases.push({
          what: `IPv4 unicast from a peer's address to ${node.name}, TTL ${ttl}`,
          instance: "uc4",
          reason: "bad-ttl",
          to: [node.name],
          packet: { hex: hex(advert(4, 63, VIPS.uc4), node.ipv4), ttl, destination: node.ipv4 },
        });
      }
    }
    // On the link (255) but addressed to a node, not to the group: a multicast instance ignores it.
    for (const node of [n1, n2]) {
      cases.push({
        what: `IPv4 unicast to ${node.name} for a multicast instance`,
        instance: "mc4",
        reason: "bad-destination",
        to: [node.name],
        packet: { hex: hex(advert(4, 61, VIPS.mc4), node.ipv4), ttl: 255, destination: node.ipv4 },
      });
      cases.push({
        what: `IPv6 unicast to ${node.name} for a multicast instance`,
        instance: "mc6",
        reason: "bad-destination",
        to: [node.name],
        packet: { hex: hex(advert(6, 62, VIPS.mc6), node.ipv6), ttl: 255, destination: node.ipv6 },
      });
    }

    const before = { n1: await metrics(n1), n2: await metrics(n2) };
    const dropped = (text: string, instance: string, reason: string) =>
      metricSum(text, "floatip_packets_dropped_total", { reason, vrrp_instance: instance });
    const expected = (node: string, instance: string, reason: string) =>
      cases.filter((c) => c.to.includes(node) && c.instance === instance && c.reason === reason).length * ROUNDS;
    const pairs = [...new Set(cases.map((c) => `${c.instance}/${c.reason}`))].map((k) => k.split("/") as [string, string]);

    const attackStart = Date.now();
    await fx.lab.exec(attacker.ns, ["ip", "route", "replace", "224.0.0.0/4", "dev", attacker.ifname]);
    const plan: FloodPlan = { packets: cases.map((c) => c.packet), rounds: ROUNDS, gapMs: 5, deadlineMs: 30_000 };
    const out = await fx.lab.exec(attacker.ns, [process.execPath, SENDER, fx.scratch.write("offlink.json", JSON.stringify(plan))], {
      timeoutMs: 40_000,
    });
    const { sent, reopened } = JSON.parse(out) as { sent: number[]; reopened: number };
    console.log(
      `# off-link adverts: ${sent.reduce((a, b) => a + b, 0)} packets in ${Date.now() - attackStart} ms (sender reopened its sockets ${reopened} times)`,
    );
    assert.deepEqual(
      sent,
      cases.map(() => ROUNDS),
      "the sender got every packet out before its deadline",
    );
    // Longer than a Master_Down_Interval after the last packet: an accepted one would have shown by now.
    await new Promise((r) => setTimeout(r, 1000));

    for (const vip of Object.values(VIPS)) {
      assert.equal(fx.watch.first(vip, false, attackStart), undefined, `${vip} never removed during the attack`);
      assert.equal(fx.watch.first(vip, true, attackStart), undefined, `${vip} never added anywhere during the attack`);
      assert.deepEqual(await holders(fx.lab, vip), ["n1"], `${vip} still on n1 only`);
    }
    const after = { n1: await metrics(n1), n2: await metrics(n2) };
    for (const node of ["n1", "n2"] as const) {
      assert.equal(transitions(after[node]), transitions(before[node]), `no transition on ${node}`);
      for (const [instance, reason] of pairs) {
        const counted = dropped(after[node], instance, reason) - dropped(before[node], instance, reason);
        assert.equal(counted, expected(node, instance, reason), `${node}: ${instance} adverts counted as ${reason}`);
      }
    }
    for (const s of fx.running) assert.equal(s.child.exitCode, null, "both agents still run");
  });
});
