/**
 * Hostile packets at a master, from an attacker namespace on the same
 * segment: a bounded flood (count and time) of malformed and spoofed VRRP
 * packets, built with the agent's own codec and sent by flood-sender.ts.
 * The master keeps its state and its VIPs throughout (no transition on it or
 * on its backup, no address event), and every packet is counted once under
 * the drop reason it deserves.
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
const MCAST = "224.0.0.18";
const VIPS = { mc: "192.0.2.5", v2auth: "192.0.2.6", uc: "192.0.2.7" } as const;
const ROUNDS = 150;
const PORT = 9131;

function agentConfig(priority: number, peer: string) {
  const garp = { repeat: 1, delay: "0s" };
  return {
    instances: [
      { name: "mc", virtualRouterId: 51, version: 3, priority, advertInterval: "100ms", addresses: [`${VIPS.mc}/24`], garp },
      {
        name: "v2auth",
        virtualRouterId: 52,
        version: 2,
        priority,
        advertInterval: "1s",
        addresses: [`${VIPS.v2auth}/24`],
        garp,
        authentication: { type: "pass", password: "fl00d-pw" },
      },
      {
        name: "uc",
        virtualRouterId: 53,
        version: 3,
        priority,
        advertInterval: "100ms",
        addresses: [`${VIPS.uc}/24`],
        garp,
        unicast: { peers: [peer] },
      },
    ],
  };
}

interface StateDoc {
  readonly instances: readonly { readonly name: string; readonly phase: string }[];
}

describe("a flood of malformed and spoofed VRRP packets at a master", { timeout: 120_000 }, () => {
  const fx = useLab({ nodes: 2, watch: true });

  it("changes nothing, and each packet is counted under its drop reason", async () => {
    const [n1, n2] = fx.lab.nodes as [LabHost, LabHost];
    const attacker = fx.lab.client!;
    fx.running.push(startAgent({ lab: fx.lab, host: n1, scratch: fx.scratch, config: agentConfig(200, n2.ipv4), metricsPort: PORT }));
    fx.running.push(startAgent({ lab: fx.lab, host: n2, scratch: fx.scratch, config: agentConfig(100, n1.ipv4), metricsPort: PORT }));
    for (const vip of Object.values(VIPS)) assert.equal(await soleHolder(fx.lab, vip, 10_000, fx.lab.nodes, 500), "n1");

    const metrics = (h: LabHost) => httpGetIn(fx.lab, h, `http://${h.ipv4}:${PORT}/metrics`);
    const state = async (h: LabHost) => JSON.parse(await httpGetIn(fx.lab, h, `http://${h.ipv4}:${PORT}/state`)) as StateDoc;
    const phases = (s: StateDoc) => Object.fromEntries(s.instances.map((i) => [i.name, i.phase]));
    const transitions = (text: string) => metricSum(text, "floatip_instance_transitions_total");
    assert.deepEqual(phases(await state(n1)), { mc: "master", v2auth: "master", uc: "master" });
    assert.deepEqual(phases(await state(n2)), { mc: "backup", v2auth: "backup", uc: "backup" });

    // Every packet would win an election (priority 254) if it were accepted.
    const from = attacker.ipv4;
    const v3 = (vrid: number, addresses: string[]): Advert => ({
      version: 3,
      family: 4,
      virtualRouterId: vrid,
      priority: 254,
      advertIntervalMs: 100,
      addresses,
    });
    const valid = encodeAdvert(v3(51, [VIPS.mc]), { source: from, destination: MCAST });
    const flip = (bytes: Buffer, at: number, value: (b: number) => number) => {
      const copy = Buffer.from(bytes);
      copy[at] = value(copy[at]!);
      return copy;
    };
    const cases: readonly { what: string; reason: string; instance: string; packet: FloodPacket }[] = [
      {
        what: "TTL 64 (not from this link)",
        reason: "bad-ttl",
        instance: "mc",
        packet: { hex: valid.toString("hex"), ttl: 64, destination: MCAST },
      },
      {
        what: "bad checksum",
        reason: "bad-checksum",
        instance: "",
        packet: { hex: flip(valid, 6, (b) => b ^ 0xff).toString("hex"), ttl: 255, destination: MCAST },
      },
      {
        what: "unknown VRID",
        reason: "unknown-vrid",
        instance: "",
        packet: {
          hex: encodeAdvert(v3(99, ["192.0.2.99"]), { source: from, destination: MCAST }).toString("hex"),
          ttl: 255,
          destination: MCAST,
        },
      },
      {
        what: "v2 with the wrong password",
        reason: "auth-mismatch",
        instance: "v2auth",
        packet: {
          hex: encodeAdvert(
            {
              version: 2,
              family: 4,
              virtualRouterId: 52,
              priority: 254,
              advertIntervalMs: 1000,
              addresses: [VIPS.v2auth],
              authType: 1,
              password: Buffer.from("guess"),
            },
            { source: from, destination: MCAST },
          ).toString("hex"),
          ttl: 255,
          destination: MCAST,
        },
      },
      {
        what: "truncated (7 bytes)",
        reason: "truncated",
        instance: "",
        packet: { hex: valid.subarray(0, 7).toString("hex"), ttl: 255, destination: MCAST },
      },
      {
        what: "version 4",
        reason: "bad-version",
        instance: "",
        packet: { hex: flip(valid, 0, () => 0x41).toString("hex"), ttl: 255, destination: MCAST },
      },
      {
        what: "unicast from outside the configured peers",
        reason: "unknown-peer",
        instance: "uc",
        packet: {
          hex: encodeAdvert(v3(53, [VIPS.uc]), { source: from, destination: n1.ipv4 }).toString("hex"),
          ttl: 255,
          destination: n1.ipv4,
        },
      },
    ];

    const before1 = await metrics(n1);
    const before2 = await metrics(n2);
    const dropped = (text: string, c: (typeof cases)[number]) =>
      metricSum(text, "floatip_packets_dropped_total", { reason: c.reason, vrrp_instance: c.instance });
    const floodStart = Date.now();
    const plan: FloodPlan = { packets: cases.map((c) => c.packet), rounds: ROUNDS, gapMs: 1, deadlineMs: 20_000 };
    await fx.lab.exec(attacker.ns, ["ip", "route", "replace", "224.0.0.0/4", "dev", attacker.ifname]);
    const out = await fx.lab.exec(attacker.ns, [process.execPath, SENDER, fx.scratch.write("flood.json", JSON.stringify(plan))], {
      timeoutMs: 30_000,
    });
    const { sent } = JSON.parse(out) as { sent: number[] };
    console.log(`# flood: ${sent.reduce((a, b) => a + b, 0)} packets in ${Date.now() - floodStart} ms`);
    assert.deepEqual(
      sent,
      cases.map(() => ROUNDS),
      "the sender got every packet out before its deadline",
    );

    // Every drop counted (the agent may still be reading its socket): wait for the last reason's count.
    await fx.lab
      .waitFor(
        async () => {
          const text = await metrics(n1);
          return cases.every((c) => dropped(text, c) - dropped(before1, c) >= ROUNDS);
        },
        5000,
        "every flood packet counted on n1",
      )
      .catch(() => undefined);
    const after1 = await metrics(n1);
    const after2 = await metrics(n2);
    for (const c of cases) {
      assert.equal(
        dropped(after1, c) - dropped(before1, c),
        ROUNDS,
        `${c.what}: counted as ${c.reason}${c.instance ? ` of ${c.instance}` : ""}`,
      );
    }

    assert.equal(transitions(after1), transitions(before1), "no transition on the master");
    assert.equal(transitions(after2), transitions(before2), "no transition on the backup");
    assert.deepEqual(phases(await state(n1)), { mc: "master", v2auth: "master", uc: "master" });
    assert.deepEqual(phases(await state(n2)), { mc: "backup", v2auth: "backup", uc: "backup" });
    for (const vip of Object.values(VIPS)) {
      assert.deepEqual(await holders(fx.lab, vip), ["n1"], `${vip} still on n1 only`);
      assert.equal(fx.watch.first(vip, false, floodStart), undefined, `${vip} never removed during the flood`);
      assert.equal(fx.watch.first(vip, true, floodStart), undefined, `${vip} never added anywhere during the flood`);
    }
    for (const s of fx.running) assert.equal(s.child.exitCode, null, "both agents still run");
  });
});
