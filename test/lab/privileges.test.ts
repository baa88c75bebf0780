/**
 * Least privilege, with the built CLI in lab namespaces: without
 * CAP_NET_ADMIN or CAP_NET_RAW (dropped from the bounding set with setpriv)
 * the agent exits at once naming exactly what is missing and touches
 * nothing; as an unprivileged user holding only those two it runs an
 * election, holds the VIP and hands over; and addresses it did not add
 * survive its start, mastership, release and stop.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { createLab, type Lab, type LabAddress, type LabHost } from "./netns.js";
import { FLOATIP_BIN, Scratch, holders, soleHolder, startAgent, stopSpeaker, type Speaker } from "./vrrp-lab.js";

const VIP = "192.0.2.5";
const NOBODY = 65534;

function agentConfig(priority: number) {
  return {
    instances: [
      { name: "vip", virtualRouterId: 71, priority, advertInterval: "100ms", addresses: [`${VIP}/24`], garp: { repeat: 1, delay: "0s" } },
    ],
  };
}

const exited = (child: Speaker["child"]) =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

/** Addresses as comparable text (address/prefix label flags), sorted. */
const shape = (list: readonly LabAddress[]) =>
  list.map((a) => `${a.address}/${a.prefixLength} ${a.label ?? ""} ${[...a.flags].sort().join(",")}`).sort();

describe("least privilege", { timeout: 120_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  const running: Speaker[] = [];
  const n = (i: number) => lab.nodes[i]!;

  /** The agent under setpriv with the given options, inside host's namespace. */
  const startUnder = (host: LabHost, setpriv: readonly string[], config: unknown, stateDir: string): Speaker => {
    const file = scratch.write(`${host.name}-${running.length}.yaml`, yaml.dump(config));
    chmodSync(file, 0o644);
    const child = lab.spawnIn(host.ns, [
      "setpriv",
      ...setpriv,
      "--",
      process.execPath,
      FLOATIP_BIN,
      "agent",
      "--config",
      file,
      "--state-dir",
      stateDir,
    ]);
    let text = "";
    child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
    const speaker: Speaker = { kind: "agent", host, child, output: () => text };
    running.push(speaker);
    return speaker;
  };

  before(async () => {
    lab = await createLab({ nodes: 2, client: false });
    scratch = new Scratch();
    chmodSync(scratch.dir, 0o755); // the unprivileged agent reads its config from here
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => stopSpeaker(lab, s, "SIGKILL")));
    for (const h of lab.nodes) await lab.exec(h.ns, ["ip", "addr", "flush", "dev", h.ifname, "to", `${VIP}/32`]).catch(() => undefined);
  });
  after(async () => {
    await lab?.destroy();
    scratch?.cleanup();
  });

  const drops: readonly [string, string, readonly string[]][] = [
    ["CAP_NET_RAW", "-net_raw", ["CAP_NET_RAW"]],
    ["CAP_NET_ADMIN", "-net_admin", ["CAP_NET_ADMIN"]],
    ["both", "-net_raw,-net_admin", ["CAP_NET_ADMIN", "CAP_NET_RAW"]],
  ];
  for (const [name, bounding, missing] of drops) {
    it(`without ${name}: exits 1 at once naming exactly what is missing, nothing touched`, async () => {
      // A leftover VIP the agent would remove on start if it got that far.
      await lab.exec(n(0).ns, ["ip", "addr", "add", `${VIP}/24`, "dev", n(0).ifname]);
      const before = shape(await lab.addresses(n(0).ns, n(0).ifname));
      const speaker = startUnder(n(0), ["--bounding-set", bounding], agentConfig(100), join(scratch.dir, "state-drop"));
      assert.equal(await exited(speaker.child), 1, speaker.output());
      const first = speaker.output().split("\n")[0]!;
      assert.match(first, /^floatip agent: missing /, speaker.output());
      for (const cap of ["CAP_NET_ADMIN", "CAP_NET_RAW"]) {
        if (missing.includes(cap)) assert.match(first, new RegExp(`${cap} \\(for `));
        else assert.doesNotMatch(first, new RegExp(cap), "names only what is missing");
      }
      assert.match(speaker.output(), /AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW/);
      assert.deepEqual(shape(await lab.addresses(n(0).ns, n(0).ifname)), before, "the interface is untouched");
    });
  }

  it("as an unprivileged user with only CAP_NET_ADMIN and CAP_NET_RAW it runs, holds the VIP and hands over", async () => {
    const stateDir = join(scratch.dir, "state-nobody");
    mkdirSync(stateDir);
    chownSync(stateDir, NOBODY, NOBODY);
    const caps = [
      "--reuid",
      String(NOBODY),
      "--regid",
      String(NOBODY),
      "--clear-groups",
      "--inh-caps=+net_admin,+net_raw",
      "--ambient-caps=+net_admin,+net_raw",
    ];
    const agent = startUnder(n(0), caps, agentConfig(150), stateDir);
    running.push(startAgent({ lab, host: n(1), scratch, config: agentConfig(100) }));
    assert.equal(await soleHolder(lab, VIP, 5000, lab.nodes, 500), "n1", agent.output());
    const status = await lab.exec(n(0).ns, ["cat", `/proc/${agent.child.pid}/status`]).catch(() => "");
    // The pid is setpriv's, which exec'd node: same process.
    assert.match(status, /^Uid:\s+65534\s/m);
    assert.match(status, /^CapEff:\s+0000000000003000$/m, "exactly CAP_NET_ADMIN and CAP_NET_RAW");
    await stopSpeaker(lab, agent, "SIGTERM");
    assert.equal(agent.child.exitCode, 0, agent.output());
    await lab.waitFor(async () => (await holders(lab, VIP)).join() === "n2", 2000, "n2 takes over after the handover");
  });

  it("addresses the agent did not add survive its start, mastership, release and stop", async () => {
    const host = n(0);
    const others = [
      ["192.0.2.60/24", "label", "eth0:admin"], // same subnet as the VIP
      ["198.51.100.60/24"],
      ["192.0.2.5/32", "dev", "lo"], // the VIP's address on another interface
    ];
    for (const o of others) {
      const dev = o[1] === "dev" ? o[2]! : host.ifname;
      await lab.exec(host.ns, ["ip", "addr", "add", o[0]!, "dev", dev, ...(o[1] === "label" ? ["label", o[2]!] : [])]);
    }
    await lab.exec(host.ns, ["ip", "addr", "add", "2001:db8::60/64", "dev", host.ifname, "nodad"]);
    const snapshot = async () => ({
      eth0: shape((await lab.addresses(host.ns, host.ifname)).filter((a) => a.address !== VIP)),
      lo: shape(await lab.addresses(host.ns, "lo")),
    });
    const before = await snapshot();
    assert.ok(
      before.eth0.some((a) => a.startsWith("192.0.2.60/24 eth0:admin")),
      before.eth0.join("\n"),
    );

    const agent = startAgent({ lab, host, scratch, config: agentConfig(100) });
    running.push(agent);
    assert.equal(await soleHolder(lab, VIP, 5000, lab.nodes, 300), "n1");
    assert.deepEqual(await snapshot(), before, "master: only the VIP was added");
    const vip = (await lab.addresses(host.ns, host.ifname)).find((a) => a.address === VIP);
    assert.ok(vip?.flags.includes("secondary"), "the VIP is a secondary of the existing subnet");

    running.push(startAgent({ lab, host: n(1), scratch, config: agentConfig(200) }));
    await lab.waitFor(async () => (await holders(lab, VIP)).join() === "n2", 5000, "n1 releases the VIP to n2");
    assert.deepEqual(await snapshot(), before, "after release");

    await stopSpeaker(lab, agent, "SIGTERM");
    assert.equal(agent.child.exitCode, 0, agent.output());
    assert.deepEqual(await snapshot(), before, "after stop");
    for (const o of ["192.0.2.60/24", "198.51.100.60/24", "2001:db8::60/64"])
      await lab.exec(host.ns, ["ip", "addr", "del", o, "dev", host.ifname]);
    await lab.exec(host.ns, ["ip", "addr", "del", "192.0.2.5/32", "dev", "lo"]);
  });

  it("a VIP that is the primary of its subnet: an address added there later survives the release", async () => {
    // The kernel deletes a primary's secondaries with it (promote_secondaries is 0 here).
    const host = n(0);
    const vip = "203.0.113.5";
    assert.equal((await lab.exec(host.ns, ["sysctl", "-n", `net.ipv4.conf.${host.ifname}.promote_secondaries`])).trim(), "0");
    const config = {
      instances: [
        {
          name: "vip",
          interface: host.ifname,
          virtualRouterId: 72,
          advertInterval: "100ms",
          addresses: [`${vip}/24`],
          garp: { repeat: 1, delay: "0s" },
        },
      ],
    };
    const agent = startAgent({ lab, host, scratch, config });
    running.push(agent);
    await lab.waitFor(async () => (await holders(lab, vip)).join() === "n1", 5000, "n1 holds the VIP");
    await lab.exec(host.ns, ["ip", "addr", "add", "203.0.113.60/24", "dev", host.ifname, "label", "eth0:admin"]);
    const added = (await lab.addresses(host.ns, host.ifname)).find((a) => a.address === "203.0.113.60");
    assert.ok(added?.flags.includes("secondary"), "the operator's address is a secondary of the VIP");
    await stopSpeaker(lab, agent, "SIGTERM");
    assert.equal(agent.child.exitCode, 0, agent.output());
    const left = await lab.addresses(host.ns, host.ifname);
    assert.equal(
      left.find((a) => a.address === vip),
      undefined,
      "the VIP is gone",
    );
    const kept = left.find((a) => a.address === "203.0.113.60");
    assert.deepEqual(
      kept && [kept.prefixLength, kept.label],
      [24, "eth0:admin"],
      "the operator's address survives, prefix and label intact",
    );
    await lab.exec(host.ns, ["ip", "addr", "del", "203.0.113.60/24", "dev", host.ifname]);
  });
});
