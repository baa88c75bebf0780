import { LinkNotFoundError } from "../os/address-table.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import type { LinkInfo } from "../os/ports.js";
import { ManualClock } from "../../base/clock.js";
import { memoryLogger, settle } from "./fakes.js";
import { InterfaceWatch } from "./interface-watch.js";

function links(initial: Record<string, boolean | "missing">) {
  const state = { ...initial };
  const calls: string[] = [];
  return {
    state,
    calls,
    async linkState(ifname: string): Promise<Omit<LinkInfo, "addresses">> {
      calls.push(ifname);
      const up = state[ifname];
      if (up === undefined || up === "missing") throw new LinkNotFoundError(`no interface named ${ifname}`);
      return { name: ifname, index: 2, mac: "02:00:00:00:00:01", up };
    },
  };
}

test("the first poll in subscribe() sets the state silently; later changes are reported", async () => {
  const clock = new ManualClock(0);
  const table = links({ eth0: true, eth1: false });
  const changes: string[] = [];
  const watch = new InterfaceWatch({ clock, addresses: table, logger: memoryLogger(), pollMs: 500 });
  assert.deepEqual(table.calls, []);
  assert.equal(watch.isUp("eth0"), undefined);
  const subs = await Promise.all(["eth0", "eth1"].map((name) => watch.subscribe(name, (up) => changes.push(`${name}:${up}`))));
  assert.deepEqual(table.calls.sort(), ["eth0", "eth1"]);
  assert.equal(watch.isUp("eth0"), true);
  assert.equal(watch.isUp("eth1"), false);
  assert.deepEqual(changes, []);

  table.state["eth0"] = false;
  table.state["eth1"] = true;
  clock.advanceTo(499);
  await settle();
  assert.deepEqual(changes, []);
  clock.advanceTo(500);
  await settle();
  assert.deepEqual(changes.sort(), ["eth0:false", "eth1:true"]);
  clock.advanceTo(1000);
  await settle();
  assert.equal(changes.length, 2);
  await Promise.all(subs.map((s) => s.unsubscribe()));
  const after = table.calls.length;
  clock.advanceTo(5000);
  await settle();
  assert.equal(table.calls.length, after);
});

test("an interface that cannot be looked up is down", async () => {
  const clock = new ManualClock(0);
  const table = links({ eth0: true });
  const changes: boolean[] = [];
  const watch = new InterfaceWatch({ clock, addresses: table, logger: memoryLogger(), pollMs: 100 });
  const sub = await watch.subscribe("eth0", (up) => changes.push(up));
  table.state["eth0"] = "missing";
  clock.advanceTo(100);
  await settle();
  assert.equal(watch.isUp("eth0"), false);
  assert.deepEqual(changes, [false]);
  await sub.unsubscribe();
});

test("255 subscribers of one interface share one poll per interval; each hears a change once", async () => {
  const clock = new ManualClock(0);
  const table = links({ eth0: true });
  const heard = new Array<number>(255).fill(0);
  const watch = new InterfaceWatch({ clock, addresses: table, logger: memoryLogger(), pollMs: 1000 });
  // All subscribe at once, while the first poll is still in flight.
  const subs = await Promise.all(heard.map((_, i) => watch.subscribe("eth0", () => heard[i]!++)));
  assert.equal(table.calls.length, 1);
  assert.deepEqual(watch.polled(), ["eth0"]);
  for (let t = 1000; t <= 5000; t += 1000) {
    clock.advanceTo(t);
    await settle();
    assert.equal(table.calls.length, 1 + t / 1000, `one linkState call per tick at ${t} ms`);
  }
  table.state["eth0"] = false;
  clock.advanceTo(6000);
  await settle();
  assert.ok(
    heard.every((n) => n === 1),
    "every subscriber heard the link go down once",
  );
  assert.equal(table.calls.length, 7);
  // A late subscriber gets the known state at once, without a poll of its own.
  const late = await watch.subscribe("eth0", () => undefined);
  assert.equal(table.calls.length, 7);
  assert.equal(watch.isUp("eth0"), false);
  await Promise.all([...subs, late].map((s) => s.unsubscribe()));
});

test("the poll goes on while anyone follows the interface and stops with the last unsubscribe", async () => {
  const clock = new ManualClock(0);
  const table = links({ eth0: true, eth1: true });
  const watch = new InterfaceWatch({ clock, addresses: table, logger: memoryLogger(), pollMs: 1000 });
  const a = await watch.subscribe("eth0", () => undefined);
  const b = await watch.subscribe("eth0", () => undefined);
  const c = await watch.subscribe("eth1", () => undefined);
  await a.unsubscribe();
  await a.unsubscribe(); // idempotent: b still counts
  clock.advanceTo(1000);
  await settle();
  assert.deepEqual(table.calls.filter((n) => n === "eth0").length, 2);
  await b.unsubscribe();
  assert.deepEqual(watch.polled(), ["eth1"]);
  assert.equal(watch.isUp("eth0"), undefined);
  for (let t = 2000; t <= 5000; t += 1000) {
    clock.advanceTo(t);
    await settle();
  }
  assert.equal(table.calls.filter((n) => n === "eth0").length, 2, "no eth0 poll after its last subscriber left");
  assert.ok(table.calls.filter((n) => n === "eth1").length >= 5, "eth1 is still polled");
  // Following it again starts a fresh poll with a silent first look.
  table.state["eth0"] = false;
  const changes: boolean[] = [];
  const d = await watch.subscribe("eth0", (up) => changes.push(up));
  assert.equal(watch.isUp("eth0"), false);
  assert.deepEqual(changes, []);
  await Promise.all([c.unsubscribe(), d.unsubscribe()]);
  assert.deepEqual(watch.polled(), []);
  const after = table.calls.length;
  clock.advanceTo(10_000);
  await settle();
  assert.equal(table.calls.length, after);
});

test("unsubscribing during a poll waits for it, and its result reaches nobody", async () => {
  const clock = new ManualClock(0);
  let release: (() => void) | undefined;
  let up = true;
  const table = {
    calls: 0,
    async linkState(ifname: string): Promise<Omit<LinkInfo, "addresses">> {
      this.calls++;
      if (this.calls > 1) await new Promise<void>((resolve) => (release = resolve));
      return { name: ifname, index: 2, mac: "", up };
    },
  };
  const changes: boolean[] = [];
  const watch = new InterfaceWatch({ clock, addresses: table, logger: memoryLogger(), pollMs: 1000 });
  const sub = await watch.subscribe("eth0", (u) => changes.push(u));
  up = false;
  clock.advanceTo(1000);
  await settle();
  assert.equal(table.calls, 2);
  let stopped = false;
  const stopping = sub.unsubscribe().then(() => (stopped = true));
  await settle();
  assert.equal(stopped, false, "waits for the poll in progress");
  release?.();
  await stopping;
  assert.deepEqual(changes, []);
  clock.advanceTo(5000);
  await settle();
  assert.equal(table.calls, 2);
});

test("with a link monitor, a change reaches the listeners at once, and the poll is only a slow resync", async () => {
  const { FakeLinkMonitor } = await import("../runtime/fakes.js");
  const clock = new ManualClock(0);
  const table = links({ up0: true });
  const monitor = new FakeLinkMonitor();
  const changes: string[] = [];
  const watch = new InterfaceWatch({ clock, addresses: table, logger: memoryLogger(), monitor });
  const sub = await watch.subscribe("up0", (up) => changes.push(`up0:${up}`));
  monitor.link("up0", { up: false });
  assert.deepEqual(changes, ["up0:false"]);
  assert.equal(watch.isUp("up0"), false);
  monitor.link("up0", { up: true });
  assert.deepEqual(changes, ["up0:false", "up0:true"]);
  // Deleted, then re-created under another index; renamed away; renamed back.
  monitor.link("up0", { gone: true, up: false });
  monitor.link("up0", { index: 7, up: true });
  monitor.link("other", { index: 7, up: true });
  monitor.link("up0", { index: 7, up: true });
  assert.deepEqual(changes, ["up0:false", "up0:true", "up0:false", "up0:true", "up0:false", "up0:true"]);
  // Events for other interfaces change nothing.
  monitor.link("eth9", { index: 9, up: false });
  assert.equal(changes.length, 6);
  const polls = table.calls.length;
  clock.advanceTo(5000);
  await settle();
  assert.equal(table.calls.length, polls, "no 1 s poll while a monitor feeds the watch");
  // A resync (events lost) reads the state again.
  table.state["up0"] = false;
  monitor.emit({ type: "resync" });
  await settle();
  assert.deepEqual(changes.at(-1), "up0:false");
  await sub.unsubscribe();
  assert.equal(monitor.subscribers, 0);
});
