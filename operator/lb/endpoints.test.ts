import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readyNodesByService } from "./endpoints.js";

describe("ready endpoint nodes from EndpointSlices", () => {
  it("per Service, over all its slices; unset ready counts as ready; no node name, no node", () => {
    const slice = (name: string, service: string, endpoints: unknown[], namespace = "default") => ({
      metadata: { name, namespace, labels: { "kubernetes.io/service-name": service } },
      endpoints,
    });
    const out = readyNodesByService([
      slice("web-a", "web", [
        { nodeName: "a", conditions: { ready: true } },
        { nodeName: "b", conditions: { ready: false } },
      ]),
      slice("web-b", "web", [{ nodeName: "c", conditions: {} }, { conditions: { ready: true } }]),
      slice("web-c", "web", [{ nodeName: "d" }], "other"),
      { metadata: { name: "orphan", namespace: "default" }, endpoints: [{ nodeName: "e" }] },
      slice("empty", "db", []),
    ]);
    assert.deepEqual(
      [...out].map(([k, v]) => [k, [...v].sort()]),
      [
        ["default/web", ["a", "c"]],
        ["other/web", ["d"]],
        ["default/db", []],
      ],
    );
  });
});
