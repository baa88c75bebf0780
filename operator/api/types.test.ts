import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { summarizeNode } from "./types.js";

describe("summarizeNode", () => {
  it("reads name, labels, the first InternalIP of each family, every Internal/ExternalIP, cordon and readiness", () => {
    const node = {
      metadata: { name: "node-a", labels: { "kubernetes.io/os": "linux", bad: 5 }, creationTimestamp: "2026-11-25T21:00:00Z" },
      spec: { unschedulable: true },
      status: {
        addresses: [
          { type: "Hostname", address: "node-a" },
          { type: "ExternalIP", address: "203.0.113.1" },
          { type: "InternalIP", address: "2001:DB8:0::1" },
          { type: "InternalIP", address: "198.51.100.1" },
          { type: "InternalIP", address: "198.51.100.2" },
        ],
        conditions: [
          { type: "MemoryPressure", status: "False" },
          { type: "Ready", status: "True" },
        ],
      },
    };
    assert.deepEqual(summarizeNode(node), {
      name: "node-a",
      labels: { "kubernetes.io/os": "linux" },
      internalIPs: { v4: "198.51.100.1", v6: "2001:db8::1" },
      hostAddresses: ["198.51.100.1", "198.51.100.2", "2001:db8::1", "203.0.113.1"],
      unschedulable: true,
      ready: true,
      creationTimestamp: "2026-11-25T21:00:00Z",
    });
  });

  it("takes client-node objects with Date timestamps, and tolerates missing parts", () => {
    const summary = summarizeNode({
      metadata: { name: "b", creationTimestamp: new Date("2026-11-25T21:00:00.000Z") },
      status: { conditions: [{ type: "Ready", status: "Unknown" }] },
    });
    assert.deepEqual(summary, {
      name: "b",
      labels: {},
      internalIPs: {},
      hostAddresses: [],
      unschedulable: false,
      ready: false,
      creationTimestamp: "2026-11-25T21:00:00Z",
    });
    assert.deepEqual(summarizeNode(null), {
      name: "",
      labels: {},
      internalIPs: {},
      hostAddresses: [],
      unschedulable: false,
      ready: false,
      creationTimestamp: "",
    });
    assert.deepEqual(
      summarizeNode({ metadata: { name: "c" }, status: { addresses: [{ type: "InternalIP", address: "not-an-ip" }] } }).internalIPs,
      {},
    );
  });
});
