/**
 * Two instances on one interface whose VIPs share a subnet that is not
 * otherwise on the interface: the first VIP added is the subnet's primary,
 * the other its secondary. Removing the primary makes the kernel delete the
 * secondary with it (promote_secondaries is 0 here). When both instances
 * leave master together (both track one interface that goes down), the
 * node must end up holding neither VIP, whatever order the two removals run
 * in: the peer is master of both, so a VIP left behind has two holders.
 */
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { type LabHost } from "./netns.js";
import { holders, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

const VIPS = ["203.0.113.10", "203.0.113.11"] as const;
const TRACKED = "trk0";
const ROUNDS = 20;

function config(host: LabHost, priority: number, track: boolean) {
  return {
    instances: VIPS.map((vip, i) => ({
      name: `vip${i}`,
      interface: host.ifname,
      virtualRouterId: 81 + i,
      priority,
      advertInterval: "100ms",
      addresses: [`${vip}/24`],
      garp: { repeat: 1, delay: "0s" },
      ...(track ? { track: { interfaces: [{ name: TRACKED }] } } : {}),
    })),
  };
}

describe("VIPs sharing a subnet on one interface", { timeout: 180_000 }, () => {
  const fx = useLab({ nodes: 2, client: false, stopSignal: "SIGKILL" });

  /** Each VIP's holders, e.g. "n1|n1". */
  const where = async () => (await Promise.all(VIPS.map((v) => holders(fx.lab, v)))).map((h) => h.join(",")).join("|");
  /** Waits until where() is `want`; the failure names what was there instead. */
  const reach = async (want: string, what: string) => {
    try {
      await fx.lab.waitFor(async () => ((await where()) === want ? true : undefined), 3000, what);
    } catch {
      assert.fail(`${what}: holders of ${VIPS.join("|")} are ${await where()} (want ${want})`);
    }
  };

  it(`both leave master at once, ${ROUNDS} times: neither VIP stays on the node, one holder each`, async () => {
    const [n1, n2] = [fx.lab.nodes[0]!, fx.lab.nodes[1]!];
    assert.equal((await fx.lab.exec(n1.ns, ["sysctl", "-n", `net.ipv4.conf.${n1.ifname}.promote_secondaries`])).trim(), "0");
    await fx.lab.exec(n1.ns, ["ip", "link", "add", TRACKED, "type", "veth", "peer", "name", `${TRACKED}p`]);
    await fx.lab.exec(n1.ns, ["ip", "link", "set", `${TRACKED}p`, "up"]);
    await fx.lab.exec(n1.ns, ["ip", "link", "set", TRACKED, "up"]);
    fx.running.push(startAgent({ lab: fx.lab, host: n1, scratch: fx.scratch, config: config(n1, 200, true) }));
    fx.running.push(startAgent({ lab: fx.lab, host: n2, scratch: fx.scratch, config: config(n2, 100, false) }));
    await fx.lab.waitFor(async () => ((await where()) === "n1|n1" ? true : undefined), 8000, "n1 holds both VIPs");
    const secondary = (await fx.lab.addresses(n1.ns, n1.ifname)).filter(
      (a) => VIPS.includes(a.address as (typeof VIPS)[number]) && a.flags.includes("secondary"),
    );
    assert.equal(secondary.length, 1, "one VIP is the other's secondary");

    for (let round = 1; round <= ROUNDS; round++) {
      await fx.lab.exec(n1.ns, ["ip", "link", "set", TRACKED, "down"]);
      await reach("n2|n2", `round ${round}: n2 alone holds both VIPs`);
      await new Promise((r) => setTimeout(r, 200)); // a late put-back would show here
      assert.equal(await where(), "n2|n2", `round ${round}: still one holder each after the release`);
      await fx.lab.exec(n1.ns, ["ip", "link", "set", TRACKED, "up"]);
      await reach("n1|n1", `round ${round}: n1 takes both back`);
    }
  });
});
