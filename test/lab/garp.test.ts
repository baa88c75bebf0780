/**
 * Gratuitous ARP as a client on the segment sees it (tcpdump and its
 * neighbour cache in the client namespace), with agents in namespaces:
 * burst size, spacing, the delayed burst and periodic refresh; the
 * announcement of a preempting master; and, after a partition heals, the
 * client's ARP entry back on the higher-priority master within one advert
 * interval (the lower-priority GARP burst), or, with that burst off, left
 * pointing at the node that no longer holds the address.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLab, type Lab, type LabHost } from "./netns.js";
import { AddressWatch, Scratch, holders, soleHolder, startAgent, stopSpeaker, type Speaker } from "./vrrp-lab.js";
import { GarpCapture, bursts, macOf, neighbourMac } from "./arp-watch.js";

const VIP = "192.0.2.5";

function agentConfig(priority: number, advertInterval: string, garp: Record<string, unknown>) {
  return {
    instances: [{ name: "vip", virtualRouterId: 61, version: 3, priority, advertInterval, addresses: [`${VIP}/24`], garp }],
  };
}

describe("gratuitous ARP seen by a client", { timeout: 180_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  let client: LabHost;
  const running: Speaker[] = [];
  const n = (i: number) => lab.nodes[i]!;
  const start = (host: LabHost, priority: number, advertInterval: string, garp: Record<string, unknown>) => {
    const speaker = startAgent({ lab, host, scratch, config: agentConfig(priority, advertInterval, garp) });
    running.push(speaker);
    return speaker;
  };

  before(async () => {
    lab = await createLab({ nodes: 2 });
    scratch = new Scratch();
    client = lab.client!;
  });
  afterEach(async () => {
    await lab.isolate(lab.nodes, false);
    await Promise.all(running.splice(0).map((s) => stopSpeaker(lab, s, "SIGKILL")));
    for (const h of lab.nodes) await lab.exec(h.ns, ["ip", "addr", "flush", "dev", h.ifname, "to", `${VIP}/32`]).catch(() => undefined);
    await lab.exec(client.ns, ["ip", "neigh", "flush", "dev", client.ifname]).catch(() => undefined);
  });
  after(async () => {
    await lab?.destroy();
    scratch?.cleanup();
  });

  it("a new master sends `repeat` GARPs `interval` apart, again after `delay`, then `refreshRepeat` every `refresh`", async () => {
    // GARP requests update an existing entry only (arp_accept=0): give the client a wrong one.
    await lab.exec(client.ns, ["ip", "neigh", "replace", VIP, "lladdr", "02:00:5e:00:99:99", "dev", client.ifname, "nud", "stale"]);
    const capture = await GarpCapture.start(lab, client);
    try {
      start(n(0), 150, "100ms", { repeat: 3, interval: "100ms", delay: "1s", refresh: "1500ms", refreshRepeat: 2 });
      await lab.waitFor(() => capture.garps(VIP).length >= 10, 10_000, "four bursts of GARPs");
      const mac = await macOf(lab, n(0));
      const seen = capture.garps(VIP);
      assert.ok(
        seen.every((g) => g.mac === mac),
        capture.text(),
      );
      const groups = bursts(seen, 400);
      assert.deepEqual(
        groups.slice(0, 4).map((g) => g.length),
        [3, 3, 2, 2],
        capture.text(),
      );
      const t0 = groups[0]![0]!.at;
      const starts = groups.slice(0, 4).map((g) => Math.round(g[0]!.at - t0));
      console.log(`# burst starts after the first GARP: ${starts.join(", ")} ms (want 0, 1000, 2500, 4000)`);
      // The delayed burst is timed from becoming master, each refresh from the burst before.
      [0, 1000, 2500, 4000].forEach((want, i) =>
        assert.ok(Math.abs(starts[i]! - want) <= 150, `burst ${i} at ${starts[i]} ms, want ${want} ± 150`),
      );
      for (const g of groups.slice(0, 4)) {
        for (let i = 1; i < g.length; i++) {
          const gap = g[i]!.at - g[i - 1]!.at;
          assert.ok(gap >= 95 && gap <= 250, `GARPs of a burst ${gap.toFixed(1)} ms apart, want 100 ms`);
        }
      }
      assert.equal(await neighbourMac(lab, client, VIP), mac, "the client learnt the master's MAC");
    } finally {
      await capture.stop(lab);
    }
  });

  it("a returning higher-priority agent announces the moment it preempts", async () => {
    const watch = new AddressWatch(lab);
    await watch.start([n(0)]);
    start(n(1), 100, "100ms", { repeat: 2, delay: "0s" });
    assert.equal(await soleHolder(lab, VIP, 5000), "n2");
    await lab.exec(client.ns, ["ping", "-c", "1", "-W", "2", VIP]);
    assert.equal(await neighbourMac(lab, client, VIP), await macOf(lab, n(1)));
    const capture = await GarpCapture.start(lab, client);
    try {
      const since = Date.now();
      start(n(0), 150, "100ms", { repeat: 2, delay: "0s" });
      const mac = await macOf(lab, n(0));
      const added = await lab.waitFor(() => watch.first(VIP, true, since, "n1"), 5000, "n1 takes the VIP");
      const garp = await lab.waitFor(() => capture.garps(VIP).find((g) => g.mac === mac), 2000, "a GARP from n1");
      console.log(`# preempting master: first GARP ${(garp.at - added.at).toFixed(1)} ms after the VIP was added`);
      assert.ok(garp.at - added.at <= 100, `first GARP ${garp.at - added.at} ms after the VIP was added`);
      await lab.waitFor(async () => (await neighbourMac(lab, client, VIP)) === mac, 1000, "the client's entry on n1");
      assert.deepEqual(await holders(lab, VIP), ["n1"]);
    } finally {
      await capture.stop(lab);
      await watch.stop();
    }
  });

  /**
   * n1 (150) is master and the client talks to it; the two nodes' bridge
   * ports are isolated from each other (the client still reaches both), so
   * n2 (100) becomes master too and its GARPs move the client's entry to n2.
   * Then the partition heals: returns the time from healing until the
   * client's entry points at n1 again (undefined if not within waitMs).
   */
  async function partitionAndHeal(
    garp: Record<string, unknown>,
    waitMs: number,
  ): Promise<{ ms: number | undefined; n1: string; n2: string }> {
    const config = { delay: "0s", ...garp };
    start(n(0), 150, "1s", config);
    start(n(1), 100, "1s", config);
    assert.equal(await soleHolder(lab, VIP, 10_000), "n1");
    const [mac1, mac2] = [await macOf(lab, n(0)), await macOf(lab, n(1))];
    await lab.exec(client.ns, ["ping", "-c", "1", "-W", "2", VIP]);
    assert.equal(await neighbourMac(lab, client, VIP), mac1);
    await lab.isolate([n(0), n(1)], true);
    await lab.waitFor(async () => (await holders(lab, VIP)).length === 2, 8000, "two masters while partitioned");
    await lab.waitFor(async () => (await neighbourMac(lab, client, VIP)) === mac2, 2000, "the client's entry on n2 (its GARPs)");
    const healed = Date.now();
    await lab.isolate([n(0), n(1)], false);
    let ms: number | undefined;
    try {
      await lab.waitFor(async () => (await neighbourMac(lab, client, VIP)) === mac1, waitMs, "the client's entry back on n1");
      ms = Date.now() - healed;
    } catch {
      ms = undefined;
    }
    await lab.waitFor(async () => (await holders(lab, VIP)).join() === "n1", 3000, "n1 the only holder after healing");
    return { ms, n1: mac1, n2: mac2 };
  }

  it("after a partition heals, the client's ARP entry is back on the higher-priority master within one advert interval", async () => {
    const { ms } = await partitionAndHeal({}, 5000);
    console.log(`# partition healed: the client's entry on n1 after ${ms} ms (advert interval 1000 ms)`);
    assert.ok(
      ms !== undefined && ms <= 1000 + 300,
      `the client's entry moved back after ${ms} ms; want one advert interval (1000 ms) + 300 ms`,
    );
  });

  it("with garp.lowerPriorityRepeat 0 the client keeps the entry of the node that let go (the RFC alone)", async () => {
    const { ms, n2 } = await partitionAndHeal({ lowerPriorityRepeat: 0 }, 2500);
    assert.equal(ms, undefined, "nothing but the lower-priority burst moves the entry back");
    // n1 alone holds the VIP, yet the client still sends to n2: what the burst is for.
    assert.equal(await neighbourMac(lab, client, VIP), n2);
  });
});
