import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeSegment } from "../runtime/fakes.js";
import { validateAgentConfig } from "../config/validate.js";
import { runClock, simulatedAgent } from "../runtime/simulated-agents.js";
import type { ProcessInfo } from "./process-match.js";

describe("track_process in the agent", () => {
  it("the instance goes to FAULT within a poll of the process's end, and back when it runs again", async () => {
    const clock = new ManualClock(0);
    let processes: ProcessInfo[] = [{ pid: 42, comm: "haproxy", argv: ["/usr/sbin/haproxy", "-f", "/etc/haproxy.cfg"], zombie: false }];
    const result = validateAgentConfig({
      trackProcesses: [{ name: "haproxy", process: "haproxy", weight: 0 }],
      instances: [{ name: "vip", interface: "eth0", virtualRouterId: 51, addresses: ["192.0.2.5/24"], track: { processes: ["haproxy"] } }],
    });
    assert.ok(result.ok, JSON.stringify(result));
    const { supervisor } = simulatedAgent({
      clock,
      segment: new FakeSegment(),
      address: "192.0.2.11",
      addresses: new FakeAddressTable(),
      listProcesses: async () => processes,
    });
    await supervisor.apply(result.config);
    await runClock(clock, 4000);
    assert.equal(supervisor.snapshot()[0]?.phase, "master");
    processes = [];
    await runClock(clock, 600);
    assert.equal(supervisor.snapshot()[0]?.phase, "fault");
    processes = [{ pid: 43, comm: "haproxy", argv: ["haproxy"], zombie: false }];
    await runClock(clock, 600);
    assert.equal(supervisor.snapshot()[0]?.phase, "backup");
    await supervisor.stop();
  });
});
