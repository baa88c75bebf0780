/** `floatip --version`, run as users run it (bin/floatip as a program). */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { systemManifestIo } from "./manifest-command.js";

const BIN = fileURLToPath(new URL("../../../bin/floatip", import.meta.url));
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string })
  .version;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(BIN, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : 1;
      done({ code, stdout, stderr });
    });
  });
}

describe("floatip --version", () => {
  it("prints package.json's version and exits 0", async () => {
    assert.deepEqual(await run(["--version"]), { code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: "" });
  });

  it("the control-plane manifest's default image is the published one at this version", async () => {
    assert.equal(await systemManifestIo.defaultImage(), `ghcr.io/floatip/floatip:${PACKAGE_VERSION}`);
  });

  it("`floatip version` says the same; --help mentions --version", async () => {
    assert.equal((await run(["version"])).stdout, `${PACKAGE_VERSION}\n`);
    assert.match((await run(["--help"])).stdout, /floatip --version/);
  });
});
