/**
 * vrrp_mcast_group4 / vrrp_mcast_group6 against real keepalived 2.2.7
 * (issue 16): keepalived (priority 100) and floatip (150) both on groups
 * 224.0.0.88 / ff02::88 elect floatip for an IPv4 and an IPv6 instance, and
 * keepalived takes both over when floatip stops. A third node, floatip with
 * the same config on the RFC groups and a lower priority (50), hears
 * neither: it holds the addresses too (on another group there is no higher
 * master), which it would not if the group setting leaked.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type LabHost } from "./netns.js";
import { holders, startKeepalived, stopSpeaker, type Speaker, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

const VIP4 = "203.0.113.7";
const VIP6 = "2001:db8::7";

function conf(host: LabHost, priority: number, groups: boolean): string {
  const instance = (name: string, vrid: number, vip: string) => `vrrp_instance ${name} {
    state BACKUP
    interface ${host.ifname}
    virtual_router_id ${vrid}
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        ${vip}
    }
}
`;
  const global = groups ? "    vrrp_mcast_group4 224.0.0.88\n    vrrp_mcast_group6 ff02::88\n" : "";
  return `global_defs {
    vrrp_garp_master_delay 0
${global}}
${instance("V4", 91, `${VIP4}/32`)}${instance("V6", 92, `${VIP6}/128`)}`;
}

describe("vrrp_mcast_group4/6: floatip and keepalived 2.2.7 on another group", { timeout: 120_000 }, () => {
  const fx = useLab({ nodes: 3, client: false, stopSignal: "SIGKILL" });

  function startFloatip(host: LabHost, text: string): Speaker {
    const speaker = startAgent({ lab: fx.lab, host, scratch: fx.scratch, config: text });
    fx.running.push(speaker);
    return speaker;
  }

  /** Both VIPs exactly on `names`, held for a second. */
  async function heldBy(names: readonly string[], what: string, diag: () => string): Promise<void> {
    let since: number | undefined;
    const want = [...names].sort().join();
    await fx.lab
      .waitFor(
        async () => {
          const ok = (await holders(fx.lab, VIP4)).sort().join() === want && (await holders(fx.lab, VIP6)).sort().join() === want;
          since = ok ? (since ?? Date.now()) : undefined;
          return since !== undefined && Date.now() - since >= 1000;
        },
        20_000,
        what,
      )
      .catch(async (e) =>
        assert.fail(
          `${e}: ${VIP4} on ${(await holders(fx.lab, VIP4)).join()}, ${VIP6} on ${(await holders(fx.lab, VIP6)).join()}\n${diag()}`,
        ),
      );
  }

  it("one master on 224.0.0.88 / ff02::88 with keepalived, failover to keepalived; a node on the RFC groups hears neither", async () => {
    const [kHost, fHost, rfcHost] = [fx.lab.nodes[0]!, fx.lab.nodes[1]!, fx.lab.nodes[2]!];
    const k = startKeepalived({ lab: fx.lab, host: kHost, scratch: fx.scratch, conf: conf(kHost, 100, true) });
    fx.running.push(k);
    const f = startFloatip(fHost, conf(fHost, 150, true));
    const rfc = startFloatip(rfcHost, conf(rfcHost, 50, false));
    const diag = () =>
      `floatip:\n${f.output().slice(-6000)}\nrfc floatip:\n${rfc.output().slice(-3000)}\nkeepalived:\n${k.output().slice(-3000)}`;
    await heldBy(
      [fHost.name, rfcHost.name],
      "floatip is master on the group (keepalived backup); the RFC-group node is master alone",
      diag,
    );
    await stopSpeaker(fx.lab, f);
    fx.running.splice(fx.running.indexOf(f), 1);
    await heldBy([kHost.name, rfcHost.name], "keepalived took both over on the group", diag);
    assert.match(k.output(), /\(V4\) Entering MASTER STATE/);
    assert.match(k.output(), /\(V6\) Entering MASTER STATE/);
  });
});
