/**
 * One lab scenario shared by the keepalived features whose effect exists on
 * the master only (virtual_routes, virtual_rules): floatip from a
 * keepalived.conf next to real keepalived 2.2.7 with the same blocks, both
 * roles. The effect is on the master and absent on the backup, it moves
 * with the master, and the agent removes it when it stops.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Lab, type LabHost } from "./netns.js";
import { holders, keepalivedConf, startKeepalived, stopSpeaker, type Speaker, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

export interface MasterOnlyCase {
  /** What the effect is called in messages ("routes", "rules"). */
  readonly noun: string;
  /** The keepalived feature under test, for the describe title. */
  readonly feature: string;
  readonly vip: string;
  readonly vrid: number;
  /** The blocks inside vrrp_instance, for both implementations (may name the node's interface). */
  readonly blocks: (ifname: string) => string;
  /** The node's current lines of the effect (only the ones the blocks make). */
  readonly read: (lab: Lab, host: LabHost) => Promise<string[]>;
  /** Each expected line on the master (protocols differ: floatip static, keepalived its own). */
  readonly expected: readonly RegExp[];
}

export function describeMasterOnlyInterop(c: MasterOnlyCase): void {
  const hasAll = (lines: readonly string[]): boolean =>
    lines.length === c.expected.length && c.expected.every((re) => lines.some((l) => re.test(l)));

  describe(`keepalived ${c.feature}: only on the master`, { timeout: 90_000 }, () => {
    const fx = useLab({ nodes: 2, client: false, stopSignal: "SIGKILL" });

    function startFloatip(host: LabHost, priority: number): Speaker {
      const conf = `vrrp_instance VI_1 {
    interface ${host.ifname}
    virtual_router_id ${c.vrid}
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        ${c.vip}/24
    }
${c.blocks(host.ifname)}}
`;
      const speaker = startAgent({ lab: fx.lab, host, scratch: fx.scratch, config: conf });
      fx.running.push(speaker);
      return speaker;
    }

    function startPeer(host: LabHost, priority: number): Speaker {
      const conf = keepalivedConf({
        ifname: host.ifname,
        vrid: c.vrid,
        priority,
        version: 2,
        advertInt: "1",
        vips: [`${c.vip}/24`],
        extra: c.blocks(host.ifname),
      });
      const peer = startKeepalived({ lab: fx.lab, host, scratch: fx.scratch, conf });
      fx.running.push(peer);
      return peer;
    }

    async function stop(speaker: Speaker): Promise<void> {
      fx.running.splice(fx.running.indexOf(speaker), 1);
      await stopSpeaker(fx.lab, speaker, "SIGTERM");
    }

    async function expectMaster(master: LabHost, backup: LabHost, what: string, diag: () => string): Promise<void> {
      await fx.lab
        .waitFor(async () => (await holders(fx.lab, c.vip)).join() === master.name, 15_000, what)
        .catch((e) => assert.fail(`${e}\n${diag()}`));
      await fx.lab
        .waitFor(
          async () => hasAll(await c.read(fx.lab, master)) && (await c.read(fx.lab, backup)).length === 0,
          5_000,
          `${what}: ${c.noun}`,
        )
        .catch(async (e) =>
          assert.fail(
            `${e}\n${master.name}: ${(await c.read(fx.lab, master)).join("\n")}\n${backup.name}: ${(await c.read(fx.lab, backup)).join("\n")}\n${diag()}`,
          ),
        );
    }

    it("floatip master / keepalived backup, then keepalived master / floatip backup", async () => {
      const [n1, n2] = [fx.lab.nodes[0]!, fx.lab.nodes[1]!];
      // floatip master: the effect on n2 only, none on keepalived's node.
      const peer = startPeer(n1, 100);
      let agent = startFloatip(n2, 150);
      let diag = () => `agent log:\n${agent.output().slice(-3000)}\nkeepalived:\n${peer.output().slice(-2000)}`;
      await expectMaster(n2, n1, "floatip master", diag);
      // The agent stops: keepalived takes over with its copy, the agent's are gone.
      await stop(agent);
      await expectMaster(n1, n2, "keepalived master after the agent stopped", diag);
      // floatip as backup: installs nothing while keepalived is master.
      agent = startFloatip(n2, 50);
      diag = () => `agent log:\n${agent.output().slice(-3000)}\nkeepalived:\n${peer.output().slice(-2000)}`;
      await fx.lab.waitFor(() => agent.output().includes("-> backup"), 10_000, "agent backup").catch((e) => assert.fail(`${e}\n${diag()}`));
      await new Promise((r) => setTimeout(r, 4000)); // past the agent's Master_Down_Interval: it stayed backup
      await expectMaster(n1, n2, "keepalived still master", diag);
      // keepalived stops: the agent takes over; keepalived's copy is gone.
      await stop(peer);
      await expectMaster(n2, n1, "floatip master after keepalived stopped", diag);
      await stop(agent);
      assert.deepEqual(await c.read(fx.lab, n2), [], `the agent removes its ${c.noun} on stop`);
    });
  });
}
