/**
 * notify_fifo on a real FIFO (issue 16): the same keepalived.conf (a sync
 * group of two instances, one tracking a file) run alone by keepalived 2.2.7
 * and by floatip, each with a reader on its FIFO; the same transitions
 * (start, FAULT, back, stop) must give the same lines in the same order.
 * Then floatip with no reader at all: it still takes over, does not block,
 * and a reader that comes later gets the next transitions.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type LabHost } from "./netns.js";
import { FLOATIP_BIN, holders, startKeepalived, stopSpeaker, type Speaker } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

const VIP1 = "203.0.113.5";
const VIP2 = "203.0.113.6";

function conf(host: LabHost, fifo: string, faultFile: string): string {
  const instance = (name: string, vrid: number, vip: string, extra: string) => `vrrp_instance ${name} {
    state BACKUP
    interface ${host.ifname}
    virtual_router_id ${vrid}
    priority 150
    advert_int 1
    virtual_ipaddress {
        ${vip}/32
    }
${extra}}
`;
  return `global_defs {
    vrrp_garp_master_delay 0
    notify_fifo ${fifo}
}
vrrp_track_file fault {
    file ${faultFile}
    weight 0
}
${instance("VI_1", 81, VIP1, "    track_file {\n        fault\n    }\n")}${instance("VI_2", 82, VIP2, "")}vrrp_sync_group VG {
    group {
        VI_1
        VI_2
    }
}
`;
}

describe("notify_fifo: floatip writes keepalived 2.2.7's lines in keepalived's order", { timeout: 150_000 }, () => {
  const fx = useLab({
    nodes: 1,
    client: false,
    stopSignal: "SIGKILL",
    cleanup: () => {
      for (const r of readers.splice(0)) if (r.exitCode === null) r.kill("SIGKILL");
    },
  });
  const readers: ChildProcess[] = [];

  /** `cat FIFO >> out`: its output file, and a promise of its exit (the writer closed the FIFO). */
  function reader(fifo: string, out: string): Promise<void> {
    const child = spawn("sh", ["-c", 'exec cat "$1" >> "$2"', "sh", fifo, out], { stdio: "ignore" });
    readers.push(child);
    return new Promise((resolve) => child.once("exit", () => resolve()));
  }

  function startFloatip(host: LabHost, text: string): Speaker {
    const file = fx.scratch.write(`${host.name}-${Date.now()}.conf`, text);
    const child = fx.lab.spawnIn(host.ns, [
      process.execPath,
      FLOATIP_BIN,
      "agent",
      "--config",
      file,
      "--log-level",
      "debug",
      "--state-dir",
      join(fx.scratch.dir, `state-${Date.now()}`),
    ]);
    let log = "";
    child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
    const speaker: Speaker = { kind: "agent", host, child, output: () => log };
    fx.running.push(speaker);
    return speaker;
  }

  const both = async (host: LabHost, held: boolean, what: string) =>
    fx.lab.waitFor(
      async () =>
        ((await holders(fx.lab, VIP1)).includes(host.name) && (await holders(fx.lab, VIP2)).includes(host.name)) === held || undefined,
      15_000,
      what,
    );

  /** Start, both VIPs; FAULT, none; back, both; stop. Returns the lines the reader got. */
  async function runThrough(side: "keepalived" | "floatip"): Promise<string[]> {
    const host = fx.lab.nodes[0]!;
    const fifo = join(fx.scratch.dir, `${side}.fifo`);
    execFileSync("mkfifo", [fifo]);
    const out = fx.scratch.write(`${side}.lines`, "");
    const fault = fx.scratch.write(`${side}.fault`, "0\n");
    const done = reader(fifo, out);
    const text = conf(host, fifo, fault);
    const speaker =
      side === "keepalived" ? startKeepalived({ lab: fx.lab, host, scratch: fx.scratch, conf: text }) : startFloatip(host, text);
    if (side === "keepalived") fx.running.push(speaker);
    try {
      await both(host, true, `${side}: both VIPs`);
      writeFileSync(fault, "1\n");
      await both(host, false, `${side}: the group in FAULT`);
      writeFileSync(fault, "0\n");
      await both(host, true, `${side}: both VIPs back`);
    } catch (error) {
      assert.fail(`${String(error)}\n${speaker.output().slice(-4000)}`);
    } finally {
      await stopSpeaker(fx.lab, speaker);
      fx.running.splice(fx.running.indexOf(speaker), 1);
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
    return readFileSync(out, "utf8").trim().split("\n");
  }

  it("the same lines as keepalived, in the same order, for start, FAULT, recovery and stop", async () => {
    const keepalived = await runThrough("keepalived");
    const floatip = await runThrough("floatip");
    // The two members that go master together may do so in either order (their timers fire in the same instant).
    const canonical = (lines: string[]) => lines.map((l) => (/^INSTANCE "VI_\d" MASTER/.test(l) ? l.replace(/VI_\d/, "VI_x") : l));
    assert.deepEqual(canonical(floatip), canonical(keepalived), `floatip:\n${floatip.join("\n")}\nkeepalived:\n${keepalived.join("\n")}`);
    assert.deepEqual(keepalived.slice(0, 3), ['GROUP "VG" BACKUP 0', 'INSTANCE "VI_1" BACKUP 150', 'INSTANCE "VI_2" BACKUP 150']);
    assert.deepEqual(keepalived.slice(6, 9), ['INSTANCE "VI_1" FAULT 150', 'INSTANCE "VI_2" FAULT 150', 'GROUP "VG" FAULT 0']);
    assert.deepEqual(keepalived.slice(-3), ['INSTANCE "VI_1" STOP 150', 'INSTANCE "VI_2" STOP 150', 'GROUP "VG" STOP 0']);
  });

  it("no reader: floatip takes over without blocking; a reader that comes later gets the next lines; the FIFO it created is gone at stop", async () => {
    const host = fx.lab.nodes[0]!;
    const fifo = join(fx.scratch.dir, "created-by-floatip.fifo");
    const fault = fx.scratch.write("late.fault", "0\n");
    const f = startFloatip(host, conf(host, fifo, fault));
    try {
      await both(host, true, "master with nobody reading the FIFO");
      assert.ok(existsSync(fifo), "floatip created the FIFO");
      assert.equal(f.child.exitCode, null, "still running");
      const out = fx.scratch.write("late.lines", "");
      const done = reader(fifo, out);
      await new Promise((r) => setTimeout(r, 300)); // the reader has opened it
      writeFileSync(fault, "1\n");
      await both(host, false, "the group in FAULT");
      await fx.lab.waitFor(() => readFileSync(out, "utf8").includes("GROUP"), 5000, "the FAULT lines");
      assert.deepEqual(readFileSync(out, "utf8").trim().split("\n"), [
        'INSTANCE "VI_1" FAULT 150',
        'INSTANCE "VI_2" FAULT 150',
        'GROUP "VG" FAULT 0',
      ]);
      await stopSpeaker(fx.lab, f);
      await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
      assert.ok(!existsSync(fifo), "the FIFO floatip created is removed at stop");
    } catch (error) {
      assert.fail(`${String(error)}\n${f.output().slice(-4000)}`);
    } finally {
      if (f.child.exitCode === null) await stopSpeaker(fx.lab, f);
      fx.running.splice(fx.running.indexOf(f), 1);
    }
  });
});
