/**
 * Issue 13 finding 9: a notify command that hangs (ignores SIGTERM, would
 * sleep for ten minutes, with a ten-minute timeout) must not hold the
 * agent's stop: on SIGTERM the master hands over (priority 0, the backup
 * takes over), removes its VIP and the process exits within seconds.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { type LabHost } from "./netns.js";
import { holders, soleHolder, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

const VIP = "192.0.2.5";

describe("a hung notify command at stop", { timeout: 60_000 }, () => {
  const fx = useLab({ nodes: 2, client: false, cleanup: () => killHungCommands() });
  let hang: string | undefined;

  /** Kills the process groups of the notify commands this test started (an agent killed by the lab's grace leaves them). */
  function killHungCommands(): void {
    if (hang === undefined) return;
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(hang)) continue;
        const pgid = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[2]);
        process.kill(-pgid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }

  it("does not keep the agent from exiting; the VIP moves to the backup", async () => {
    const [n1, n2] = fx.lab.nodes as [LabHost, LabHost];
    hang = fx.scratch.write("hang.sh", "#!/bin/sh\ntrap '' TERM\nsleep 600\n");
    const config = (priority: number) => ({
      instances: [
        {
          name: "vip",
          interface: "eth0",
          virtualRouterId: 91,
          version: 3,
          priority,
          advertInterval: "100ms",
          addresses: [`${VIP}/24`],
          notify: { master: `/bin/sh ${hang}`, any: `/bin/sh ${hang}`, timeout: "10m" },
        },
      ],
    });
    const master = startAgent({ lab: fx.lab, host: n1, scratch: fx.scratch, config: config(200) });
    fx.running.push(master, startAgent({ lab: fx.lab, host: n2, scratch: fx.scratch, config: config(100) }));
    assert.equal(await soleHolder(fx.lab, VIP, 10_000, fx.lab.nodes, 1000), "n1");

    const start = Date.now();
    master.child.kill("SIGTERM");
    const exit = await Promise.race([
      new Promise<{ code: number | null }>((resolve) => master.child.once("exit", (code) => resolve({ code }))),
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 15_000)),
    ]);
    const took = Date.now() - start;
    console.log(`# agent exited ${took} ms after SIGTERM with a hung notify command`);
    assert.deepEqual(exit, { code: 0 }, `the agent exits (${took} ms)`);
    assert.ok(took < 6000, `within seconds (${took} ms)`);
    assert.equal(await soleHolder(fx.lab, VIP, 5000, fx.lab.nodes, 500), "n2");
    assert.deepEqual(await holders(fx.lab, VIP, [n1]), [], "nothing left on the stopped node");
  });
});
