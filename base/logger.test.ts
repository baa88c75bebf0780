import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { jsonLogger } from "./logger.js";

const failing = (code: string) => () => {
  throw Object.assign(new Error(`${code}: write failed`), { code });
};

describe("json logger", () => {
  // Issue 13 finding 6: a full log disk made the first log line of a takeover throw and kill the agent.
  it("never throws: a failed write (ENOSPC, EPIPE, EAGAIN) is counted by its code and the line dropped", () => {
    const failed: string[] = [];
    for (const code of ["ENOSPC", "EPIPE", "EAGAIN"]) {
      const logger = jsonLogger({ write: failing(code), wallClock: () => new Date(0), onWriteError: (c) => failed.push(c) });
      assert.doesNotThrow(() => logger.log("info", "backup -> master"));
      assert.doesNotThrow(() => logger.child({ instance: "vip" }).log("error", "add failed"));
    }
    assert.deepEqual(failed, ["ENOSPC", "ENOSPC", "EPIPE", "EPIPE", "EAGAIN", "EAGAIN"]);
  });

  it("a line that cannot be encoded is counted and dropped, not thrown", () => {
    const failed: string[] = [];
    const lines: string[] = [];
    const logger = jsonLogger({ write: (l) => lines.push(l), wallClock: () => new Date(0), onWriteError: (c) => failed.push(c) });
    assert.doesNotThrow(() => logger.log("info", "odd field", { big: 1n }));
    assert.deepEqual(failed, ["encode"]);
    logger.log("info", "fine");
    assert.equal(lines.length, 1);
  });

  it("writes one JSON object per line", () => {
    const lines: string[] = [];
    jsonLogger({ write: (l) => lines.push(l), wallClock: () => new Date(0) })
      .child({ a: 1 })
      .log("warn", "m", { b: 2 });
    assert.deepEqual(lines, ['{"time":"1970-01-01T00:00:00.000Z","level":"warn","msg":"m","a":1,"b":2}\n']);
  });
});
