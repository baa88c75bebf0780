/**
 * SIGHUP reloads that change a running router in place (issue 15, item 3):
 * priority, unicast peers and the address list (one address kept, one
 * removed, one added) change on the master first and on the backup 300 ms
 * later, so for a moment the two disagree on the list. `ip monitor address`
 * on both nodes: the master never deletes the address it keeps, the backup
 * never adds or removes anything, and nobody transitions. The same with a
 * keepalived 2.2.7 peer both ways: keepalived is reloaded with the same
 * change (its own reload keeps state too); floatip backs it.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import yaml from "js-yaml";
import { createLab, type Lab, type LabHost } from "./netns.js";
import { AddressWatch, Scratch, keepalivedConf, soleHolder, startAgent, startKeepalived, stopSpeaker, type Speaker } from "./vrrp-lab.js";

const KEEP = "192.0.2.40";
const DROP = "192.0.2.41";
const ADD = "192.0.2.42";
const ABSENT_PEER = "192.0.2.99"; // a configured peer that never answers
const VRID = 77;

describe("SIGHUP changes a running router in place", { timeout: 240_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  let watch: AddressWatch | undefined;
  const running: Speaker[] = [];
  const n = (i: number) => lab.nodes[i]!;

  before(async () => {
    lab = await createLab({ nodes: 2, client: false });
    scratch = new Scratch();
  });
  afterEach(async () => {
    await watch?.stop();
    watch = undefined;
    await Promise.all(running.splice(0).map((s) => stopSpeaker(lab, s, "SIGKILL")));
    for (const h of lab.nodes) {
      for (const vip of [KEEP, DROP, ADD]) await lab.exec(h.ns, ["ip", "addr", "del", `${vip}/24`, "dev", h.ifname]).catch(() => undefined);
    }
  });
  after(async () => {
    await lab?.destroy();
    scratch?.cleanup();
  });

  interface AgentShape {
    readonly priority: number;
    readonly vips: readonly string[];
    readonly unicast?: readonly string[];
    readonly advertMs: number;
  }
  const agentConfig = (host: LabHost, s: AgentShape) => ({
    instances: [
      {
        name: "lab",
        interface: host.ifname,
        virtualRouterId: VRID,
        version: 3,
        priority: s.priority,
        advertInterval: `${s.advertMs}ms`,
        addresses: s.vips.map((v) => `${v}/24`),
        garp: { repeat: 1, delay: 0 },
        ...(s.unicast !== undefined ? { unicast: { source: host.ipv4, peers: s.unicast } } : {}),
      },
    ],
  });
  const agent = (host: LabHost, s: AgentShape) => {
    const speaker = startAgent({ lab, host, scratch, config: agentConfig(host, s) });
    running.push(speaker);
    return speaker;
  };
  const reloadAgent = async (speaker: Speaker, s: AgentShape) => {
    const done = (speaker.output().match(/"msg":"config reloaded"/g) ?? []).length;
    writeFileSync(speaker.configFile!, yaml.dump(agentConfig(speaker.host, s)));
    speaker.child.kill("SIGHUP");
    await lab.waitFor(
      () => (speaker.output().match(/"msg":"config reloaded"/g) ?? []).length > done,
      5000,
      `${speaker.host.name} reloaded`,
    );
  };
  const kaConf = (host: LabHost, priority: number, vips: readonly string[], unicast?: readonly string[]) =>
    keepalivedConf({
      ifname: host.ifname,
      vrid: VRID,
      priority,
      version: 3,
      advertInt: "1",
      vips: vips.map((v) => `${v}/24`),
      ...(unicast !== undefined
        ? { extra: `    unicast_src_ip ${host.ipv4}\n    unicast_peer {\n${unicast.map((p) => `        ${p}\n`).join("")}    }\n` }
        : {}),
    });
  const keepalived = (host: LabHost, priority: number, vips: readonly string[], unicast?: readonly string[]) => {
    const speaker = startKeepalived({ lab, host, scratch, conf: kaConf(host, priority, vips, unicast) });
    running.push(speaker);
    return { speaker, conf: speaker.configFile! };
  };

  /** Transitions an agent logged since `from` (its output length then). */
  const agentTransitions = (s: Speaker, from: number) =>
    s
      .output()
      .slice(from)
      .split("\n")
      .filter((l) => /"msg":"(initialize|backup|master|fault) -> /.test(l));

  function assertInPlace(master: string, backup: string, since: number, diag: () => string): void {
    const on = (host: string) => watch!.events.filter((e) => e.host === host && e.at >= since);
    const m = on(master).map((e) => `${e.added ? "+" : "-"}${e.address}`);
    assert.deepEqual(on(backup), [], `the backup (${backup}) never adds nor removes an address\n${diag()}`);
    assert.ok(!m.includes(`-${KEEP}`), `the master (${master}) keeps ${KEEP}: ${m.join(" ")}\n${diag()}`);
    assert.ok(m.includes(`-${DROP}`) && m.includes(`+${ADD}`), `the master removes ${DROP} and adds ${ADD}: ${m.join(" ")}\n${diag()}`);
  }

  for (const mode of ["multicast", "unicast"] as const) {
    it(`two agents (${mode}): priority, peers and addresses change on the master, then on the backup; no transition, no address moves`, async () => {
      const peers = (self: LabHost, other: LabHost, extra: boolean) =>
        mode === "unicast" ? [other.ipv4, ...(extra ? [ABSENT_PEER] : [])] : undefined;
      const shape = (self: LabHost, other: LabHost, priority: number, vips: readonly string[], extra: boolean): AgentShape => ({
        priority,
        vips,
        advertMs: 100,
        ...(peers(self, other, extra) !== undefined ? { unicast: peers(self, other, extra)! } : {}),
      });
      const m = agent(n(1), shape(n(1), n(0), 150, [KEEP, DROP], false));
      const b = agent(n(0), shape(n(0), n(1), 100, [KEEP, DROP], false));
      const diag = () => [m, b].map((s) => `--- ${s.host.name}:\n${s.output().slice(-3000)}`).join("\n");
      assert.equal(await soleHolder(lab, KEEP, 15_000, lab.nodes, 1500).catch((e) => assert.fail(`${e}\n${diag()}`)), "n2");
      watch = new AddressWatch(lab);
      await watch.start(lab.nodes);
      const since = Date.now();
      const outputs = [m.output().length, b.output().length] as const;

      await reloadAgent(m, shape(n(1), n(0), 200, [KEEP, ADD], true));
      await new Promise((r) => setTimeout(r, 300)); // three adverts with different lists
      await reloadAgent(b, shape(n(0), n(1), 120, [KEEP, ADD], true));
      await new Promise((r) => setTimeout(r, 1500));

      assertInPlace("n2", "n1", since, diag);
      assert.deepEqual(agentTransitions(m, outputs[0]), [], diag());
      assert.deepEqual(agentTransitions(b, outputs[1]), [], diag());
      assert.match(m.output().slice(outputs[0]), /"msg":"changed in place"/);
      assert.match(
        b.output().slice(outputs[1]),
        /"msg":"advert with an address list other than ours taken/,
        "the backup saw the master's new list first",
      );
    });
  }

  it("agent master, keepalived 2.2.7 backup: both reloaded with a new priority and list; no transition, no address moves", async () => {
    const ka = keepalived(n(0), 100, [KEEP, DROP]);
    const m = agent(n(1), { priority: 150, vips: [KEEP, DROP], advertMs: 1000 });
    const diag = () => `--- keepalived:\n${ka.speaker.output().slice(-3000)}\n--- agent:\n${m.output().slice(-3000)}`;
    assert.equal(await soleHolder(lab, KEEP, 20_000, lab.nodes, 2500).catch((e) => assert.fail(`${e}\n${diag()}`)), "n2");
    watch = new AddressWatch(lab);
    await watch.start(lab.nodes);
    const since = Date.now();
    const from = m.output().length;
    const kaFrom = ka.speaker.output().length;
    // keepalived drops adverts whose list is not its own: reload it first (it still hears the agent's old
    // list, so it lives on its Master_Down_Interval, 3 s) and the agent within a second after.
    writeFileSync(ka.conf, kaConf(n(0), 110, [KEEP, ADD]));
    ka.speaker.child.kill("SIGHUP");
    await new Promise((r) => setTimeout(r, 500));
    await reloadAgent(m, { priority: 200, vips: [KEEP, ADD], advertMs: 1000 });
    await new Promise((r) => setTimeout(r, 5000));
    assertInPlace("n2", "n1", since, diag);
    assert.deepEqual(agentTransitions(m, from), [], diag());
    assert.doesNotMatch(ka.speaker.output().slice(kaFrom), /Entering MASTER STATE/, diag());
  });

  it("keepalived 2.2.7 master, agent backup: the agent first (it takes keepalived's old list), then keepalived; no transition, no address moves", async () => {
    const b = agent(n(0), { priority: 100, vips: [KEEP, DROP], advertMs: 1000 });
    const ka = keepalived(n(1), 150, [KEEP, DROP]);
    const diag = () => `--- keepalived:\n${ka.speaker.output().slice(-3000)}\n--- agent:\n${b.output().slice(-3000)}`;
    assert.equal(await soleHolder(lab, KEEP, 20_000, lab.nodes, 2500).catch((e) => assert.fail(`${e}\n${diag()}`)), "n2");
    watch = new AddressWatch(lab);
    await watch.start(lab.nodes);
    const since = Date.now();
    const from = b.output().length;
    await reloadAgent(b, { priority: 120, vips: [KEEP, ADD], advertMs: 1000 });
    // Longer than the agent's Master_Down_Interval: it follows keepalived although their lists differ.
    await new Promise((r) => setTimeout(r, 4500));
    writeFileSync(ka.conf, kaConf(n(1), 200, [KEEP, ADD]));
    ka.speaker.child.kill("SIGHUP");
    await new Promise((r) => setTimeout(r, 3000));
    assertInPlace("n2", "n1", since, diag);
    assert.deepEqual(agentTransitions(b, from), [], diag());
  });
});
