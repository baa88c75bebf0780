import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { VRRPNode } from "../api/types.js";
import { StatusAges, staleAfterMs } from "./freshness.js";

const node = (name: string, updated: string | undefined, refreshInterval: string | null = "10s"): VRRPNode => ({
  metadata: { name },
  spec: { instances: [] },
  status: { ...(updated !== undefined ? { updated } : {}), ...(refreshInterval !== null ? { refreshInterval } : {}), instances: [] },
});

describe("how old each node's report is", () => {
  it("the bound is three refresh intervals; none without a stated interval", () => {
    assert.equal(staleAfterMs(node("a", "t1", "10s")), 30_000);
    assert.equal(staleAfterMs(node("a", "t1", "500ms")), 1500);
    assert.equal(staleAfterMs(node("a", "t1", null)), undefined);
    assert.equal(staleAfterMs(node("a", "t1", "soon")), undefined);
  });

  it("a node goes stale three intervals after its status last changed, on the controller's clock, and fresh on a new report", () => {
    const ages = new StatusAges();
    ages.observe(node("a", "2026-01-01T00:00:00Z"), 1000);
    ages.observe(node("b", "2026-01-01T00:00:00Z"), 5000);
    const nodes = [node("a", "2026-01-01T00:00:00Z"), node("b", "2026-01-01T00:00:00Z")];
    assert.equal(ages.nextExpiry(nodes, 1000), 31_000);
    assert.deepEqual([...ages.stale(nodes, 30_999).keys()], []);
    // The same report read again (a relist) does not make it younger.
    ages.observe(node("a", "2026-01-01T00:00:00Z"), 20_000);
    assert.deepEqual([...ages.stale(nodes, 31_000)], [["a", 30_000]]);
    assert.equal(ages.nextExpiry(nodes, 31_000), 35_000, "only b is left to expire");
    // A new report, whatever its wall-clock time says (here: behind ours), makes it fresh.
    ages.observe(node("a", "2025-01-01T00:00:00Z"), 32_000);
    assert.deepEqual([...ages.stale(nodes, 32_000).keys()], []);
    assert.equal(ages.nextExpiry(nodes, 32_000), 35_000);
  });

  it("an agent without heartbeats (no refreshInterval) is never judged stale; a forgotten node neither", () => {
    const ages = new StatusAges();
    const old = node("a", "t", null);
    ages.observe(old, 0);
    assert.equal(ages.stale([old], 1e9).size, 0);
    assert.equal(ages.nextExpiry([old], 0), undefined);
    ages.observe(node("b", "t"), 0);
    ages.forget("b");
    assert.equal(ages.stale([node("b", "t")], 1e9).size, 0);
  });
});
