/**
 * A VRRPNode written by an older controller (virtualRouterId, advertInterval)
 * and one written by this one (virtualRouterID, advertisementInterval) run the
 * same routers: during a rolling upgrade the agent meets both.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { acceptInstances } from "./spec-instances.js";

const web = {
  name: "vrid-1",
  interface: "eth0",
  priority: 150,
  addresses: ["192.0.2.5/24"],
  unicast: { source: "192.0.2.1", peers: ["192.0.2.2"] },
};
const db = { name: "vrid-2", interface: "eth0", addresses: ["192.0.2.6/24"] };

describe("VRRPNode field spellings across an upgrade", () => {
  it("an old-spelling spec and a new-spelling spec give the same instances", () => {
    const old = acceptInstances(
      {
        instances: [
          { ...web, virtualRouterId: 1, advertInterval: "100ms" },
          { ...db, virtualRouterId: 2 },
        ],
      },
      [],
    );
    const current = acceptInstances(
      {
        instances: [
          { ...web, virtualRouterID: 1, advertisementInterval: "100ms" },
          { ...db, virtualRouterID: 2 },
        ],
      },
      [],
    );
    assert.equal(old.kind, "accepted");
    assert.equal(current.kind, "accepted");
    assert.deepEqual(old, current);
    assert.equal(old.kind === "accepted" && old.config.instances[0]!.advertIntervalMs, 100);
  });

  it("a spec mixing both spellings across instances is read too", () => {
    const mixed = acceptInstances(
      {
        instances: [
          { ...web, virtualRouterId: 1 },
          { ...db, virtualRouterID: 2 },
        ],
      },
      [],
    );
    assert.equal(mixed.kind, "accepted");
    assert.deepEqual(mixed.kind === "accepted" && mixed.config.instances.map((i) => i.virtualRouterId), [1, 2]);
  });

  it("an instance giving both spellings with different values is refused naming the field; the others run", () => {
    const outcome = acceptInstances(
      {
        instances: [
          { ...web, virtualRouterID: 1, virtualRouterId: 9 },
          { ...db, virtualRouterID: 2 },
        ],
      },
      [],
    );
    assert.equal(outcome.kind, "accepted");
    if (outcome.kind !== "accepted") return;
    assert.deepEqual(
      outcome.config.instances.map((i) => i.name),
      ["vrid-2"],
    );
    assert.deepEqual(
      outcome.refused.map((r) => [r.instance, r.errors.map((e) => e.path)]),
      [["vrid-1", ["instances[0].virtualRouterID"]]],
    );
    assert.match(outcome.refused[0]!.errors[0]!.message, /virtualRouterID 1 and its old spelling virtualRouterId 9/);
  });
});
