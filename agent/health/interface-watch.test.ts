import { LinkNotFoundError } from "../os/address-table.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import type { LinkInfo } from "../os/ports.js";
import { ManualClock } from "../runtime/clock.js";
import { memoryLogger, settle } from "./fakes.js";
import { InterfaceWatch } from "./interface-watch.js";

function links(initial: Record<string, boolean | "missing">) {
  const state = { ...initial };
  let calls = 0;
  return {
    state,
    get calls() {
      return calls;
    },
    async linkState(ifname: string): Promise<Omit<LinkInfo, "addresses">> {
      calls++;
      const up = state[ifname];
      if (up === undefined || up === "missing") throw new LinkNotFoundError(`no interface named ${ifname}`);
      return { name: ifname, index: 2, mac: "02:00:00:00:00:01", up };
    },
  };
}

test("first poll in start() sets the state silently; later changes are reported", async () => {
  const clock = new ManualClock(0);
  const table = links({ eth0: true, eth1: false });
  const changes: string[] = [];
  const watch = new InterfaceWatch(["eth0", "eth1", "eth0"], { clock, addresses: table, logger: memoryLogger(), pollMs: 500, onChange: (n, up) => changes.push(`${n}:${up}`) });
  assert.equal(table.calls, 0);
  assert.equal(watch.isUp("eth0"), undefined);
  await watch.start();
  assert.equal(table.calls, 2);
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
  assert.deepEqual(changes, ["eth0:false", "eth1:true"]);
  clock.advanceTo(1000);
  await settle();
  assert.deepEqual(changes, ["eth0:false", "eth1:true"]);
  await watch.stop();
  const after = table.calls;
  clock.advanceTo(5000);
  await settle();
  assert.equal(table.calls, after);
});

test("an interface that cannot be looked up is down", async () => {
  const clock = new ManualClock(0);
  const table = links({ eth0: true });
  const changes: string[] = [];
  const watch = new InterfaceWatch(["eth0"], { clock, addresses: table, logger: memoryLogger(), pollMs: 100, onChange: (n, up) => changes.push(`${n}:${up}`) });
  await watch.start();
  table.state["eth0"] = "missing";
  clock.advanceTo(100);
  await settle();
  assert.equal(watch.isUp("eth0"), false);
  assert.deepEqual(changes, ["eth0:false"]);
  await watch.stop();
});
