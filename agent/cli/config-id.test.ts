/**
 * keepalived's conditional lines from the command line: `--config-id ID`
 * (keepalived -i) picks which `@ID` lines count, the host name up to its
 * first dot by default; a file that starts with a parameter definition or
 * a conditional line is recognised as keepalived.conf whatever its name.
 * Run as users run it (bin/floatip, unprivileged).
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sniffFormat } from "../config/load.js";

const BIN = fileURLToPath(new URL("../../../bin/floatip", import.meta.url));

function floatip(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

const HOST = hostname().split(".")[0]!;

/** One file for two nodes; this host's own name is one of them. */
const PAIR = `$VIP=192.0.2.5/24
vrrp_instance VI_1 {
  interface lo
  virtual_router_id 51
  @lb1 priority 150
  @lb2 priority 90
  @${HOST} priority 120
  virtual_ipaddress {
    \${VIP}
  }
}
`;

describe("floatip --config-id (keepalived -i)", () => {
  let dir: string;
  let path: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "floatip-config-id-"));
    path = join(dir, "keepalived.cfg"); // not *.conf: found by its content
    writeFileSync(path, PAIR);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("convert: --config-id picks the @ID lines; without it, the host name does", async () => {
    for (const [args, priority] of [
      [["--config-id", "lb1"], 150],
      [["--config-id", "lb2"], 90],
      [[], 120],
    ] as const) {
      const run = await floatip(["convert", path, ...args]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`\\n    priority: ${priority}\\n`));
      assert.match(run.stdout, /\n      - 192\.0\.2\.5\/24\n/);
    }
  });

  it("agent --test: --config-id picks the @ID lines", async () => {
    const run = await floatip(["agent", "--config", path, "--test", "--config-id", "lb2"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /: valid \(1 instance: VI_1\)\n$/);
  });

  it("an error inside a conditional line names file:line", async () => {
    const bad = join(dir, "bad.conf");
    writeFileSync(bad, PAIR.replace("@lb2 priority 90", "@lb2 priority high"));
    const run = await floatip(["agent", "--config", bad, "--test", "--config-id", "lb2"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, new RegExp(`${bad}:6: priority: must be an integer, got "high"`));
    const other = await floatip(["agent", "--config", bad, "--test", "--config-id", "lb1"]);
    assert.equal(other.code, 0, other.stderr);
  });

  it("is refused where there is no keepalived.conf", async () => {
    const run = await floatip(["convert", "--from", "metallb", path, "--config-id", "x"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--config-id applies to --from keepalived only/);
  });
});

describe("a keepalived.conf that starts with the preprocessor is recognised by its content", () => {
  const cases: readonly [string, string | undefined][] = [
    ["$IFACE=eth0\nvrrp_instance x {\n}\n", "keepalived"],
    ["# c\n@lb1 global_defs {\n}\n", "keepalived"],
    ["@^lb1 $P=1\n", "keepalived"],
    ["~SEQ(N, 1, 3) include n$N.conf\n", "keepalived"],
    ["instances:\n  - name: x\n", "yaml"],
    ["includea /etc/keepalived/conf.d/*.conf\n", "keepalived"],
  ];
  for (const [text, format] of cases) it(JSON.stringify(text.split("\n")[0]), () => assert.equal(sniffFormat(text), format));
});
