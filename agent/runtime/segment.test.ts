import { test } from "node:test";
import assert from "node:assert/strict";
import type { LinkEvent, VrrpTransport } from "../os/ports.js";
import { FollowingTransport, readDelayUs, segmentChange, type SegmentView } from "./segment.js";

const open: SegmentView = { iface: "eth0", family: 4, ifindex: 2, sourceAddress: "192.0.2.11", up: true, closed: false };
const closed: SegmentView = { ...open, ifindex: undefined, up: false, closed: true };
const link = (name: string, index: number, up: boolean, gone = false): LinkEvent => ({ type: "link", index, name, up, gone });
const address = (ifname: string | undefined, addr: string, gone: boolean, index = 2): LinkEvent => ({
  type: "address",
  index,
  ifname,
  address: addr,
  family: addr.includes(":") ? 6 : 4,
  prefixLength: 24,
  gone,
});

test("what each kernel event means for a segment", () => {
  const cases: [string, SegmentView, LinkEvent, ReturnType<typeof segmentChange>][] = [
    ["our interface deleted", open, link("eth0", 2, false, true), { type: "gone" }],
    ["another interface deleted", open, link("eth1", 3, false, true), undefined],
    ["an old index of our name deleted after re-creation", { ...open, ifindex: 9 }, link("eth0", 2, false, true), undefined],
    ["renamed away (same index, another name)", open, link("eth7", 2, true), { type: "gone" }],
    ["carrier lost", open, link("eth0", 2, false), { type: "link", up: false }],
    ["carrier back", { ...open, up: false }, link("eth0", 2, true), { type: "link", up: true }],
    ["no change", open, link("eth0", 2, true), undefined],
    ["re-created under a new index, up", open, link("eth0", 9, true), { type: "reopen" }],
    ["re-created, still down", closed, link("eth0", 9, false), undefined],
    ["re-created, up", closed, link("eth0", 9, true), { type: "reopen" }],
    ["renamed back in, up", closed, link("eth0", 2, true), { type: "reopen" }],
    ["our source address removed", open, address("eth0", "192.0.2.11", true), { type: "source-gone" }],
    ["another address removed", open, address("eth0", "192.0.2.5", true), undefined],
    ["the source on another interface removed", open, address("eth1", "192.0.2.11", true, 3), undefined],
    ["an IPv6 address on an IPv4 segment", open, address("eth0", "fe80::1", true), undefined],
    ["an address added while closed and up", { ...closed, up: true }, address("eth0", "192.0.2.11", false), { type: "reopen" }],
    ["an address added while closed and down", closed, address("eth0", "192.0.2.11", false), undefined],
    ["an address added while open", open, address("eth0", "192.0.2.11", false), undefined],
    ["an address event for an unnamed index that is ours", open, address(undefined, "192.0.2.11", true), { type: "source-gone" }],
    ["events were lost", open, { type: "resync" }, { type: "resync" }],
  ];
  for (const [name, view, event, expected] of cases) assert.deepEqual(segmentChange(view, event), expected, name);
});

test("how long a segment's socket may rest between reads", () => {
  const r = (advertIntervalMs: number, priority = 100, version: 2 | 3 = 3) => ({ version, priority, advertIntervalMs });
  const cases: [string, ReturnType<typeof r>[], number][] = [
    ["no routers", [], 0],
    ["10 ms adverts: read at every wake-up", [r(10)], 0],
    ["50 ms among 1 s ones: read at every wake-up", [r(1000), r(50)], 0],
    // Skew_Time at priority 100, 100 ms: 156 × 100 / 256 = 60.9 ms; a 64th of it.
    ["100 ms, priority 100", [r(100)], 952],
    ["1 s: capped at 1 ms", [r(1000)], 1000],
    ["the shortest Skew_Time wins: priority 254 at 1 s (7.8 ms)", [r(1000), r(1000, 254)], 122],
    ["VRRPv2, 1 s, priority 200 (Skew_Time 219 ms)", [r(1000, 200, 2)], 1000],
  ];
  for (const [name, routers, expected] of cases) assert.equal(readDelayUs(routers), expected, name);
});

test("the following transport gives its read delay to each socket attached", () => {
  const delays: [string, number][] = [];
  const socket = (name: string): VrrpTransport => ({
    sourceAddress: "192.0.2.11",
    ifindex: 2,
    send: () => undefined,
    setReadDelay: (us) => delays.push([name, us]),
    onPacket: () => undefined,
    onError: () => undefined,
    close: () => undefined,
  });
  const following = new FollowingTransport(socket("first"), "eth0 (IPv4)");
  following.setReadDelay(952);
  following.setReadDelay(952); // unchanged: not passed on again
  following.attach(socket("reopened"));
  following.setReadDelay(0);
  assert.deepEqual(delays, [
    ["first", 952],
    ["reopened", 952],
    ["reopened", 0],
  ]);
});
