// The agent's HTTP must not load undici (node's fetch): about 8 MiB of resident memory and
// 2 MiB of heap the agent never uses. Importing node:http as an ES module does load it (the
// namespace reads every export, and http's WebSocket, CloseEvent and MessageEvent are lazy
// getters into undici), so the agent loads node:http(s) with require (base/node-http.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** Runs `body` (an ES module body with DIST in scope) in a fresh node; returns the builtins it loaded. */
function builtinsAfter(body: string): string[] {
  const code = `const DIST = ${JSON.stringify(DIST)};\n${body}\nprocess.stdout.write(JSON.stringify(process.moduleLoadList));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  return (JSON.parse(run.stdout) as string[]).filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice("NativeModule ".length));
}

const HEAVY = ["internal/deps/undici/undici", "http2", "zlib"];

test("the Kubernetes agent's client, the metrics endpoint and HTTP health checks load no undici, http2 or zlib", () => {
  const cases: { name: string; body: string }[] = [
    {
      name: "the Kubernetes agent and its API requests (http and https)",
      body: `await import(DIST + "/agent/cli/agent-run-kube.js");
const { rest } = await import(DIST + "/agent/kube/rest.js");
for (const server of ["http://127.0.0.1:9", "https://127.0.0.1:9"]) {
  await rest({ server, authorize: async () => undefined }).json("GET", "/api").catch(() => undefined);
}`,
    },
    {
      name: "the metrics and health endpoint",
      body: `const { startHttpEndpoint } = await import(DIST + "/base/http.js");
const server = await startHttpEndpoint({ host: "127.0.0.1", port: 0, registry: { metrics: async () => "", contentType: "text/plain" }, healthy: () => true, state: () => ({}) });
server.close();`,
    },
    {
      name: "an HTTP health check",
      body: `const { systemHttpProber } = await import(DIST + "/agent/health/http-probe.js");
const prober = systemHttpProber({ readFile: async () => "" });
await prober.get({ url: "http://127.0.0.1:9/", signal: new AbortController().signal });`,
    },
  ];
  for (const c of cases) {
    const loaded = builtinsAfter(c.body);
    assert.ok(loaded.includes("http"), `${c.name}: node:http loaded (the case exercises it)`);
    if (c.name.includes("https")) assert.ok(loaded.includes("https"), `${c.name}: node:https loaded`);
    assert.deepEqual(
      HEAVY.filter((m) => loaded.includes(m)),
      [],
      c.name,
    );
  }
});
