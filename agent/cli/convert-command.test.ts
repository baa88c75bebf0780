import { describe, it } from "node:test";
import assert from "node:assert/strict";
import yaml from "js-yaml";
import { runConvertCommand, CONVERT_USAGE, type ConvertIo } from "./convert-command.js";
import { parseYamlConfig } from "../config/load.js";
import { fakeIo } from "../keepalived/fake-io.js";

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
    assert.deepEqual(docs.map((d) => d["kind"]), ["Secret", "VirtualIP"]);
    assert.equal(docs[1]!["spec"].addresses[0], "192.0.2.5/24");
  });

  it("prints each error as FILE:LINE: keyword: message and exits 2", async () => {
    const bad = CONF.replace("virtual_router_id 51", "virtual_router_id 0").replace("auth_type PASS", "auth_type PASS\n    auth_tpye x");
    const out = await run(["/k/keepalived.conf"], { "/k/keepalived.conf": bad });
    assert.equal(out.code, 2);
    assert.equal(out.stdout, "");
    assert.equal(out.stderr, '/k/keepalived.conf:9: auth_tpye: unknown keyword in authentication; did you mean "auth_type"?\n');
    const range = await run(["/k/keepalived.conf"], { "/k/keepalived.conf": CONF.replace("virtual_router_id 51", "virtual_router_id 0") });
    assert.equal(range.stderr, "/k/keepalived.conf:3: virtual_router_id: must be between 1 and 255, got 0\n");
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
