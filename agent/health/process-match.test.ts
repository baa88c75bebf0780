import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { TrackProcessConfig } from "../config/types.js";
import { matches, stepQuorum, UNKNOWN_QUORUM, type ProcessInfo } from "./process-match.js";

const base: TrackProcessConfig = {
  name: "t",
  process: "haproxy",
  argsMatch: "exact",
  fullCommand: false,
  weight: 0,
  reverse: false,
  quorum: 1,
  forkDelayMs: 0,
  terminateDelayMs: 0,
};
const proc = (comm: string, argv: string[], zombie = false): ProcessInfo => ({ pid: 1, comm, argv, zombie });

describe("track_process matching (keepalived semantics)", () => {
  const rows: [string, Partial<TrackProcessConfig>, ProcessInfo, boolean][] = [
    ["name equals comm", {}, proc("haproxy", ["/usr/sbin/haproxy", "-f", "x"]), true],
    ["no pattern: a longer name does not match", {}, proc("haproxy2", ["haproxy2"]), false],
    ["zombies never count", {}, proc("haproxy", [], true), false],
    ["fullCommand compares argv[0]", { fullCommand: true, process: "/usr/sbin/haproxy" }, proc("haproxy", ["/usr/sbin/haproxy"]), true],
    ["fullCommand: comm alone is not enough", { fullCommand: true }, proc("haproxy", ["/usr/sbin/haproxy"]), false],
    ["exact args", { args: ["-f", "x"] }, proc("haproxy", ["haproxy", "-f", "x"]), true],
    ["exact args: one more is no match", { args: ["-f"] }, proc("haproxy", ["haproxy", "-f", "x"]), false],
    ["exact without args: none allowed", { args: [] }, proc("haproxy", ["haproxy", "-f"]), false],
    ["partial: more may follow", { args: ["-f"], argsMatch: "partial" }, proc("haproxy", ["haproxy", "-f", "x"]), true],
    ["partial: the given ones must be equal", { args: ["-f", "y"], argsMatch: "partial" }, proc("haproxy", ["haproxy", "-f", "yz"]), false],
    ["initial: the last may be longer", { args: ["-f", "y"], argsMatch: "initial" }, proc("haproxy", ["haproxy", "-f", "yz", "q"]), true],
    ["initial: earlier ones must be equal", { args: ["-", "y"], argsMatch: "initial" }, proc("haproxy", ["haproxy", "-f", "y"]), false],
  ];
  for (const [name, patch, p, want] of rows) it(name, () => assert.equal(matches({ ...base, ...patch }, p), want));
});

describe("track_process quorum and delays", () => {
  it("the first observation decides at once; later changes wait out their delay", () => {
    const t = { ...base, forkDelayMs: 1000, terminateDelayMs: 500, quorum: 1, quorumMax: 2 };
    let s = stepQuorum(t, UNKNOWN_QUORUM, 0, 0);
    assert.equal(s.up, false);
    s = stepQuorum(t, s, 1, 100);
    assert.equal(s.up, false, "fork delay not over");
    s = stepQuorum(t, s, 1, 1100);
    assert.equal(s.up, true);
    s = stepQuorum(t, s, 3, 1200);
    assert.equal(s.up, true, "above quorumMax, terminate delay not over");
    s = stepQuorum(t, s, 2, 1300);
    assert.deepEqual(s, { up: true, changedAt: undefined }, "back within the delay: nothing changed");
    s = stepQuorum(t, s, 0, 2000);
    s = stepQuorum(t, s, 0, 2500);
    assert.equal(s.up, false);
  });
});
