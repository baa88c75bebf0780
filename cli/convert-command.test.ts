import { describe, it } from "node:test";
import assert from "node:assert/strict";
import yaml from "js-yaml";
import { runConvertCommand, CONVERT_USAGE, type ConvertIo } from "./convert-command.js";
import { parseYamlConfig } from "../agent/config/load.js";
import { fakeIo } from "../agent/keepalived/fake-io.js";

const CONF = `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    192.0.2.5/24
  }
  authentication {
    auth_type PASS
    auth_pass pw
  }
}
`;

async function run(argv: readonly string[], files: Record<string, string>) {
  let stdout = "";
  let stderr = "";
  const io: ConvertIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), files: fakeIo(files) };
  const code = await runConvertCommand(argv, io);
  return { code, stdout, stderr };
}

describe("floatip convert", () => {
  it("prints floatip YAML that loads as the same config", async () => {
    const out = await run(["/k/keepalived.conf"], { "/k/keepalived.conf": CONF });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stderr, "");
    const loaded = parseYamlConfig(out.stdout, "out.yaml");
    assert.ok(loaded.ok);
    assert.equal(loaded.config.instances[0]!.version, 2);
    assert.match(out.stdout, /^# floatip agent config converted from \/k\/keepalived.conf\n/);
  });

  it("prints VirtualIP resources with --to virtualip", async () => {
    const out = await run(["--to", "virtualip", "/k/keepalived.conf"], { "/k/keepalived.conf": CONF });
    assert.equal(out.code, 0, out.stderr);
    const docs = yaml.loadAll(out.stdout) as Record<string, any>[];
    assert.deepEqual(
      docs.map((d) => d["kind"]),
      ["Secret", "VirtualIP"],
    );
    assert.equal(docs[1]!["spec"].addresses[0], "192.0.2.5/24");
  });

  it("prints all errors at once, sorted by line, as FILE:LINE: keyword: message and exits 2", async () => {
    // Before issue 16 only the translation error (line 9) came out; the range error (line 3) needed a second run.
    const bad = CONF.replace("virtual_router_id 51", "virtual_router_id 0").replace("auth_type PASS", "auth_type PASS\n    auth_tpye x");
    const out = await run(["/k/keepalived.conf"], { "/k/keepalived.conf": bad });
    assert.equal(out.code, 2);
    assert.equal(out.stdout, "");
    assert.equal(
      out.stderr,
      '/k/keepalived.conf:3: virtual_router_id: must be between 1 and 255, got 0\n/k/keepalived.conf:9: auth_tpye: unknown keyword in authentication; did you mean "auth_type"?\n',
    );
    const range = await run(["/k/keepalived.conf"], { "/k/keepalived.conf": CONF.replace("virtual_router_id 51", "virtual_router_id 0") });
    assert.equal(range.stderr, "/k/keepalived.conf:3: virtual_router_id: must be between 1 and 255, got 0\n");
  });

  it("converts the VRRP half of a real-world style config, warning about each accepted and skipped statement (golden)", async () => {
    const conf = `! Configuration File for keepalived
global_defs {
   notification_email {
     ops@example.org
   }
   notification_email_from lb@example.org
   smtp_server 192.0.2.25
   smtp_connect_timeout 30
   router_id LVS_DEVEL
   vrrp_skip_check_adv_addr
   vrrp_garp_interval 0
   vrrp_gna_interval 0
}

vrrp_instance VI_1 {
    state SLAVE
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111222233
    }
    track_interface eth1
    virtual_ipaddress {
        192.0.2.16
        192.0.2.17
        192.0.2.16
    }
}

virtual_server 192.0.2.16 443 {
    delay_loop 6
    lb_algo rr
    real_server 198.51.100.2 443 {
        weight 1
    }
}
`;
    const out = await run(["/k/keepalived.conf"], { "/k/keepalived.conf": conf });
    assert.equal(out.code, 0, out.stderr);
    const mail = "ignored: floatip sends no e-mail; run a notify script (notify, notify_master ...) to alert on transitions";
    assert.deepEqual(out.stderr.trimEnd().split("\n"), [
      `/k/keepalived.conf:3: warning: notification_email: ${mail}`,
      `/k/keepalived.conf:6: warning: notification_email_from: ${mail}`,
      `/k/keepalived.conf:7: warning: smtp_server: ${mail}`,
      `/k/keepalived.conf:8: warning: smtp_connect_timeout: ${mail}`,
      "/k/keepalived.conf:9: warning: router_id: ignored: a label of this keepalived process; floatip has no use for it",
      "/k/keepalived.conf:10: warning: vrrp_skip_check_adv_addr: ignored: floatip skips every check for a repeat of the last advert from the same master, and takes an advert whose address list differs from its own when it comes from a unicast peer or shares an address (docs/reload.md), which covers what this setting is for",
      "/k/keepalived.conf:16: warning: state: SLAVE is read as BACKUP, as keepalived does",
      '/k/keepalived.conf:23: warning: auth_pass: is longer than 8 bytes; keepalived sends only the first 8, "11112222", and floatip uses the same 8 (so both interoperate)',
      "/k/keepalived.conf:29: warning: 192.0.2.16: 192.0.2.16 is listed twice (first at /k/keepalived.conf:27); floatip adds it once, as keepalived does",
      "/k/keepalived.conf:33: warning: virtual_server: skipped virtual_server 192.0.2.16 443: LVS is keepalived's load balancer, not part of floatip; only the VRRP part is converted",
    ]);
    assert.equal(
      out.stdout,
      `# floatip agent config converted from /k/keepalived.conf
instances:
  - name: VI_1
    interface: eth0
    virtualRouterID: 51
    version: 2
    addresses:
      - 192.0.2.16
      - 192.0.2.17
    authentication:
      type: pass
      password: '11112222'
    track:
      interfaces:
        - eth1
`,
    );
  });

  it("rejects bad usage with exit 2", async () => {
    for (const argv of [[], ["a.conf", "b.conf"], ["--to", "json", "a.conf"], ["--frob", "a.conf"]]) {
      const out = await run(argv, {});
      assert.equal(out.code, 2, argv.join(" "));
      assert.match(out.stderr, /^floatip convert: /);
    }
    assert.match(CONVERT_USAGE, /^usage: floatip convert FILE.conf/);
  });

  it("reports an unreadable file", async () => {
    const out = await run(["/missing.conf"], {});
    assert.equal(out.code, 2);
    assert.match(out.stderr, /^\/missing.conf: cannot read: /);
  });
});
