/**
 * The test API server as a process, for lab tests whose agents live in
 * network namespaces: `ip netns exec NS node dist/test/kube/serve.js
 * --host 192.0.2.100 --port 6443 --crds crds/virtualip.yaml,crds/vrrpnode.yaml`
 * (`--objects FILE`: a JSON list of objects stored as-is before it listens, status
 * included, like a kubelet wrote them; `--create FILE`: created through the API,
 * with validation and defaults, as a client would).
 * Prints one JSON line {"url": ...} when listening. SIGUSR1 takes it off the
 * network (API server away, objects kept), SIGUSR2 brings it back, SIGTERM
 * stops it.
 */
import { readFileSync } from "node:fs";
import { startTestApiServer } from "./server.js";
import type { KubeObject } from "./types.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const server = await startTestApiServer({
  host: arg("host", "127.0.0.1"),
  port: Number(arg("port", "0")),
  crds: arg("crds", "")
    .split(",")
    .filter((f) => f !== ""),
  builtins: [],
  objects: arg("objects", "") === "" ? [] : (JSON.parse(readFileSync(arg("objects", ""), "utf8")) as KubeObject[]),
});
const toCreate = arg("create", "") === "" ? [] : (JSON.parse(readFileSync(arg("create", ""), "utf8")) as KubeObject[]);
for (const o of toCreate) server.store.create(o);
process.on("SIGUSR1", () => void server.stop().then(() => process.stdout.write(`${JSON.stringify({ state: "stopped" })}\n`)));
process.on("SIGUSR2", () => void server.start().then(() => process.stdout.write(`${JSON.stringify({ state: "started" })}\n`)));
// While taken off the network nothing else keeps the process alive.
const keepAlive = setInterval(() => undefined, 60_000);
process.on(
  "SIGTERM",
  () =>
    void server.close().then(() => {
      clearInterval(keepAlive);
      process.exit(0);
    }),
);
process.stdout.write(`${JSON.stringify({ url: server.url, kubeconfig: server.kubeconfig() })}\n`);
