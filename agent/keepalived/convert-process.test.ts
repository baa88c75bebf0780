/** vrrp_track_process / track_process: conversion golden output and errors with file:line. */
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

const INSTANCE = (track: string) => `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.5/24
    }
${track}}
`;

describe("floatip convert: vrrp_track_process", () => {
  it("converts every keyword (golden)", async () => {
    const conf = `vrrp_track_process haproxy {
    process haproxy -f "/etc/haproxy/haproxy.cfg"
    param_match initial
    weight -20 reverse
    quorum 2
    quorum_max 4
    delay 2
    fork_delay 0.5
}
vrrp_track_process nginx {
    process /usr/sbin/nginx
    full_command
    param_match
}
${INSTANCE("    track_process {\n        haproxy\n        nginx weight 0\n    }\n")}`;
    const out = await convert(conf);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stderr, "");
    assert.equal(
      out.stdout,
      `# floatip agent config converted from /k/keepalived.conf
trackProcesses:
  - name: haproxy
    process: haproxy
    args:
      - '-f'
      - /etc/haproxy/haproxy.cfg
    argsMatch: initial
    weight: -20
    reverse: true
    quorum: 2
    quorumMax: 4
    forkDelay: 500ms
    terminateDelay: 2s
  - name: nginx
    process: /usr/sbin/nginx
    args: []
    fullCommand: true
instances:
  - name: VI_1
    interface: eth0
    virtualRouterID: 51
    version: 2
    addresses:
      - 192.0.2.5/24
    track:
      processes:
        - haproxy
        - name: nginx
          weight: 0
`,
    );
    assert.ok(parseYamlConfig(out.stdout, "out.yaml").ok);
  });

  it("names the line of each problem", async () => {
    const conf = `vrrp_track_process p {
    weight 1
    param_match sometimes
}
${INSTANCE("    track_process {\n        nope\n    }\n")}`;
    const out = await convert(conf);
    assert.equal(out.code, 2);
    assert.deepEqual(out.stderr.trimEnd().split("\n"), [
      "/k/keepalived.conf:1: vrrp_track_process: needs a process line",
      '/k/keepalived.conf:3: param_match: must be partial or initial, got "sometimes"',
      '/k/keepalived.conf:12: nope: no tracked process named "nope" under trackProcesses',
    ]);
  });
});
