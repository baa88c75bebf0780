import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { StopSignals } from "./stop-signals.js";

function fakeProcess() {
  const emitter = new EventEmitter();
  return { source: emitter as unknown as { on: EventEmitter["on"] }, raise: (signal: NodeJS.Signals) => emitter.emit(signal, signal) };
}

describe("stop signals", () => {
  it("a stop signal before anyone asks is kept and reported at once, synchronously", () => {
    const p = fakeProcess();
    const signals = new StopSignals(p.source).listen();
    p.raise("SIGINT");
    assert.equal(signals.stopRequested, "SIGINT");
    const seen: string[] = [];
    signals.onStop((s) => seen.push(s));
    assert.deepEqual(seen, ["SIGINT"]);
  });

  it("reports the first stop once; repeats are ignored", () => {
    const p = fakeProcess();
    const signals = new StopSignals(p.source).listen();
    const seen: string[] = [];
    signals.onStop((s) => seen.push(s));
    p.raise("SIGTERM");
    p.raise("SIGTERM");
    p.raise("SIGINT");
    assert.deepEqual(seen, ["SIGTERM"]);
  });

  it("SIGHUP while starting is noted, not acted on; a reloader listening later gets one call for it, then each", () => {
    const p = fakeProcess();
    const signals = new StopSignals(p.source).listen();
    p.raise("SIGHUP");
    p.raise("SIGHUP");
    let reloads = 0;
    const reload = () => reloads++;
    signals.on("SIGHUP", reload);
    assert.equal(reloads, 1);
    p.raise("SIGHUP");
    assert.equal(reloads, 2);
    signals.off("SIGHUP", reload);
    p.raise("SIGHUP");
    assert.equal(reloads, 2);
    assert.equal(signals.stopRequested, undefined);
  });

  it("takes over what a launcher caught before it listened", () => {
    const p = fakeProcess();
    const signals = new StopSignals(p.source).listen();
    signals.replay(["SIGHUP", "SIGTERM", "SIGINT"]);
    assert.equal(signals.stopRequested, "SIGTERM");
    let reloads = 0;
    signals.on("SIGHUP", () => reloads++);
    assert.equal(reloads, 1);
  });
});
