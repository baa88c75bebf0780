/**
 * Issue 13 finding 4: adverts from ever-new forged sources must not grow the
 * agent's memory. 60 s of VRRPv3 adverts over IPv6 (3,000 a second, each
 * from a new source, with an address list the instance does not have) at a
 * master and its backup: their resident memory (VmRSS) stays flat after the
 * first seconds, within a tolerance for the collector's rhythm.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type LabHost } from "./netns.js";
import { soleHolder, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

const SENDER = fileURLToPath(new URL("./forged-sender.js", import.meta.url));
const VIP = "2001:db8::5";
const SECONDS = 60;
const RATE = 3000;
const TOLERANCE_MIB = 6;

const config = (priority: number) => ({
  instances: [
    { name: "v6", interface: "eth0", virtualRouterId: 81, version: 3, priority, advertInterval: "100ms", addresses: [`${VIP}/64`] },
  ],
});

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

describe("adverts from ever-new forged sources", { timeout: 150_000 }, () => {
  const fx = useLab({ nodes: 2 });

  it(`leave the resident memory of master and backup flat (${SECONDS} s at ${RATE}/s)`, async () => {
    const [n1, n2] = fx.lab.nodes as [LabHost, LabHost];
    fx.running.push(startAgent({ lab: fx.lab, host: n1, scratch: fx.scratch, config: config(200), extraArgs: ["--log-level", "info"] }));
    fx.running.push(startAgent({ lab: fx.lab, host: n2, scratch: fx.scratch, config: config(100), extraArgs: ["--log-level", "info"] }));
    assert.equal(await soleHolder(fx.lab, VIP, 10_000, fx.lab.nodes, 1000), "n1");
    const pids = fx.running.map((s) => s.child.pid!);

    const attacker = fx.lab.client!;
    const sending = fx.lab.exec(attacker.ns, [process.execPath, SENDER, attacker.ifname, "81", String(RATE), String(SECONDS)], {
      timeoutMs: (SECONDS + 30) * 1000,
    });
    const samples: number[][] = [];
    const sampler = setInterval(() => samples.push(pids.map(rssMiB)), 1000);
    let out: string;
    try {
      out = await sending;
    } finally {
      clearInterval(sampler);
    }
    const { sent } = JSON.parse(out) as { sent: number };
    assert.ok(sent >= RATE * SECONDS * 0.9, `the sender got its adverts out (${sent})`);
    // From 10 s on (start-up and the first collections done): the largest rise over the lowest before it.
    for (const [i, host] of ["n1", "n2"].entries()) {
      const series = samples.slice(10).map((s) => s[i]!);
      let low = Infinity;
      let rise = 0;
      for (const v of series) {
        low = Math.min(low, v);
        rise = Math.max(rise, v - low);
      }
      console.log(`# ${host}: RSS ${series[0]?.toFixed(1)} -> ${series.at(-1)?.toFixed(1)} MiB, largest rise ${rise.toFixed(1)} MiB`);
      assert.ok(rise < TOLERANCE_MIB, `${host}: RSS rose ${rise.toFixed(1)} MiB under forged sources`);
    }
    assert.deepEqual([fx.running[0]!.child.exitCode, fx.running[1]!.child.exitCode], [null, null]);
  });
});
