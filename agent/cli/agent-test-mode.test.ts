/**
 * `floatip agent --config FILE --test` (keepalived -t), run as users run it
 * (bin/floatip, unprivileged): every error and warning at once, sorted by
 * file and line; exit 0 when valid, 2 when not; a keepalived.conf is found
 * by its content whatever its name; LVS sections need --skip-lvs.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../../bin/floatip", import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function floatip(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

const GOOD = `! keepalived syntax in a file whose name says nothing
global_defs {
  router_id lb-a
}
vrrp_instance VI_1 {
  interface lo
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.0.2.5/24
  }
}
`;

// Three problems: a translation error (line 8), a validation error (line 4), a refused keyword (line 9).
const BAD = `vrrp_instance VI_1 {
  interface eth0
  state BACKUP
  virtual_router_id 300
  virtual_ipaddress {
    192.0.2.5/24
  }
  priorty 100
  use_ipvlan
}
`;

const LVS = `${GOOD}virtual_server 192.0.2.5 80 {
  real_server 198.51.100.10 80 {
    weight 1
  }
}
`;

describe("floatip agent --test", () => {
  let dir = "";
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "floatip-agent-test-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("exits 0 for a valid keepalived file not named *.conf, found by its content, with its warnings", async () => {
    const path = file("lb-config", GOOD);
    for (const flag of ["--test", "-t"]) {
      const run = await floatip(["agent", "--config", path, flag]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `${path}: valid (1 instance: VI_1)\n`);
      assert.equal(run.stderr, `warning: ${path}:3: router_id: ignored: a label of this keepalived process; floatip has no use for it\n`);
    }
  });

  it("exits 2 with every error at once, sorted by line", async () => {
    const path = file("bad.conf", BAD);
    const run = await floatip(["agent", "--config", path, "--test"]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.deepEqual(run.stderr.trimEnd().split("\n"), [
      `invalid config: ${path}:4: virtual_router_id: must be between 1 and 255, got 300`,
      `invalid config: ${path}:8: priorty: unknown keyword in vrrp_instance VI_1; did you mean "priority"?`,
      `invalid config: ${path}:9: use_ipvlan: keepalived feature not supported by floatip (in vrrp_instance VI_1): not supported yet: floatip aliases the VIP on the interface itself`,
    ]);
  });

  it("refuses LVS sections unless --skip-lvs, then names each skipped block", async () => {
    const path = file("lvs.conf", LVS);
    const refused = await floatip(["agent", "--config", path, "--test"]);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      new RegExp(
        `${path}:13: virtual_server: LVS \\(keepalived's load balancer\\) is not part of floatip; run the VRRP part alone with floatip agent --skip-lvs`,
      ),
    );
    const skipped = await floatip(["agent", "--config", path, "--test", "--skip-lvs"]);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(
      skipped.stderr,
      new RegExp(`warning: ${path}:13: virtual_server: skipped virtual_server 192.0.2.5 80: LVS is keepalived's load balancer`),
    );
  });

  it("says --format keepalived when a keepalived file is not recognised", async () => {
    // Starts with a keyword the content check does not know: read as YAML, which fails.
    const path = file("odd", `vrrp_garbage x {\n}\n${GOOD}`);
    const run = await floatip(["agent", "--config", path, "--test"]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `invalid config: ${path}: is not floatip YAML (a mapping with instances:); a keepalived.conf is read with --format keepalived\n`,
    );
    const broken = await floatip(["agent", "--config", file("broken", "vrrp_garbage {\n  a: b\n"), "--test"]);
    assert.match(broken.stderr, /not valid YAML: .*\(a keepalived\.conf is read with --format keepalived\)/);
    const forced = await floatip(["agent", "--config", path, "--test", "--format", "keepalived"]);
    assert.equal(forced.code, 2);
    assert.match(forced.stderr, /:1: vrrp_garbage: unknown keyword in the top level/);
  });

  it("validates floatip YAML too, and a YAML file named *.conf by its content", async () => {
    const yaml = "instances:\n  - name: web\n    interface: lo\n    virtualRouterId: 51\n    addresses: [192.0.2.5/24]\n";
    for (const name of ["agent.yaml", "agent.conf"]) {
      const run = await floatip(["agent", "--config", file(name, yaml), "--test"]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /: valid \(1 instance: web\)\n$/);
    }
    const bad = await floatip(["agent", "--config", file("bad.yaml", yaml.replace("51", "0")), "--test"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /instances\[0\]\.virtualRouterId: must be between 1 and 255, got 0/);
  });

  it("a notify FIFO path that is a regular file is a config error naming the line or field (exit 2); a FIFO or nothing there is fine", async () => {
    const regular = file("not-a-fifo", "");
    const conf = (path: string) => GOOD.replace("  router_id lb-a\n", `  router_id lb-a\n  notify_fifo ${path}\n`);
    const path = file("fifo.conf", conf(regular));
    const run = await floatip(["agent", "--config", path, "--test"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`invalid config: ${path}:4: ${regular} exists and is not a FIFO`));
    const yaml = `notifyFifos:\n  - path: ${regular}\ninstances:\n  - name: web\n    interface: lo\n    virtualRouterId: 51\n    addresses: [192.0.2.5/24]\n`;
    const yamlPath = file("fifo.yaml", yaml);
    const yamlRun = await floatip(["agent", "--config", yamlPath, "--test"]);
    assert.equal(yamlRun.code, 2);
    assert.match(yamlRun.stderr, new RegExp(`invalid config: ${yamlPath}: notifyFifos\\[0\\]\\.path: ${regular} exists and is not a FIFO`));
    const missing = await floatip(["agent", "--config", file("fifo-missing.conf", conf(join(dir, "later.fifo"))), "--test"]);
    assert.equal(missing.code, 0, missing.stderr);
  });

  it("a missing interface is a config error naming it (exit 2), as in keepalived", async () => {
    const path = file("missing.conf", GOOD.replace("interface lo", "interface floatip-nx0"));
    const run = await floatip(["agent", "--config", path, "--test"]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      new RegExp(`invalid config: ${path}: instance VI_1: interface floatip-nx0 does not exist on this host \\(it has .*\\blo\\b`),
    );
  });

  it("rejects --test with --kubernetes", async () => {
    const run = await floatip(["agent", "--kubernetes", "--node-name", "n", "--test"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--test checks --config FILE or --config-env NAME, not --kubernetes/);
  });
});
