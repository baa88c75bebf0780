import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { backupAdvertFastPath, initialRouterState, step, type RouterEvent, type RouterParams, type RouterState } from "./state-machine.js";
import type { Advert } from "./packet.js";

const params: RouterParams = {
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
const advert = (priority: number): Advert => ({
  version: 3,
  family: 4,
  virtualRouterId: 51,
  priority,
  advertIntervalMs: 1000,
  addresses: ["192.0.2.5"],
});

function run(events: readonly (readonly [number, RouterEvent])[], p: RouterParams = params): { state: RouterState; types: string[][] } {
  let state = initialRouterState(p, 0);
  const types: string[][] = [];
  for (const [now, event] of events) {
    const r = step(p, state, event, now);
    state = r.state;
    types.push(r.actions.map((a) => (a.type === "transition" ? `${a.from}->${a.to}` : a.type)));
  }
  return { state, types };
}

// Master_Down_Interval at priority 100, 1 s: 3 s + (256-100)/256 s, about 3.61 s.
describe("held backups (pending weight-0 checks, sync group members)", () => {
  it("a held backup stays backup when Master_Down fires, re-arms and wants master", () => {
    const r = run([
      [0, { type: "hold", held: true }],
      [0, { type: "startup" }],
      [3700, { type: "timer", timer: "protocol" }],
    ]);
    assert.equal(r.state.phase, "backup");
    assert.equal(r.state.wantsMaster, true);
    assert.ok(r.state.timerAt! > 3700 + 3600 && r.state.timerAt! < 3700 + 3700, "one more Master_Down_Interval");
    assert.deepEqual(r.types.at(-1), ["set-timer", "want-master"]);
  });

  it("released, it takes over at the next expiry", () => {
    const r = run([
      [0, { type: "hold", held: true }],
      [0, { type: "startup" }],
      [3700, { type: "timer", timer: "protocol" }],
      [4000, { type: "hold", held: false }],
      [7400, { type: "timer", timer: "protocol" }],
    ]);
    assert.equal(r.state.phase, "master");
  });

  it("an advert from a master clears the wish (also on the fast path)", () => {
    const base = run([
      [0, { type: "hold", held: true }],
      [0, { type: "startup" }],
      [100, { type: "advert", advert: advert(150), source: "192.0.2.12" }],
      [3800, { type: "timer", timer: "protocol" }],
    ]);
    assert.equal(base.state.wantsMaster, true);
    assert.equal(
      backupAdvertFastPath(params, base.state, advert(150), "192.0.2.12", 4000),
      undefined,
      "the fast path leaves a wish to step()",
    );
    const after = step(params, base.state, { type: "advert", advert: advert(150), source: "192.0.2.12" }, 4000);
    assert.equal(after.state.wantsMaster, false);
  });

  it("a held address owner starts as backup", () => {
    const r = run(
      [
        [0, { type: "hold", held: true }],
        [0, { type: "startup" }],
      ],
      { ...params, priority: 255 },
    );
    assert.equal(r.state.phase, "backup");
  });

  it("take-over moves a backup to master at once; yield moves a master to backup without a priority-0 advert", () => {
    const r = run([
      [0, { type: "hold", held: true }],
      [0, { type: "startup" }],
      [10, { type: "take-over" }],
      [20, { type: "yield" }],
      [30, { type: "yield" }],
    ]);
    assert.ok(r.types[2]!.includes("backup->master"));
    assert.deepEqual(r.types[3], ["cancel-timer", "remove-addresses", "set-timer", "master->backup"]);
    assert.deepEqual(r.types[4], [], "yield in backup does nothing");
    assert.equal(r.state.phase, "backup");
  });
});
