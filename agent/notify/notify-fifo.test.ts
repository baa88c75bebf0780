import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fifoLine, type FifoEvent } from "./notify-fifo.js";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeFifoOutlets, FakeSegment } from "../runtime/fakes.js";
import { FakeSpawner } from "../health/fakes.js";
import { validateAgentConfig } from "../config/validate.js";
import type { AgentConfig } from "../config/types.js";
import { runClock, simulatedAgent } from "../runtime/simulated-agents.js";

const FIFO = "/run/floatip-test.fifo";

/** The value of one counter series in a Prometheus exposition. */
function counter(text: string, name: string, result: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{result="${result}"}`));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

describe("notify FIFO lines (keepalived's format)", () => {
  const cases: [FifoEvent, string][] = [
    [{ type: "INSTANCE", name: "VI_1", state: "MASTER", priority: 100 }, 'INSTANCE "VI_1" MASTER 100\n'],
    [{ type: "INSTANCE", name: "web lb", state: "FAULT", priority: 0 }, 'INSTANCE "web lb" FAULT 0\n'],
    [{ type: "INSTANCE", name: "VI_1", state: "STOP", priority: 150 }, 'INSTANCE "VI_1" STOP 150\n'],
    [{ type: "GROUP", name: "VG", state: "BACKUP" }, 'GROUP "VG" BACKUP 0\n'],
  ];
  for (const [event, line] of cases) it(line.trim(), () => assert.equal(fifoLine(event), line));
});

function configOf(doc: unknown): AgentConfig {
  const result = validateAgentConfig(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

class LinkTable extends FakeAddressTable {
  readonly down = new Set<string>();
  override async linkState(ifname: string): ReturnType<FakeAddressTable["linkState"]> {
    return { ...(await super.linkState(ifname)), up: !this.down.has(ifname) };
  }
}

function node(clock: ManualClock, segment: FakeSegment, address: string, fifos = new FakeFifoOutlets()) {
  const table = new LinkTable();
  const agent = simulatedAgent({
    clock,
    segment,
    address,
    addresses: table,
    spawner: new FakeSpawner((p) => p.exit(0)),
    fifos,
    minLevel: "info",
  });
  const lines = () => (fifos.lines.get(FIFO) ?? []).map((l) => l.trimEnd());
  return { table, agent, fifos, lines };
}

const one = (priority: number) =>
  configOf({
    notifyFifos: [{ path: FIFO }],
    instances: [{ name: "VI_1", interface: "eth0", virtualRouterId: 51, priority, addresses: ["192.0.2.5/24"] }],
  });

const group = (priority: number) =>
  configOf({
    notifyFifos: [{ path: FIFO }],
    instances: [
      { name: "VI_1", interface: "eth0", virtualRouterId: 51, priority, addresses: ["192.0.2.5/24"], track: { interfaces: ["eth1"] } },
      { name: "VI_2", interface: "eth0", virtualRouterId: 52, priority, addresses: ["192.0.2.6/24"] },
    ],
    syncGroups: [{ name: "VG", instances: ["VI_1", "VI_2"] }],
  });

describe("notify FIFO: the lines of an agent's transitions", () => {
  it("an instance alone: BACKUP, MASTER; a higher peer: BACKUP; stop: STOP", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const a = node(clock, segment, "192.0.2.11");
    await a.agent.supervisor.apply(one(100));
    await runClock(clock, 5000);
    assert.deepEqual(a.lines(), ['INSTANCE "VI_1" BACKUP 100', 'INSTANCE "VI_1" MASTER 100']);
    const b = node(clock, segment, "192.0.2.12");
    await b.agent.supervisor.apply(one(200));
    await runClock(clock, 5000);
    assert.equal(a.lines().at(-1), 'INSTANCE "VI_1" BACKUP 100', "down to backup when the higher peer preempts");
    await a.agent.supervisor.stop();
    assert.equal(a.lines().at(-1), 'INSTANCE "VI_1" STOP 100');
    assert.deepEqual(a.fifos.removed, [FIFO], "the FIFO the agent created is deleted at stop");
    await b.agent.supervisor.stop();
  });

  it("a sync group: the group's line after its members' lines, entering and leaving each state, but first at start (keepalived 2.2.7)", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const a = node(clock, segment, "192.0.2.11");
    await a.agent.supervisor.apply(group(150));
    await runClock(clock, 5000);
    const start = a.lines();
    assert.deepEqual(
      start.slice(0, 3),
      ['GROUP "VG" BACKUP 0', 'INSTANCE "VI_1" BACKUP 150', 'INSTANCE "VI_2" BACKUP 150'],
      "at start: the group first",
    );
    assert.deepEqual(start.slice(3).sort(), ['GROUP "VG" MASTER 0', 'INSTANCE "VI_1" MASTER 150', 'INSTANCE "VI_2" MASTER 150'].sort());
    assert.equal(start.at(-1), 'GROUP "VG" MASTER 0', "entering MASTER: the group last");
    assert.equal(start.length, 6);

    a.table.down.add("eth1"); // VI_1's tracked link: the group goes to FAULT
    await runClock(clock, 2000);
    assert.deepEqual(
      a.lines().slice(6),
      ['INSTANCE "VI_1" FAULT 150', 'INSTANCE "VI_2" FAULT 150', 'GROUP "VG" FAULT 0'],
      "leaving MASTER for FAULT",
    );

    a.table.down.delete("eth1");
    await runClock(clock, 5000);
    assert.deepEqual(
      a.lines().slice(9, 12),
      ['INSTANCE "VI_1" BACKUP 150', 'INSTANCE "VI_2" BACKUP 150', 'GROUP "VG" BACKUP 0'],
      "leaving FAULT",
    );
    assert.equal(a.lines().at(-1), 'GROUP "VG" MASTER 0');

    const before = a.lines().length;
    await a.agent.supervisor.stop();
    assert.deepEqual(a.lines().slice(before), ['INSTANCE "VI_1" STOP 150', 'INSTANCE "VI_2" STOP 150', 'GROUP "VG" STOP 0'], "stopping");
  });

  it("no reader: lines are dropped and counted, the election goes on", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const fifos = new FakeFifoOutlets();
    fifos.reader = false;
    const a = node(clock, segment, "192.0.2.11", fifos);
    await a.agent.supervisor.apply(one(100));
    await runClock(clock, 5000);
    assert.deepEqual(
      a.agent.supervisor.snapshot().map((r) => r.phase),
      ["master"],
    );
    const text = await a.agent.metrics.registry.metrics();
    assert.equal(counter(text, "floatip_notify_fifo_lines_total", "no-reader"), 2);
    fifos.reader = true;
    await a.agent.supervisor.stop();
    assert.deepEqual(a.lines(), ['INSTANCE "VI_1" STOP 100'], "a reader that came later gets the next line");
    assert.equal(counter(await a.agent.metrics.registry.metrics(), "floatip_notify_fifo_lines_total", "written"), 1);
  });

  it("a path that turned into something else by the time of start: logged, the other FIFO still gets its lines", async () => {
    const clock = new ManualClock(0);
    const fifos = new FakeFifoOutlets();
    fifos.notFifo.add("/run/file");
    const a = node(clock, new FakeSegment(), "192.0.2.11", fifos);
    const config = one(100);
    await a.agent.supervisor.apply({ ...config, notifyFifos: [{ path: "/run/file" }, { path: FIFO }] });
    await runClock(clock, 5000);
    assert.equal(a.lines().length, 2);
    assert.ok(a.agent.logs.some((l) => l.includes("cannot use the notify FIFO") && l.includes("/run/file")));
    await a.agent.supervisor.stop();
  });
});
