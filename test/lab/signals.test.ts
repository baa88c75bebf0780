/**
 * Issue 13 finding 7: signals while the agent starts. With 255 instances the
 * start takes a while; a SIGTERM, SIGINT or SIGHUP in its first moments
 * killed the agent by the default action (a VIP left on the interface, no
 * priority-0 advert). Now: a stop during start ends the agent cleanly (exit
 * 0, no VIP left, priority 0 sent for an instance that was master), and a
 * SIGHUP during start is held back and the agent runs on.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { createLab, type Lab, type LabHost } from "./netns.js";
import { AddressWatch, Scratch, startAgent } from "./vrrp-lab.js";

const OWNER_VIP = "192.0.2.5";
const OTHERS = Array.from({ length: 254 }, (_, i) => `203.0.113.${i + 1}`);

/** 255 instances: VRID 1 is the address owner (priority 255: master at once), the others wait as backups. */
const config = {
  instances: [
    {
      name: "owner",
      interface: "eth0",
      virtualRouterId: 1,
      version: 3,
      priority: 255,
      advertInterval: "100ms",
      addresses: [`${OWNER_VIP}/24`],
      garp: { repeat: 1, delay: "0s" },
    },
    ...OTHERS.map((vip, i) => ({
      name: `i${i + 2}`,
      interface: "eth0",
      virtualRouterId: i + 2,
      version: 3,
      priority: 100,
      advertInterval: "1s",
      addresses: [`${vip}/24`],
    })),
  ],
};

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** VRRP adverts seen on n2, as tcpdump prints them. */
class AdvertCapture {
  lines: string[] = [];
  private child: ChildProcess | undefined;
  constructor(private readonly lab: Lab) {}
  async start(host: LabHost): Promise<void> {
    this.child = this.lab.spawnIn(host.ns, ["tcpdump", "-n", "-l", "-i", host.ifname, "ip proto 112"]);
    let pending = "";
    this.child.stdout?.on("data", (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      this.lines.push(...lines);
    });
    await new Promise<void>((resolve) => {
      this.child!.stderr?.on("data", (d: Buffer) => d.toString().includes("listening on") && resolve());
      setTimeout(resolve, 3000);
    });
  }
  priorityZero(vrid: number): boolean {
    return this.lines.some((l) => new RegExp(`vrid ${vrid}, prio 0,`).test(l));
  }
  async stop(): Promise<void> {
    if (this.child !== undefined) await this.lab.kill(this.child);
  }
}

describe("signals while the agent starts (255 instances)", { timeout: 120_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  let watch: AddressWatch;
  let capture: AdvertCapture;

  before(async () => {
    lab = await createLab({ nodes: 2, client: false });
    scratch = new Scratch();
    watch = new AddressWatch(lab);
    await watch.start(lab.nodes);
    capture = new AdvertCapture(lab);
    await capture.start(lab.nodes[1]!);
  });
  after(async () => {
    await capture?.stop();
    await watch?.stop();
    await lab?.destroy();
    scratch?.cleanup();
  });

  const leftOn = async (host: LabHost) => {
    const held = new Set((await lab.addresses(host.ns, host.ifname)).map((a) => a.address));
    return [OWNER_VIP, ...OTHERS].filter((a) => held.has(a));
  };

  for (const [signal, delayMs] of [
    ["SIGTERM", 30],
    ["SIGINT", 60],
    ["SIGTERM", 100],
    ["SIGINT", 150],
    ["SIGTERM", 300],
  ] as const) {
    it(`${signal} ${delayMs} ms after start: a clean stop, no VIP left, priority 0 if it was master`, async () => {
      const n1 = lab.nodes[0]!;
      const since = Date.now();
      const agent = startAgent({ lab, host: n1, scratch, config });
      await new Promise((r) => setTimeout(r, delayMs));
      agent.child.kill(signal);
      const end = await Promise.race([exited(agent.child), new Promise<"hung">((r) => setTimeout(() => r("hung"), 15_000))]);
      if (end === "hung") await lab.kill(agent.child, "SIGKILL");
      if (end !== "hung" && end.signal === signal) {
        // Only before node has run any of the agent (its own start-up, tens of ms): nothing was touched yet.
        assert.equal(agent.output(), "", "killed by the default action only before the agent ran");
        assert.equal(watch.first(OWNER_VIP, true, since, "n1"), undefined);
        console.log(`# ${signal} at ${delayMs} ms came before node ran the agent`);
      } else {
        assert.deepEqual(end, { code: 0, signal: null }, `the agent stops cleanly\n${agent.output().slice(-2000)}`);
      }
      assert.deepEqual(await leftOn(n1), [], "no virtual address left behind");
      if (watch.first(OWNER_VIP, true, since, "n1") !== undefined) {
        await lab.waitFor(async () => capture.priorityZero(1), 2000, "the owner's priority-0 advert").catch(() => undefined);
        assert.ok(capture.priorityZero(1), "it was master: its priority-0 advert went out");
      }
      capture.lines = [];
    });
  }

  it("SIGHUP 100 ms after start: held back, the agent runs on and stops cleanly later", async () => {
    const n1 = lab.nodes[0]!;
    const agent = startAgent({ lab, host: n1, scratch, config });
    await new Promise((r) => setTimeout(r, 100));
    agent.child.kill("SIGHUP");
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(agent.child.exitCode ?? agent.child.signalCode, null, `still running after SIGHUP\n${agent.output().slice(-2000)}`);
    assert.ok((await leftOn(n1)).includes(OWNER_VIP), "the owner holds its VIP");
    agent.child.kill("SIGTERM");
    assert.deepEqual(await exited(agent.child), { code: 0, signal: null });
    assert.deepEqual(await leftOn(n1), [], "no virtual address left behind");
  });
});
