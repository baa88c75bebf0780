import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  expireForeign,
  foreignConflicts,
  NO_FOREIGN,
  noteForeignAdvert,
  timesFor,
  type ForeignAdvert,
  type ForeignParams,
  type ForeignState,
} from "./foreign-vrrp.js";
import { describeConflict, foreignKind } from "./types.js";

const params: ForeignParams = { ownIntervalMs: 1000, maxSources: 4 };
const advert = (source: string, extra: Partial<ForeignAdvert> = {}): ForeignAdvert => ({
  source,
  why: "address-mismatch",
  addresses: ["192.0.2.99"],
  intervalMs: 1000,
  ...extra,
});

/** Feeds adverts (by time) and expiry ticks; returns started/ended as text. */
function run(rows: readonly (readonly [number, ForeignAdvert | "expire"])[], p = params) {
  let state: ForeignState = NO_FOREIGN;
  const log: string[] = [];
  let wakeAt: number | undefined;
  for (const [at, what] of rows) {
    const step = what === "expire" ? expireForeign(state, at) : noteForeignAdvert(p, state, what, at);
    state = step.state;
    wakeAt = step.wakeAt;
    for (const c of step.started) log.push(`${at} started ${c.kind} ${"source" in c ? c.source : ""}`);
    for (const c of step.ended) log.push(`${at} ended ${c.kind} ${"source" in c ? c.source : ""}`);
  }
  return { log, state, wakeAt };
}

const every = (source: string, from: number, to: number, step: number, extra: Partial<ForeignAdvert> = {}) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => [from + i * step, advert(source, extra)] as const);

describe("foreign VRRP speakers", () => {
  it("settle and hold times follow the larger interval", () => {
    assert.deepEqual(timesFor(params, 1000), { settleMs: 3000, holdMs: 4000 });
    assert.deepEqual(timesFor(params, 5000), { settleMs: 10_000, holdMs: 16_000 });
    assert.deepEqual(timesFor({ ...params, ownIntervalMs: 10 }, 10), { settleMs: 3000, holdMs: 1030 });
  });

  const table: { name: string; rows: (readonly [number, ForeignAdvert | "expire"])[]; log: string[]; active: number }[] = [
    {
      name: "a speaker that keeps sending becomes a conflict after the settle time",
      rows: every("192.0.2.66", 0, 3000, 1000),
      log: ["3000 started foreign-vrrp 192.0.2.66"],
      active: 1,
    },
    {
      name: "a rollout blip (two adverts, then silence) never becomes one",
      rows: [...every("192.0.2.12", 0, 1000, 1000), [6000, "expire"]],
      log: [],
      active: 0,
    },
    {
      name: "a conflict ends after the hold time without adverts",
      rows: [...every("192.0.2.66", 0, 3000, 1000), [6999, "expire"], [7000, "expire"]],
      log: ["3000 started foreign-vrrp 192.0.2.66", "7000 ended foreign-vrrp 192.0.2.66"],
      active: 0,
    },
    {
      name: "an unknown unicast peer is its own kind",
      rows: every("192.0.2.77", 0, 4000, 1000, { why: "unknown-peer" }),
      log: ["3000 started unknown-peer 192.0.2.77"],
      active: 1,
    },
    {
      name: "each source is reported once, however many adverts it sends",
      rows: every("192.0.2.66", 0, 20_000, 100),
      log: ["3000 started foreign-vrrp 192.0.2.66"],
      active: 1,
    },
    {
      name: "two sources, two conflicts",
      rows: [...every("192.0.2.66", 0, 3000, 1000), ...every("192.0.2.67", 0, 3000, 1000)].sort((a, b) => a[0] - b[0]),
      log: ["3000 started foreign-vrrp 192.0.2.66", "3000 started foreign-vrrp 192.0.2.67"],
      active: 2,
    },
    {
      name: "a spoofed flood of sources is capped at maxSources",
      rows: Array.from({ length: 50 }, (_, i) => [i, advert(`198.51.100.${i + 1}`)] as const),
      log: [],
      active: 0,
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const result = run(row.rows);
      assert.deepEqual(result.log, row.log);
      assert.equal(foreignConflicts(result.state).length, row.active);
      assert.ok(result.state.size <= params.maxSources);
    });
  }

  it("the conflict names the source, what differs and the addresses it advertises; since = first advert", () => {
    const { state } = run(every("192.0.2.66", 500, 3500, 1000));
    const [conflict] = foreignConflicts(state);
    assert.deepEqual(conflict, {
      kind: "foreign-vrrp",
      source: "192.0.2.66",
      mismatch: "address-mismatch",
      addresses: ["192.0.2.99"],
      since: 500,
    });
    assert.equal(describeConflict(conflict!), "192.0.2.66 sends adverts on this VRID with a different address list (192.0.2.99)");
  });

  it("expiry is scheduled at the earliest hold deadline", () => {
    assert.equal(run([[100, advert("192.0.2.66")]]).wakeAt, 4100);
  });

  it("only drop reasons that mean another speaker are foreign", () => {
    const table = [
      ["address-mismatch", "address-mismatch"],
      ["unknown-peer", "unknown-peer"],
      ["auth-mismatch", "auth-mismatch"],
      ["version-mismatch", "version-mismatch"],
      ["interval-mismatch", "interval-mismatch"],
      ["bad-ttl", undefined],
      ["bad-checksum", undefined],
      ["own-advert", undefined],
      ["unknown-vrid", undefined],
      ["truncated", undefined],
    ] as const;
    for (const [reason, kind] of table) assert.equal(foreignKind(reason), kind, reason);
  });
});
