import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  backupAdvertFastPath,
  initialRouterState,
  step,
  type RouterAction,
  type RouterEvent,
  type RouterParams,
  type RouterState,
} from "./state-machine.js";
import type { Advert } from "./packet.js";

const v3: RouterParams = {
  version: 3,
  priority: 100,
  advertIntervalMs: 1000,
  preempt: true,
  preemptDelayMs: 0,
  initialState: "backup",
  primaryAddress: "192.0.2.11",
  garpDelayMs: 0,
  garpRefreshMs: 0,
  garpLowerPriorityRepeat: 0,
  garpLowerPriorityDelayMs: 0,
};
/** keepalived's defaults: a lower-priority advert gets an advert and 5 GARPs, again 5 s later. */
const lowerGarp: RouterParams = { ...v3, garpLowerPriorityRepeat: 5, garpLowerPriorityDelayMs: 5000 };
const v2: RouterParams = { ...v3, version: 2 };

const advert = (priority: number, advertIntervalMs = 1000, version: 2 | 3 = 3): Advert => ({
  version,
  family: 4,
  virtualRouterId: 51,
  priority,
  advertIntervalMs,
  addresses: ["192.0.2.5"],
});

const T0 = 10_000;

function stateIn(params: RouterParams, phase: RouterState["phase"], extra: Partial<RouterState> = {}): RouterState {
  return { ...initialRouterState(params, T0 - 5000), phase, timerAt: T0, ...extra };
}

const types = (actions: readonly RouterAction[]) =>
  actions.map((a) =>
    a.type === "set-timer"
      ? `set-timer:${a.timer}@${a.at}`
      : a.type === "send-advert"
        ? `send-advert:${a.priority}`
        : a.type === "transition"
          ? `transition:${a.from}->${a.to}:${a.reason}`
          : a.type === "cancel-timer"
            ? `cancel-timer:${a.timer}`
            : a.type === "announce"
              ? `announce:${a.burst}`
              : a.type,
  );

interface Row {
  readonly name: string;
  readonly params: RouterParams;
  readonly state: RouterState;
  readonly event: RouterEvent;
  readonly now: number;
  readonly phase: RouterState["phase"];
  readonly actions: readonly string[];
  readonly check?: (s: RouterState) => void;
}

// v3 Skew_Time for priority 100 at 1 s: (156 × 1000) / 256 = 609.375 ms; MDI = 3609.375 ms.
// v2 Skew_Time for priority 100: 156/256 s = 609.375 ms as well (only the interval differs in learning).
const rows: Row[] = [
  {
    name: "§6.4.1 startup below 255 enters Backup with Master_Down_Timer",
    params: v3,
    state: initialRouterState(v3, T0),
    event: { type: "startup" },
    now: T0,
    phase: "backup",
    actions: [`set-timer:protocol@${T0 + 3609.375}`, "transition:initialize->backup:startup"],
  },
  {
    name: "§6.4.1 address owner (255) goes straight to Master",
    params: { ...v3, priority: 255 },
    state: initialRouterState({ ...v3, priority: 255 }, T0),
    event: { type: "startup" },
    now: T0,
    phase: "master",
    actions: [
      "add-addresses",
      "send-advert:255",
      "announce:initial",
      `set-timer:protocol@${T0 + 1000}`,
      "transition:initialize->master:owner-startup",
    ],
  },
  {
    name: "keepalived `state MASTER` enters Backup but waits only one advert interval",
    params: { ...v3, initialState: "master" },
    state: initialRouterState({ ...v3, initialState: "master" }, T0),
    event: { type: "startup" },
    now: T0,
    phase: "backup",
    actions: [`set-timer:protocol@${T0 + 1000}`, "transition:initialize->backup:startup"],
  },
  {
    name: "garp_master_delay schedules a second burst",
    params: { ...v3, priority: 255, garpDelayMs: 5000 },
    state: initialRouterState({ ...v3, priority: 255 }, T0),
    event: { type: "startup" },
    now: T0,
    phase: "master",
    actions: [
      "add-addresses",
      "send-advert:255",
      "announce:initial",
      `set-timer:protocol@${T0 + 1000}`,
      `set-timer:garp@${T0 + 5000}`,
      "transition:initialize->master:owner-startup",
    ],
  },
  {
    name: "§6.4.2 Master_Down_Timer fires in Backup: become Master",
    params: v3,
    state: stateIn(v3, "backup"),
    event: { type: "timer", timer: "protocol" },
    now: T0,
    phase: "master",
    actions: [
      "add-addresses",
      "send-advert:100",
      "announce:initial",
      `set-timer:protocol@${T0 + 1000}`,
      "transition:backup->master:master-down-timer",
    ],
  },
  {
    name: "a stale timer (fires before its deadline) is ignored",
    params: v3,
    state: stateIn(v3, "backup"),
    event: { type: "timer", timer: "protocol" },
    now: T0 - 1,
    phase: "backup",
    actions: [],
  },
  {
    name: "§6.4.2 higher-priority advert in Backup resets Master_Down_Timer",
    params: v3,
    state: stateIn(v3, "backup"),
    event: { type: "advert", advert: advert(150), source: "192.0.2.12" },
    now: T0 - 500,
    phase: "backup",
    actions: [`set-timer:protocol@${T0 - 500 + 3609.375}`],
    check: (s) => assert.equal(s.masterAddress, "192.0.2.12"),
  },
  {
    name: "§6.4.2 v3 Backup learns Master_Adver_Interval from the advert",
    params: v3,
    state: stateIn(v3, "backup"),
    event: { type: "advert", advert: advert(150, 100), source: "192.0.2.12" },
    now: T0,
    phase: "backup",
    // MDI = 3 × 100 + (156 × 100) / 256 = 360.9375
    actions: [`set-timer:protocol@${T0 + 360.9375}`],
    check: (s) => assert.equal(s.masterAdvertIntervalMs, 100),
  },
  {
    name: "v2 Backup does not learn the interval (RFC 3768 has no Master_Adver_Interval)",
    params: v2,
    state: stateIn(v2, "backup"),
    event: { type: "advert", advert: advert(150, 3000, 2), source: "192.0.2.12" },
    now: T0,
    phase: "backup",
    actions: [`set-timer:protocol@${T0 + 3609.375}`],
    check: (s) => assert.equal(s.masterAdvertIntervalMs, 1000),
  },
  {
    name: "§6.4.2 equal-priority advert in Backup is accepted",
    params: v3,
    state: stateIn(v3, "backup"),
    event: { type: "advert", advert: advert(100), source: "192.0.2.1" },
    now: T0,
    phase: "backup",
    actions: [`set-timer:protocol@${T0 + 3609.375}`],
  },
  {
    name: "§6.4.2 lower-priority advert with preempt is discarded (timer keeps running)",
    params: v3,
    state: stateIn(v3, "backup"),
    event: { type: "advert", advert: advert(50), source: "192.0.2.12" },
    now: T0 - 500,
    phase: "backup",
    actions: [],
    check: (s) => assert.equal(s.timerAt, T0),
  },
  {
    name: "nopreempt: lower-priority advert in Backup still resets the timer",
    params: { ...v3, preempt: false },
    state: stateIn({ ...v3, preempt: false }, "backup"),
    event: { type: "advert", advert: advert(50), source: "192.0.2.12" },
    now: T0,
    phase: "backup",
    actions: [`set-timer:protocol@${T0 + 3609.375}`],
  },
  {
    name: "nopreempt does not apply to the address owner",
    params: { ...v3, preempt: false, priority: 255 },
    state: stateIn({ ...v3, preempt: false, priority: 255 }, "backup", { effectivePriority: 255 }),
    event: { type: "advert", advert: advert(200), source: "192.0.2.12" },
    now: T0 - 100,
    phase: "backup",
    actions: [],
  },
  {
    name: "preempt_delay: a lower-priority master is tolerated until the delay ends",
    params: { ...v3, preemptDelayMs: 30_000 },
    state: stateIn(v3, "backup", { preemptAfter: T0 + 2000 }),
    event: { type: "advert", advert: advert(50), source: "192.0.2.12" },
    now: T0,
    phase: "backup",
    actions: [`set-timer:protocol@${T0 + 2000}`],
  },
  {
    name: "preempt_delay: far from its end, the timer is just reset to Master_Down_Interval",
    params: { ...v3, preemptDelayMs: 30_000 },
    state: stateIn(v3, "backup", { preemptAfter: T0 + 20_000 }),
    event: { type: "advert", advert: advert(50), source: "192.0.2.12" },
    now: T0,
    phase: "backup",
    actions: [`set-timer:protocol@${T0 + 3609.375}`],
  },
  {
    name: "§6.4.2 priority-0 advert in Backup: take over after Skew_Time only",
    params: v3,
    state: stateIn(v3, "backup"),
    event: { type: "advert", advert: advert(0), source: "192.0.2.12" },
    now: T0 - 3000,
    phase: "backup",
    actions: [`set-timer:protocol@${T0 - 3000 + 609.375}`],
  },
  {
    name: "§6.4.3 Adver_Timer fires in Master: send advert and rearm",
    params: v3,
    state: stateIn(v3, "master"),
    event: { type: "timer", timer: "protocol" },
    now: T0,
    phase: "master",
    actions: ["send-advert:100", `set-timer:protocol@${T0 + 1000}`],
  },
  {
    name: "§6.4.3 Master sends its effective priority",
    params: v3,
    state: stateIn(v3, "master", { effectivePriority: 96 }),
    event: { type: "timer", timer: "protocol" },
    now: T0,
    phase: "master",
    actions: ["send-advert:96", `set-timer:protocol@${T0 + 1000}`],
  },
  {
    name: "§6.4.3 higher-priority advert in Master: back off to Backup",
    params: v3,
    state: stateIn(v3, "master", { garpAt: T0 + 100 }),
    event: { type: "advert", advert: advert(150, 100), source: "192.0.2.12" },
    now: T0,
    phase: "backup",
    actions: [
      "send-advert:100",
      "cancel-timer:garp",
      "remove-addresses",
      `set-timer:protocol@${T0 + 360.9375}`,
      "transition:master->backup:higher-priority-advert",
    ],
    check: (s) => assert.equal(s.masterAddress, "192.0.2.12"),
  },
  {
    name: "§6.4.3 equal priority and higher primary address wins the tie",
    params: v3,
    state: stateIn(v3, "master"),
    event: { type: "advert", advert: advert(100), source: "192.0.2.12" },
    now: T0,
    phase: "backup",
    actions: [
      "send-advert:100",
      "cancel-timer:garp",
      "remove-addresses",
      `set-timer:protocol@${T0 + 3609.375}`,
      "transition:master->backup:higher-priority-advert",
    ],
  },
  {
    name: "§6.4.3 equal priority and lower primary address loses the tie (stays master, reasserts)",
    params: v3,
    state: stateIn(v3, "master"),
    event: { type: "advert", advert: advert(100), source: "192.0.2.3" },
    now: T0,
    phase: "master",
    actions: ["send-advert:100"],
  },
  {
    name: "§6.4.3 the tie-break compares numerically, not as text",
    params: { ...v3, primaryAddress: "192.0.2.9" },
    state: stateIn(v3, "master"),
    event: { type: "advert", advert: advert(100), source: "192.0.2.10" },
    now: T0,
    phase: "backup",
    actions: [
      "send-advert:100",
      "cancel-timer:garp",
      "remove-addresses",
      `set-timer:protocol@${T0 + 3609.375}`,
      "transition:master->backup:higher-priority-advert",
    ],
  },
  {
    name: "lower-priority advert in Master with lower-priority GARP off: an advert at once, no burst",
    params: v3,
    state: stateIn(v3, "master"),
    event: { type: "advert", advert: advert(50), source: "192.0.2.12" },
    now: T0,
    phase: "master",
    actions: ["send-advert:100"],
    check: (s) => assert.equal(s.timerAt, T0, "the Adver_Timer is not moved"),
  },
  {
    name: "lower-priority advert in Master: an advert and a GARP burst at once, a second burst after the delay",
    params: lowerGarp,
    state: stateIn(lowerGarp, "master"),
    event: { type: "advert", advert: advert(50), source: "192.0.2.12" },
    now: T0,
    phase: "master",
    actions: ["send-advert:100", "announce:lower-priority", `set-timer:garp@${T0 + 5000}`],
    check: (s) => {
      assert.equal(s.garpAt, T0 + 5000);
      assert.equal(s.garpBurst, "lower-priority");
      assert.equal(s.lowerPriorityQuietUntil, T0 + 5000);
    },
  },
  {
    name: "equal priority and lower primary address counts as lower: advert and burst",
    params: lowerGarp,
    state: stateIn(lowerGarp, "master"),
    event: { type: "advert", advert: advert(100), source: "192.0.2.3" },
    now: T0,
    phase: "master",
    actions: ["send-advert:100", "announce:lower-priority", `set-timer:garp@${T0 + 5000}`],
  },
  {
    name: "lower-priority adverts while the last burst round runs get the advert only",
    params: lowerGarp,
    state: stateIn(lowerGarp, "master", { lowerPriorityQuietUntil: T0 + 4000, garpAt: T0 + 4000, garpBurst: "lower-priority" }),
    event: { type: "advert", advert: advert(50), source: "192.0.2.12" },
    now: T0,
    phase: "master",
    actions: ["send-advert:100"],
    check: (s) => assert.equal(s.garpAt, T0 + 4000),
  },
  {
    name: "a lower-priority advert after the quiet window starts a new round",
    params: lowerGarp,
    state: stateIn(lowerGarp, "master", { lowerPriorityQuietUntil: T0 }),
    event: { type: "advert", advert: advert(50), source: "192.0.2.12" },
    now: T0,
    phase: "master",
    actions: ["send-advert:100", "announce:lower-priority", `set-timer:garp@${T0 + 5000}`],
  },
  {
    name: "lower-priority burst without a delay: no second burst, quiet for one advert interval",
    params: { ...lowerGarp, garpLowerPriorityDelayMs: 0 },
    state: stateIn(lowerGarp, "master"),
    event: { type: "advert", advert: advert(50), source: "192.0.2.12" },
    now: T0,
    phase: "master",
    actions: ["send-advert:100", "announce:lower-priority"],
    check: (s) => {
      assert.equal(s.garpAt, undefined);
      assert.equal(s.lowerPriorityQuietUntil, T0 + 1000);
    },
  },
  {
    name: "a pending burst due sooner than the lower-priority second burst is kept",
    params: lowerGarp,
    state: stateIn(lowerGarp, "master", { garpAt: T0 + 2000, garpBurst: "delayed" }),
    event: { type: "advert", advert: advert(50), source: "192.0.2.12" },
    now: T0,
    phase: "master",
    actions: ["send-advert:100", "announce:lower-priority"],
    check: (s) => {
      assert.equal(s.garpAt, T0 + 2000);
      assert.equal(s.garpBurst, "delayed");
    },
  },
  {
    name: "a refresh due later than the lower-priority second burst is replaced by it",
    params: { ...lowerGarp, garpRefreshMs: 60_000 },
    state: stateIn(lowerGarp, "master", { garpAt: T0 + 30_000, garpBurst: "refresh" }),
    event: { type: "advert", advert: advert(50), source: "192.0.2.12" },
    now: T0,
    phase: "master",
    actions: ["send-advert:100", "announce:lower-priority", `set-timer:garp@${T0 + 5000}`],
  },
  {
    name: "the lower-priority second burst fires, then the refresh resumes",
    params: { ...lowerGarp, garpRefreshMs: 60_000 },
    state: stateIn(lowerGarp, "master", { garpAt: T0, garpBurst: "lower-priority" }),
    event: { type: "timer", timer: "garp" },
    now: T0,
    phase: "master",
    actions: ["announce:lower-priority", `set-timer:garp@${T0 + 60_000}`],
    check: (s) => assert.equal(s.garpBurst, "refresh"),
  },
  {
    name: "a lower-priority advert in Backup is not answered (no burst, no advert)",
    params: lowerGarp,
    state: stateIn(lowerGarp, "backup"),
    event: { type: "advert", advert: advert(50), source: "192.0.2.12" },
    now: T0 - 3000,
    phase: "backup",
    actions: [],
  },
  {
    name: "becoming master again forgets the last quiet window",
    params: lowerGarp,
    state: stateIn(lowerGarp, "backup", { lowerPriorityQuietUntil: T0 + 4000 }),
    event: { type: "timer", timer: "protocol" },
    now: T0,
    phase: "master",
    actions: [
      "add-addresses",
      "send-advert:100",
      "announce:initial",
      `set-timer:protocol@${T0 + 1000}`,
      "transition:backup->master:master-down-timer",
    ],
    check: (s) => assert.equal(s.lowerPriorityQuietUntil, undefined),
  },
  {
    name: "§6.4.3 priority-0 advert in Master: send an advert at once",
    params: v3,
    state: stateIn(v3, "master"),
    event: { type: "advert", advert: advert(0), source: "192.0.2.12" },
    now: T0 - 700,
    phase: "master",
    actions: ["send-advert:100", `set-timer:protocol@${T0 + 300}`],
  },
  {
    name: "§6.4.3 shutdown in Master sends priority 0 and removes the addresses",
    params: v3,
    state: stateIn(v3, "master"),
    event: { type: "shutdown" },
    now: T0,
    phase: "initialize",
    actions: ["cancel-timer:protocol", "cancel-timer:garp", "send-advert:0", "remove-addresses", "transition:master->initialize:shutdown"],
  },
  {
    name: "§6.4.2 shutdown in Backup stops the timer and sends nothing",
    params: v3,
    state: stateIn(v3, "backup"),
    event: { type: "shutdown" },
    now: T0,
    phase: "initialize",
    actions: ["cancel-timer:protocol", "cancel-timer:garp", "transition:backup->initialize:shutdown"],
  },
  {
    name: "fault in Master gives the address up with priority 0",
    params: v3,
    state: stateIn(v3, "master"),
    event: { type: "fault" },
    now: T0,
    phase: "fault",
    actions: ["cancel-timer:protocol", "cancel-timer:garp", "send-advert:0", "remove-addresses", "transition:master->fault:fault"],
  },
  {
    name: "fault in Backup stops the Master_Down_Timer",
    params: v3,
    state: stateIn(v3, "backup"),
    event: { type: "fault" },
    now: T0,
    phase: "fault",
    actions: ["cancel-timer:protocol", "cancel-timer:garp", "transition:backup->fault:fault"],
  },
  {
    name: "Fault ignores adverts and timers",
    params: v3,
    state: stateIn(v3, "fault"),
    event: { type: "timer", timer: "protocol" },
    now: T0 + 10_000,
    phase: "fault",
    actions: [],
  },
  {
    name: "recovery from Fault enters Backup with a fresh Master_Down_Timer",
    params: v3,
    state: stateIn(v3, "fault"),
    event: { type: "recovered" },
    now: T0,
    phase: "backup",
    actions: [`set-timer:protocol@${T0 + 3609.375}`, "transition:fault->backup:recovered"],
  },
  {
    name: "effective priority change takes effect at the next advert (no immediate action)",
    params: v3,
    state: stateIn(v3, "master"),
    event: { type: "priority", effectivePriority: 96 },
    now: T0,
    phase: "master",
    actions: [],
    check: (s) => assert.equal(s.effectivePriority, 96),
  },
  {
    name: "Backup with a lowered effective priority accepts the master's advert",
    params: v3,
    state: stateIn(v3, "backup", { effectivePriority: 90 }),
    event: { type: "advert", advert: advert(95), source: "192.0.2.12" },
    now: T0,
    phase: "backup",
    // Skew with priority 90: (166 × 1000) / 256 = 648.4375
    actions: [`set-timer:protocol@${T0 + 3648.4375}`],
  },
  {
    name: "garp timer in Master sends the delayed burst and schedules the next refresh",
    params: { ...v3, garpRefreshMs: 60_000 },
    state: stateIn(v3, "master", { garpAt: T0, garpBurst: "delayed" }),
    event: { type: "timer", timer: "garp" },
    now: T0,
    phase: "master",
    actions: ["announce:delayed", `set-timer:garp@${T0 + 60_000}`],
  },
  {
    name: "garp timer after leaving Master does nothing",
    params: { ...v3, garpRefreshMs: 60_000 },
    state: stateIn(v3, "backup", { garpAt: T0 }),
    event: { type: "timer", timer: "garp" },
    now: T0,
    phase: "backup",
    actions: [],
  },
];

describe("VRRP state machine transitions", () => {
  for (const row of rows) {
    it(row.name, () => {
      const result = step(row.params, row.state, row.event, row.now);
      assert.equal(result.state.phase, row.phase);
      assert.deepEqual(types(result.actions), row.actions);
      row.check?.(result.state);
    });
  }
});

describe("VRRP state machine runs", () => {
  it("a v2 backup that hears nothing becomes master after exactly Master_Down_Interval", () => {
    let state = initialRouterState(v2, 0);
    let result = step(v2, state, { type: "startup" }, 0);
    state = result.state;
    assert.equal(state.timerAt, 3609.375);
    result = step(v2, state, { type: "timer", timer: "protocol" }, state.timerAt!);
    assert.equal(result.state.phase, "master");
  });

  it("a higher-priority backup preempts a master one Master_Down_Interval after its first lower advert", () => {
    const high = { ...v3, priority: 200 };
    let state = step(high, initialRouterState(high, 0), { type: "startup" }, 0).state;
    const deadline = state.timerAt!;
    for (let t = 500; t < deadline; t += 1000) {
      state = step(high, state, { type: "advert", advert: advert(100), source: "192.0.2.12" }, t).state;
    }
    assert.equal(state.timerAt, deadline, "lower adverts must not push the timer");
    assert.equal(step(high, state, { type: "timer", timer: "protocol" }, deadline).state.phase, "master");
  });
});

describe("backupAdvertFastPath", () => {
  const master = "192.0.2.12";
  const other = "192.0.2.13";
  const owner: RouterParams = { ...v3, priority: 255 };
  const noPreempt: RouterParams = { ...v3, preempt: false };
  const followed = (params: RouterParams, extra: Partial<RouterState> = {}) =>
    stateIn(params, "backup", { masterAddress: master, masterAdvertIntervalMs: 1000, ...extra });
  // [name, params, state, advert, source, fast path expected to take it]
  const cases: [string, RouterParams, RouterState, Advert, string, boolean][] = [
    ["the followed master, same interval (v3)", v3, followed(v3), advert(150), master, true],
    ["equal priority from the followed master", v3, followed(v3), advert(100), master, true],
    ["v2: the interval is our own", v2, followed(v2), advert(150, 1000, 2), master, true],
    ["v2: a master announcing another interval (not learnt)", v2, followed(v2), advert(150, 2000, 2), master, true],
    ["no preempt: lower priority is accepted", noPreempt, followed(noPreempt), advert(50), master, true],
    [
      "garp and preempt fields are carried over",
      v3,
      followed(v3, { preemptAfter: T0 + 500, lowerPriorityQuietUntil: 3 }),
      advert(150),
      master,
      true,
    ],
    ["v3: a new interval is learnt", v3, followed(v3), advert(150, 2000), master, false],
    ["another master", v3, followed(v3), advert(150), other, false],
    ["the first advert (no master yet)", v3, followed(v3, { masterAddress: undefined }), advert(150), master, false],
    ["priority 0: Skew_Time", v3, followed(v3), advert(0), master, false],
    ["lower priority while preempting", v3, followed(v3), advert(50), master, false],
    ["lower priority during preempt_delay", v3, followed(v3, { preemptAfter: T0 + 5000 }), advert(50), master, false],
    ["an owner preempts a lower priority", owner, followed(owner, { effectivePriority: 255 }), advert(150), master, false],
    ["master", v3, stateIn(v3, "master", { masterAddress: master }), advert(150), master, false],
    ["fault", v3, stateIn(v3, "fault", { masterAddress: master }), advert(150), master, false],
    ["initialize", v3, stateIn(v3, "initialize", { masterAddress: master }), advert(150), master, false],
  ];
  for (const [name, params, state, received, source, taken] of cases) {
    it(`${taken ? "takes" : "leaves to step()"}: ${name}`, () => {
      const now = T0 + 250;
      const fast = backupAdvertFastPath(params, state, received, source, now);
      const full = step(params, state, { type: "advert", advert: received, source }, now);
      if (!taken) {
        assert.equal(fast, undefined);
        return;
      }
      assert.ok(fast !== undefined);
      assert.deepEqual(fast, full.state, "the same state as step()");
      assert.deepEqual(
        full.actions,
        [{ type: "set-timer", timer: "protocol", at: fast.timerAt }],
        "step()'s only action is moving the deadline",
      );
      assert.ok(fast.timerAt! > state.timerAt!);
    });
  }
});
