/**
 * keepalived virtual_rules next to real keepalived 2.2.7, both roles: the
 * policy rules (installed through rtnetlink RTM_NEWRULE / RTM_DELRULE) are
 * in the rule list of the master only, and move with the master (agent from
 * a keepalived.conf; keepalived with the same blocks).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLab, type Lab, type LabHost } from "./netns.js";
import { FLOATIP_BIN, Scratch, holders, keepalivedConf, startKeepalived, stopSpeaker, type Speaker } from "./vrrp-lab.js";

const VIP = "192.0.2.55";
const VRID = 63;
/** The rules name the interface; every lab node's interface has its own name. */
const BLOCKS = (ifname: string) => `    virtual_routes {
        default via 192.0.2.254 table 100
    }
    virtual_rules {
        from ${VIP} table 100 priority 1000
        to 198.51.100.0/24 table 100 preference 1001
        from all iif ${ifname} fwmark 0x10/0xff table 100 priority 1002
    }
`;
/** The rules as `ip rule` prints them (protocols differ: floatip static, keepalived its own). */
const EXPECTED = [/^1000:\s+from 192\.0\.2\.55 lookup 100\b/, /^1001:\s+from all to 198\.51\.100\.0\/24 lookup 100\b/, /^1002:\s+from all fwmark 0x10\/0xff iif \S+ lookup 100\b/];

async function rules(lab: Lab, host: LabHost): Promise<string[]> {
  const text = await lab.exec(host.ns, ["ip", "-4", "rule", "show"]);
  return text.split("\n").filter((l) => /lookup 100\b/.test(l));
}

function hasAll(lines: readonly string[]): boolean {
  return lines.length === EXPECTED.length && EXPECTED.every((re) => lines.some((l) => re.test(l)));
}

describe("keepalived virtual_rules: only on the master", { timeout: 90_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  const running: Speaker[] = [];

  before(async () => {
    lab = await createLab({ nodes: 2, client: false });
    scratch = new Scratch();
  });
  after(async () => {
    await Promise.all(running.splice(0).map((s) => stopSpeaker(lab, s, "SIGKILL")));
    await lab?.destroy();
    scratch?.cleanup();
  });

  function startFloatip(host: LabHost, priority: number): Speaker & { log: () => string } {
    const conf = scratch.write(`agent-${priority}.conf`, `vrrp_instance VI_1 {
    interface ${host.ifname}
    virtual_router_id ${VRID}
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        ${VIP}/24
    }
${BLOCKS(host.ifname)}}
`);
    const child = lab.spawnIn(host.ns, [process.execPath, FLOATIP_BIN, "agent", "--config", conf, "--state-dir", `${scratch.dir}/state`]);
    let log = "";
    child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    const speaker = { kind: "agent" as const, host, child, output: () => log, log: () => log };
    running.push(speaker);
    return speaker;
  }

  function startPeer(host: LabHost, priority: number): Speaker {
    const peer = startKeepalived({ lab, host, scratch, conf: keepalivedConf({ ifname: host.ifname, vrid: VRID, priority, version: 2, advertInt: "1", vips: [`${VIP}/24`], extra: BLOCKS(host.ifname) }) });
    running.push(peer);
    return peer;
  }

  async function stop(speaker: Speaker): Promise<void> {
    running.splice(running.indexOf(speaker), 1);
    await stopSpeaker(lab, speaker, "SIGTERM");
  }

  async function expectMaster(master: LabHost, backup: LabHost, what: string, diag: () => string): Promise<void> {
    await lab.waitFor(async () => (await holders(lab, VIP)).join() === master.name, 15_000, what).catch((e) => assert.fail(`${e}\n${diag()}`));
    await lab.waitFor(async () => hasAll(await rules(lab, master)) && (await rules(lab, backup)).length === 0, 5_000, `${what}: rules`).catch(async (e) =>
      assert.fail(`${e}\n${master.name}: ${(await rules(lab, master)).join("\n")}\n${backup.name}: ${(await rules(lab, backup)).join("\n")}\n${diag()}`),
    );
  }

  it("floatip master / keepalived backup, then keepalived master / floatip backup", async () => {
    const [n1, n2] = [lab.nodes[0]!, lab.nodes[1]!];
    // floatip master: its rules in n2's rule list, none in keepalived's.
    const peer = startPeer(n1, 100);
    let agent = startFloatip(n2, 150);
    let diag = () => `agent log:\n${agent.log().slice(-3000)}\nkeepalived:\n${peer.output().slice(-2000)}`;
    await expectMaster(n2, n1, "floatip master", diag);
    // The agent stops: keepalived takes over with its rules, the agent's are gone.
    await stop(agent);
    await expectMaster(n1, n2, "keepalived master after the agent stopped", diag);
    // floatip as backup: installs nothing while keepalived is master.
    agent = startFloatip(n2, 50);
    diag = () => `agent log:\n${agent.log().slice(-3000)}\nkeepalived:\n${peer.output().slice(-2000)}`;
    await lab.waitFor(() => agent.log().includes("-> backup"), 10_000, "agent backup").catch((e) => assert.fail(`${e}\n${diag()}`));
    await new Promise((r) => setTimeout(r, 4000)); // past the agent's Master_Down_Interval: it stayed backup
    await expectMaster(n1, n2, "keepalived still master", diag);
    // keepalived stops: the agent takes over with its rules; keepalived's are gone.
    await stop(peer);
    await expectMaster(n2, n1, "floatip master after keepalived stopped", diag);
    await stop(agent);
    assert.deepEqual(await rules(lab, n2), [], "the agent removes its rules on stop");
  });
});
