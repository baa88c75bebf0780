import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { parseYamlConfig, type LoadResult } from "../config/load.js";
import type { AgentConfig } from "../config/types.js";
import { jsonLogger } from "../../base/logger.js";
import type { ApplyReport } from "../runtime/supervisor.js";
import { Reloader, type ReloadOutcome } from "./reload.js";

const config = (vrids: number[]): LoadResult =>
  parseYamlConfig(
    JSON.stringify({
      instances: vrids.map((v) => ({ name: `i${v}`, interface: "eth0", virtualRouterID: v, addresses: [`192.0.2.${(v % 200) + 1}/24`] })),
    }),
    "agent.yaml",
  );

function harness(files: LoadResult[], applyDelayMs = 0) {
  const signals = new EventEmitter();
  const applied: string[][] = [];
  const outcomes: ReloadOutcome[] = [];
  const logs: string[] = [];
  let waiting: (() => void) | undefined;
  const reloader = new Reloader({
    signals: signals as unknown as ConstructorParameters<typeof Reloader>[0]["signals"],
    load: async () => files.shift()!,
    apply: async (c: AgentConfig): Promise<ApplyReport> => {
      await new Promise((r) => setTimeout(r, applyDelayMs));
      applied.push(c.instances.map((i) => i.name));
      return { added: c.instances.map((i) => i.name), removed: [], replaced: [], updated: [], unchanged: [] };
    },
    logger: jsonLogger({ write: (l) => logs.push(l), wallClock: () => new Date(0) }),
    onReload: (o) => {
      outcomes.push(o);
      waiting?.();
    },
  });
  const next = () => new Promise<void>((r) => (waiting = r));
  return { signals, reloader, applied, outcomes, logs, next };
}

test("SIGHUP applies the file again", async () => {
  const h = harness([config([1, 2])]);
  h.reloader.listen();
  const done = h.next();
  h.signals.emit("SIGHUP");
  await done;
  assert.deepEqual(h.applied, [["i1", "i2"]]);
  assert.equal(h.outcomes[0]?.kind, "applied");
  assert.match(h.logs.join(""), /"msg":"config reloaded"/);
  await h.reloader.close();
});

test("SIGHUP on a file with an old field spelling: applied, with a warning naming the line and field", async () => {
  const h = harness([
    parseYamlConfig("instances:\n  - name: i1\n    interface: eth0\n    virtualRouterId: 1\n    addresses: [192.0.2.2/24]\n", "agent.yaml"),
  ]);
  h.reloader.listen();
  const done = h.next();
  h.signals.emit("SIGHUP");
  await done;
  assert.deepEqual(h.applied, [["i1"]]);
  assert.match(
    h.logs.join(""),
    /"level":"warn","msg":"config warning","field":"agent.yaml:4","message":"instances\[0\]\.virtualRouterId: virtualRouterId is the old spelling of virtualRouterID/,
  );
  await h.reloader.close();
});

test("an invalid file is rejected with each error naming its field, and nothing is applied", async () => {
  const h = harness([config([0, 256])]);
  h.reloader.listen();
  const done = h.next();
  h.signals.emit("SIGHUP");
  await done;
  assert.deepEqual(h.applied, []);
  const outcome = h.outcomes[0];
  assert.equal(outcome?.kind, "rejected");
  const logged = h.logs.map((l) => JSON.parse(l) as { field?: string; msg: string });
  assert.deepEqual(
    logged.map((l) => l.field),
    ["instances[0].virtualRouterID", "instances[1].virtualRouterID"],
  );
  assert.ok(logged.every((l) => l.msg === "reload rejected, running config kept"));
  await h.reloader.close();
});

test("signals during a reload coalesce into one more reload, which reads the file again", async () => {
  const h = harness([config([1]), config([1, 2, 3])], 30);
  h.reloader.listen();
  let done = h.next();
  h.signals.emit("SIGHUP");
  h.signals.emit("SIGHUP");
  h.signals.emit("SIGHUP");
  await done;
  done = h.next();
  await done;
  assert.deepEqual(h.applied, [["i1"], ["i1", "i2", "i3"]]);
  await h.reloader.close();
});

test("after close() a signal starts nothing and the listener is gone", async () => {
  const h = harness([config([1])]);
  h.reloader.listen();
  await h.reloader.close();
  assert.equal(h.signals.listenerCount("SIGHUP"), 0);
  h.reloader.request();
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(h.applied, []);
});
