import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../base/clock.js";
import { FakeAddressTable, FakeSegment } from "./fakes.js";
import { FakeSpawner } from "../health/fakes.js";
import { validateAgentConfig } from "../config/validate.js";
import type { AgentConfig } from "../config/types.js";
import { runClock, simulatedAgent } from "./simulated-agents.js";

/** Two instances in sync group VG on eth0; VI_1 also tracks eth1's link (weight 0). */
function config(priority: number): AgentConfig {
  const result = validateAgentConfig({
    instances: [
      { name: "VI_1", interface: "eth0", virtualRouterId: 51, priority, addresses: ["192.0.2.5/24"], track: { interfaces: ["eth1"] } },
      { name: "VI_2", interface: "eth0", virtualRouterId: 52, priority, addresses: ["192.0.2.6/24"] },
    ],
    syncGroups: [{ name: "VG", instances: ["VI_1", "VI_2"], notify: { any: "/bin/group-notify" } }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

class LinkTable extends FakeAddressTable {
  readonly down = new Set<string>();
  override async linkState(ifname: string): ReturnType<FakeAddressTable["linkState"]> {
    return { ...(await super.linkState(ifname)), up: !this.down.has(ifname) };
  }
}

function node(clock: ManualClock, segment: FakeSegment, address: string) {
  const table = new LinkTable();
  const spawner = new FakeSpawner((p) => p.exit(0));
  const agent = simulatedAgent({ clock, segment, address, addresses: table, spawner, minLevel: "info" });
  const holds = () => ["192.0.2.5", "192.0.2.6"].filter((vip) => table.has("eth0", vip));
  const phases = () =>
    agent.supervisor
      .snapshot()
      .map((r) => `${r.name}:${r.phase}`)
      .sort();
  const groupNotifies = () => spawner.spawned.map((p) => p.argv.join(" ")).filter((a) => a.startsWith("/bin/group-notify"));
  return { table, agent, holds, phases, groupNotifies };
}

describe("sync groups on a simulated segment", () => {
  it("a member's FAULT moves the whole group to the peer, and the group comes back together", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const a = node(clock, segment, "192.0.2.11");
    const b = node(clock, segment, "192.0.2.12");
    await a.agent.supervisor.apply(config(150));
    await b.agent.supervisor.apply(config(100));
    await runClock(clock, 5000);
    assert.deepEqual(a.holds(), ["192.0.2.5", "192.0.2.6"]);
    assert.deepEqual(b.holds(), []);
    assert.deepEqual(a.groupNotifies(), ["/bin/group-notify GROUP VG BACKUP 0", "/bin/group-notify GROUP VG MASTER 0"]);

    a.table.down.add("eth1"); // only VI_1 tracks it
    await runClock(clock, 2000);
    assert.deepEqual(a.phases(), ["VI_1:fault", "VI_2:fault"], "VI_2 follows VI_1 into FAULT");
    assert.deepEqual(b.holds(), ["192.0.2.5", "192.0.2.6"], "the peer took both after the priority-0 adverts");
    assert.deepEqual(a.holds(), []);
    assert.equal(a.groupNotifies().at(-1), "/bin/group-notify GROUP VG FAULT 0");

    a.table.down.delete("eth1");
    await runClock(clock, 6000);
    assert.deepEqual(a.phases(), ["VI_1:master", "VI_2:master"], "both preempt back together");
    assert.deepEqual(b.phases(), ["VI_1:backup", "VI_2:backup"]);
    assert.deepEqual(b.holds(), []);
    assert.deepEqual(b.groupNotifies().slice(-2), ["/bin/group-notify GROUP VG MASTER 0", "/bin/group-notify GROUP VG BACKUP 0"]);

    await a.agent.supervisor.stop();
    await runClock(clock, 5000);
    assert.deepEqual(b.holds(), ["192.0.2.5", "192.0.2.6"]);
    assert.deepEqual(a.groupNotifies().at(-1), "/bin/group-notify GROUP VG MASTER 0", "no STOP for the generic notify (keepalived)");
    await b.agent.supervisor.stop();
  });

  it("a member does not go master alone while its partner still hears a master", async () => {
    const clock = new ManualClock(0);
    const segment = new FakeSegment();
    const a = node(clock, segment, "192.0.2.11");
    // A peer that runs only VI_2 as master: VI_1 of `a` hears nobody, VI_2 hears a master.
    const peer = node(clock, segment, "192.0.2.12");
    const only = validateAgentConfig({
      instances: [{ name: "VI_2", interface: "eth0", virtualRouterId: 52, priority: 200, addresses: ["192.0.2.6/24"] }],
    });
    assert.ok(only.ok);
    await peer.agent.supervisor.apply(only.config);
    await a.agent.supervisor.apply(config(150));
    await runClock(clock, 10_000);
    assert.deepEqual(a.phases(), ["VI_1:backup", "VI_2:backup"]);
    assert.deepEqual(a.holds(), []);
    await peer.agent.supervisor.stop();
    await runClock(clock, 2000);
    assert.deepEqual(a.phases(), ["VI_1:master", "VI_2:master"], "once the other master left, both go");
    await a.agent.supervisor.stop();
  });

  it("notify.user: instance and group notify commands run with that user's ids; one that cannot be resolved is not run", async () => {
    const clock = new ManualClock(0);
    const spawner = new FakeSpawner((p) => p.exit(0));
    const table = new LinkTable();
    const lookups: string[] = [];
    const agent = simulatedAgent({
      clock,
      segment: new FakeSegment(),
      address: "192.0.2.11",
      addresses: table,
      spawner,
      lookupUser: async (spec) => {
        lookups.push(spec);
        return spec === "alerts" ? { ok: true, ids: { uid: 1001, gid: 1002 } } : { ok: false, message: `unknown user "${spec}"` };
      },
    });
    const result = validateAgentConfig({
      instances: [
        {
          name: "VI_1",
          interface: "eth0",
          virtualRouterId: 51,
          addresses: ["192.0.2.5/24"],
          notify: { master: "/bin/to-master", user: "alerts" },
        },
        {
          name: "VI_2",
          interface: "eth0",
          virtualRouterId: 52,
          addresses: ["192.0.2.6/24"],
          notify: { master: "/bin/nobody-here", user: "ghost" },
        },
      ],
      syncGroups: [{ name: "VG", instances: ["VI_1", "VI_2"], notify: { master: "/bin/group-master", user: "alerts" } }],
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    await agent.supervisor.apply(result.config);
    await runClock(clock, 5000);
    const runs = spawner.spawned.map((p) => `${p.argv.join(" ")} ${p.request.uid}:${p.request.gid}`);
    assert.deepEqual(runs.sort(), ["/bin/group-master 1001:1002", "/bin/to-master 1001:1002"]);
    assert.equal(lookups.filter((l) => l === "alerts").length, 1, "a user found is remembered");
    assert.ok(
      agent.logs.some((l) => l.includes("notify master not run: unknown user") && l.includes("/bin/nobody-here")),
      agent.logs.join("\n"),
    );
    await agent.supervisor.stop();
  });
});
