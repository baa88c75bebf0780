/**
 * keepalived static_routes / static_rules with a real kernel: in place while
 * the agent is still backup (they do not follow VRRP state), gone after it
 * stops, as keepalived 2.2.7 leaves things.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Lab, type LabHost } from "./netns.js";
import { stopSpeaker, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

async function statics(lab: Lab, host: LabHost): Promise<string[]> {
  const routes = await lab.exec(host.ns, ["ip", "-4", "route", "show", "table", "all"]);
  const rules = await lab.exec(host.ns, ["ip", "-4", "rule", "show"]);
  return [
    ...routes.split("\n").filter((l) => /198\.51\.100\.0\/24|table 200/.test(l)),
    ...rules.split("\n").filter((l) => /^2000:/.test(l)),
  ];
}

describe("keepalived static_routes / static_rules: with the agent, whatever its state", { timeout: 60_000 }, () => {
  const fx = useLab({ nodes: 1, client: false, stopSignal: "SIGKILL" });

  it("installed at start as backup, removed at stop", async () => {
    const host = fx.lab.nodes[0]!;
    const conf = `static_routes {
    198.51.100.0/24 via 192.0.2.254
    default via 192.0.2.254 table 200
}
static_rules {
    from 203.0.113.0/24 table 200 priority 2000
}
vrrp_instance VI_1 {
    interface ${host.ifname}
    virtual_router_id 65
    priority 100
    advert_int 5
    virtual_ipaddress {
        192.0.2.65/24
    }
}
`;
    const agent = startAgent({ lab: fx.lab, host, scratch: fx.scratch, config: conf });
    fx.running.push(agent);
    // advert_int 5: backup for ~15 s before it could become master.
    await fx.lab
      .waitFor(async () => (await statics(fx.lab, host)).length === 3, 5_000, "static routes and rule")
      .catch(async (e) => assert.fail(`${e}\n${(await statics(fx.lab, host)).join("\n")}\n${agent.output().slice(-3000)}`));
    assert.ok(!agent.output().includes("-> master"), "still backup");
    fx.running.splice(fx.running.indexOf(agent), 1);
    await stopSpeaker(fx.lab, agent, "SIGTERM");
    assert.deepEqual(await statics(fx.lab, host), [], "removed at stop");
  });
});
