/** vrrp_sync_group: conversion golden output, warnings and errors with file:line. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runConvertCommand, type ConvertIo } from "../../cli/convert-command.js";
import { parseYamlConfig } from "../config/load.js";
import { fakeIo } from "./fake-io.js";

async function convert(conf: string) {
  let stdout = "";
  let stderr = "";
  const io: ConvertIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    files: fakeIo({ "/k/keepalived.conf": conf }),
  };
  const code = await runConvertCommand(["/k/keepalived.conf"], io);
  return { code, stdout, stderr };
}

const INSTANCES = `vrrp_script chk_haproxy {
    script "/usr/bin/pgrep -x haproxy"
    weight -20
}
vrrp_instance VI_EXT {
    interface eth0
    virtual_router_id 51
    priority 150
    virtual_ipaddress {
        192.0.2.5/24
    }
    track_script {
        chk_haproxy
    }
}
vrrp_instance VI_INT {
    interface eth1
    virtual_router_id 52
    priority 150
    virtual_ipaddress {
        198.51.100.5/24
    }
    track_interface {
        eth3 weight -10
    }
}
`;

describe("floatip convert: vrrp_sync_group", () => {
  it("converts members, group tracking and notify; members' weights become 0 with a warning (golden)", async () => {
    const conf = `${INSTANCES}vrrp_sync_group VG_1 {
    group {
        VI_EXT
        VI_INT
    }
    track_interface {
        eth2
    }
    notify_master "/etc/keepalived/master.sh VG_1"
    notify_backup /etc/keepalived/backup.sh
    notify_fault /etc/keepalived/fault.sh
    notify /etc/keepalived/notify.sh
    global_tracking
    smtp_alert
}
`;
    const out = await convert(conf);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(out.stderr.trimEnd().split("\n"), [
      "/k/keepalived.conf:13: warning: chk_haproxy: weight -20 of chk_haproxy is set to 0: VI_EXT is in vrrp_sync_group VG_1, whose members track unweighted (FAULT), as keepalived does",
      "/k/keepalived.conf:24: warning: eth3: weight -10 of eth3 is set to 0: VI_INT is in vrrp_sync_group VG_1, whose members track unweighted (FAULT), as keepalived does",
      "/k/keepalived.conf:39: warning: global_tracking: ignored: floatip always applies a sync group's tracking to every member (what this deprecated switch asked for)",
      "/k/keepalived.conf:40: warning: smtp_alert: ignored: floatip sends no e-mail; run a notify script (notify, notify_master ...) to alert on transitions",
    ]);
    assert.equal(
      out.stdout,
      `# floatip agent config converted from /k/keepalived.conf
scripts:
  - name: chk_haproxy
    command: /usr/bin/pgrep -x haproxy
    weight: -20
instances:
  - name: VI_EXT
    interface: eth0
    virtualRouterID: 51
    version: 2
    priority: 150
    addresses:
      - 192.0.2.5/24
    track:
      scripts:
        - name: chk_haproxy
          weight: 0
      interfaces:
        - name: eth2
          weight: 0
  - name: VI_INT
    interface: eth1
    virtualRouterID: 52
    version: 2
    priority: 150
    addresses:
      - 198.51.100.5/24
    track:
      interfaces:
        - name: eth3
          weight: 0
        - name: eth2
          weight: 0
syncGroups:
  - name: VG_1
    instances:
      - VI_EXT
      - VI_INT
    notify:
      any: /etc/keepalived/notify.sh
      master: /etc/keepalived/master.sh VG_1
      backup: /etc/keepalived/backup.sh
      fault: /etc/keepalived/fault.sh
`,
    );
    const loaded = parseYamlConfig(out.stdout, "out.yaml");
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
    assert.equal(loaded.config.instances[0]!.syncGroup, "VG_1");
  });

  it("names the line of each problem: an unknown member, a missing group block, a weighted group track, an unsupported switch", async () => {
    const conf = `${INSTANCES}vrrp_sync_group VG_1 {
    group {
        VI_EXT
        VI_NOPE
    }
}
vrrp_sync_group VG_2 {
    track_script {
        chk_haproxy weight 10
    }
    sync_group_tracking_weight
}
`;
    const out = await convert(conf);
    assert.equal(out.code, 2);
    assert.deepEqual(
      out.stderr
        .trimEnd()
        .split("\n")
        .filter((l) => !l.includes("warning")),
      [
        '/k/keepalived.conf:30: VI_NOPE: no instance named "VI_NOPE" under instances',
        "/k/keepalived.conf:33: vrrp_sync_group: needs a group { ... } block listing its instances",
        "/k/keepalived.conf:35: chk_haproxy: a weight on sync group tracking is not supported by floatip: the group's tracking puts every member in FAULT (weight 0)",
        "/k/keepalived.conf:37: sync_group_tracking_weight: keepalived feature not supported by floatip (in vrrp_sync_group VG_2): not supported: members of a floatip sync group track unweighted, as keepalived does by default (differing priorities across a group make it re-elect forever)",
      ],
    );
  });
});
