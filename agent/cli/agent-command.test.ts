/**
 * `floatip agent` option errors, run as users run it (bin/floatip): exit 2
 * and a message naming the option, before any config is read or anything
 * is touched.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../../bin/floatip", import.meta.url));

function floatip(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000 }, (error, _stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stderr });
    });
  });
}

describe("floatip agent --conflict-probe-interval", () => {
  const table: [string, RegExp][] = [
    ["500ms", /--conflict-probe-interval must be 0 \(off\) or at least 1s, got "500ms"/],
    ["soon", /--conflict-probe-interval: /],
  ];
  for (const [value, message] of table) {
    it(`rejects ${value}`, async () => {
      const result = await floatip(["agent", "--config", "/nonexistent/agent.yaml", "--conflict-probe-interval", value]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
    });
  }
});
