/**
 * keepalived static_ipaddress with a real kernel, side by side with
 * keepalived 2.2.7 running the same file: the addresses are there while the
 * instance is still backup (they do not follow VRRP state) and gone after a
 * SIGTERM, for keepalived and for floatip alike.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Lab, type LabHost } from "./netns.js";
import { startKeepalived, stopSpeaker, type Speaker, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

const STATIC = ["192.0.2.66", "2001:db8:66::66"];

async function present(lab: Lab, host: LabHost): Promise<string[]> {
  const list = await lab.addresses(host.ns, host.ifname);
  return STATIC.filter((s) => list.some((a) => a.address === s));
}

describe("keepalived static_ipaddress: with the process, whatever the VRRP state (keepalived 2.2.7 and floatip)", {
  timeout: 90_000,
}, () => {
  const fx = useLab({ nodes: 1, client: false, stopSignal: "SIGKILL" });

  for (const side of ["keepalived", "floatip"] as const) {
    it(`${side}: added at start as backup, deleted at stop`, async () => {
      const host = fx.lab.nodes[0]!;
      const text = `static_ipaddress {
    192.0.2.66/24 dev ${host.ifname}
    2001:db8:66::66/64 dev ${host.ifname}
}
vrrp_instance VI_1 {
    state BACKUP
    interface ${host.ifname}
    virtual_router_id 66
    priority 100
    advert_int 5
    virtual_ipaddress {
        203.0.113.66/24
    }
}
`;
      let speaker: Speaker;
      if (side === "keepalived") speaker = startKeepalived({ lab: fx.lab, host, scratch: fx.scratch, conf: text });
      else speaker = startAgent({ lab: fx.lab, host, scratch: fx.scratch, config: text });
      fx.running.push(speaker);
      // advert_int 5: backup for ~15 s before it could become master.
      await fx.lab
        .waitFor(async () => (await present(fx.lab, host)).length === 2, 5_000, "both static addresses")
        .catch(async (e) => assert.fail(`${e}: ${(await present(fx.lab, host)).join()}\n${speaker.output().slice(-3000)}`));
      const vip = (await fx.lab.addresses(host.ns, host.ifname)).some((a) => a.address === "203.0.113.66");
      assert.ok(!vip, "still backup: the virtual address is not there");
      fx.running.splice(fx.running.indexOf(speaker), 1);
      await stopSpeaker(fx.lab, speaker, "SIGTERM");
      assert.deepEqual(await present(fx.lab, host), [], "deleted at stop");
    });
  }
});
