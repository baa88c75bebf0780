/**
 * track_process against real keepalived 2.2.7 (issue 16): the floatip
 * master tracks a process (a `sleep` with an argument unique to this run,
 * started by the test) with weight 0; when the test kills it by pid, the
 * VIP moves to keepalived, and back once a new one runs.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { holders, keepalivedConf, soleHolder, startKeepalived, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

const VIP = "203.0.113.7";
const VRID = 73;

describe("track_process: the master follows a tracked process (floatip vs keepalived 2.2.7)", { timeout: 90_000 }, () => {
  const fx = useLab({
    nodes: 2,
    client: false,
    stopSignal: "SIGKILL",
    cleanup: () => {
      for (const s of sleepers) if (s.exitCode === null && s.signalCode === null) s.kill("SIGKILL");
    },
  });
  const sleepers: ChildProcess[] = [];
  const tag = `900.${process.pid}${Date.now() % 100_000}`;
  const sleeper = (): ChildProcess => {
    const child = spawn("sleep", [tag], { stdio: "ignore" });
    sleepers.push(child);
    return child;
  };

  it("killing the tracked process moves the VIP to keepalived; a new one brings it back", async () => {
    const [kHost, fHost] = [fx.lab.nodes[0]!, fx.lab.nodes[1]!];
    const first = sleeper();
    const k = startKeepalived({
      lab: fx.lab,
      host: kHost,
      scratch: fx.scratch,
      conf: keepalivedConf({ ifname: kHost.ifname, vrid: VRID, priority: 100, version: 2, advertInt: "1", vips: [VIP] }),
    });
    fx.running.push(k);
    const conf = `vrrp_track_process sleeper {
    process sleep ${tag}
    weight 0
}
vrrp_instance VI_1 {
    interface ${fHost.ifname}
    virtual_router_id ${VRID}
    priority 150
    advert_int 1
    virtual_ipaddress {
        ${VIP}
    }
    track_process {
        sleeper
    }
}
`;
    const agent = startAgent({ lab: fx.lab, host: fHost, scratch: fx.scratch, config: conf });
    fx.running.push(agent);
    const diag = (e: unknown) => assert.fail(`${e}\nfloatip:\n${agent.output().slice(-4000)}\nkeepalived:\n${k.output().slice(-2000)}`);

    assert.equal(await soleHolder(fx.lab, VIP, 15_000).catch(diag), fHost.name, "floatip (150) with its process running");
    const killedAt = Date.now();
    first.kill("SIGKILL");
    await fx.lab.waitFor(async () => (await holders(fx.lab, VIP)).join() === kHost.name, 12_000, "keepalived took over").catch(diag);
    assert.ok(Date.now() - killedAt < 8000, "within a poll, Skew_Time and the check interval");
    assert.match(agent.output(), /tracked process sleeper: quorum lost/);

    sleeper();
    await fx.lab
      .waitFor(async () => (await holders(fx.lab, VIP)).join() === fHost.name, 12_000, "a new process: floatip preempts again")
      .catch(diag);
    assert.equal(await soleHolder(fx.lab, VIP, 10_000).catch(diag), fHost.name);
  });
});
