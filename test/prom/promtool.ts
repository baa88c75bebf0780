// promtool (Debian package `prometheus`, installed by `make deps`) on rule files and metrics
// expositions: what Prometheus itself would refuse or lint.
import { spawn } from "node:child_process";

export interface PromtoolResult {
  readonly code: number;
  readonly output: string;
}

/** Runs promtool with `args`, `input` on stdin; never throws for a non-zero exit (30 s timeout). */
export function promtool(args: readonly string[], input?: string): Promise<PromtoolResult> {
  return new Promise((done, fail) => {
    const child = spawn("promtool", [...args], { stdio: ["pipe", "pipe", "pipe"], timeout: 30_000 });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", (error: NodeJS.ErrnoException) =>
      fail(error.code === "ENOENT" ? new Error("promtool not found: apt-get install prometheus (make deps installs it)") : error),
    );
    child.on("close", (code) => done({ code: code ?? 1, output }));
    child.stdin.end(input ?? "");
  });
}
