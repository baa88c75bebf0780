/**
 * A host with two interfaces on one segment: Linux answers ARP for a local
 * address on every interface (arp_ignore=0), so the agent's ARP probe for
 * its own VIP on eth0 is answered by the host itself from eth1's MAC. That
 * is not another owner: the conflict monitor must stay quiet (issue 16 item 9).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { httpGetIn, soleHolder, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

const VIP = "192.0.2.60";
const PORT = 9152;

describe("conflict monitor on a host with two interfaces on the segment", { timeout: 60_000 }, () => {
  const fx = useLab({ nodes: 1, client: false, stopSignal: "SIGKILL" });

  it("never reports the host's own second MAC as a duplicate owner", async () => {
    const host = fx.lab.nodes[0]!;
    // eth1: a second port of the same bridge, in the same host.
    await fx.lab.exec(fx.lab.switchNs, ["ip", "link", "add", "own2", "type", "veth", "peer", "name", "eth1", "netns", host.ns]);
    await fx.lab.exec(fx.lab.switchNs, ["ip", "link", "set", "own2", "master", "br0", "up"]);
    await fx.lab.exec(host.ns, ["ip", "link", "set", "eth1", "up"]);
    const eth1Mac = (JSON.parse(await fx.lab.exec(host.ns, ["ip", "-j", "link", "show", "dev", "eth1"])) as { address: string }[])[0]!
      .address;
    const agent = startAgent({
      lab: fx.lab,
      host,
      scratch: fx.scratch,
      metricsPort: PORT,
      extraArgs: ["--conflict-probe-interval", "1s"],
      config: {
        instances: [
          {
            name: "vip",
            interface: host.ifname,
            virtualRouterId: 60,
            version: 3,
            priority: 255,
            advertInterval: "100ms",
            addresses: [`${VIP}/24`],
            garp: { repeat: 1, delay: 0 },
          },
        ],
      },
    });
    fx.running.push(agent);
    await soleHolder(fx.lab, VIP, 10_000);
    // Several probe rounds (1 s apart); each is answered from eth1's MAC too (tcpdump shows it).
    const dump = await fx.lab.exec(host.ns, ["sh", "-c", `timeout 4 tcpdump -i ${host.ifname} -n -e -l arp 2>/dev/null; true`]);
    assert.match(
      dump,
      new RegExp(`${eth1Mac} > .*Reply ${VIP.replace(/\./g, "\\.")} is-at ${eth1Mac}`),
      `premise: the host answers its own probe from eth1\n${dump}`,
    );
    const state = JSON.parse(await httpGetIn(fx.lab, host, `http://${host.ipv4}:${PORT}/state`)) as {
      instances: { conflicts: unknown[] }[];
    };
    assert.deepEqual(state.instances[0]!.conflicts, [], agent.output().slice(-3000));
    assert.equal(
      agent
        .output()
        .split("\n")
        .filter((l) => l.includes('"msg":"conflict: ')).length,
      0,
      agent.output().slice(-3000),
    );
  });
});
