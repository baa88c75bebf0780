import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_GARP, type AgentConfig, type InstanceConfig, type ScriptConfig } from "../config/types.js";
import type { LinkInfo } from "../os/ports.js";
import { ManualClock } from "../../base/clock.js";
import { FakeSpawner, memoryLogger, settle } from "./fakes.js";
import type { HealthResult } from "./priority.js";
import { HealthTracker } from "./tracker.js";

const script = (name: string, weight: number, extra: Partial<ScriptConfig> = {}): ScriptConfig => ({
  name,
  command: `/usr/local/bin/${name}`,
  intervalMs: 1000,
  timeoutMs: 500,
  weight,
  reverse: false,
  fall: 1,
  rise: 1,
  initFail: false,
  ...extra,
});

const instance = (name: string, priority: number, track: Partial<InstanceConfig["track"]>, iface = "eth0"): InstanceConfig => ({
  name,
  interface: iface,
  virtualRouterId: priority % 255,
  version: 3,
  family: 4,
  priority,
  advertIntervalMs: 1000,
  preempt: true,
  preemptDelayMs: 0,
  initialState: "backup",
  addresses: [{ address: "192.0.2.5", family: 4, prefixLength: 32 }],
  garp: DEFAULT_GARP,
  track: { scripts: [], interfaces: [], files: [], ...track },
});

function setup(config: AgentConfig, exitCodes: Record<string, number>) {
  const clock = new ManualClock(0);
  const spawner = new FakeSpawner((p) => p.exit(exitCodes[p.argv[0]!.split("/").pop()!] ?? 0));
  const linkUp: Record<string, boolean> = { eth0: true, eth1: true };
  const files: Record<string, string> = {};
  const changes: { instance: string; health: HealthResult }[] = [];
  let io = 0;
  const tracker = new HealthTracker(config, {
    clock,
    spawner,
    logger: memoryLogger(),
    addresses: {
      async linkState(ifname: string): Promise<Omit<LinkInfo, "addresses">> {
        io++;
        return { name: ifname, index: 2, mac: "02:00:00:00:00:01", up: linkUp[ifname] ?? false };
      },
    },
    readFile: async (path) => {
      io++;
      const text = files[path];
      if (text === undefined) throw new Error("ENOENT");
      return text;
    },
    interfacePollMs: 500,
    trackFilePollMs: 500,
    onChange: (name, health) => changes.push({ instance: name, health }),
  });
  return { clock, spawner, linkUp, files, changes, tracker, io: () => io };
}

const summary = (c: { instance: string; health: HealthResult }) =>
  `${c.instance}:${c.health.effectivePriority}${c.health.fault ? ":FAULT" : ""}`;

test("a script shared by two instances runs once per interval and moves both", async () => {
  const config: AgentConfig = {
    scripts: [script("chk", -30), script("unused", 0)],
    trackFiles: [],
    instances: [instance("VI_1", 150, { scripts: [{ name: "chk" }] }), instance("VI_2", 100, { scripts: [{ name: "chk", weight: -60 }] })],
  };
  const codes: Record<string, number> = { chk: 0 };
  const t = setup(config, codes);
  assert.equal(t.io(), 0, "constructor does no I/O");
  assert.equal(t.spawner.spawned.length, 0);
  await t.tracker.start();
  await settle();
  assert.equal(t.spawner.spawned.length, 1, "one run for the shared script, none for the unused one");
  assert.equal(t.changes.length, 0, "OK with a negative weight changes nothing");

  codes["chk"] = 1;
  t.clock.advanceTo(1000);
  await settle();
  assert.equal(t.spawner.spawned.length, 2);
  assert.deepEqual(t.changes.map(summary), ["VI_1:120", "VI_2:40"]);
  assert.deepEqual(t.changes[0]?.health.reasons, [
    { kind: "script", name: "chk", health: "failed", effect: { type: "priority", delta: -30 } },
  ]);

  t.clock.advanceTo(2000);
  await settle();
  assert.equal(t.changes.length, 2, "no report without a change");

  codes["chk"] = 0;
  t.clock.advanceTo(3000);
  await settle();
  assert.deepEqual(t.changes.slice(2).map(summary), ["VI_1:150", "VI_2:100"]);
  await t.tracker.stop();
});

test("interfaces: the primary one is tracked with weight 0, others by their weight", async () => {
  const config: AgentConfig = {
    scripts: [],
    trackFiles: [],
    instances: [instance("VI_1", 100, { interfaces: [{ name: "eth1", weight: -20 }] })],
  };
  const t = setup(config, {});
  await t.tracker.start();
  assert.equal(t.changes.length, 0);
  t.linkUp["eth1"] = false;
  t.clock.advanceTo(500);
  await settle();
  assert.deepEqual(t.changes.map(summary), ["VI_1:80"]);
  t.linkUp["eth0"] = false;
  t.clock.advanceTo(1000);
  await settle();
  assert.deepEqual(t.changes.map(summary), ["VI_1:80", "VI_1:80:FAULT"]);
  t.linkUp["eth0"] = true;
  t.linkUp["eth1"] = true;
  t.clock.advanceTo(1500);
  await settle();
  assert.deepEqual(t.changes.at(-1)?.health, { effectivePriority: 100, fault: false, pending: false, reasons: [] });
  await t.tracker.stop();
});

test("track files: value at start is reported by start(); weight 0 faults on non-zero", async () => {
  const config: AgentConfig = {
    scripts: [],
    trackFiles: [
      { name: "prio", path: "/run/prio", weight: 10 },
      { name: "maint", path: "/run/maint", weight: 0 },
    ],
    instances: [instance("VI_1", 100, { files: [{ name: "prio" }, { name: "maint" }] })],
  };
  const t = setup(config, {});
  t.files["/run/prio"] = "-3\n";
  await t.tracker.start();
  assert.deepEqual(t.changes.map(summary), ["VI_1:70"]);
  assert.deepEqual(t.tracker.health("VI_1")?.effectivePriority, 70);
  t.files["/run/maint"] = "1";
  t.clock.advanceTo(500);
  await settle();
  assert.deepEqual(t.changes.map(summary), ["VI_1:70", "VI_1:70:FAULT"]);
  await t.tracker.stop();
});

test("an unweighted script is pending until its first result; owner stays at 255", async () => {
  const config: AgentConfig = {
    scripts: [script("gate", 0), script("weighted", -50)],
    trackFiles: [],
    instances: [instance("OWNER", 255, { scripts: [{ name: "gate" }, { name: "weighted" }] })],
  };
  const t = setup(config, { gate: 1, weighted: 1 });
  const before = t.tracker.evaluate("OWNER");
  assert.equal(before?.pending, true);
  await t.tracker.start();
  await settle();
  assert.deepEqual(
    t.changes.map((c) => `${summary(c)}${c.health.pending ? ":pending" : ""}`),
    ["OWNER:255:pending", "OWNER:255:FAULT"],
  );
  await t.tracker.stop();
});

test("stop ends polling and scripts", async () => {
  const config: AgentConfig = {
    scripts: [script("chk", 0, { timeoutMs: 10_000 })],
    trackFiles: [],
    instances: [instance("VI_1", 100, { scripts: [{ name: "chk" }] })],
  };
  const clock = new ManualClock(0);
  const spawner = new FakeSpawner();
  const tracker = new HealthTracker(config, {
    clock,
    spawner,
    logger: memoryLogger(),
    addresses: { linkState: async (n: string) => ({ name: n, index: 1, mac: "", up: true }) },
    readFile: async () => "0",
    onChange: () => undefined,
  });
  await tracker.start();
  await settle();
  assert.equal(spawner.running().length, 1);
  await tracker.stop();
  assert.equal(spawner.running().length, 0);
  clock.advanceTo(10_000);
  await settle();
  assert.equal(spawner.spawned.length, 1);
});

test("an unweighted HTTP check holds the instance back until it answers, then FAULTs while it fails", async () => {
  const config: AgentConfig = {
    scripts: [],
    trackFiles: [],
    httpChecks: [
      { name: "apiserver", url: "https://127.0.0.1:6443/readyz", intervalMs: 1000, timeoutMs: 500, weight: 0, fall: 2, rise: 1 },
    ],
    instances: [instance("CP", 150, { httpChecks: [{ name: "apiserver" }] })],
  };
  const clock = new ManualClock(0);
  let code = 200;
  const urls: string[] = [];
  const changes: string[] = [];
  const tracker = new HealthTracker(config, {
    clock,
    spawner: new FakeSpawner(),
    logger: memoryLogger(),
    addresses: { linkState: async (n: string) => ({ name: n, index: 1, mac: "", up: true }) },
    readFile: async () => "0",
    prober: { get: async (request) => (urls.push(request.url), { type: "status", code }) },
    onChange: (name, health) =>
      changes.push(`${name}:${health.effectivePriority}${health.fault ? ":FAULT" : ""}${health.pending ? ":pending" : ""}`),
  });
  assert.equal(tracker.evaluate("CP")?.pending, true, "no answer yet: held back like an unweighted script");
  await tracker.start();
  await settle();
  assert.deepEqual(changes, ["CP:150:pending", "CP:150"]);
  code = 500;
  clock.advanceTo(1000);
  await settle();
  assert.deepEqual(changes.length, 2, "one failure is not fall 2");
  clock.advanceTo(2000);
  await settle();
  assert.deepEqual(changes.slice(2), ["CP:150:FAULT"]);
  assert.deepEqual(tracker.health("CP")?.reasons, [{ kind: "http", name: "apiserver", health: "failed", effect: { type: "fault" } }]);
  code = 200;
  clock.advanceTo(3000);
  await settle();
  assert.deepEqual(changes.slice(3), ["CP:150"]);
  assert.deepEqual(new Set(urls), new Set(["https://127.0.0.1:6443/readyz"]));
  await tracker.stop();
  clock.advanceTo(10_000);
  await settle();
  assert.equal(urls.length, 4, "no probes after stop");
});
