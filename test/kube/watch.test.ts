// Watches and informers of the real @kubernetes/client-node against the test API server.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, CustomObjectsApi, KubernetesObject, PatchStrategy, makeInformer } from "@kubernetes/client-node";
import { GROUP, VERSION, testVirtualIPCrd, vip } from "./fixtures.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { collectWatch, waitFor } from "./testutil.js";
import { patchOptions } from "./tools.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const crd = { group: GROUP, version: VERSION, plural: "virtualips" };
const vipPath = `/apis/${GROUP}/${VERSION}/virtualips`;

describe("test API server with client-node: watch and informers", () => {
  let server: TestApiServer;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  before(async () => {
    server = await startTestApiServer({ crds: [testVirtualIPCrd()], compactionWindow: 50 });
    core = server.kubeConfig().makeApiClient(CoreV1Api);
    custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
  });
  after(() => server.close());

  it("streams events from a resourceVersion, with bookmarks, and ends at timeoutSeconds", async () => {
    const a: Obj = await custom.createClusterCustomObject({ ...crd, body: vip("w-a") });
    await custom.createClusterCustomObject({ ...crd, body: vip("w-b") });
    const w = await collectWatch(server.kubeConfig(), vipPath, {
      resourceVersion: a.metadata.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: 1,
    });
    await custom.patchClusterCustomObject(
      { ...crd, name: "w-a", body: { spec: { preempt: false } } },
      patchOptions(PatchStrategy.MergePatch),
    );
    await custom.deleteClusterCustomObject({ ...crd, name: "w-b" });
    await waitFor(() => w.events.length >= 3, 2000, "3 events");
    assert.deepEqual(
      w.events.map((e) => `${e.type} ${e.object.metadata?.name}`),
      ["ADDED w-b", "MODIFIED w-a", "DELETED w-b"],
    );
    const rvs = w.events.map((e) => Number(e.object.metadata?.resourceVersion));
    assert.deepEqual(
      rvs,
      [...rvs].sort((x, y) => x - y),
      "increasing resourceVersions",
    );
    server.sendBookmarks();
    await waitFor(() => w.events.some((e) => e.type === "BOOKMARK"), 2000, "bookmark");
    const bm = w.events.find((e) => e.type === "BOOKMARK");
    assert.equal(bm?.object.metadata?.resourceVersion, String(server.store.resourceVersion()));
    const started = Date.now();
    assert.equal(await w.ended, null, "the server ends the watch cleanly at timeoutSeconds");
    assert.ok(Date.now() - started < 1500);
  });

  it("without a resourceVersion starts with the current objects; selectors turn label changes into ADDED/DELETED", async () => {
    await core.createNamespacedPod({
      namespace: "w",
      body: { metadata: { name: "p1", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "i" }] } },
    });
    const w = await collectWatch(server.kubeConfig(), "/api/v1/namespaces/w/pods", { labelSelector: "app=web" });
    await waitFor(() => w.events.length === 1, 2000, "initial ADDED");
    await core.patchNamespacedPod(
      { namespace: "w", name: "p1", body: { metadata: { labels: { app: "db" } } } },
      patchOptions(PatchStrategy.MergePatch),
    );
    await core.patchNamespacedPod(
      { namespace: "w", name: "p1", body: { metadata: { labels: { app: "web" } } } },
      patchOptions(PatchStrategy.MergePatch),
    );
    await core.createNamespacedPod({
      namespace: "other",
      body: { metadata: { name: "p2", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "i" }] } },
    });
    await core.patchNamespacedPodStatus(
      { namespace: "w", name: "p1", body: { status: { phase: "Running" } } },
      patchOptions(PatchStrategy.MergePatch),
    );
    await waitFor(() => w.events.length >= 4, 2000, "4 events");
    assert.deepEqual(
      w.events.map((e) => e.type),
      ["ADDED", "DELETED", "ADDED", "MODIFIED"],
    );
    assert.equal((w.events[3]!.object as Obj).status.phase, "Running");
    w.abort();
    await w.ended;
  });

  it("answers a resourceVersion older than the compaction window with an ERROR 410 event", async () => {
    const old = server.store.resourceVersion();
    for (let i = 0; i < 60; i++) await core.createNamespace({ body: { metadata: { name: `ns-${i}` } } });
    const w = await collectWatch(server.kubeConfig(), vipPath, { resourceVersion: String(old) });
    assert.equal(await w.ended, null);
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0]?.type, "ERROR");
    assert.equal(w.events[0]?.object.code, 410);
    assert.equal(w.events[0]?.object.reason, "Expired");
  });

  it("an informer lists, watches, and relists after 410 Gone", async () => {
    const kc = server.kubeConfig();
    const informer = makeInformer<KubernetesObject>(kc, vipPath, () => custom.listClusterCustomObject(crd));
    const seen: string[] = [];
    informer.on("add", (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on("update", (o) => seen.push(`update ${o.metadata?.name}`));
    informer.on("delete", (o) => seen.push(`delete ${o.metadata?.name}`));
    await informer.start();
    await waitFor(() => server.openWatches() === 1, 2000, "informer watch");
    await custom.createClusterCustomObject({ ...crd, body: vip("inf-1") });
    await waitFor(() => seen.includes("add inf-1"), 2000, "add inf-1");
    const listsBefore = server.requestLog.filter((r) => r.verb === "list" && r.resource === "virtualips").length;
    // The watch ends; before the informer resumes, a change happens and the history is compacted.
    server.closeWatches();
    server.store.create(vip("inf-2"));
    server.compact();
    await waitFor(() => seen.includes("add inf-2"), 3000, "relist finds inf-2");
    const lists = server.requestLog.filter((r) => r.verb === "list" && r.resource === "virtualips").length;
    assert.equal(lists, listsBefore + 1, "the informer relisted once");
    await custom.deleteClusterCustomObject({ ...crd, name: "inf-1" });
    await waitFor(() => seen.includes("delete inf-1"), 2000, "delete inf-1");
    assert.deepEqual(
      (informer as unknown as { list(): KubernetesObject[] })
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
      ["inf-2", "w-a"],
    );
    await informer.stop();
  });

  it("stop() drops connections and start() serves again on the same port with the same objects", async () => {
    const kc = server.kubeConfig();
    const informer = makeInformer(kc, "/api/v1/nodes", () => core.listNode());
    const errors: unknown[] = [];
    const added: string[] = [];
    informer.on("error", (e) => errors.push(e));
    informer.on("add", (o) => added.push(o.metadata?.name ?? ""));
    await informer.start();
    await waitFor(() => server.openWatches() === 1, 2000, "informer watch");
    const port = server.port;
    await server.stop();
    await waitFor(() => errors.length > 0, 3000, "informer error after stop");
    await assert.rejects(core.listNode());
    await server.start();
    assert.equal(server.port, port);
    assert.ok((await custom.getClusterCustomObject({ ...crd, name: "w-a" })) as Obj);
    await informer.start();
    await core.createNode({ body: { metadata: { name: "after-restart" } } });
    await waitFor(() => added.includes("after-restart"), 3000, "informer resumes");
    await informer.stop();
  });
});
