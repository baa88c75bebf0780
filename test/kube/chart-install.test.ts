// The floatip chart installed by the real helm into the API test server, as a user runs it:
// an upgrade from the previous chart layout (CRDs in the chart's crds/ directory, which Helm never
// upgrades) to CRDs as templates, the chart as a subchart of an umbrella chart with global values,
// and the NOTES commands run as printed.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import yaml from "js-yaml";
import { formatStateRecord } from "../../agent/notify/state-record.js";
import { CHART, REPO } from "../chart/helm.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { KubectlResult, helm, kubeTools, kubectl } from "./tools.js";

type Obj = Record<string, unknown>;
const NS = "floatip-system";
const CHART_META = yaml.load(readFileSync(join(CHART, "Chart.yaml"), "utf8")) as { version: string; appVersion: string };
/** No PodDisruptionBudget (the test server does not serve policy/v1). */
const ONE_REPLICA = ["--set-json", "controller.replicas=1"];

function ok(r: KubectlResult, what: string): string {
  assert.equal(r.code, 0, `${what} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

function crdSchemaProperties(crd: Obj | undefined): string[] {
  const versions = (crd!["spec"] as { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: { properties: Obj } } } } }> })
    .versions;
  return Object.keys(versions[0]!.schema.openAPIV3Schema.properties.spec.properties).sort();
}

function sh(script: string, env: NodeJS.ProcessEnv): Promise<KubectlResult> {
  return new Promise((done) => {
    execFile("bash", ["-euo", "pipefail", "-c", script], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown }) | null;
      done({ code: e === null ? 0 : typeof e.code === "number" ? e.code : 1, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe("the floatip chart with the real helm against the API test server", () => {
  let server: TestApiServer;
  let dir: string;

  before(async () => {
    await kubeTools();
    server = await startTestApiServer({});
    dir = await mkdtemp(join(tmpdir(), "floatip-chart-install-"));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("helm upgrade from the previous layout (CRDs in crds/) updates the CRDs; uninstall keeps them and the VirtualIPs", async () => {
    // The previous layout: the same chart with the CRDs in crds/, one schema field missing from the
    // VirtualIP CRD so the test can see the upgrade bring it.
    const previous = join(dir, "previous");
    await cp(CHART, previous, { recursive: true });
    await rm(join(previous, "templates", "crds.yaml"));
    await rename(join(previous, "files", "crds"), join(previous, "crds"));
    const vipFile = join(previous, "crds", "virtualip.yaml");
    const old = yaml.load(await readFile(vipFile, "utf8")) as Obj;
    const wanted = crdSchemaProperties(old);
    const dropped = "releaseOnCordon";
    assert.ok(wanted.includes(dropped));
    delete (old["spec"] as { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: { properties: Obj } } } } }> }).versions[0]!
      .schema.openAPIV3Schema.properties.spec.properties[dropped];
    await writeFile(vipFile, yaml.dump(old));

    ok(await helm(server, ["install", "floatip", previous, "-n", NS, ...ONE_REPLICA]), "helm install (previous layout)");
    assert.deepEqual(
      crdSchemaProperties(server.store.get("crd", "virtualips.floatip.io")),
      wanted.filter((p) => p !== dropped),
    );
    ok(await kubectl(server, ["apply", "-f", join(REPO, "examples", "virtualip-basic.yaml")]), "kubectl apply example");

    // As the chart's README says: Helm adopts the CRDs that crds/ left without its ownership.
    const upgrade = await helm(server, ["upgrade", "floatip", CHART, "-n", NS, ...ONE_REPLICA, "--take-ownership"]);
    ok(upgrade, "helm upgrade --take-ownership");
    for (const name of ["virtualips.floatip.io", "virtualippools.floatip.io", "vrrpnodes.floatip.io"]) {
      const crd = server.store.get("crd", name);
      assert.equal(crd?.metadata.annotations?.["helm.sh/resource-policy"], "keep", name);
      assert.equal(crd?.metadata.annotations?.["meta.helm.sh/release-name"], "floatip", name);
      assert.equal(crd?.metadata.labels?.["app.kubernetes.io/managed-by"], "Helm", name);
    }
    assert.deepEqual(
      crdSchemaProperties(server.store.get("crd", "virtualips.floatip.io")),
      wanted,
      "the upgrade brought the CRD's new field",
    );

    // Later upgrades need nothing special, and uninstall leaves the CRDs and the VirtualIPs.
    ok(await helm(server, ["upgrade", "floatip", CHART, "-n", NS, ...ONE_REPLICA]), "second helm upgrade");
    ok(await helm(server, ["uninstall", "floatip", "-n", NS]), "helm uninstall");
    assert.equal(server.store.list("daemonsets", NS).length, 0, "the release's objects are gone");
    for (const name of ["virtualips.floatip.io", "virtualippools.floatip.io", "vrrpnodes.floatip.io"])
      assert.ok(server.store.get("crd", name), `${name} kept`);
    assert.match(ok(await kubectl(server, ["get", "virtualips", "-o", "name"]), "kubectl get virtualips"), /virtualip\.floatip\.io\/web/);
  });

  it("installs as a subchart of an umbrella chart that sets global values and a condition", async () => {
    const umbrella = join(dir, "umbrella");
    await mkdir(umbrella, { recursive: true });
    await writeFile(
      join(umbrella, "Chart.yaml"),
      yaml.dump({
        apiVersion: "v2",
        name: "platform",
        version: "1.0.0",
        dependencies: [{ name: "floatip", version: CHART_META.version, repository: `file://${CHART}`, condition: "floatip.enabled" }],
      }),
    );
    await writeFile(
      join(umbrella, "values.yaml"),
      yaml.dump({
        global: { imageRegistry: "registry.example.com", storageClass: "fast" },
        floatip: { enabled: true, controller: { replicas: 1 }, crds: { install: false } },
      }),
    );
    ok(await helm(server, ["dependency", "build", umbrella]), "helm dependency build");
    ok(await helm(server, ["lint", umbrella]), "helm lint (umbrella)");
    ok(await helm(server, ["install", "platform", umbrella, "-n", "edge"]), "helm install (umbrella)");
    const ds = server.store.get("daemonsets", "platform-floatip-agent", "edge");
    assert.ok(ds !== undefined, "the agent DaemonSet of the subchart");
    const image = (ds["spec"] as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]!.image;
    assert.equal(image, `ghcr.io/floatip/floatip:${CHART_META.appVersion}`, "the published image at the chart's appVersion");
    ok(await helm(server, ["uninstall", "platform", "-n", "edge"]), "helm uninstall (umbrella)");
  });

  it("the NOTES commands work as printed: find the master's agent pod, run floatip check on it", async () => {
    const install = ok(await helm(server, ["install", "floatip", CHART, "-n", NS, ...ONE_REPLICA, "--take-ownership"]), "helm install");
    const notes = install.slice(install.indexOf("NOTES:"));
    for (const line of notes.split("\n").filter((l) => /floatip check/.test(l))) assert.match(line, /--expect (MASTER|BACKUP)\b/, line);
    const lines = notes.split("\n").map((l) => l.trim());
    const nodeLine = lines.find((l) => l.startsWith("node=$(kubectl get virtualip web"));
    const podLine = lines.find((l) => l.startsWith("pod=$(kubectl"));
    const execLine = lines.find((l) => / exec "\$pod" -- /.test(l));
    assert.ok(nodeLine !== undefined && podLine !== undefined && execLine !== undefined, notes);

    // The cluster as it would be: web held by node-b, an agent pod on each node (the DaemonSet's labels).
    ok(await kubectl(server, ["apply", "-f", join(REPO, "examples", "virtualip-basic.yaml")]), "kubectl apply example");
    ok(
      await kubectl(server, [
        "patch",
        "virtualip",
        "web",
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify({ status: { master: "node-b" } }),
      ]),
      "status.master",
    );
    const ds = server.store.get("daemonsets", "floatip-agent", NS)!;
    const labels = (ds["spec"] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    for (const node of ["node-a", "node-b", "node-c"]) {
      server.store.put({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `floatip-agent-${node.slice(-1)}`, namespace: NS, labels },
        spec: { nodeName: node, containers: [{ name: "agent", image: "x" }] },
      });
    }
    const { kubectl: kubectlBin } = await kubeTools();
    const kubeconfig = join(dir, "kubeconfig");
    await writeFile(kubeconfig, server.kubeconfigYaml(), { mode: 0o600 });
    const env = { PATH: `${dirname(kubectlBin)}:${process.env["PATH"] ?? "/usr/bin:/bin"}`, KUBECONFIG: kubeconfig, HOME: dir };
    const found = ok(await sh(`${nodeLine}\n${podLine}\necho "$pod"`, env), "the NOTES lookups");
    assert.equal(found.trim(), "pod/floatip-agent-b");

    // What `kubectl exec` runs in that pod, run here against the state record an agent writes.
    const argv = execLine.slice(execLine.indexOf(" -- ") + 4).split(/\s+/);
    assert.deepEqual(argv.slice(0, 2), ["node", "/app/bin/floatip"]);
    const stateDir = join(dir, "state");
    await mkdir(stateDir, { recursive: true });
    const now = new Date().toISOString();
    await writeFile(
      join(stateDir, "web.json"),
      formatStateRecord({ instance: "web", state: "MASTER", priority: 250, since: now, updated: now }),
    );
    assert.deepEqual((await readdir(stateDir)).sort(), ["web.json"]);
    const check = await new Promise<KubectlResult>((done) => {
      execFile(
        process.execPath,
        [join(REPO, "bin", "floatip"), ...argv.slice(2), "--state-dir", stateDir],
        { timeout: 20_000 },
        (err, stdout, stderr) => {
          const e = err as (Error & { code?: unknown }) | null;
          done({ code: e === null ? 0 : typeof e.code === "number" ? e.code : 1, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /^FLOATIP OK - web is MASTER \(expected MASTER\)/);
  });
});
