import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { wireAdvertInterval } from "./translate-advert-interval.js";

describe("advert_int as the wire carries it (keepalived 2.2.7's rounding)", () => {
  const cases: [number, number, number][] = [
    // [ms, version, runs with]
    [1000, 2, 1000],
    [500, 2, 1000],
    [10, 2, 1000],
    [1499, 2, 1000],
    [1500, 2, 2000],
    [2500, 2, 3000],
    [255_000, 2, 255_000],
    [100, 3, 100],
    [125, 3, 130],
    [124, 3, 120],
    [1, 3, 10],
    [4, 3, 10],
    [40_950, 3, 40_950],
    [40_951, 3, 40_950],
    [60_000, 3, 40_950],
  ];
  for (const [ms, version, want] of cases) {
    it(`${ms} ms, VRRPv${version} → ${want} ms`, () => assert.equal(wireAdvertInterval(ms, version), want));
  }
});
