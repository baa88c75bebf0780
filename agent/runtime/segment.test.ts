import { test } from "node:test";
import assert from "node:assert/strict";
import type { LinkEvent } from "../os/ports.js";
import { segmentChange, type SegmentView } from "./segment.js";

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
