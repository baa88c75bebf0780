/**
 * keepalived's script_user with the built CLI in a lab namespace: the agent
 * runs as root, and every command it starts for the config runs as the
 * script user (nobody here), as keepalived 2.2.7 runs them: vrrp_script
 * checks, instance notify commands (state-specific and generic) and sync
 * group notify commands. (issue 16.)
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLab, type Lab } from "./netns.js";
import { Scratch, stopSpeaker, type Speaker, startAgent } from "./vrrp-lab.js";

const NOBODY = 65534;

describe("script_user", { timeout: 30_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  let agent: Speaker | undefined;

  before(async () => {
    lab = await createLab({ nodes: 1, client: false });
    scratch = new Scratch();
    chmodSync(scratch.dir, 0o755); // nobody's commands run from here
  });
  after(async () => {
    if (agent !== undefined) await stopSpeaker(lab, agent, "SIGKILL");
    await lab?.destroy();
    scratch?.cleanup();
  });

  it("checks, notify and sync group notify commands run as script_user", async () => {
    const host = lab.nodes[0]!;
    const out = join(scratch.dir, "out");
    mkdirSync(out);
    chmodSync(out, 0o777);
    const log = join(out, "log");
    const record = scratch.write("record.sh", `#!/bin/sh\necho "$(id -u):$(id -g) $*" >> ${log}\n`);
    chmodSync(record, 0o755);
    const instance = (name: string, vrid: number, vip: string) => `vrrp_instance ${name} {
    state BACKUP
    interface ${host.ifname}
    virtual_router_id ${vrid}
    priority 100
    version 3
    advert_int 0.1
    track_script {
        chk
    }
    notify_master "${record} master ${name}"
    notify "${record} any"
    virtual_ipaddress {
        ${vip}/24
    }
}
`;
    const started = startAgent({
      lab,
      host,
      scratch,
      config: `global_defs {
    script_user nobody
}
vrrp_script chk {
    script "${record} check"
    interval 1
    weight 0
}
${instance("VI_A", 73, "192.0.2.73")}${instance("VI_B", 74, "192.0.2.74")}vrrp_sync_group VG {
    group {
        VI_A
        VI_B
    }
    notify_master "${record} group-master"
}
`,
    });
    agent = started;
    const text = started.output;

    const lines = () => {
      try {
        return readFileSync(log, "utf8").trim().split("\n");
      } catch {
        return [];
      }
    };
    const expected = [
      "check",
      "master VI_A",
      "master VI_B",
      "any INSTANCE VI_A MASTER 100",
      "any INSTANCE VI_B MASTER 100",
      "group-master",
    ];
    await lab
      .waitFor(() => expected.every((e) => lines().some((l) => l.endsWith(` ${e}`))), 8000, "every command ran")
      .catch((e) => assert.fail(`${e}\nlog:\n${lines().join("\n")}\nagent:\n${text().slice(-3000)}`));
    for (const line of lines()) assert.match(line, new RegExp(`^${NOBODY}:${NOBODY} `), `run as nobody: ${line}`);
  });
});
