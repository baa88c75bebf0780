/**
 * Issue 13 finding 6: a full log disk during a takeover. The backup that
 * takes over writes its log (stderr) to a file on a small tmpfs the test
 * fills up; its first log line of the takeover fails with ENOSPC. The agent
 * must go on (the line is dropped and counted in
 * floatip_log_write_errors_total): exactly one node holds the VIP, and no
 * third node takes it over as it would from a dead agent.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { appendFileSync, closeSync, mkdirSync, openSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { createLab, type Lab, type LabHost } from "./netns.js";
import { FLOATIP_BIN, Scratch, holders, httpGetIn, metricSum, soleHolder, startAgent, stopSpeaker, type Speaker } from "./vrrp-lab.js";

const VIP = "192.0.2.5";
const PORT = 9133;

const config = (priority: number) => ({
  instances: [
    {
      name: "vip",
      virtualRouterId: 71,
      version: 3,
      priority,
      advertInterval: "100ms",
      addresses: [`${VIP}/24`],
      garp: { repeat: 1, delay: "0s" },
    },
  ],
});

/**
 * Fills the filesystem at dir: first the last page of `log` (tmpfs hands out
 * whole pages: an append into a page already there would still succeed),
 * then new files until none fits.
 */
function fill(dir: string, log: string): void {
  const size = statSync(log).size;
  if (size % 4096 !== 0) appendFileSync(log, "\n".repeat(4096 - (size % 4096)));
  const chunk = Buffer.alloc(4096);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `fill-${i}`), chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOSPC") return;
      throw error;
    }
    if (i > 100_000) throw new Error("the tmpfs never filled up");
  }
}

describe("a full log disk during a takeover", { timeout: 90_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  let mountPoint: string | undefined;
  const running: Speaker[] = [];

  before(async () => {
    lab = await createLab({ nodes: 3, client: false });
    scratch = new Scratch();
    const dir = join(scratch.dir, "logs");
    mkdirSync(dir);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k,mode=0700", "floatip-lab-logs", dir]);
    mountPoint = dir;
  });
  after(async () => {
    await Promise.all(running.splice(0).map((s) => stopSpeaker(lab, s)));
    await lab?.destroy();
    if (mountPoint !== undefined) execFileSync("umount", [mountPoint]);
    scratch?.cleanup();
  });

  it("the agent survives, counts the dropped lines, and exactly one node holds the VIP", async () => {
    const [n1, n2, n3] = lab.nodes as [LabHost, LabHost, LabHost];
    running.push(startAgent({ lab, host: n1, scratch, config: config(200) }));
    await soleHolder(lab, VIP, 10_000, lab.nodes, 500);

    // n2: stderr on the small tmpfs (info level: a few lines per transition).
    const logFile = join(mountPoint!, "n2.log");
    const fd = openSync(logFile, "a");
    const file = scratch.write("n2.yaml", yaml.dump(config(150)));
    const args = [
      process.execPath,
      FLOATIP_BIN,
      "agent",
      "--config",
      file,
      "--state-dir",
      join(scratch.dir, "state-n2"),
      "--metrics-address",
      `${n2.ipv4}:${PORT}`,
    ];
    const child = lab.spawnIn(n2.ns, args, { stdio: ["ignore", fd, fd] });
    closeSync(fd);
    running.push({ kind: "agent", host: n2, child, output: () => "" });
    running.push(startAgent({ lab, host: n3, scratch, config: config(100) }));
    const metrics = () => httpGetIn(lab, n2, `http://${n2.ipv4}:${PORT}/metrics`);
    await lab.waitFor(async () => (await metrics().catch(() => "")).includes("floatip_instance_state"), 10_000, "n2's metrics endpoint");
    assert.equal(await soleHolder(lab, VIP, 10_000, lab.nodes, 1000), "n1");

    fill(mountPoint!, logFile);
    await lab.kill(running[0]!.child, "SIGKILL"); // n1 dies holding the VIP; n2 takes over, logging into a full disk
    await lab.exec(n1.ns, ["ip", "addr", "del", `${VIP}/24`, "dev", n1.ifname]); // a dead node's address is gone with the node

    assert.equal(await soleHolder(lab, VIP, 10_000, lab.nodes, 3000), "n2");
    assert.equal(child.exitCode, null, "the agent on the full log disk still runs");
    assert.deepEqual(await holders(lab, VIP), ["n2"]);
    const text = await metrics();
    assert.ok(metricSum(text, "floatip_log_write_errors_total", { code: "ENOSPC" }) >= 1, "the dropped log lines are counted");
  });
});
