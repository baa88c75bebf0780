import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeSpawner } from "../health/fakes.js";
import { validateAgentConfig } from "../config/validate.js";
import type { AgentConfig } from "../config/types.js";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeSegment } from "./fakes.js";
import { runClock, simulatedAgent } from "./simulated-agents.js";
import { RouterConditions } from "./router-view.js";
import { describeCause, transitionCause, type FaultCause, type TransitionCause } from "../vrrp/transition.js";
import type { Phase } from "../vrrp/state-machine.js";

describe("the cause a transition carries", () => {
  const table: readonly [string, Phase, readonly FaultCause[], string | undefined, TransitionCause | undefined, string | undefined][] = [
    [
      "a failed check: FAULT with its words",
      "fault",
      ["health"],
      "FAULT after script chk failed (FAULT)",
      { kind: "fault", faults: ["health"], health: "FAULT after script chk failed (FAULT)" },
      "FAULT after script chk failed (FAULT)",
    ],
    [
      "the interface down: FAULT names it, not an older health change",
      "fault",
      ["interface"],
      "priority 100→90 after script chk failed (-10)",
      { kind: "fault", faults: ["interface"] },
      "FAULT: its interface is down or gone",
    ],
    [
      "several kernel causes",
      "fault",
      ["source-address", "address"],
      undefined,
      { kind: "fault", faults: ["source-address", "address"] },
      "FAULT: its source address is gone, a virtual address could not be added again",
    ],
    ["the sync group", "fault", ["sync-group"], undefined, { kind: "fault", faults: ["sync-group"] }, "FAULT: its sync group is in FAULT"],
    [
      "back to backup after a health change",
      "backup",
      [],
      "fault cleared after script chk failed (FAULT) cleared",
      { kind: "health", health: "fault cleared after script chk failed (FAULT) cleared" },
      "fault cleared after script chk failed (FAULT) cleared",
    ],
    ["backup with no health change: none", "backup", [], undefined, undefined, undefined],
    ["master: none", "master", [], "priority 90→100 after script chk ok (-10) cleared", undefined, undefined],
    ["initialize (stop): none", "initialize", [], "FAULT after script chk failed (FAULT)", undefined, undefined],
  ];
  for (const [name, to, faults, health, cause, text] of table) {
    it(name, () => {
      const got = transitionCause(to, faults, health);
      assert.deepEqual(got, cause);
      assert.equal(got === undefined ? undefined : describeCause(got), text);
    });
  }
});

/** One instance alone on the segment tracking a weight-0 script that runs every 2 s. */
function config(): AgentConfig {
  const result = validateAgentConfig({
    scripts: [{ name: "chk", command: "/usr/bin/check", interval: "2s", timeout: "1s", weight: 0 }],
    instances: [
      {
        name: "vip",
        interface: "eth0",
        virtualRouterId: 51,
        priority: 100,
        addresses: ["192.0.2.5/24"],
        track: { scripts: [{ name: "chk" }] },
      },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

describe("a transition's log line says why (from the transition, not a separate hook)", () => {
  it("a failing check's FAULT and its recovery carry the health change's words", async () => {
    const clock = new ManualClock(0);
    let code = 0;
    const spawner = new FakeSpawner((process) => queueMicrotask(() => process.exit(code)));
    const agent = simulatedAgent({
      clock,
      segment: new FakeSegment(),
      address: "192.0.2.11",
      addresses: new FakeAddressTable(),
      spawner,
      minLevel: "info",
    });
    await agent.supervisor.apply(config());
    await runClock(clock, 5000);
    code = 1;
    await runClock(clock, 2100);
    code = 0;
    await runClock(clock, 2100);
    const transitions = agent.logs
      .filter((l) => l.includes(" -> "))
      .map((l) => JSON.parse(l) as { from: string; to: string; cause?: string });
    assert.deepEqual(
      transitions.map((t) => [t.from, t.to, t.cause]),
      [
        ["initialize", "backup", undefined],
        ["backup", "master", undefined],
        ["master", "fault", "FAULT after script chk failed (FAULT)"],
        ["fault", "backup", "fault cleared after script chk failed (FAULT) cleared"],
      ],
    );
    await agent.supervisor.stop();
  });
});

describe("a router's conditions besides the protocol", () => {
  it("FAULT while any fault cause holds; each change of a cause is reported once", () => {
    const c = new RouterConditions();
    assert.equal(c.setFault("interface", true), true);
    assert.equal(c.setFault("interface", true), false, "already held");
    assert.equal(c.setFault("sync-group", true), true);
    assert.equal(c.inFault, true);
    assert.equal(c.ownFault(), true);
    assert.equal(c.setFault("interface", false), true);
    assert.deepEqual([c.inFault, c.ownFault(), c.faultCauses()], [true, false, ["sync-group"]], "only the group's FAULT is left");
    assert.equal(c.setFault("sync-group", false), true);
    assert.equal(c.inFault, false);
  });

  it("held while any hold cause holds; says the new held state only when it changes", () => {
    const c = new RouterConditions();
    assert.equal(c.setHold("pending", true), true);
    assert.equal(c.setHold("startup-delay", true), undefined);
    assert.equal(c.setHold("pending", false), undefined);
    assert.equal(c.setHold("startup-delay", false), false);
    assert.equal(c.setHold("sync-group", false), undefined);
  });

  it("a transition's cause: the fault causes holding and the last health change", () => {
    const c = new RouterConditions();
    c.healthChanged("FAULT after file /run/x = 0 (FAULT)");
    c.setFault("health", true);
    assert.deepEqual(c.causeOf("fault"), { kind: "fault", faults: ["health"], health: "FAULT after file /run/x = 0 (FAULT)" });
    assert.equal(c.causeOf("master"), undefined);
  });
});
