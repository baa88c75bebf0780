/**
 * The VRRPv2 password stays in the config and on the wire (where RFC 3768
 * puts it in clear text) and nowhere else: two agents with `auth_type PASS`
 * (one from YAML, one from a keepalived.conf), debug logging, notify, state
 * records, metrics and /state, adverts with a wrong password and with the
 * right one but a wrong address list, a handover and a preemption, and
 * rejected configs; then every log line, endpoint and file is searched.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { createLab, type Lab, type LabHost } from "./netns.js";
import { encodeAdvert } from "../../agent/vrrp/codec.js";
import {
  FLOATIP_BIN,
  Scratch,
  holders,
  httpGetIn,
  keepalivedConf,
  metricSum,
  soleHolder,
  startAgent,
  stopSpeaker,
  type Speaker,
} from "./vrrp-lab.js";
import type { FloodPlan } from "./flood-sender.js";
import { fileURLToPath } from "node:url";

const PASSWORD = "Pw-L3ak9";
const VIP = "192.0.2.5";
const VRID = 81;
const PORT = 9141;
const SENDER = fileURLToPath(new URL("./flood-sender.js", import.meta.url));

/** Every file under dir, as text. */
function filesUnder(dir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push([path, readFileSync(path, "utf8")]);
  }
  return out;
}

describe("the VRRPv2 password never leaves the config", { timeout: 120_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  const speakers: Speaker[] = [];

  before(async () => {
    lab = await createLab({ nodes: 2 });
    scratch = new Scratch();
  });
  after(async () => {
    await Promise.all(speakers.map((s) => stopSpeaker(lab, s, "SIGKILL")));
    await lab?.destroy();
    scratch?.cleanup();
  });

  it("is in no log line, metric, /state, state record, notify argument or config error", async () => {
    const [n1, n2] = lab.nodes as [LabHost, LabHost];
    const attacker = lab.client!;
    const out = join(scratch.dir, "out"); // everything the agents write goes under here
    const notifyLog = join(out, "notify.log");
    const notify = scratch.write("notify.sh", `#!/bin/sh\nmkdir -p ${out} && echo "$@" >> ${notifyLog}\n`);
    chmodSync(notify, 0o755);
    const yamlConfig = {
      instances: [
        {
          name: "vip",
          virtualRouterId: VRID,
          version: 2,
          priority: 150,
          advertInterval: 1,
          addresses: [`${VIP}/24`],
          authentication: { type: "pass", password: PASSWORD },
          notify: { any: notify },
          stateFile: join(out, "n1.state"),
        },
      ],
    };
    const startN1 = () => {
      const s = startAgent({ lab, host: n1, scratch, config: yamlConfig, metricsPort: PORT }); // state records in scratch/state-n1
      speakers.push(s);
      return s;
    };
    let n1Agent = startN1();
    const conf = scratch.write(
      "n2.conf",
      keepalivedConf({ ifname: n2.ifname, vrid: VRID, priority: 100, version: 2, advertInt: "1", vips: [`${VIP}/24`], password: PASSWORD }),
    );
    const n2Agent = lab.spawnIn(n2.ns, [
      process.execPath,
      FLOATIP_BIN,
      "agent",
      "--config",
      conf,
      "--log-level",
      "debug",
      "--state-dir",
      join(out, "state-n2"),
      "--metrics-address",
      `${n2.ipv4}:${PORT}`,
    ]);
    let n2Text = "";
    n2Agent.stdout?.on("data", (d: Buffer) => (n2Text += d.toString()));
    n2Agent.stderr?.on("data", (d: Buffer) => (n2Text += d.toString()));
    speakers.push({ kind: "agent", host: n2, child: n2Agent, output: () => n2Text });
    assert.equal(await soleHolder(lab, VIP, 10_000, lab.nodes, 500), "n1");

    // Adverts that fail the checks after decoding (logged at debug): a wrong password, and the right one with a wrong address list.
    const v2 = (password: string, addresses: string[]) =>
      encodeAdvert(
        {
          version: 2,
          family: 4,
          virtualRouterId: VRID,
          priority: 254,
          advertIntervalMs: 1000,
          addresses,
          authType: 1,
          password: Buffer.from(password),
        },
        { source: attacker.ipv4, destination: "224.0.0.18" },
      ).toString("hex");
    const plan: FloodPlan = {
      packets: [
        { hex: v2("Wrong-pw", [VIP]), ttl: 255, destination: "224.0.0.18" },
        { hex: v2(PASSWORD, ["192.0.2.99"]), ttl: 255, destination: "224.0.0.18" },
      ],
      rounds: 10,
      gapMs: 5,
      deadlineMs: 10_000,
    };
    await lab.exec(attacker.ns, ["ip", "route", "replace", "224.0.0.0/4", "dev", attacker.ifname]);
    await lab.exec(attacker.ns, [process.execPath, SENDER, scratch.write("plan.json", JSON.stringify(plan))], { timeoutMs: 20_000 });

    const endpoints: string[] = [];
    const readEndpoints = async () => {
      for (const h of [n1, n2])
        for (const path of ["metrics", "state"]) endpoints.push(await httpGetIn(lab, h, `http://${h.ipv4}:${PORT}/${path}`));
    };
    await lab.waitFor(
      async () =>
        metricSum(await httpGetIn(lab, n1, `http://${n1.ipv4}:${PORT}/metrics`), "floatip_packets_dropped_total", {
          reason: "address-mismatch",
        }) >= 10,
      3000,
      "the drops counted",
    );
    await readEndpoints();

    // Handover (SIGTERM: priority 0) and preemption back.
    await stopSpeaker(lab, n1Agent, "SIGTERM");
    await lab.waitFor(async () => (await holders(lab, VIP)).join() === "n2", 5000, "n2 took over");
    n1Agent = startN1();
    await lab.waitFor(async () => (await holders(lab, VIP)).join() === "n1", 10_000, "n1 preempts");
    await readEndpoints();
    const check = await lab.exec(n1.ns, [
      process.execPath,
      FLOATIP_BIN,
      "check",
      "--instance",
      "vip",
      "--expect",
      "MASTER",
      "--state-dir",
      join(scratch.dir, "state-n1"),
    ]);

    // Checked configs: a YAML number as password (rejected), a keepalived auth_pass too long (cut to
    // the 8 bytes keepalived sends, with a warning that does not show them).
    const rejected: string[] = [];
    for (const [name, text, exit] of [
      ["bad.yaml", yaml.dump({ instances: [{ ...yamlConfig.instances[0], authentication: { type: "pass", password: 20240607 } }] }), 2],
      [
        "long.conf",
        keepalivedConf({
          ifname: "eth0",
          vrid: VRID,
          priority: 100,
          version: 2,
          advertInt: "1",
          vips: [`${VIP}/24`],
          password: `${PASSWORD}-long`,
        }),
        0,
      ],
    ] as const) {
      const result = await lab.exec(n1.ns, [
        "sh",
        "-c",
        `${process.execPath} ${FLOATIP_BIN} agent --config ${scratch.write(name, text)} --test 2>&1; echo "exit $?"`,
      ]);
      assert.match(result, new RegExp(`exit ${exit}\n$`), result);
      rejected.push(result);
    }
    assert.match(rejected[0]!, /instances\[0\]\.authentication\.password: must be a non-empty string/);
    assert.doesNotMatch(rejected[0]!, /20240607/, "the rejected password is not echoed");
    assert.match(rejected[1]!, /auth_pass: is longer than 8 bytes; keepalived sends only the first 8 and floatip uses the same 8/);

    await stopSpeaker(lab, n1Agent, "SIGTERM");
    const logs = speakers.map((s) => s.output()).join("\n");
    const files = [...filesUnder(out), ...filesUnder(join(scratch.dir, "state-n1"))];
    // The searched material is the real thing: debug drops, transitions, notify calls, state records.
    assert.match(logs, /"msg":"advert dropped".*"reason":"auth-mismatch"/);
    assert.match(logs, /"msg":"advert dropped".*"reason":"address-mismatch"/);
    assert.match(logs, /"msg":"master -> initialize"/);
    assert.ok(
      endpoints.some((e) => e.includes('floatip_packets_dropped_total{interface="eth0",vrrp_instance="vip",reason="auth-mismatch"}')),
      endpoints[0],
    );
    assert.ok(
      files.some(([path]) => path === notifyLog) && files.some(([path]) => path.endsWith("n1.state")),
      files.map(([p]) => p).join(", "),
    );
    assert.ok(files.some(([path]) => path.includes("state-n2")) && files.some(([path]) => path.includes("state-n1")));
    assert.match(check, /FLOATIP OK/);

    for (const [what, text] of [
      ["agent logs", logs],
      ["metrics and /state", endpoints.join("\n")],
      ["floatip check", check],
      ["rejected configs", rejected.join("\n")],
      ...files,
    ] as const) {
      assert.ok(!text.includes(PASSWORD), `the password appears in ${what}`);
    }
  });
});
