import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { deletedWith, toRestore, type DumpedAddress } from "./secondaries.js";
import type { VirtualAddress } from "../config/types.js";

const a = (address: string, prefixLength: number, secondary = false, label: string | undefined = "eth0"): DumpedAddress => ({
  address,
  family: 4,
  prefixLength,
  label,
  flags: secondary ? { secondary: true } : {},
});
const vip = (address: string, prefixLength: number): VirtualAddress => ({ address, family: 4, prefixLength });

describe("addresses the kernel deletes along with a removed IPv4 address", () => {
  const rows: readonly [string, DumpedAddress[], VirtualAddress, string[]][] = [
    [
      "the VIP is a secondary: nothing else goes",
      [a("192.0.2.11", 24), a("192.0.2.5", 24, true), a("192.0.2.60", 24, true)],
      vip("192.0.2.5", 24),
      [],
    ],
    [
      "the VIP is the primary: its secondaries go",
      [a("203.0.113.5", 24), a("203.0.113.60", 24, true, "eth0:admin"), a("203.0.113.61", 24, true)],
      vip("203.0.113.5", 24),
      ["203.0.113.60", "203.0.113.61"],
    ],
    [
      "other subnets and prefix lengths stay",
      [a("203.0.113.5", 24), a("203.0.113.60", 25, true), a("198.51.100.60", 24, true), a("203.0.114.1", 24, true)],
      vip("203.0.113.5", 24),
      [],
    ],
    ["a /32 VIP has no secondaries", [a("203.0.113.5", 32), a("203.0.113.5", 24, true)], vip("203.0.113.5", 32), []],
    ["a VIP not on the interface takes nothing", [a("203.0.113.60", 24), a("203.0.113.61", 24, true)], vip("203.0.113.5", 24), []],
    [
      "a /16 primary: secondaries anywhere in the /16",
      [a("198.51.0.5", 16), a("198.51.200.7", 16, true)],
      vip("198.51.0.5", 16),
      ["198.51.200.7"],
    ],
  ];
  for (const [name, dump, removed, want] of rows) {
    it(name, () =>
      assert.deepEqual(
        deletedWith(dump, removed).map((d) => d.address),
        want,
      ),
    );
  }
  it("IPv6 has no primaries", () => {
    assert.deepEqual(
      deletedWith([{ address: "2001:db8::5", family: 6, prefixLength: 64, label: undefined, flags: {} }], {
        address: "2001:db8::5",
        family: 6,
        prefixLength: 64,
      }),
      [],
    );
  });
});

describe("addresses put back after a primary took them along", () => {
  const along = [a("203.0.113.11", 24, true), a("203.0.113.60", 24, true, "eth0:admin")];
  const rows: readonly [string, DumpedAddress[], string[], string[]][] = [
    ["deleted and not released (an operator's, a VIP still wanted): put back", [], [], ["203.0.113.11", "203.0.113.60"]],
    ["a VIP its instance released meanwhile stays gone", [], ["203.0.113.11"], ["203.0.113.60"]],
    ["promoted (still there): nothing to do", [a("203.0.113.11", 24), a("203.0.113.60", 24, true)], [], []],
    ["one promoted, the other released", [a("203.0.113.60", 24)], ["203.0.113.11"], []],
    ["same address, other prefix left: still put back", [a("203.0.113.11", 32)], [], ["203.0.113.11", "203.0.113.60"]],
  ];
  for (const [name, left, released, want] of rows) {
    it(name, () =>
      assert.deepEqual(
        toRestore(along, left, (d) => released.includes(d.address)).map((d) => d.address),
        want,
      ),
    );
  }
});
