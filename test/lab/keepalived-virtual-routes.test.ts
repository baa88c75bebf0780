/**
 * keepalived virtual_routes next to real keepalived 2.2.7, both roles: the
 * routes are in the routing table of the master only, and they move with
 * the master (agent from a keepalived.conf; keepalived with the same block).
 * (issue 16: "virtual_routes present only on the master".)
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLab, type Lab, type LabHost } from "./netns.js";
import { FLOATIP_BIN, Scratch, holders, keepalivedConf, startKeepalived, stopSpeaker, type Speaker } from "./vrrp-lab.js";

const VIP = "192.0.2.55";
const VRID = 62;
const ROUTES = `    virtual_routes {
        198.51.100.0/24 via 192.0.2.254
        src ${VIP} to 203.0.113.0/25 via 192.0.2.254 metric 7
        blackhole 203.0.113.128/25
    }
`;
/** The routes as `ip route` prints them (protocols differ: floatip static, keepalived its own). */
const EXPECTED = [/^198\.51\.100\.0\/24 via 192\.0\.2\.254 dev \S+/, /^203\.0\.113\.0\/25 via 192\.0\.2\.254 dev \S+ .*src 192\.0\.2\.55 metric 7/, /^blackhole 203\.0\.113\.128\/25/];

async function routes(lab: Lab, host: LabHost): Promise<string[]> {
  const text = await lab.exec(host.ns, ["ip", "-4", "route", "show"]);
  return text.split("\n").filter((l) => /198\.51\.100\.|203\.0\.113\./.test(l));
}

function hasAll(lines: readonly string[]): boolean {
  return lines.length === EXPECTED.length && EXPECTED.every((re) => lines.some((l) => re.test(l)));
}

describe("keepalived virtual_routes: only on the master", { timeout: 90_000 }, () => {
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
${ROUTES}}
`);
    const child = lab.spawnIn(host.ns, [process.execPath, FLOATIP_BIN, "agent", "--config", conf, "--state-dir", `${scratch.dir}/state`]);
    let log = "";
    child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    const speaker = { kind: "agent" as const, host, child, output: () => log, log: () => log };
    running.push(speaker);
    return speaker;
  }

  function startPeer(host: LabHost, priority: number): Speaker {
    const peer = startKeepalived({ lab, host, scratch, conf: keepalivedConf({ ifname: host.ifname, vrid: VRID, priority, version: 2, advertInt: "1", vips: [`${VIP}/24`], extra: ROUTES }) });
    running.push(peer);
    return peer;
  }

  async function stop(speaker: Speaker): Promise<void> {
    running.splice(running.indexOf(speaker), 1);
    await stopSpeaker(lab, speaker, "SIGTERM");
  }

  async function expectMaster(master: LabHost, backup: LabHost, what: string, diag: () => string): Promise<void> {
    await lab.waitFor(async () => (await holders(lab, VIP)).join() === master.name, 15_000, what).catch((e) => assert.fail(`${e}\n${diag()}`));
    await lab.waitFor(async () => hasAll(await routes(lab, master)) && (await routes(lab, backup)).length === 0, 5_000, `${what}: routes`).catch(async (e) =>
      assert.fail(`${e}\n${master.name}: ${(await routes(lab, master)).join("\n")}\n${backup.name}: ${(await routes(lab, backup)).join("\n")}\n${diag()}`),
    );
  }

  it("floatip master / keepalived backup, then keepalived master / floatip backup", async () => {
    const [n1, n2] = [lab.nodes[0]!, lab.nodes[1]!];
    // floatip master: its routes in n2's table, none in keepalived's.
    const peer = startPeer(n1, 100);
    let agent = startFloatip(n2, 150);
    let diag = () => `agent log:\n${agent.log().slice(-3000)}\nkeepalived:\n${peer.output().slice(-2000)}`;
    await expectMaster(n2, n1, "floatip master", diag);
    // The agent stops: keepalived takes over with its routes, the agent's are gone.
    await stop(agent);
    await expectMaster(n1, n2, "keepalived master after the agent stopped", diag);
    // floatip as backup: installs nothing while keepalived is master.
    agent = startFloatip(n2, 50);
    diag = () => `agent log:\n${agent.log().slice(-3000)}\nkeepalived:\n${peer.output().slice(-2000)}`;
    await lab.waitFor(() => agent.log().includes("-> backup"), 10_000, "agent backup").catch((e) => assert.fail(`${e}\n${diag()}`));
    await new Promise((r) => setTimeout(r, 4000)); // past the agent's Master_Down_Interval: it stayed backup
    await expectMaster(n1, n2, "keepalived still master", diag);
    // keepalived stops: the agent takes over with its routes; keepalived's are gone.
    await stop(peer);
    await expectMaster(n2, n1, "floatip master after keepalived stopped", diag);
    await stop(agent);
    assert.deepEqual(await routes(lab, n2), [], "the agent removes its routes on stop");
  });
});
