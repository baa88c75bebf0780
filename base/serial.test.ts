import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { Serial } from "./serial.js";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("Serial", () => {
  it("starts a task inside the call when nothing is queued", () => {
    const serial = new Serial();
    const log: string[] = [];
    void serial.run(async () => void log.push("ran"));
    log.push("after the call");
    assert.deepEqual(log, ["ran", "after the call"]);
  });

  it("runs tasks given while one is running after it, in order", async () => {
    const serial = new Serial();
    const log: string[] = [];
    let release!: () => void;
    const first = serial.run(async () => {
      log.push("first start");
      await new Promise<void>((resolve) => (release = resolve));
      log.push("first end");
    });
    const second = serial.run(async () => void log.push("second"));
    const third = serial.run(async () => void log.push("third"));
    await tick();
    assert.deepEqual(log, ["first start"]);
    release();
    await Promise.all([first, second, third]);
    assert.deepEqual(log, ["first start", "first end", "second", "third"]);
  });

  it("goes on after a failed task, which rejects its own promise only", async () => {
    const serial = new Serial();
    const failed = serial.run(async () => {
      throw new Error("boom");
    });
    const thrown = serial.run((): Promise<void> => {
      throw new Error("sync boom");
    });
    const next = serial.run(async () => "next");
    await assert.rejects(failed, /boom/);
    await assert.rejects(thrown, /sync boom/);
    assert.equal(await next, "next");
  });

  it("idle() waits for everything given so far, then runs new tasks at once again", async () => {
    const serial = new Serial();
    let done = false;
    void serial.run(async () => {
      await tick();
      done = true;
    });
    await serial.idle();
    assert.equal(done, true);
    const log: string[] = [];
    void serial.run(async () => void log.push("now"));
    assert.deepEqual(log, ["now"]);
  });
});
