/**
 * The keepalived.conf users bring (vrrp_script + vrrp_instance + auth +
 * track_script + notify), run unchanged by the agent next to real keepalived
 * — and the same scenario again from its `floatip convert` output.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync, chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { createLab, type Lab } from "./netns.js";
import { AddressWatch, FLOATIP_BIN, Scratch, holders, keepalivedConf, startKeepalived, stopSpeaker, type Speaker } from "./vrrp-lab.js";

const run = promisify(execFile);
const VIP = "192.0.2.5";

/** The config, with the interface and the script adapted to the lab (and a 1 s script interval to keep the test short). */
function userConf(healthFlag: string, notifyScript: string): string {
  return `vrrp_script chk_sshd {
        script "/usr/bin/test -e ${healthFlag}"
        interval 1
        weight -4
        fall 2
        rise 1
}
vrrp_instance vrrp {
        interface eth0
        virtual_router_id 67
        state MASTER
        priority 100
        virtual_ipaddress {
            ${VIP}
        }
        authentication {
                auth_type PASS
                auth_pass XXXXXX
        }
        track_script {
                chk_sshd
        }
        notify ${notifyScript}
}
`;
}

describe("a keepalived user's config, next to keepalived", { timeout: 240_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  let watch: AddressWatch;
  const running: Speaker[] = [];

  before(async () => {
    lab = await createLab({ nodes: 2, client: false });
    scratch = new Scratch();
    watch = new AddressWatch(lab);
    await watch.start(lab.nodes);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => stopSpeaker(lab, s, "SIGKILL")));
    for (const h of lab.nodes) await lab.exec(h.ns, ["ip", "addr", "del", `${VIP}/32`, "dev", h.ifname]).catch(() => undefined);
  });
  after(async () => {
    await watch?.stop();
    await lab?.destroy();
    scratch?.cleanup();
  });

  async function scenario(form: "keepalived.conf" | "converted YAML"): Promise<void> {
    const dir = join(scratch.dir, form.replace(/\W/g, ""));
    mkdirSync(dir, { recursive: true });
    const flag = join(dir, "sshd-ok");
    const stateFile = join(dir, "keepalive.state");
    const notify = join(dir, "notify.sh");
    writeFileSync(flag, "");
    writeFileSync(notify, `#!/bin/sh\necho $1 $2 is in $3 state > ${stateFile}\n`);
    chmodSync(notify, 0o755);
    const conf = join(dir, "keepalived.conf");
    writeFileSync(conf, userConf(flag, notify));
    let configFile = conf;
    if (form === "converted YAML") {
      const { stdout } = await run(process.execPath, [FLOATIP_BIN, "convert", conf]);
      configFile = join(dir, "floatip.yaml");
      writeFileSync(configFile, stdout);
    }

    // keepalived on n1 at priority 98, same VRID and password.
    const peer = startKeepalived({
      lab,
      host: lab.nodes[0]!,
      scratch,
      conf: keepalivedConf({ ifname: "eth0", vrid: 67, priority: 98, version: 2, advertInt: "1", vips: [VIP], password: "XXXXXX" }),
    });
    running.push(peer);
    const agentHost = lab.nodes[1]!;
    const child = lab.spawnIn(agentHost.ns, [
      process.execPath,
      FLOATIP_BIN,
      "agent",
      "--config",
      configFile,
      "--state-dir",
      join(dir, "state"),
    ]);
    let log = "";
    child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    running.push({ kind: "agent", host: agentHost, child, output: () => log });
    const diag = () => `agent log:\n${log.slice(-4000)}\nkeepalived:\n${peer.output().slice(-2000)}`;
    const holderIs = (name: string, timeoutMs: number, what: string) =>
      lab.waitFor(async () => (await holders(lab, VIP)).join() === name, timeoutMs, what).catch((e) => assert.fail(`${e}\n${diag()}`));
    const notified = (state: string, timeoutMs: number) =>
      lab
        .waitFor(
          () => existsSync(stateFile) && readFileSync(stateFile, "utf8") === `INSTANCE vrrp is in ${state} state\n`,
          timeoutMs,
          `notify file says ${state}`,
        )
        .catch((e) => assert.fail(`${e}: ${existsSync(stateFile) ? readFileSync(stateFile, "utf8") : "missing"}\n${diag()}`));

    // Election: the agent (100) beats keepalived (98).
    await holderIs("n2", 8000, "agent master");
    await notified("MASTER", 3000);

    // The check fails `fall` (2) times: priority 100 - 4 = 96 < 98, keepalived preempts.
    rmSync(flag);
    await holderIs("n1", 10_000, "keepalived takes over after the script fails twice");
    await notified("BACKUP", 3000);
    const check = await run(process.execPath, [
      FLOATIP_BIN,
      "check",
      "--instance",
      "vrrp",
      "--expect",
      "MASTER",
      "--state-dir",
      join(dir, "state"),
    ]).catch((e: { code: number; stdout: string }) => e);
    assert.equal((check as { code?: number }).code, 2, `check while backup: ${JSON.stringify(check)}`);

    // `rise` (1) success later the agent is back at 100 and preempts keepalived.
    writeFileSync(flag, "");
    await holderIs("n2", 10_000, "agent takes the VIP back after the script recovers");
    await notified("MASTER", 3000);
    const ok = await run(process.execPath, [
      FLOATIP_BIN,
      "check",
      "--instance",
      "vrrp",
      "--expect",
      "MASTER",
      "--state-dir",
      join(dir, "state"),
    ]);
    assert.match(ok.stdout, /OK/);

    // SIGTERM: handover within keepalived's Skew_Time (v2, priority 98: 158/256 s) plus slack.
    await new Promise((r) => setTimeout(r, 300));
    const sent = Date.now();
    await lab.kill(child, "SIGTERM");
    const moved = await lab.waitFor(() => watch.first(VIP, true, sent, "n1"), 3000, "keepalived takes over on SIGTERM");
    const skewMs = (158 * 1000) / 256;
    assert.ok(moved.at - sent <= skewMs + 100, `handover took ${moved.at - sent} ms (Skew_Time ${skewMs} ms)`);
    assert.equal(child.exitCode, 0, diag());
    await notified("STOP", 3000);
  }

  it("runs the keepalived.conf unchanged: election, notify file, script weight, preemption back, SIGTERM handover", async () => {
    await scenario("keepalived.conf");
  });

  it("the `floatip convert` output behaves the same", async () => {
    await scenario("converted YAML");
  });
});
