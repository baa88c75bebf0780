// The test API server driven by the real @kubernetes/client-node 1.3.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, CustomObjectsApi, EventsV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { GROUP, VERSION, testVirtualIPCrd, testVRRPNodeCrd, vip } from "./fixtures.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { rejects } from "./testutil.js";
import { patchOptions } from "./tools.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("test API server with client-node: objects", () => {
  let server: TestApiServer;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const crd = { group: GROUP, version: VERSION, plural: "virtualips" };

  before(async () => {
    server = await startTestApiServer({ crds: [testVirtualIPCrd(), testVRRPNodeCrd()] });
    const kc = server.kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
  });
  after(() => server.close());

  it("creates, gets, lists; 409 AlreadyExists, 404 NotFound, generateName", async () => {
    const created: Obj = await custom.createClusterCustomObject({ ...crd, body: vip("crud") });
    assert.equal(created.metadata.generation, 1);
    assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
    const got: Obj = await custom.getClusterCustomObject({ ...crd, name: "crud" });
    assert.equal(got.metadata.resourceVersion, created.metadata.resourceVersion);
    const dup = await rejects(() => custom.createClusterCustomObject({ ...crd, body: vip("crud") }));
    assert.equal(dup.code, 409);
    assert.equal(dup.reason, "AlreadyExists");
    assert.equal(dup.message, 'virtualips.floatip.io "crud" already exists');
    const missing = await rejects(() => core.readNamespacedPod({ name: "nope", namespace: "default" }));
    assert.deepEqual([missing.code, missing.reason, missing.message], [404, "NotFound", 'pods "nope" not found']);
    const gen = await core.createNamespacedSecret({
      namespace: "default",
      body: { metadata: { generateName: "s-" }, stringData: { k: "v" } },
    });
    assert.match(gen.metadata?.name ?? "", /^s-[a-z0-9]{5}$/);
    assert.equal(gen.data?.k, Buffer.from("v").toString("base64"));
    assert.equal(gen.type, "Opaque");
    const list: Obj = await custom.listClusterCustomObject(crd);
    assert.ok(Number(list.metadata.resourceVersion) >= Number(created.metadata.resourceVersion));
    assert.ok(list.items.some((i: Obj) => i.metadata.name === "crud"));
  });

  it("refuses an object over etcd's size limit as the real server does (500, etcd's message), nothing stored; 413 past 3 MiB of body", async () => {
    const big = { ...vip("too-big"), metadata: { name: "too-big", annotations: { filler: "x".repeat(1.6 * 1024 * 1024) } } };
    const refused = await rejects(() => custom.createClusterCustomObject({ ...crd, body: big }));
    assert.deepEqual([refused.code, refused.reason, refused.message], [500, "InternalError", "etcdserver: request is too large"]);
    assert.equal(server.store.get("virtualips", "too-big"), undefined);
    await custom.createClusterCustomObject({ ...crd, body: vip("grows") });
    const grown = await rejects(() =>
      custom.patchClusterCustomObject(
        { ...crd, name: "grows", body: { metadata: { annotations: { filler: "x".repeat(1.6 * 1024 * 1024) } } } },
        patchOptions(PatchStrategy.MergePatch),
      ),
    );
    assert.equal(grown.message, "etcdserver: request is too large");
    assert.equal(server.store.get("virtualips", "grows")?.metadata.annotations, undefined);
    const huge = await rejects(() =>
      custom.createClusterCustomObject({
        ...crd,
        body: { ...big, metadata: { name: "huge", annotations: { filler: "x".repeat(3.1 * 1024 * 1024) } } },
      }),
    );
    assert.deepEqual([huge.code, huge.reason], [413, "RequestEntityTooLarge"]);
  });

  it("refuses requests matching an injected fault with its Status, and serves them again once it is removed", async () => {
    await custom.createClusterCustomObject({ ...crd, body: vip("faulty") });
    server.faults.push({
      match: { verb: "patch", resource: "virtualips", subresource: "status", name: "faulty" },
      code: 422,
      reason: "Invalid",
      message: "injected",
    });
    const status = { ...crd, name: "faulty", body: { status: { master: "a" } } };
    const refused = await rejects(() => custom.patchClusterCustomObjectStatus(status, patchOptions(PatchStrategy.MergePatch)));
    assert.deepEqual([refused.code, refused.reason, refused.message], [422, "Invalid", "injected"]);
    await custom.patchClusterCustomObject(
      { ...crd, name: "faulty", body: { metadata: { labels: { main: "yes" } } } },
      patchOptions(PatchStrategy.MergePatch),
    );
    server.faults.splice(0);
    const ok: Obj = await custom.patchClusterCustomObjectStatus(status, patchOptions(PatchStrategy.MergePatch));
    assert.equal(ok.status.master, "a");
  });

  it("rejects a stale update with 409 Conflict; custom resources need a resourceVersion on PUT", async () => {
    const v: Obj = await custom.createClusterCustomObject({ ...crd, body: vip("stale") });
    const first = structuredClone(v);
    first.spec.preempt = false;
    await custom.replaceClusterCustomObject({ ...crd, name: "stale", body: first });
    v.spec.interface = "eth1";
    const c = await rejects(() => custom.replaceClusterCustomObject({ ...crd, name: "stale", body: v }));
    assert.equal(c.code, 409);
    assert.equal(c.reason, "Conflict");
    assert.match(c.message ?? "", /Operation cannot be fulfilled on virtualips.floatip.io "stale": the object has been modified/);
    delete v.metadata.resourceVersion;
    const noRv = await rejects(() => custom.replaceClusterCustomObject({ ...crd, name: "stale", body: v }));
    assert.equal(noRv.code, 422);
    assert.equal(noRv.details?.causes?.[0]?.field, "metadata.resourceVersion");
  });

  it("status subresource: main writes keep status, /status writes keep spec; generation follows spec", async () => {
    const v: Obj = await custom.createClusterCustomObject({ ...crd, body: { ...vip("st"), status: { master: "ignored" } } });
    assert.equal(v.status, undefined, "status is dropped on create");
    const s: Obj = await custom.patchClusterCustomObjectStatus(
      { ...crd, name: "st", body: { spec: { interface: "ignored" }, status: { master: "node-a", virtualRouterID: 7 } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    assert.equal(s.status.master, "node-a");
    assert.equal(s.spec.interface, undefined);
    assert.equal(s.metadata.generation, 1);
    s.spec.interface = "eth0";
    s.status.master = "node-b";
    const u: Obj = await custom.replaceClusterCustomObject({ ...crd, name: "st", body: s });
    assert.equal(u.spec.interface, "eth0");
    assert.equal(u.status.master, "node-a", "status unchanged through the main resource");
    assert.equal(u.metadata.generation, 2);
    const l: Obj = await custom.patchClusterCustomObject(
      { ...crd, name: "st", body: { metadata: { labels: { a: "b" } } } },
      patchOptions(PatchStrategy.MergePatch),
    );
    assert.equal(l.metadata.generation, 2, "metadata changes do not bump generation");
    const same: Obj = await custom.patchClusterCustomObject(
      { ...crd, name: "st", body: { metadata: { labels: { a: "b" } } } },
      patchOptions(PatchStrategy.MergePatch),
    );
    assert.equal(same.metadata.resourceVersion, l.metadata.resourceVersion, "a no-op write keeps the resourceVersion");
    const node = await core.createNode({
      body: { metadata: { name: "n-status" }, status: { conditions: [{ type: "Ready", status: "True" }] } },
    });
    assert.equal(node.status?.conditions?.[0]?.status, "True", "nodes keep status on create");
    const pod = await core.createNamespacedPod({
      namespace: "default",
      body: { metadata: { name: "p-status" }, spec: { containers: [{ name: "c", image: "x" }] }, status: { phase: "Running" } },
    });
    assert.equal(pod.status?.phase, "Pending", "pods start Pending");
  });

  it("patches: JSON patch by default, merge/strategic/apply through setHeaderOptions, 415 otherwise", async () => {
    await custom.createClusterCustomObject({ ...crd, body: vip("p", { nodeSelector: { a: "1", b: "2" } }) });
    const j: Obj = await custom.patchClusterCustomObject({
      ...crd,
      name: "p",
      body: [
        { op: "replace", path: "/spec/version", value: 2 },
        { op: "remove", path: "/spec/nodeSelector/a" },
      ],
    });
    assert.equal(j.spec.version, 2);
    assert.deepEqual(j.spec.nodeSelector, { b: "2" });
    const last = server.requestLog.filter((r) => r.verb === "patch").at(-1);
    assert.equal(last?.contentType, "application/json-patch+json");
    const m: Obj = await custom.patchClusterCustomObject(
      { ...crd, name: "p", body: { spec: { nodeSelector: { b: null, c: "3" } } } },
      patchOptions(PatchStrategy.MergePatch),
    );
    assert.deepEqual(m.spec.nodeSelector, { c: "3" });
    const bad = await rejects(() => custom.patchClusterCustomObject({ ...crd, name: "p", body: { spec: {} } }));
    assert.equal(bad.code, 400, "a merge-style body sent with the default JSON-patch type is refused");
    const failedTest = await rejects(() =>
      custom.patchClusterCustomObject({ ...crd, name: "p", body: [{ op: "test", path: "/spec/version", value: 3 }] }),
    );
    assert.equal(failedTest.code, 422);
    const ssa: Obj = await custom.patchClusterCustomObject(
      { ...crd, name: "p-ssa", fieldManager: "floatip", force: true, body: vip("p-ssa", { priorities: { a: 100 } }) },
      patchOptions(PatchStrategy.ServerSideApply),
    );
    assert.equal(ssa.spec.priorities.a, 100, "apply creates");
    const ssa2: Obj = await custom.patchClusterCustomObject(
      { ...crd, name: "p-ssa", fieldManager: "floatip", force: true, body: vip("p-ssa", { priorities: { b: 50 } }) },
      patchOptions(PatchStrategy.ServerSideApply),
    );
    assert.deepEqual(ssa2.spec.priorities, { a: 100, b: 50 });
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "smp", finalizers: ["x/a"] },
        spec: {
          containers: [
            { name: "a", image: "1" },
            { name: "b", image: "1" },
          ],
        },
      },
    });
    const smp = await core.patchNamespacedPod(
      { namespace: "default", name: "smp", body: { metadata: { finalizers: ["x/b"] }, spec: { containers: [{ name: "b", image: "2" }] } } },
      patchOptions(PatchStrategy.StrategicMergePatch),
    );
    assert.deepEqual(
      smp.spec?.containers.map((c) => `${c.name}=${c.image}`),
      ["a=1", "b=2"],
    );
    assert.deepEqual(smp.metadata?.finalizers, ["x/a", "x/b"]);
    const smp2 = await core.patchNamespacedPod(
      {
        namespace: "default",
        name: "smp",
        body: {
          metadata: { "$deleteFromPrimitiveList/finalizers": ["x/a", "x/b"] },
          spec: { containers: [{ name: "a", $patch: "delete" }] },
        },
      },
      patchOptions(PatchStrategy.StrategicMergePatch),
    );
    assert.deepEqual(
      smp2.spec?.containers.map((c) => c.name),
      ["b"],
    );
    assert.equal(smp2.metadata?.finalizers, undefined);
    const wrong = await rejects(() =>
      core.patchNamespacedPod({ namespace: "default", name: "smp", body: {} }, setHeaderOptions("Content-Type", "application/json")),
    );
    assert.equal(wrong.code, 415);
  });

  it("label and field selectors", async () => {
    const pod = (name: string, labels: Record<string, string>, nodeName: string) =>
      core.createNamespacedPod({
        namespace: "sel",
        body: { metadata: { name, labels }, spec: { nodeName, containers: [{ name: "c", image: "i" }] } },
      });
    await pod("a", { app: "web", tier: "fe" }, "n1");
    await pod("b", { app: "web" }, "n2");
    await pod("c", { app: "db", tier: "be" }, "n1");
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await core.listNamespacedPod({ namespace: "sel", labelSelector, fieldSelector })).items.map((p) => p.metadata?.name).join(",");
    assert.equal(await names("app=web"), "a,b");
    assert.equal(await names("app==web,tier"), "a");
    assert.equal(await names("app!=web"), "c");
    assert.equal(await names("app in (db, web),!tier"), "b");
    assert.equal(await names("tier notin (fe)"), "b,c");
    assert.equal(await names(undefined, "spec.nodeName=n1"), "a,c");
    assert.equal(await names("app=web", "spec.nodeName!=n1"), "b");
    assert.equal(await names(undefined, "metadata.name=c,metadata.namespace=sel"), "c");
    assert.equal(await names(undefined, "status.phase=Pending"), "a,b,c");
    const all = await core.listPodForAllNamespaces({ fieldSelector: "metadata.namespace=sel" });
    assert.equal(all.items.length, 3);
    const page = await core.listNamespacedPod({ namespace: "sel", limit: 2 });
    assert.equal(page.items.length, 2);
    const rest = await core.listNamespacedPod({ namespace: "sel", limit: 2, _continue: page.metadata?._continue });
    assert.deepEqual(
      rest.items.map((p) => p.metadata?.name),
      ["c"],
    );
  });

  it("validates custom resources like the real server: field paths, defaults, pruning, CEL rules", async () => {
    const bad = await rejects(() =>
      custom.createClusterCustomObject({
        ...crd,
        body: vip("bad", {
          addresses: [],
          version: 4,
          virtualRouterID: 0,
          interface: "a-very-long-interface-name",
          priorities: { n: 300 },
        }),
      }),
    );
    assert.equal(bad.code, 422);
    assert.equal(bad.reason, "Invalid");
    const fields = (bad.details?.causes ?? []).map((c) => c.field).sort();
    assert.deepEqual(fields, ["spec.addresses", "spec.interface", "spec.priorities[n]", "spec.version", "spec.virtualRouterID"]);
    assert.match(bad.message ?? "", /^VirtualIP\.floatip\.io "bad" is invalid: \[/);
    assert.match(bad.message ?? "", /spec\.version: Unsupported value: 4: supported values: 2, 3/);
    const missing = await rejects(() => custom.createClusterCustomObject({ ...crd, body: { ...vip("m"), spec: {} } }));
    assert.equal(missing.message, 'VirtualIP.floatip.io "m" is invalid: spec.addresses: Required value');
    const wrongType = await rejects(() => custom.createClusterCustomObject({ ...crd, body: vip("t", { version: "3" }) }));
    assert.match(
      wrongType.message ?? "",
      /spec\.version: Invalid value: "string": spec\.version in body must be of type integer: "string"/,
    );
    const cel = await rejects(() =>
      custom.createClusterCustomObject({ ...crd, body: vip("cel", { priorities: { a: 1 }, preferredNodes: ["a"] }) }),
    );
    assert.equal(cel.details?.causes?.[0]?.field, "spec");
    assert.match(cel.message ?? "", /spec: Invalid value: "object": priorities and preferredNodes are mutually exclusive/);
    const v2 = await rejects(() =>
      custom.createClusterCustomObject({ ...crd, body: vip("v2", { version: 2, addresses: ["2001:db8::1/64"] }) }),
    );
    assert.equal(v2.details?.causes?.[0]?.field, "spec.version", "fieldPath of the rule");
    const cidr = await rejects(() => custom.createClusterCustomObject({ ...crd, body: vip("cidr", { addresses: ["300.1.1.1/24"] }) }));
    assert.equal(cidr.details?.causes?.[0]?.field, "spec.addresses[0]");

    const ok: Obj = await custom.createClusterCustomObject({
      ...crd,
      body: vip("ok", { virtualRouterID: 9, unknown: 1, extra: { free: { form: true } }, garp: { repeat: 2 }, port: "http" }),
    });
    assert.equal(ok.spec.unknown, undefined, "unknown fields are pruned");
    assert.deepEqual(ok.spec.extra, { free: { form: true } }, "x-kubernetes-preserve-unknown-fields keeps them");
    assert.deepEqual([ok.spec.version, ok.spec.advertisementInterval, ok.spec.preempt, ok.spec.transport], [3, "1s", true, "unicast"]);
    assert.deepEqual(ok.spec.garp, { repeat: 2, delay: "5s" }, "nested defaults");
    const immutable = await rejects(() =>
      custom.patchClusterCustomObject(
        { ...crd, name: "ok", body: { spec: { virtualRouterID: 10 } } },
        patchOptions(PatchStrategy.MergePatch),
      ),
    );
    assert.match(immutable.message ?? "", /spec\.virtualRouterID: Invalid value: "integer": virtualRouterID is immutable/);
    const strict = await rejects(() =>
      custom.createClusterCustomObject({ ...crd, body: vip("strict", { nope: 1 }), fieldValidation: "Strict" }),
    );
    assert.equal(strict.message, 'strict decoding error: unknown field "spec.nope"');
    assert.deepEqual([...server.unsupportedValidations], []);
  });

  it("finalizers: delete marks deletionTimestamp, the object goes once the last finalizer is removed", async () => {
    await custom.createClusterCustomObject({
      ...crd,
      body: { ...vip("fin"), metadata: { name: "fin", finalizers: ["floatip.io/cleanup"] } },
    });
    const marked: Obj = await custom.deleteClusterCustomObject({ ...crd, name: "fin" });
    assert.ok(marked.metadata.deletionTimestamp);
    assert.equal(marked.metadata.generation, 2);
    const again: Obj = await custom.getClusterCustomObject({ ...crd, name: "fin" });
    assert.ok(again.metadata.deletionTimestamp);
    const add = await rejects(() =>
      custom.patchClusterCustomObject(
        { ...crd, name: "fin", body: { metadata: { finalizers: ["floatip.io/cleanup", "x/y"] } } },
        patchOptions(PatchStrategy.MergePatch),
      ),
    );
    assert.equal(add.code, 422);
    await custom.patchClusterCustomObject(
      { ...crd, name: "fin", body: { metadata: { finalizers: null } } },
      patchOptions(PatchStrategy.MergePatch),
    );
    assert.equal((await rejects(() => custom.getClusterCustomObject({ ...crd, name: "fin" }))).code, 404);
    assert.equal(server.store.get("vip", "fin"), undefined);
  });

  it("serves events.k8s.io/v1 as a view of core v1 events; store access for assertions", async () => {
    const events = server.kubeConfig().makeApiClient(EventsV1Api);
    await events.createNamespacedEvent({
      namespace: "default",
      body: {
        metadata: { name: "e1" },
        eventTime: new Date(),
        reason: "Elected",
        note: "node-a is master",
        type: "Normal",
        action: "Elect",
        reportingController: "floatip.io/agent",
        reportingInstance: "node-a",
        regarding: { kind: "VirtualIP", name: "web" },
      },
    });
    const coreEvent = await core.readNamespacedEvent({ namespace: "default", name: "e1" });
    assert.equal(coreEvent.message, "node-a is master");
    assert.equal(coreEvent.involvedObject.name, "web");
    const viaField = await core.listNamespacedEvent({
      namespace: "default",
      fieldSelector: "involvedObject.kind=VirtualIP,reason=Elected",
    });
    assert.equal(viaField.items.length, 1);
    server.store.put({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "seeded" },
      status: { addresses: [{ type: "InternalIP", address: "192.0.2.11" }] },
    });
    const n = await core.readNode({ name: "seeded" });
    assert.equal(n.status?.addresses?.[0]?.address, "192.0.2.11");
    assert.ok(server.requestLog.some((r) => r.verb === "get" && r.resource === "nodes" && r.name === "seeded" && r.status === 200));
  });

  it("CRDs created through the API are served at once", async () => {
    const crdObj = testVirtualIPCrd();
    crdObj.metadata = { name: "widgets.example.com" };
    Object.assign(crdObj.spec as Obj, { group: "example.com", names: { plural: "widgets", kind: "Widget" } });
    const ext = server.kubeConfig();
    const created = await ext
      .makeApiClient(CustomObjectsApi)
      .createClusterCustomObject({ group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", body: crdObj });
    assert.equal((created as Obj).status.conditions[1].type, "Established");
    const w: Obj = await custom.createClusterCustomObject({
      group: "example.com",
      version: VERSION,
      plural: "widgets",
      body: { apiVersion: `example.com/${VERSION}`, kind: "Widget", metadata: { name: "w" }, spec: { addresses: ["203.0.113.1/24"] } },
    });
    assert.equal(w.spec.version, 3);
  });
});
