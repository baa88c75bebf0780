/**
 * The project's test API server in a process of its own, for the controller
 * benchmarks (its CPU is then counted apart from the controller's): it holds
 * `stored` as-is (Nodes with status, for example) and `created` through its
 * API (defaulted as a client's objects would be).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { KubeConfig } from "@kubernetes/client-node";

export interface BenchApiServer {
  readonly child: ChildProcess;
  readonly kc: KubeConfig;
  stop(): Promise<void>;
}

const CRDS = "crds/virtualip.yaml,crds/vrrpnode.yaml,crds/virtualippool.yaml";

/** `cpuProf`: a directory for the server's CPU profile (server.cpuprofile), when profiling. */
export async function startBenchApiServer(
  stored: readonly object[],
  created: readonly object[],
  cpuProf?: string,
): Promise<BenchApiServer> {
  const dir = mkdtempSync(join(tmpdir(), "floatip-bench-api-"));
  writeFileSync(join(dir, "stored.json"), JSON.stringify(stored));
  writeFileSync(join(dir, "created.json"), JSON.stringify(created));
  const profile = cpuProf === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", cpuProf, "--cpu-prof-name", "server.cpuprofile"];
  const child = spawn(
    process.execPath,
    [...profile, "dist/test/kube/serve.js", "--crds", CRDS, "--objects", join(dir, "stored.json"), "--create", join(dir, "created.json")],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The server prints one JSON line with its kubeconfig once it listens.
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once("line", resolve);
      child.once("exit", (code) => reject(new Error(`test API server exited (${code}) before listening`)));
    });
    const kc = new KubeConfig();
    kc.loadFromString(JSON.stringify((JSON.parse(line) as { kubeconfig: object }).kubeconfig));
    return { child, kc, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
