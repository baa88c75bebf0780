import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatHeartbeat,
  formatStateRecord,
  heartbeatPath,
  parseHeartbeat,
  parseStateRecord,
  recordFreshAt,
  stateRecordPath,
  type AgentHeartbeat,
  type StateRecord,
} from "./state-record.js";

const T0 = "2024-05-01T12:00:00.000Z";
const T40 = "2024-05-01T12:00:40.000Z";

const record = (extra: Partial<StateRecord> = {}): StateRecord => ({
  instance: "VI_1",
  state: "BACKUP",
  priority: 100,
  since: T0,
  updated: T0,
  run: "r1",
  ...extra,
});
const beat = (extra: Partial<AgentHeartbeat> = {}): AgentHeartbeat => ({ pid: 42, run: "r1", updated: T40, ...extra });

test("recordFreshAt: the heartbeat vouches only for a record of the same run that is not STOP", () => {
  const cases: [string, StateRecord, AgentHeartbeat | undefined, string][] = [
    ["same run", record(), beat(), T40],
    ["no heartbeat", record(), undefined, T0],
    ["another run (a new agent must not freshen an old record)", record(), beat({ run: "r2" }), T0],
    ["a STOP record is final", record({ state: "STOP" }), beat(), T0],
    ["a record of an older version has no token", record({ run: undefined }), beat(), T0],
    ["a record newer than the heartbeat", record({ updated: T40 }), beat({ updated: T0 }), T40],
    ["FAULT and MASTER are vouched for", record({ state: "FAULT" }), beat(), T40],
  ];
  for (const [name, r, h, want] of cases) assert.equal(recordFreshAt(r, h), Date.parse(want), name);
});

test("records round-trip with and without a run token", () => {
  const withRun = record();
  assert.deepEqual(parseStateRecord(formatStateRecord(withRun)), { ok: true, record: withRun });
  const { run: _run, ...old } = withRun;
  assert.equal(formatStateRecord(old), `{"instance":"VI_1","state":"BACKUP","priority":100,"since":"${T0}","updated":"${T0}"}\n`);
  assert.deepEqual(parseStateRecord(formatStateRecord(old)), { ok: true, record: old });
  assert.deepEqual(parseStateRecord(JSON.stringify({ ...old, run: 7 })), { ok: false, message: "run is not a string" });
});

test("the heartbeat round-trips, bad ones name the field, and its path is no instance's record", () => {
  assert.deepEqual(parseHeartbeat(formatHeartbeat(beat())), { ok: true, heartbeat: beat() });
  assert.deepEqual(parseHeartbeat(JSON.stringify({ pid: 1, updated: T0 })), { ok: false, message: "run missing" });
  assert.deepEqual(parseHeartbeat(JSON.stringify({ run: "x", updated: T0 })), { ok: false, message: "pid missing" });
  assert.deepEqual(parseHeartbeat(JSON.stringify({ pid: 1, run: "x", updated: "soon" })), {
    ok: false,
    message: "updated missing or not a time",
  });
  assert.equal(parseHeartbeat("{").ok, false);
  assert.equal(heartbeatPath("/run/floatip"), "/run/floatip/.heartbeat");
  for (const name of [".heartbeat", "heartbeat", ".", "", "a/.heartbeat"])
    assert.notEqual(stateRecordPath("/run/floatip", name), heartbeatPath("/run/floatip"), name);
});
