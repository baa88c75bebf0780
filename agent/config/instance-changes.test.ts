import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { planInstanceChange, sliceOf, type InstanceChange } from "./instance-changes.js";
import { validateAgentConfig } from "./validate.js";

/** The slice of instance "i" in a config built from `patch` (instance fields) and `shared` (scripts etc.). */
function slice(patch: Record<string, unknown> = {}, shared: Record<string, unknown> = {}) {
  const r = validateAgentConfig({
    ...shared,
    instances: [
      { name: "i", interface: "eth0", virtualRouterId: 51, priority: 100, addresses: ["192.0.2.5/24", "192.0.2.6/24"], ...patch },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return sliceOf(r.config, r.config.instances[0]!);
}

const v = (address: string, prefixLength = 24) => ({ address, family: 4 as const, prefixLength });
const uni = (...peers: string[]) => ({ unicast: { source: "192.0.2.11", peers } });
const script = (command: string) => ({ scripts: [{ name: "s", command, interval: "1s" }] });

const rows: readonly [
  string,
  Record<string, unknown>,
  Record<string, unknown>,
  InstanceChange,
  Record<string, unknown>?,
  Record<string, unknown>?,
][] = [
  ["nothing changed", {}, {}, { kind: "unchanged" }],
  ["priority", {}, { priority: 150 }, { kind: "update", updates: [{ kind: "priority", from: 100, to: 150 }] }],
  [
    "a unicast peer added",
    uni("192.0.2.12"),
    uni("192.0.2.12", "192.0.2.13"),
    { kind: "update", updates: [{ kind: "unicast-peers", added: ["192.0.2.13"], removed: [] }] },
  ],
  [
    "a unicast peer replaced",
    uni("192.0.2.12"),
    uni("192.0.2.14"),
    { kind: "update", updates: [{ kind: "unicast-peers", added: ["192.0.2.14"], removed: ["192.0.2.12"] }] },
  ],
  ["preempt off", {}, { preempt: false }, { kind: "update", updates: [{ kind: "preempt" }] }],
  ["preempt delay", {}, { preemptDelay: "10s" }, { kind: "update", updates: [{ kind: "preempt" }] }],
  ["initial state", {}, { initialState: "master" }, { kind: "update", updates: [{ kind: "initial-state" }] }],
  [
    "v2 password",
    { version: 2 },
    { version: 2, authentication: { type: "pass", password: "x" } },
    { kind: "update", updates: [{ kind: "authentication" }] },
  ],
  ["garp repeat", {}, { garp: { repeat: 2 } }, { kind: "update", updates: [{ kind: "garp" }] }],
  ["a tracked interface", {}, { track: { interfaces: [{ name: "eth1" }] } }, { kind: "update", updates: [{ kind: "tracking" }] }],
  [
    "a tracked script's weight",
    { track: { scripts: [{ name: "s" }] } },
    { track: { scripts: [{ name: "s", weight: 10 }] } },
    { kind: "update", updates: [{ kind: "tracking" }] },
    script("/bin/true"),
    script("/bin/true"),
  ],
  [
    "a tracked script's command",
    { track: { scripts: [{ name: "s" }] } },
    { track: { scripts: [{ name: "s" }] } },
    { kind: "update", updates: [{ kind: "tracking" }] },
    script("/bin/true"),
    script("/bin/false"),
  ],
  ["a script nobody tracks", {}, {}, { kind: "unchanged" }, script("/bin/true"), script("/bin/false")],
  ["notify command", {}, { notify: { master: "/bin/true" } }, { kind: "update", updates: [{ kind: "notify" }] }],
  ["state file", {}, { stateFile: "/run/x.state" }, { kind: "update", updates: [{ kind: "notify" }] }],
  [
    "address list: one kept, one removed, one added",
    {},
    { addresses: ["192.0.2.5/24", "192.0.2.7/24"] },
    { kind: "update", updates: [{ kind: "addresses", added: [v("192.0.2.7")], removed: [v("192.0.2.6")] }] },
  ],
  [
    "address list: a prefix change removes and adds that address",
    {},
    { addresses: ["192.0.2.5/24", "192.0.2.6/25"] },
    { kind: "update", updates: [{ kind: "addresses", added: [v("192.0.2.6", 25)], removed: [v("192.0.2.6")] }] },
  ],
  [
    "address list: reordered (the advert's order changes)",
    {},
    { addresses: ["192.0.2.6/24", "192.0.2.5/24"] },
    { kind: "update", updates: [{ kind: "addresses", added: [], removed: [] }] },
  ],
  [
    "several at once, in a fixed order",
    uni("192.0.2.12"),
    { ...uni("192.0.2.12", "192.0.2.13"), priority: 200, addresses: ["192.0.2.5/24"] },
    {
      kind: "update",
      updates: [
        { kind: "priority", from: 100, to: 200 },
        { kind: "unicast-peers", added: ["192.0.2.13"], removed: [] },
        { kind: "addresses", added: [], removed: [v("192.0.2.6")] },
      ],
    },
  ],
  ["VRID", {}, { virtualRouterId: 52 }, { kind: "recreate", reasons: ["virtual-router-id"] }],
  ["interface", {}, { interface: "eth1" }, { kind: "recreate", reasons: ["interface"] }],
  ["family (and so the addresses)", {}, { addresses: ["2001:db8::5/64"] }, { kind: "recreate", reasons: ["family"] }],
  ["version", {}, { version: 2 }, { kind: "recreate", reasons: ["version"] }],
  ["advert interval", {}, { advertInterval: "100ms" }, { kind: "recreate", reasons: ["advert-interval"] }],
  ["multicast to unicast", {}, uni("192.0.2.12"), { kind: "recreate", reasons: ["unicast-mode", "source"] }],
  [
    "unicast source",
    uni("192.0.2.12"),
    { unicast: { source: "192.0.2.10", peers: ["192.0.2.12"] } },
    { kind: "recreate", reasons: ["source"] },
  ],
  ["multicast source", {}, { source: "192.0.2.10" }, { kind: "recreate", reasons: ["source"] }],
  [
    "VRID and priority: re-created (the updates do not matter then)",
    {},
    { virtualRouterId: 52, priority: 150 },
    { kind: "recreate", reasons: ["virtual-router-id"] },
  ],
  [
    "a virtual route and the priority: re-created (routes do not change in place)",
    {},
    { priority: 150, routes: [{ to: "198.51.100.0/24", via: "192.0.2.1" }] },
    { kind: "recreate", reasons: ["other"] },
  ],
  [
    "dont_track_primary and a peer: re-created",
    uni("192.0.2.12"),
    { ...uni("192.0.2.13"), trackInterface: false },
    { kind: "recreate", reasons: ["other"] },
  ],
  // excludedAddresses (keepalived virtual_ipaddress_excluded) are on the host like the others, only not in the adverts.
  [
    "an excluded address added",
    {},
    { excludedAddresses: ["198.51.100.7/32"] },
    { kind: "update", updates: [{ kind: "addresses", added: [v("198.51.100.7", 32)], removed: [] }] },
  ],
  [
    "an excluded address removed",
    { excludedAddresses: ["198.51.100.7/32", "198.51.100.8/32"] },
    { excludedAddresses: ["198.51.100.8/32"] },
    { kind: "update", updates: [{ kind: "addresses", added: [], removed: [v("198.51.100.7", 32)] }] },
  ],
  [
    "an address moved from the advert to excludedAddresses: it stays on the host, only the advert changes",
    {},
    { addresses: ["192.0.2.5/24"], excludedAddresses: ["192.0.2.6/24"] },
    { kind: "update", updates: [{ kind: "addresses", added: [], removed: [] }] },
  ],
  [
    "an excluded address moved into the advert while another leaves it",
    { addresses: ["192.0.2.5/24"], excludedAddresses: ["192.0.2.6/24", "192.0.2.7/24"] },
    { addresses: ["192.0.2.6/24"], excludedAddresses: ["192.0.2.7/24"] },
    { kind: "update", updates: [{ kind: "addresses", added: [], removed: [v("192.0.2.5")] }] },
  ],
  [
    "the excluded list reordered: not in the adverts, nothing to do",
    { excludedAddresses: ["198.51.100.7/32", "198.51.100.8/32"] },
    { excludedAddresses: ["198.51.100.8/32", "198.51.100.7/32"] },
    { kind: "unchanged" },
  ],
];

/** One notion of equality (canonical): what reads the same to the router is no change, whatever way it was written. */
const equality: readonly [string, Record<string, unknown>, Record<string, unknown>, InstanceChange][] = [
  [
    "an address's device spelled out as the instance's interface",
    { addresses: [{ address: "192.0.2.5/24", device: "eth0" }, "192.0.2.6/24"] },
    {},
    { kind: "unchanged" },
  ],
  [
    "an address's /32 spelled out",
    { addresses: ["192.0.2.5", "192.0.2.6/24"] },
    { addresses: ["192.0.2.5/32", "192.0.2.6/24"] },
    { kind: "unchanged" },
  ],
  [
    "default priority behaviour spelled out (preempt, version, interval, initial state)",
    {},
    { preempt: true, version: 3, advertInterval: "1s", initialState: "backup", preemptDelay: "0s" },
    { kind: "unchanged" },
  ],
  ["empty lists spelled out", {}, { routes: [], rules: [], excludedAddresses: [], track: { interfaces: [] } }, { kind: "unchanged" }],
  [
    "the address list reordered: the advert's order changes",
    {},
    { addresses: ["192.0.2.6/24", "192.0.2.5/24"] },
    { kind: "update", updates: [{ kind: "addresses", added: [], removed: [] }] },
  ],
  [
    "the unicast peers reordered: the adverts' order changes",
    uni("192.0.2.12", "192.0.2.13"),
    uni("192.0.2.13", "192.0.2.12"),
    { kind: "update", updates: [{ kind: "unicast-peers", added: [], removed: [] }] },
  ],
  [
    "an address moved to another device",
    {},
    { addresses: [{ address: "192.0.2.5/24", device: "eth1" }, "192.0.2.6/24"] },
    { kind: "update", updates: [{ kind: "addresses", added: [{ ...v("192.0.2.5"), device: "eth1" }], removed: [v("192.0.2.5")] }] },
  ],
];

describe("planInstanceChange: equal configs written differently", () => {
  for (const [name, before, after, want] of equality) {
    it(name, () => {
      assert.deepEqual(planInstanceChange(slice(before), slice(after)), want);
      if (want.kind === "unchanged") assert.deepEqual(planInstanceChange(slice(after), slice(before)), want, "both ways");
    });
  }

  it("the same objects with their keys in another order", () => {
    const old = slice({ notify: { master: "/bin/true" }, track: { interfaces: [{ name: "eth1", weight: -10 }] } });
    const reversed = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).reverse()) as T;
    const i = old.instance;
    const next = {
      ...old,
      instance: reversed({
        ...i,
        garp: reversed(i.garp),
        notify: reversed(i.notify!),
        track: { ...i.track, interfaces: i.track.interfaces.map(reversed) },
      }),
    };
    assert.deepEqual(planInstanceChange(old, next), { kind: "unchanged" });
  });
});

describe("planInstanceChange", () => {
  for (const [name, before, after, want, sharedBefore, sharedAfter] of rows) {
    it(name, () => assert.deepEqual(planInstanceChange(slice(before, sharedBefore), slice(after, sharedAfter ?? sharedBefore)), want));
  }

  it("a field the planner does not know re-creates the router, also beside an in-place change", () => {
    const old = slice();
    const next = { ...old, instance: { ...old.instance, priority: 150, somethingNew: true } };
    assert.deepEqual(planInstanceChange(old, next), { kind: "recreate", reasons: ["other"] });
  });

  it("a change of the sync group (here its notify) re-creates the router, also beside a priority change", () => {
    const old = { ...slice(), group: { name: "g", instances: ["i", "j"] } };
    const next = {
      ...slice({ priority: 150 }),
      group: { name: "g", instances: ["i", "j"], notify: { master: "/bin/true", timeoutMs: 1000 } },
    };
    assert.deepEqual(planInstanceChange(old, next), { kind: "recreate", reasons: ["other"] });
    assert.deepEqual(planInstanceChange(old, { ...next, group: old.group }), {
      kind: "update",
      updates: [{ kind: "priority", from: 100, to: 150 }],
    });
  });

  it("a field the planner does not know re-creates the router", () => {
    const old = slice();
    const next = { ...old, instance: { ...old.instance, somethingNew: true } };
    assert.deepEqual(planInstanceChange(old, next), { kind: "recreate", reasons: ["other"] });
  });
});
