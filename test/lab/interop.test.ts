/**
 * Interop with real keepalived (Debian's package) on the same segment:
 * v2 and v3, IPv4 and IPv6; each side as master, failover both ways, and an
 * authentication mismatch that isolates the two as keepalived does.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLab, type Lab, type LabHost } from "./netns.js";
import {
  Scratch,
  holders,
  httpGetIn,
  keepalivedConf,
  metricSum,
  soleHolder,
  startAgent,
  startKeepalived,
  stopSpeaker,
  type Speaker,
} from "./vrrp-lab.js";

interface Variant {
  readonly name: string;
  readonly version: 2 | 3;
  readonly vip: string;
  readonly prefix: number;
  readonly advertMs: number;
}

const VARIANTS: readonly Variant[] = [
  { name: "VRRPv2 IPv4", version: 2, vip: "192.0.2.5", prefix: 24, advertMs: 1000 },
  { name: "VRRPv3 IPv4", version: 3, vip: "192.0.2.6", prefix: 24, advertMs: 100 },
  { name: "VRRPv3 IPv6", version: 3, vip: "2001:db8::6", prefix: 64, advertMs: 100 },
];

/** Generous bound for one takeover: Master_Down_Interval (< 4 intervals) plus process and poll slack. */
const takeoverMs = (v: Variant) => 4 * v.advertMs + 1500;

describe("interop with keepalived", { timeout: 300_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  const running: Speaker[] = [];
  const n = (i: number) => lab.nodes[i]!;

  before(async () => {
    lab = await createLab({ nodes: 2, client: false });
    scratch = new Scratch();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => stopSpeaker(lab, s, "SIGKILL")));
    for (const h of lab.nodes) {
      for (const v of VARIANTS) {
        await lab.exec(h.ns, ["ip", "addr", "del", `${v.vip}/${v.prefix}`, "dev", h.ifname]).catch(() => undefined);
      }
      await lab.setPortUp(h);
    }
  });
  after(async () => {
    await lab?.destroy();
    scratch?.cleanup();
  });

  const agent = (host: LabHost, v: Variant, priority: number, password?: string, metricsPort?: number) => {
    const speaker = startAgent({
      lab,
      host,
      scratch,
      ...(metricsPort !== undefined ? { metricsPort } : {}),
      config: {
        instances: [
          {
            name: "lab",
            interface: host.ifname,
            virtualRouterId: 60,
            version: v.version,
            priority,
            advertInterval: `${v.advertMs}ms`,
            addresses: [`${v.vip}/${v.prefix}`],
            ...(password !== undefined ? { authentication: { type: "pass", password } } : {}),
            garp: { repeat: 1, delay: 0 },
          },
        ],
      },
    });
    running.push(speaker);
    return speaker;
  };
  const keepalived = (host: LabHost, v: Variant, priority: number, password?: string) => {
    const conf = keepalivedConf({
      ifname: host.ifname,
      vrid: 60,
      priority,
      version: v.version,
      advertInt: String(v.advertMs / 1000),
      vips: [`${v.vip}/${v.prefix}`],
      ...(password !== undefined ? { password } : {}),
    });
    const speaker = startKeepalived({ lab, host, scratch, conf });
    running.push(speaker);
    return speaker;
  };

  /** Master on n2, backup on n1; cut n2 (carrier loss) → n1 takes over; restore → n2 preempts back. */
  async function failoverBothWays(v: Variant, speakers: () => Speaker[]): Promise<void> {
    const timeout = takeoverMs(v);
    const diag = () =>
      speakers()
        .map((s) => `--- ${s.kind} on ${s.host.name}:\n${s.output().slice(-3000)}`)
        .join("\n");
    assert.equal(
      await soleHolder(lab, v.vip, 4 * timeout, lab.nodes, Math.max(2000, 2 * v.advertMs + 200)).catch((e) =>
        assert.fail(`${e}\n${diag()}`),
      ),
      "n2",
    );
    await lab.setPortDown(n(1));
    await lab
      .waitFor(async () => (await holders(lab, v.vip, [n(0)])).length === 1, timeout, "backup takes over")
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    await lab.setPortUp(n(1));
    // n2 (higher priority) is still master on its side; once the link is back n1 must give way.
    await lab
      .waitFor(async () => (await holders(lab, v.vip)).join() === "n2", timeout, "n2 master again, n1 released")
      .catch((e) => assert.fail(`${e}\n${diag()}`));
  }

  for (const v of VARIANTS) {
    it(`${v.name}: agent master, keepalived backup; failover both ways`, async () => {
      const ka = keepalived(n(0), v, 100);
      const ag = agent(n(1), v, 150);
      await failoverBothWays(v, () => [ka, ag]);
    });

    it(`${v.name}: keepalived master, agent backup; failover both ways`, async () => {
      const ag = agent(n(0), v, 100);
      const ka = keepalived(n(1), v, 150);
      await failoverBothWays(v, () => [ag, ka]);
    });
  }

  it("VRRPv2 with the same auth_pass: one master; with different passwords each side ignores the other", async () => {
    const v = VARIANTS[0]!;
    keepalived(n(0), v, 100, "s3cret");
    agent(n(1), v, 150, "s3cret", 9101);
    assert.equal(await soleHolder(lab, v.vip, 4 * takeoverMs(v), lab.nodes, 2500), "n2");
    await Promise.all(running.splice(0).map((s) => stopSpeaker(lab, s, "SIGTERM")));

    keepalived(n(0), v, 100, "other");
    agent(n(1), v, 150, "s3cret", 9101);
    // Isolated: both declare themselves master (as two keepalived with different passwords do).
    await lab.waitFor(async () => (await holders(lab, v.vip)).length === 2, 2 * takeoverMs(v), "both masters");
    const metrics = await httpGetIn(lab, n(1), `http://${n(1).ipv4}:9101/metrics`);
    assert.ok(metricSum(metrics, "floatip_packets_dropped_total", { reason: "auth-mismatch" }) >= 1, metrics);
  });
});
