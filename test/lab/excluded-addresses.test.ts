/**
 * excludedAddresses with real agents (issue 15: what a full advert cannot
 * carry rides along as keepalived's virtual_ipaddress_excluded). Two agents,
 * one advertised address and two excluded ones: the excluded addresses answer
 * ping on the master only, a SIGHUP that moves addresses between the two
 * lists (as the controller does when a router's advert fills or frees up)
 * deletes nothing on the master and adds nothing on the backup, and a
 * failover takes the excluded addresses to the new master.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import yaml from "js-yaml";
import { createLab, type Lab, type LabHost } from "./netns.js";
import { pingUntilAll } from "./ping.js";
import { AddressWatch, Scratch, holders, soleHolder, startAgent, stopSpeaker, type Speaker } from "./vrrp-lab.js";

const VIP = "192.0.2.60";
const EX1 = "192.0.2.61";
const EX2 = "192.0.2.62";
const ALL = [VIP, EX1, EX2];
const VRID = 78;

describe("excluded addresses with real agents", { timeout: 60_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  let watch: AddressWatch | undefined;
  const running: Speaker[] = [];

  before(async () => {
    lab = await createLab({ nodes: 2 });
    scratch = new Scratch();
  });
  afterEach(async () => {
    await watch?.stop();
    watch = undefined;
    await Promise.all(running.splice(0).map((s) => stopSpeaker(lab, s, "SIGKILL")));
    for (const h of lab.nodes) {
      for (const a of ALL) await lab.exec(h.ns, ["ip", "addr", "del", `${a}/24`, "dev", h.ifname]).catch(() => undefined);
    }
  });
  after(async () => {
    await lab?.destroy();
    scratch?.cleanup();
  });

  const config = (host: LabHost, priority: number, addresses: readonly string[], excluded: readonly string[]) => ({
    instances: [
      {
        name: "vrid-78",
        interface: host.ifname,
        virtualRouterID: VRID,
        priority,
        advertisementInterval: "100ms",
        addresses: addresses.map((a) => `${a}/24`),
        excludedAddresses: excluded.map((a) => `${a}/24`),
        garp: { repeat: 1, delay: "0s" },
      },
    ],
  });
  const reload = async (speaker: Speaker, priority: number, addresses: readonly string[], excluded: readonly string[]) => {
    const done = (speaker.output().match(/"msg":"config reloaded"/g) ?? []).length;
    writeFileSync(speaker.configFile!, yaml.dump(config(speaker.host, priority, addresses, excluded)));
    speaker.child.kill("SIGHUP");
    await lab.waitFor(
      () => (speaker.output().match(/"msg":"config reloaded"/g) ?? []).length > done,
      5000,
      `${speaker.host.name} reloaded`,
    );
  };

  it("ping the master only; moving addresses between the lists deletes none; a failover takes them along", async () => {
    const [n1, n2] = [lab.nodes[0]!, lab.nodes[1]!];
    const client = lab.client!;
    const master = startAgent({ lab, host: n2, scratch, config: config(n2, 150, [VIP], [EX1, EX2]) });
    const backup = startAgent({ lab, host: n1, scratch, config: config(n1, 100, [VIP], [EX1, EX2]) });
    running.push(master, backup);
    const diag = () => [master, backup].map((s) => `--- ${s.host.name}:\n${s.output().slice(-3000)}`).join("\n");

    for (const a of ALL) assert.equal(await soleHolder(lab, a, 10_000, lab.nodes, 500).catch((e) => assert.fail(`${e}\n${diag()}`)), "n2");
    assert.deepEqual(await pingUntilAll(lab, client, ALL, 5000), [], "all answer, excluded ones too");

    watch = new AddressWatch(lab);
    await watch.start(lab.nodes);
    const since = Date.now();
    // EX1 moves into the advert, VIP out of it; the master first, the backup 300 ms later (a roll-out).
    await reload(master, 150, [EX1], [VIP, EX2]);
    await new Promise((r) => setTimeout(r, 300));
    await reload(backup, 100, [EX1], [VIP, EX2]);
    await new Promise((r) => setTimeout(r, 1000));
    const events = watch.events.filter((e) => e.at >= since && ALL.includes(e.address));
    assert.deepEqual(events, [], `no address added or deleted on either node\n${diag()}`);
    for (const a of ALL) assert.deepEqual(await holders(lab, a), ["n2"], `${a} only on the master`);
    assert.match(master.output(), /"msg":"changed in place"/);

    // Failover: the master stops (priority 0); the backup takes every address, the excluded ones too.
    const failover = Date.now();
    await stopSpeaker(lab, master, "SIGTERM");
    running.splice(running.indexOf(master), 1);
    for (const a of ALL) assert.equal(await soleHolder(lab, a, 5000, lab.nodes, 300).catch((e) => assert.fail(`${e}\n${diag()}`)), "n1");
    assert.deepEqual(await pingUntilAll(lab, client, ALL, 5000), [], "all answer on the new master");
    const added = (a: string) => watch!.first(a, true, failover, "n1");
    assert.ok(
      ALL.every((a) => added(a) !== undefined),
      `n1 added each address after the failover, not before\n${diag()}`,
    );
  });
});
