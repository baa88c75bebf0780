import { test } from "node:test";
import assert from "node:assert/strict";
import { computeHealth, describeHealthChange, describeReason, neutralHealth, type TrackedStatus } from "./priority.js";

const script = (health: "init" | "ok" | "failed", weight: number, reverse = false, name = "chk"): TrackedStatus => ({
  kind: "script",
  name,
  weight,
  reverse,
  health,
});
const http = (health: "init" | "ok" | "failed", weight: number, reverse = false, name = "apiserver"): TrackedStatus => ({
  kind: "http",
  name,
  weight,
  reverse,
  health,
});
const iface = (up: boolean, weight: number, reverse = false, name = "eth1"): TrackedStatus => ({
  kind: "interface",
  name,
  weight,
  reverse,
  up,
});
const file = (value: number, weight: number, reverse = false, name = "f"): TrackedStatus => ({
  kind: "file",
  name,
  weight,
  reverse,
  value,
});

interface Row {
  readonly name: string;
  readonly base: number;
  readonly tracked: readonly TrackedStatus[];
  readonly priority: number;
  readonly fault: boolean;
  readonly pending?: boolean;
}

const table: readonly Row[] = [
  { name: "nothing tracked", base: 100, tracked: [], priority: 100, fault: false },
  // scripts
  { name: "positive weight added while ok", base: 100, tracked: [script("ok", 20)], priority: 120, fault: false },
  { name: "positive weight not added while failed", base: 100, tracked: [script("failed", 20)], priority: 100, fault: false },
  { name: "negative weight subtracted while failed", base: 100, tracked: [script("failed", -30)], priority: 70, fault: false },
  { name: "negative weight nothing while ok", base: 100, tracked: [script("ok", -30)], priority: 100, fault: false },
  { name: "reverse positive: subtracted while ok", base: 100, tracked: [script("ok", 20, true)], priority: 80, fault: false },
  { name: "reverse positive: nothing while failed", base: 100, tracked: [script("failed", 20, true)], priority: 100, fault: false },
  { name: "reverse negative: added while failed", base: 100, tracked: [script("failed", -30, true)], priority: 130, fault: false },
  { name: "reverse negative: nothing while ok", base: 100, tracked: [script("ok", -30, true)], priority: 100, fault: false },
  { name: "weight 0 failed: FAULT", base: 100, tracked: [script("failed", 0)], priority: 100, fault: true },
  { name: "weight 0 ok: fine", base: 100, tracked: [script("ok", 0)], priority: 100, fault: false },
  { name: "weight 0 reverse ok: FAULT", base: 100, tracked: [script("ok", 0, true)], priority: 100, fault: true },
  { name: "weight 0 reverse failed: fine", base: 100, tracked: [script("failed", 0, true)], priority: 100, fault: false },
  {
    name: "init counts for nothing",
    base: 100,
    tracked: [script("init", 20), script("init", -20, false, "b")],
    priority: 100,
    fault: false,
  },
  { name: "unweighted init is pending", base: 100, tracked: [script("init", 0)], priority: 100, fault: false, pending: true },
  // HTTP checks: scored like scripts
  { name: "http weight 0 failed: FAULT", base: 100, tracked: [http("failed", 0)], priority: 100, fault: true },
  { name: "http weight 0 ok: fine", base: 100, tracked: [http("ok", 0)], priority: 100, fault: false },
  { name: "http unweighted init is pending", base: 100, tracked: [http("init", 0)], priority: 100, fault: false, pending: true },
  { name: "http negative weight subtracted while failed", base: 150, tracked: [http("failed", -60)], priority: 90, fault: false },
  { name: "http positive weight added while ok", base: 100, tracked: [http("ok", 50)], priority: 150, fault: false },
  { name: "http reverse weight 0: FAULT while ok", base: 100, tracked: [http("ok", 0, true)], priority: 100, fault: true },
  {
    name: "owner ignores weighted http, faults on unweighted",
    base: 255,
    tracked: [http("failed", -50), http("failed", 0, false, "b")],
    priority: 255,
    fault: true,
  },
  // interfaces
  { name: "interface down weight 0: FAULT", base: 100, tracked: [iface(false, 0)], priority: 100, fault: true },
  { name: "interface up weight 0", base: 100, tracked: [iface(true, 0)], priority: 100, fault: false },
  { name: "interface down weight -40", base: 100, tracked: [iface(false, -40)], priority: 60, fault: false },
  { name: "interface up weight +15", base: 100, tracked: [iface(true, 15)], priority: 115, fault: false },
  { name: "interface down weight 0 reverse", base: 100, tracked: [iface(false, 0, true)], priority: 100, fault: false },
  { name: "interface up weight 0 reverse: FAULT", base: 100, tracked: [iface(true, 0, true)], priority: 100, fault: true },
  { name: "interface down weight -40 reverse: added", base: 100, tracked: [iface(false, -40, true)], priority: 140, fault: false },
  // files
  { name: "file value times weight", base: 100, tracked: [file(3, 10)], priority: 130, fault: false },
  { name: "file negative value", base: 100, tracked: [file(-5, 10)], priority: 50, fault: false },
  { name: "file reverse", base: 100, tracked: [file(3, 10, true)], priority: 70, fault: false },
  { name: "file -253 is not a fault", base: 254, tracked: [file(-253, 1)], priority: 1, fault: false },
  { name: "file result -254: FAULT", base: 100, tracked: [file(-254, 1)], priority: 100, fault: true },
  { name: "file result below -254: FAULT", base: 100, tracked: [file(-1000, 1)], priority: 100, fault: true },
  { name: "file result capped at 253", base: 10, tracked: [file(1000, 1)], priority: 254, fault: false },
  { name: "file weight 0 non-zero: FAULT", base: 100, tracked: [file(7, 0)], priority: 100, fault: true },
  { name: "file weight 0 zero: fine", base: 100, tracked: [file(0, 0)], priority: 100, fault: false },
  { name: "file weight 0 reverse zero: FAULT", base: 100, tracked: [file(0, 0, true)], priority: 100, fault: true },
  // clamping and sums
  { name: "clamped to 1", base: 50, tracked: [script("failed", -100)], priority: 1, fault: false },
  { name: "clamped to 254", base: 250, tracked: [script("ok", 20)], priority: 254, fault: false },
  {
    name: "several add up",
    base: 100,
    tracked: [script("ok", 10), script("failed", -30, false, "b"), iface(true, 5), file(2, 3)],
    priority: 91,
    fault: false,
  },
  { name: "fault keeps the computed priority", base: 100, tracked: [script("failed", -30), iface(false, 0)], priority: 70, fault: true },
  // address owner
  {
    name: "owner ignores weighted script",
    base: 255,
    tracked: [script("failed", -50), script("ok", 10, false, "b")],
    priority: 255,
    fault: false,
  },
  { name: "owner ignores weighted interface", base: 255, tracked: [iface(false, -50)], priority: 255, fault: false },
  { name: "owner still faults on unweighted script", base: 255, tracked: [script("failed", 0)], priority: 255, fault: true },
  { name: "owner still faults on unweighted interface", base: 255, tracked: [iface(false, 0)], priority: 255, fault: true },
  { name: "owner: file weight 1 acts as weight 0", base: 255, tracked: [file(3, 1)], priority: 255, fault: true },
  { name: "owner: file weight 1 value 0 fine", base: 255, tracked: [file(0, 1)], priority: 255, fault: false },
  { name: "owner ignores other weighted files", base: 255, tracked: [file(-1000, 5)], priority: 255, fault: false },
];

for (const row of table) {
  test(`computeHealth: ${row.name}`, () => {
    const result = computeHealth({ basePriority: row.base, tracked: row.tracked });
    assert.equal(result.effectivePriority, row.priority);
    assert.equal(result.fault, row.fault);
    assert.equal(result.pending, row.pending ?? false);
  });
}

test("reasons name each object that matters, in order", () => {
  const result = computeHealth({
    basePriority: 150,
    tracked: [script("ok", -50), script("failed", -50, false, "chk_http"), iface(false, 0, false, "eth1"), file(2, 5, false, "maint")],
  });
  assert.deepEqual(result.reasons, [
    { kind: "script", name: "chk_http", health: "failed", effect: { type: "priority", delta: -50 } },
    { kind: "interface", name: "eth1", up: false, effect: { type: "fault" } },
    { kind: "file", name: "maint", value: 2, effect: { type: "priority", delta: 10 } },
  ]);
  assert.deepEqual(result.reasons.map(describeReason), [
    "script chk_http failed (-50)",
    "interface eth1 down (FAULT)",
    "file maint = 2 (+10)",
  ]);
});

test("an HTTP check is named as such in reasons", () => {
  const result = computeHealth({ basePriority: 100, tracked: [http("failed", 0)] });
  assert.deepEqual(result.reasons, [{ kind: "http", name: "apiserver", health: "failed", effect: { type: "fault" } }]);
  assert.equal(describeHealthChange(neutralHealth(100), result), "FAULT after HTTP check apiserver failed (FAULT)");
});

test("describeHealthChange says what moved the priority", () => {
  const before = computeHealth({ basePriority: 150, tracked: [script("ok", -50)] });
  const after = computeHealth({ basePriority: 150, tracked: [script("failed", -50)] });
  assert.equal(describeHealthChange(before, after), "priority 150→100 after script chk failed (-50)");
  assert.equal(describeHealthChange(after, before), "priority 100→150 after script chk failed (-50) cleared");
  const down = computeHealth({ basePriority: 150, tracked: [iface(false, 0)] });
  assert.equal(describeHealthChange(neutralHealth(150), down), "FAULT after interface eth1 down (FAULT)");
});
