/**
 * keepalived use_vmac next to real keepalived 2.2.7 (also with use_vmac),
 * both roles: the master's VIP sits on a macvlan with the RFC 5798 §7.3
 * virtual MAC 00:00:5e:00:01:VRID, a client's ARP request for the VIP is
 * answered with that MAC whoever is master, the adverts leave with it as
 * their source MAC, and the backup never answers. (issue 16.)
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLab, type Lab, type LabHost } from "./netns.js";
import { FLOATIP_BIN, Scratch, keepalivedConf, startKeepalived, stopSpeaker, type Speaker } from "./vrrp-lab.js";

const VRID = 63;
const VMAC = "00:00:5e:00:01:3f";
const VMAC_IF = `vrrp.${VRID}`;
const VIP = "192.0.2.63";

describe("keepalived use_vmac interop", { timeout: 120_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  const running: Speaker[] = [];

  before(async () => {
    lab = await createLab({ nodes: 2, client: true });
    scratch = new Scratch();
  });
  after(async () => {
    await Promise.all(running.splice(0).map((s) => stopSpeaker(lab, s, "SIGKILL")));
    await lab?.destroy();
    scratch?.cleanup();
  });

  function startFloatip(host: LabHost, priority: number): Speaker {
    const conf = scratch.write(
      `agent-${priority}.conf`,
      `vrrp_instance VI_1 {
    interface ${host.ifname}
    virtual_router_id ${VRID}
    priority ${priority}
    advert_int 1
    use_vmac
    virtual_ipaddress {
        ${VIP}/24
    }
}
`,
    );
    const child = lab.spawnIn(host.ns, [process.execPath, FLOATIP_BIN, "agent", "--config", conf, "--state-dir", `${scratch.dir}/state`]);
    let log = "";
    child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    const speaker = { kind: "agent" as const, host, child, output: () => log };
    running.push(speaker);
    return speaker;
  }

  function startPeer(host: LabHost, priority: number): Speaker {
    const peer = startKeepalived({
      lab,
      host,
      scratch,
      conf: keepalivedConf({
        ifname: host.ifname,
        vrid: VRID,
        priority,
        version: 2,
        advertInt: "1",
        vips: [`${VIP}/24`],
        extra: "    use_vmac\n",
      }),
    });
    running.push(peer);
    return peer;
  }

  async function stop(speaker: Speaker): Promise<void> {
    running.splice(running.indexOf(speaker), 1);
    await stopSpeaker(lab, speaker, "SIGTERM");
  }

  /** The nodes holding the VIP, on any interface. */
  async function vipHolders(): Promise<string[]> {
    const out: string[] = [];
    for (const host of lab.nodes) {
      const text = await lab.exec(host.ns, ["ip", "-4", "-o", "addr", "show", "to", VIP]);
      if (text.includes(VIP)) out.push(`${host.name}:${/^\d+: (\S+)/.exec(text)?.[1]}`);
    }
    return out;
  }

  /** The MAC a client's ARP request for the VIP is answered with (undefined: no answer). */
  async function arpAnswer(): Promise<string[]> {
    const client = lab.client!;
    const text = await lab.exec(client.ns, ["sh", "-c", `arping -c 2 -w 3 -i ${client.ifname} ${VIP} 2>&1; true`]);
    return [...new Set([...text.matchAll(/from ([0-9a-f:]{17}) /g)].map((m) => m[1]!))];
  }

  async function vmacLink(host: LabHost): Promise<string> {
    return lab.exec(host.ns, ["sh", "-c", `ip -d link show ${VMAC_IF} 2>&1; true`]);
  }

  async function expectMaster(host: LabHost, what: string, diag: () => string): Promise<void> {
    await lab
      .waitFor(async () => (await vipHolders()).join() === `${host.name}:${VMAC_IF}`, 15_000, what)
      .catch(async (e) => assert.fail(`${e}\nholders: ${(await vipHolders()).join()}\n${diag()}`));
    assert.deepEqual(await arpAnswer(), [VMAC], `${what}: ARP answered with the virtual MAC only`);
    const ping = await lab.exec(lab.client!.ns, ["sh", "-c", `ping -c 1 -W 2 ${VIP} >/dev/null && echo ok; true`]);
    assert.equal(ping.trim(), "ok", `${what}: the VIP answers a ping`);
  }

  it("floatip master with keepalived backup, then keepalived master with floatip backup", async () => {
    const [n1, n2] = [lab.nodes[0]!, lab.nodes[1]!];
    const peer = startPeer(n1, 100);
    let agent = startFloatip(n2, 150);
    const diag = () => `agent log:\n${agent.output().slice(-3000)}\nkeepalived:\n${peer.output().slice(-2000)}`;
    await expectMaster(n2, "floatip master", diag);
    const link = await vmacLink(n2);
    assert.match(link, new RegExp(`${VMAC_IF.replace(".", "\\.")}@${n2.ifname}: .*UP`), link);
    assert.match(link, new RegExp(`link/ether ${VMAC} `), link);
    assert.match(link, /macvlan mode private/, link);
    for (const [key, value] of [
      [`${n2.ifname}/arp_ignore`, "1"],
      [`${n2.ifname}/arp_filter`, "1"],
      [`${VMAC_IF}/arp_ignore`, "1"],
      [`${VMAC_IF}/accept_local`, "1"],
    ]) {
      assert.equal((await lab.exec(n2.ns, ["cat", `/proc/sys/net/ipv4/conf/${key}`])).trim(), value, key);
    }
    // floatip's adverts leave from the virtual MAC (seen on keepalived's side).
    const dump = await lab.exec(n1.ns, ["sh", "-c", `timeout 5 tcpdump -e -i ${n1.ifname} -n -l -c 2 'ip proto 112' 2>/dev/null; true`]);
    const adverts = dump.split("\n").filter((l) => l.includes("VRRP"));
    assert.equal(adverts.length, 2, dump);
    for (const line of adverts)
      assert.match(
        line,
        new RegExp(`^\\S+ ${VMAC} > 01:00:5e:00:00:12, .* ${n2.ipv4} > 224\\.0\\.0\\.18: VRRPv2, Advertisement, vrid ${VRID}, prio 150`),
        dump,
      );

    // The agent stops: its macvlan goes, keepalived takes over on its own.
    await stop(agent);
    assert.match(await vmacLink(n2), /does not exist/);
    assert.equal(
      (await lab.exec(n2.ns, ["cat", `/proc/sys/net/ipv4/conf/${n2.ifname}/arp_filter`])).trim(),
      "0",
      "the base interface's sysctls are put back",
    );
    await expectMaster(n1, "keepalived master after the agent stopped", diag);

    // floatip as backup: its macvlan is up, holds nothing and answers nothing.
    agent = startFloatip(n2, 50);
    await lab.waitFor(() => agent.output().includes("-> backup"), 10_000, "agent backup").catch((e) => assert.fail(`${e}\n${diag()}`));
    await new Promise((r) => setTimeout(r, 4000));
    assert.match(await vmacLink(n2), /link\/ether 00:00:5e:00:01:3f /);
    await expectMaster(n1, "keepalived still master", diag);

    // keepalived stops: floatip takes over with the virtual MAC.
    await stop(peer);
    await expectMaster(n2, "floatip master after keepalived stopped", diag);
    await stop(agent);
    assert.deepEqual(await vipHolders(), []);
  });
});
