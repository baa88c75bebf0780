import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { procProcessLister } from "./proc-table.js";

describe("procProcessLister (this host's /proc)", () => {
  it("lists a running process with its comm and argv, and not after it ended", async () => {
    // sleep takes a fraction: a unique argument that is still a valid duration.
    const tag = `600.${process.pid}${Date.now() % 100_000}`;
    const child = spawn("sleep", [tag], { stdio: "ignore" });
    const exited = new Promise((r) => child.once("exit", r));
    try {
      const list = procProcessLister();
      const found = (await list({ argv: true })).find((p) => p.pid === child.pid);
      assert.deepEqual(found, { pid: child.pid, comm: "sleep", argv: ["sleep", tag], zombie: false });
      const bare = (await list({ argv: false })).find((p) => p.pid === child.pid);
      assert.deepEqual(bare?.argv, [], "argv only read when asked");
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    assert.equal(
      (await procProcessLister()({ argv: true })).some((p) => p.argv.includes(tag)),
      false,
    );
  });
});
