import { it } from "node:test";
import assert from "node:assert/strict";
import { PodIndex, matchesSelector, viewOf } from "./pod-index.js";

it("label selectors: matchLabels and every operator", () => {
  const labels = { app: "web", tier: "front" };
  assert.ok(matchesSelector(labels, { matchLabels: { app: "web" } }));
  assert.ok(!matchesSelector(labels, { matchLabels: { app: "db" } }));
  assert.ok(matchesSelector(labels, { matchExpressions: [{ key: "tier", operator: "In", values: ["front", "x"] }] }));
  assert.ok(!matchesSelector(labels, { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }));
  assert.ok(matchesSelector(labels, { matchExpressions: [{ key: "app", operator: "Exists" }] }));
  assert.ok(!matchesSelector(labels, { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }));
  assert.ok(matchesSelector(labels, { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }));
});

it("counts ready matching pods in the namespace, unknown until synced, and notifies on change only", () => {
  const index = new PodIndex();
  const sel = { matchLabels: { app: "web" } };
  assert.equal(index.readyCount("default", sel), undefined);
  let calls = 0;
  index.subscribe(() => calls++);
  const pod = (name: string, ready: boolean, ns = "default", app = "web") =>
    viewOf({
      metadata: { namespace: ns, name, labels: { app } },
      status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
    })!;
  index.reset([pod("a", true), pod("b", false), pod("c", true, "other"), pod("d", true, "default", "db")]);
  assert.equal(index.readyCount("default", sel), 1);
  assert.equal(calls, 1);
  index.upsert(pod("a", true));
  assert.equal(calls, 1, "no change, no notification");
  index.upsert(pod("b", true));
  assert.equal(index.readyCount("default", sel), 2);
  index.remove("default", "a");
  index.upsert(pod("b", false));
  assert.equal(index.readyCount("default", sel), 0);
  assert.equal(calls, 4);
});

it("a terminating pod is not ready", () => {
  const view = viewOf({
    metadata: { namespace: "d", name: "x", deletionTimestamp: "2026-01-01T00:00:00Z" },
    status: { conditions: [{ type: "Ready", status: "True" }] },
  });
  assert.equal(view?.ready, false);
});
