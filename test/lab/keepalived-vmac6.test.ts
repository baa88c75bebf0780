/**
 * keepalived use_vmac for an IPv6 instance next to real keepalived 2.2.7
 * (also with use_vmac), both roles: the master's VIP sits on a macvlan with
 * the RFC 5798 §7.3 virtual MAC 00:00:5e:00:02:VRID, whose one IPv6 address
 * is the base interface's link-local (no address generated from the shared
 * MAC, as keepalived does it); adverts leave from that MAC and address; a
 * client's neighbour solicitation for the VIP is answered with the virtual
 * MAC whoever is master, and one node holds the VIP after each failover.
 * (issue 16.)
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type LabHost } from "./netns.js";
import { keepalivedConf, startKeepalived, stopSpeaker, type Speaker, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

const VRID = 64;
const VMAC = "00:00:5e:00:02:40";
const VMAC_IF = `vrrp.${VRID}`;
const VIP = "2001:db8::64";
/** Short adverts (VRRPv3 centiseconds) keep each takeover well under a second. */
const ADVERT = "0.2";

describe("keepalived use_vmac interop, IPv6", { timeout: 60_000 }, () => {
  const fx = useLab({ nodes: 2, client: true, stopSignal: "SIGKILL" });

  function startFloatip(host: LabHost, priority: number): Speaker {
    const speaker = startAgent({
      lab: fx.lab,
      host,
      scratch: fx.scratch,
      config: `vrrp_instance VI_6 {
    interface ${host.ifname}
    virtual_router_id ${VRID}
    priority ${priority}
    advert_int ${ADVERT}
    use_vmac
    virtual_ipaddress {
        ${VIP}/64
    }
}
`,
    });
    fx.running.push(speaker);
    return speaker;
  }

  function startPeer(host: LabHost, priority: number): Speaker {
    const conf = keepalivedConf({
      ifname: host.ifname,
      vrid: VRID,
      priority,
      version: 3,
      advertInt: ADVERT,
      vips: [`${VIP}/64`],
      extra: "    use_vmac\n",
    });
    const peer = startKeepalived({ lab: fx.lab, host, scratch: fx.scratch, conf });
    fx.running.push(peer);
    return peer;
  }

  async function stop(speaker: Speaker): Promise<void> {
    fx.running.splice(fx.running.indexOf(speaker), 1);
    await stopSpeaker(fx.lab, speaker, "SIGTERM");
  }

  /** The nodes holding the VIP, with the interface it is on. */
  async function vipHolders(): Promise<string[]> {
    const out: string[] = [];
    for (const host of fx.lab.nodes) {
      const text = await fx.lab.exec(host.ns, ["ip", "-6", "-o", "addr", "show", "to", `${VIP}/128`]);
      if (text.includes(VIP)) out.push(`${host.name}:${/^\d+: (\S+)/.exec(text)?.[1]}`);
    }
    return out;
  }

  /** The client forgets the VIP's MAC, pings it (a fresh solicitation), and reports the MAC it learnt. */
  async function clientNeighbour(): Promise<string> {
    const client = fx.lab.client!;
    return fx.lab.exec(client.ns, [
      "sh",
      "-c",
      `ip -6 neigh flush to ${VIP} dev ${client.ifname}; ping -6 -c 2 -i 0.2 -W 2 ${VIP} >/dev/null && echo ping ok; ip -6 neigh show to ${VIP} dev ${client.ifname}`,
    ]);
  }

  async function expectMaster(host: LabHost, what: string, diag: () => string): Promise<void> {
    await fx.lab
      .waitFor(async () => (await vipHolders()).join() === `${host.name}:${VMAC_IF}`, 10_000, what)
      .catch(async (e) => assert.fail(`${e}\nholders: ${(await vipHolders()).join()}\n${diag()}`));
    const neighbour = await clientNeighbour();
    assert.match(neighbour, /^ping ok$/m, `${what}: the VIP answers a ping\n${neighbour}`);
    assert.match(neighbour, new RegExp(`lladdr ${VMAC} `), `${what}: the client's neighbour entry has the virtual MAC\n${neighbour}`);
    assert.deepEqual(await vipHolders(), [`${host.name}:${VMAC_IF}`], `${what}: one holder`);
  }

  async function baseLinkLocal(host: LabHost): Promise<string> {
    const found = (await fx.lab.addresses(host.ns, host.ifname)).find((a) => a.family === 6 && a.scope === "link");
    assert.ok(found, `${host.name} has a link-local address`);
    return found.address;
  }

  it("floatip master with keepalived backup, then keepalived master with floatip backup", async () => {
    const [n1, n2] = [fx.lab.nodes[0]!, fx.lab.nodes[1]!];
    const peer = startPeer(n1, 100);
    let agent = startFloatip(n2, 150);
    const diag = () => `agent log:\n${agent.output().slice(-3000)}\nkeepalived:\n${peer.output().slice(-2000)}`;
    await expectMaster(n2, "floatip master", diag);

    // The macvlan: the IPv6 virtual MAC, no generated address, the base's link-local (nodad, deprecated).
    const link = await fx.lab.exec(n2.ns, ["ip", "-d", "link", "show", VMAC_IF]);
    assert.match(link, new RegExp(`link/ether ${VMAC} `), link);
    assert.match(link, /macvlan mode private .*addrgenmode none/s, link);
    const linkLocal = await baseLinkLocal(n2);
    const onVmac = (await fx.lab.addresses(n2.ns, VMAC_IF)).filter((a) => a.scope === "link");
    assert.deepEqual(
      onVmac.map((a) => [a.address, a.prefixLength, a.flags.includes("nodad"), a.flags.includes("deprecated")]),
      [[linkLocal, 64, true, true]],
      JSON.stringify(onVmac),
    );

    // floatip's adverts leave from the virtual MAC and the link-local address (seen on keepalived's side).
    const dump = await fx.lab.exec(n1.ns, [
      "sh",
      "-c",
      `timeout 3 tcpdump -e -i ${n1.ifname} -n -l -c 2 'ip6 proto 112' 2>/dev/null; true`,
    ]);
    const adverts = dump.split("\n").filter((l) => l.includes("VRRP"));
    assert.equal(adverts.length, 2, dump);
    for (const line of adverts)
      assert.match(
        line,
        new RegExp(`^\\S+ ${VMAC} > 33:33:00:00:00:12, .* ${linkLocal} > ff02::12: VRRPv3, Advertisement, vrid ${VRID}, prio 150`),
        dump,
      );

    // The agent stops (priority 0): keepalived takes over with the same MAC.
    await stop(agent);
    assert.match(await fx.lab.exec(n2.ns, ["sh", "-c", `ip link show ${VMAC_IF} 2>&1; true`]), /does not exist/);
    await expectMaster(n1, "keepalived master after the agent stopped", diag);

    // floatip as backup: its macvlan is up, holds nothing, keepalived stays master.
    agent = startFloatip(n2, 50);
    await fx.lab.waitFor(() => agent.output().includes("-> backup"), 10_000, "agent backup").catch((e) => assert.fail(`${e}\n${diag()}`));
    await new Promise((r) => setTimeout(r, 1000));
    assert.match(await fx.lab.exec(n2.ns, ["ip", "link", "show", VMAC_IF]), new RegExp(`link/ether ${VMAC} `));
    await expectMaster(n1, "keepalived still master", diag);

    // keepalived stops: floatip takes over with the virtual MAC.
    await stop(peer);
    await expectMaster(n2, "floatip master after keepalived stopped", diag);
    await stop(agent);
    assert.deepEqual(await vipHolders(), []);
  });
});
