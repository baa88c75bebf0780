import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  duplicateConflicts,
  NOT_MASTER,
  stepDuplicate,
  type DuplicateAction,
  type DuplicateEvent,
  type DuplicateParams,
  type DuplicateState,
} from "./duplicate-detector.js";

const params: DuplicateParams = { probeIntervalMs: 10_000, confirmDelayMs: 2000, answerWindowMs: 1000 };
const VIP = "192.0.2.5";
const OTHER = "192.0.2.6";
const MAC = "02:00:00:00:00:99";

type Row = readonly [at: number, event: DuplicateEvent | "tick"];

/** Runs events in order; returns every action as text, the final state and the last wake time. */
function run(rows: readonly Row[], options: { params?: DuplicateParams; addresses?: readonly string[] } = {}) {
  let state: DuplicateState = NOT_MASTER;
  let wakeAt: number | undefined;
  const log: string[] = [];
  for (const [at, e] of rows) {
    const event: DuplicateEvent = e === "tick" ? { type: "tick" } : e;
    const step = stepDuplicate(options.params ?? params, options.addresses ?? [VIP], state, event, at);
    state = step.state;
    wakeAt = step.wakeAt;
    for (const a of step.actions) log.push(`${at} ${text(a)}`);
  }
  return { log, state, wakeAt };
}

function text(a: DuplicateAction): string {
  switch (a.type) {
    case "probe":
      return `probe ${a.address}`;
    case "suspected":
      return `suspected ${a.address} ${a.mac}`;
    case "detected":
      return `detected ${a.address} ${a.mac}`;
    case "resolved":
      return `resolved ${a.address} ${a.mac} (${a.why})`;
  }
}

const master: DuplicateEvent = { type: "became-master" };
const backup: DuplicateEvent = { type: "left-master" };
const claim = (address = VIP, mac = MAC): DuplicateEvent => ({ type: "claim", address, mac });

describe("duplicate-address detector", () => {
  const table: { name: string; rows: Row[]; log: string[]; conflicts: number; wakeAt?: number | undefined; addresses?: string[] }[] = [
    {
      name: "takeover probes every address at once and schedules the next periodic probe",
      rows: [[100, master]],
      addresses: [VIP, OTHER],
      log: [`100 probe ${VIP}`, `100 probe ${OTHER}`],
      conflicts: 0,
      wakeAt: 10_100,
    },
    {
      name: "no answer: periodic probes only, never a conflict",
      rows: [
        [0, master],
        [10_000, "tick"],
        [20_000, "tick"],
      ],
      log: [`0 probe ${VIP}`, `10000 probe ${VIP}`, `20000 probe ${VIP}`],
      conflicts: 0,
      wakeAt: 30_000,
    },
    {
      name: "a static holder: answers the takeover probe and the confirming probe -> conflict",
      rows: [
        [0, master],
        [3, claim()],
        [2003, "tick"],
        [2004, claim()],
      ],
      log: [`0 probe ${VIP}`, `3 suspected ${VIP} ${MAC}`, `2003 probe ${VIP}`, `2004 detected ${VIP} ${MAC}`],
      conflicts: 1,
      wakeAt: 10_000,
    },
    {
      name: "the old master answering right after takeover, then gone: suspicion only, dropped after the window",
      rows: [
        [0, master],
        [2, claim()],
        [2002, "tick"],
        [3002, "tick"],
      ],
      log: [`0 probe ${VIP}`, `2 suspected ${VIP} ${MAC}`, `2002 probe ${VIP}`],
      conflicts: 0,
      wakeAt: 10_000,
    },
    {
      name: "a preempting peer's gratuitous ARP, then we become backup: nothing reported",
      rows: [
        [0, master],
        [50_000, claim()],
        [50_001, backup],
        [52_000, "tick"],
      ],
      log: [`0 probe ${VIP}`, `50000 suspected ${VIP} ${MAC}`],
      conflicts: 0,
      wakeAt: undefined,
    },
    {
      name: "claims before the confirming probe do not confirm it",
      rows: [
        [0, master],
        [1, claim()],
        [500, claim()],
        [1500, claim()],
        [2001, "tick"],
        [3001, "tick"],
      ],
      log: [`0 probe ${VIP}`, `1 suspected ${VIP} ${MAC}`, `2001 probe ${VIP}`],
      conflicts: 0,
    },
    {
      name: "a conflict lasts while periodic probes are answered",
      rows: [
        [0, master],
        [1, claim()],
        [2001, "tick"],
        [2002, claim()],
        [10_000, "tick"],
        [10_001, claim()],
        [11_000, "tick"],
      ],
      log: [`0 probe ${VIP}`, `1 suspected ${VIP} ${MAC}`, `2001 probe ${VIP}`, `2002 detected ${VIP} ${MAC}`, `10000 probe ${VIP}`],
      conflicts: 1,
      wakeAt: 20_000,
    },
    {
      name: "a conflict resolves when a periodic probe draws no answer within the window",
      rows: [
        [0, master],
        [1, claim()],
        [2001, "tick"],
        [2002, claim()],
        [10_000, "tick"],
        [11_000, "tick"],
      ],
      log: [
        `0 probe ${VIP}`,
        `1 suspected ${VIP} ${MAC}`,
        `2001 probe ${VIP}`,
        `2002 detected ${VIP} ${MAC}`,
        `10000 probe ${VIP}`,
        `11000 resolved ${VIP} ${MAC} (no-answer)`,
      ],
      conflicts: 0,
      wakeAt: 20_000,
    },
    {
      name: "leaving master resolves a conflict (we no longer hold the address)",
      rows: [
        [0, master],
        [1, claim()],
        [2001, "tick"],
        [2002, claim()],
        [5000, backup],
      ],
      log: [
        `0 probe ${VIP}`,
        `1 suspected ${VIP} ${MAC}`,
        `2001 probe ${VIP}`,
        `2002 detected ${VIP} ${MAC}`,
        `5000 resolved ${VIP} ${MAC} (not-master)`,
      ],
      conflicts: 0,
      wakeAt: undefined,
    },
    {
      name: "claims while backup are ignored",
      rows: [
        [0, claim()],
        [1, "tick"],
      ],
      log: [],
      conflicts: 0,
      wakeAt: undefined,
    },
    {
      name: "claims for an address that is not ours are ignored",
      rows: [
        [0, master],
        [1, claim("192.0.2.77")],
      ],
      log: [`0 probe ${VIP}`],
      conflicts: 0,
      wakeAt: 10_000,
    },
    {
      name: "a passive claim long after takeover (e.g. the holder's own ARP) is confirmed by a probe",
      rows: [
        [0, master],
        [10_000, "tick"],
        [15_000, claim()],
        [17_000, "tick"],
        [17_001, claim()],
      ],
      log: [`0 probe ${VIP}`, `10000 probe ${VIP}`, `15000 suspected ${VIP} ${MAC}`, `17000 probe ${VIP}`, `17001 detected ${VIP} ${MAC}`],
      conflicts: 1,
      wakeAt: 20_000,
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const result = run(row.rows, row.addresses !== undefined ? { addresses: row.addresses } : {});
      assert.deepEqual(result.log, row.log);
      assert.equal(duplicateConflicts(result.state).length, row.conflicts);
      if ("wakeAt" in row) assert.equal(result.wakeAt, row.wakeAt);
    });
  }

  it("names the latest MAC and keeps the start time of a conflict", () => {
    const { state } = run([
      [0, master],
      [1, claim()],
      [2001, "tick"],
      [2002, claim()],
      [3000, claim(VIP, "02:00:00:00:00:aa")],
    ]);
    assert.deepEqual(duplicateConflicts(state), [{ address: VIP, mac: "02:00:00:00:00:aa", since: 2002 }]);
  });

  it("with periodic probes off, only takeover and confirming probes go out", () => {
    const off = { ...params, probeIntervalMs: 0 };
    const result = run(
      [
        [0, master],
        [1, claim()],
        [2001, "tick"],
        [2002, claim()],
      ],
      { params: off },
    );
    assert.deepEqual(result.log, [`0 probe ${VIP}`, `1 suspected ${VIP} ${MAC}`, `2001 probe ${VIP}`, `2002 detected ${VIP} ${MAC}`]);
    assert.equal(result.wakeAt, undefined);
  });

  it("one probe per address per tick even when a confirmation and the periodic probe fall together", () => {
    const result = run([
      [0, master],
      [8000, claim()],
      [10_000, "tick"],
    ]);
    assert.deepEqual(result.log, [`0 probe ${VIP}`, `8000 suspected ${VIP} ${MAC}`, `10000 probe ${VIP}`]);
  });
});
