/**
 * keepalived promote_secondaries with the built CLI in a lab namespace:
 * net.ipv4.conf.IF.promote_secondaries is 1 while the instance runs, and
 * back to 0 after the agent stops (it was 0 before). (issue 16.)
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLab, type Lab } from "./netns.js";
import { Scratch, stopSpeaker, type Speaker, startAgent } from "./vrrp-lab.js";

describe("promote_secondaries", { timeout: 30_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  let agent: Speaker | undefined;

  before(async () => {
    lab = await createLab({ nodes: 1, client: false });
    scratch = new Scratch();
  });
  after(async () => {
    if (agent !== undefined) await stopSpeaker(lab, agent, "SIGKILL");
    await lab?.destroy();
    scratch?.cleanup();
  });

  it("is on while the instance runs and put back when the agent stops", async () => {
    const host = lab.nodes[0]!;
    const flag = async () => (await lab.exec(host.ns, ["cat", `/proc/sys/net/ipv4/conf/${host.ifname}/promote_secondaries`])).trim();
    assert.equal(await flag(), "0");
    const started = startAgent({
      lab,
      host,
      scratch,
      config: `vrrp_instance VI_P {
    interface ${host.ifname}
    virtual_router_id 75
    version 3
    advert_int 0.1
    promote_secondaries
    virtual_ipaddress {
        192.0.2.75/24
    }
}
`,
    });
    agent = started;
    const text = started.output;
    await lab.waitFor(() => text().includes("-> master"), 8000, "master").catch((e) => assert.fail(`${e}\n${text().slice(-3000)}`));
    assert.equal(await flag(), "1");
    await stopSpeaker(lab, agent, "SIGTERM");
    agent = undefined;
    assert.equal(await flag(), "0");
  });
});
