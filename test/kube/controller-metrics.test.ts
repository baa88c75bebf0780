// The controller binary's real /metrics (bin/floatip controller against the API test server, with a
// VirtualIP, a pool and a LoadBalancer Service to report on), checked by `promtool check metrics`.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO } from "../chart/helm.js";
import { promtool } from "../prom/promtool.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { waitFor } from "./testutil.js";
import { kubectl } from "./tools.js";

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

describe("the controller's /metrics", () => {
  let server: TestApiServer;
  let dir: string;
  let controller: ChildProcess | undefined;
  let log = "";

  before(async () => {
    server = await startTestApiServer({ crds: ["virtualip", "vrrpnode", "virtualippool"].map((c) => join(REPO, "crds", `${c}.yaml`)) });
    dir = await mkdtemp(join(tmpdir(), "floatip-controller-metrics-"));
  });
  after(async () => {
    if (controller !== undefined && controller.exitCode === null) {
      const exited = new Promise((r) => controller!.once("exit", r));
      controller.kill("SIGTERM");
      await exited;
    }
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("promtool check metrics accepts it, with floatip_build_info and the alerts' series", async () => {
    server.store.put({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "node-a", labels: { "kubernetes.io/os": "linux" } },
      status: { addresses: [{ type: "InternalIP", address: "198.51.100.1" }], conditions: [{ type: "Ready", status: "True" }] },
    });
    server.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
    const manifests = join(dir, "objects.yaml");
    await writeFile(
      manifests,
      [
        readFileSync(join(REPO, "examples", "virtualip-basic.yaml"), "utf8"),
        "apiVersion: floatip.io/v1alpha1\nkind: VirtualIPPool\nmetadata:\n  name: default\nspec:\n  addresses: [192.0.2.240/32]\n",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: default\nspec:\n  type: LoadBalancer\n  loadBalancerClass: floatip.io/vrrp\n  ports: [{port: 80}]\n",
      ].join("\n---\n"),
    );
    const applied = await kubectl(server, ["apply", "-f", manifests]);
    assert.equal(applied.code, 0, applied.stderr);

    const kubeconfig = join(dir, "kubeconfig");
    await writeFile(kubeconfig, server.kubeconfigYaml(), { mode: 0o600 });
    const port = await freePort();
    controller = spawn(
      process.execPath,
      [
        join(REPO, "bin", "floatip"),
        "controller",
        "--kubeconfig",
        kubeconfig,
        "--namespace",
        "floatip-system",
        "--metrics-address",
        `127.0.0.1:${port}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    controller.stdout!.on("data", (d: Buffer) => (log += d.toString()));
    controller.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const text = await waitFor(
      async () => {
        const t = await scrape().catch(() => "");
        return /^floatip_controller_leader 1$/m.test(t) &&
          /^floatip_loadbalancer_services\{/m.test(t) &&
          /^floatip_vrrpnode_config_rejected\{/m.test(t)
          ? t
          : undefined;
      },
      20_000,
      "the leader's metrics after a sync",
    ).catch((error: unknown) => assert.fail(`${String(error)}\ncontroller log:\n${log}`));

    const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
    assert.match(
      text,
      new RegExp(`^floatip_build_info\\{version="${version.replace(/\./g, "\\.")}",node_version="${process.version}"\\} 1$`, "m"),
    );
    assert.match(text, /^floatip_virtualips\{finding="ok"\} 1$/m);
    assert.match(text, /^floatip_virtualippool_addresses\{pool="default",family="ipv4",state="allocated"\} 1$/m);
    const r = await promtool(["check", "metrics"], text);
    assert.equal(r.code, 0, `${r.output}\n${text}`);
  });
});
