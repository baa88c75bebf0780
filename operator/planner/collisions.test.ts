import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { findCollisions } from "./collisions.js";
import type { CollisionCandidate } from "./collisions.js";
import type { VipAddress } from "../api/virtualip-config.js";

const a = (address: string, prefixLength = 24): VipAddress => ({
  address,
  family: address.includes(":") ? 6 : 4,
  prefixLength,
  cidr: `${address}/${prefixLength}`,
});
const c = (name: string, addresses: string[], instances: string[] = [name]): CollisionCandidate => ({
  name,
  addresses: addresses.map((x) => a(x)),
  instances,
});

describe("findCollisions", () => {
  const cases: ReadonlyArray<readonly [string, readonly CollisionCandidate[], Record<string, unknown>]> = [
    ["no overlap", [c("a", ["192.0.2.1"]), c("b", ["192.0.2.2"])], {}],
    ["same subnet, other address: fine", [c("a", ["192.0.2.1"]), c("b", ["192.0.2.2", "2001:db8::1"])], {}],
    [
      "the newer one loses",
      [c("old", ["192.0.2.1", "2001:db8::1"]), c("new", ["192.0.2.9", "2001:db8::1"])],
      { new: { kind: "address-overlap", other: "old", address: "2001:db8::1" } },
    ],
    [
      "a loser claims nothing",
      [c("a", ["192.0.2.1"]), c("b", ["192.0.2.1", "192.0.2.2"]), c("c", ["192.0.2.2"])],
      { b: { kind: "address-overlap", other: "a", address: "192.0.2.1" } },
    ],
    [
      "instance names: web-v6 of a dual-stack web vs a VirtualIP called web-v6",
      [c("web", ["192.0.2.1", "2001:db8::1"], ["web", "web-v6"]), c("web-v6", ["192.0.2.2"])],
      { "web-v6": { kind: "instance-name-taken", other: "web", instance: "web-v6" } },
    ],
  ];
  for (const [name, candidates, expected] of cases) {
    it(name, () => assert.deepEqual(Object.fromEntries(findCollisions(candidates)), expected));
  }
});
