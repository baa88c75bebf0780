// The agent's thin Kubernetes client (agent/kube/api.ts over rest.ts, rest-watch.ts, endpoint.ts)
// against the API test server: credentials and TLS through a kubeconfig file (an HTTPS front with
// a throw-away CA, recording the Authorization header), watch resumption after the server ends a
// watch or goes away, a relist after 410 Gone, and error statuses as KubeApiError codes.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { createServer as createHttpsServer, type Server } from "node:https";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { restAgentApi, type VrrpNodeObject, type WatchHandlers } from "../../agent/kube/api.js";
import { fromKubeconfigFile, kubeConfigEndpoint } from "../../agent/kube/endpoint.js";
import { KubeApiError } from "../../agent/kube/rest.js";
import { createTestPki, type TestPki } from "../lab/tls.js";
import { startTestApiServer, type TestApiServer } from "./server.js";

const CRDS = ["crds/virtualip.yaml", "crds/vrrpnode.yaml"];
const node = (name: string, priority: number) => ({
  apiVersion: "floatip.io/v1alpha1",
  kind: "VRRPNode",
  metadata: { name },
  spec: { instances: [{ name: "vi", interface: "eth0", virtualRouterId: 7, priority, addresses: ["192.0.2.10/24"] }] },
});

async function until<T>(what: string, probe: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Records what a watch reports. */
function recorder() {
  const events: string[] = [];
  const handlers: WatchHandlers<VrrpNodeObject> = {
    onUpsert: (o) =>
      events.push(
        `upsert ${o.metadata?.name} ${JSON.stringify((o.spec as { instances?: { priority?: number }[] })?.instances?.[0]?.priority)}`,
      ),
    onDelete: (o) => events.push(`delete ${o.metadata?.name}`),
    onError: () => events.push("error"),
    onConnected: () => events.push("connected"),
  };
  return { events, handlers };
}

describe("the agent's thin API client (API test server)", () => {
  let server: TestApiServer;
  before(async () => {
    server = await startTestApiServer({ crds: CRDS, compactionWindow: 1000 });
  });
  after(() => server.close());

  describe("credentials and TLS from a kubeconfig file", () => {
    let pki: TestPki;
    let front: Server;
    let dir: string;
    const seen: (string | undefined)[] = [];
    before(async () => {
      pki = await createTestPki();
      dir = mkdtempSync(join(tmpdir(), "floatip-rest-"));
      // An HTTPS front for the plain-HTTP test server, as kube-apiserver serves TLS.
      front = createHttpsServer({ cert: pki.serverCert, key: pki.serverKey }, (req, res) => {
        seen.push(req.headers.authorization);
        const upstream = httpRequest(`${server.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        req.pipe(upstream);
      });
      await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
      server.store.create(node("tls-a", 100));
    });
    after(async () => {
      front.closeAllConnections();
      await new Promise((r) => front.close(r));
      rmSync(dir, { recursive: true, force: true });
      await pki.cleanup();
    });

    const kubeconfig = (cluster: Record<string, unknown>, user: Record<string, unknown>) => {
      const path = join(dir, `config-${Math.random().toString(36).slice(2)}`);
      const port = (front.address() as { port: number }).port;
      writeFileSync(
        path,
        [
          "apiVersion: v1",
          "kind: Config",
          "current-context: t",
          "contexts: [{name: t, context: {cluster: c, user: u}}]",
          `clusters: [{name: c, cluster: ${JSON.stringify({ server: `https://127.0.0.1:${port}`, "tls-server-name": "kubernetes", ...cluster })}}]`,
          `users: [{name: u, user: ${JSON.stringify(user)}}]`,
          "",
        ].join("\n"),
      );
      return path;
    };

    test("the CA file is trusted and the token sent as a Bearer header; another CA is refused", async () => {
      const api = restAgentApi(await fromKubeconfigFile(kubeconfig({ "certificate-authority": pki.caFile }, { token: "sekret-1" })));
      await api.patchVrrpNodeStatus("tls-a", { observedGeneration: 1 });
      assert.equal(seen.at(-1), "Bearer sekret-1");
      assert.deepEqual(
        (server.store.get("vrrpnodes", "tls-a")?.["status"] as { observedGeneration?: number } | undefined)?.observedGeneration,
        1,
      );
      const wrongCa = restAgentApi(
        await fromKubeconfigFile(kubeconfig({ "certificate-authority": pki.otherCaFile }, { token: "sekret-1" })),
      );
      const before = seen.length;
      await assert.rejects(wrongCa.patchVrrpNodeStatus("tls-a", {}), /certificate/);
      assert.equal(seen.length, before, "nothing reached the server");
    });

    test("a tokenFile is re-read for every request (projected tokens rotate); CA as inline data", async () => {
      const tokenFile = join(dir, "token");
      writeFileSync(tokenFile, "first\n");
      const caData = Buffer.from((await import("node:fs")).readFileSync(pki.caFile)).toString("base64");
      const api = restAgentApi(await fromKubeconfigFile(kubeconfig({ "certificate-authority-data": caData }, { tokenFile })));
      await api.patchVrrpNodeStatus("tls-a", {});
      assert.equal(seen.at(-1), "Bearer first");
      writeFileSync(tokenFile, "second\n");
      await api.patchVrrpNodeStatus("tls-a", {});
      assert.equal(seen.at(-1), "Bearer second");
    });

    test("a watch through TLS delivers the object and its changes", async () => {
      const api = restAgentApi(await fromKubeconfigFile(kubeconfig({ "certificate-authority": pki.caFile }, { token: "w" })));
      const { events, handlers } = recorder();
      const w = await api.watchVrrpNode("tls-a", handlers);
      try {
        assert.deepEqual(events, ["upsert tls-a 100", "connected"]);
        server.store.put({ ...node("tls-a", 120), metadata: { name: "tls-a" } });
        await until("the change", () => (events.includes("upsert tls-a 120") ? true : undefined));
      } finally {
        await w.stop();
      }
    });
  });

  test("error statuses come back as KubeApiError with the HTTP code and reason", async () => {
    const api = restAgentApi(kubeConfigEndpoint(server.kubeConfig()));
    await assert.rejects(
      api.readSecret("default", "absent"),
      (e: unknown) => e instanceof KubeApiError && e.code === 404 && e.reason === "NotFound",
    );
    await assert.rejects(api.patchVrrpNodeStatus("absent", {}), (e: unknown) => e instanceof KubeApiError && e.code === 404);
    server.faults.push({
      match: { verb: "patch", resource: "vrrpnodes", subresource: "status" },
      code: 403,
      reason: "Forbidden",
      message: "no rights",
    });
    try {
      server.store.create(node("err-a", 100));
      await assert.rejects(
        api.patchVrrpNodeStatus("err-a", {}),
        (e: unknown) => e instanceof KubeApiError && e.code === 403 && /no rights/.test(e.message),
      );
    } finally {
      server.faults.length = 0;
    }
  });

  test("a watch the server ends is resumed from its resourceVersion (no relist, no event lost)", async () => {
    server.store.create(node("resume-a", 100));
    const api = restAgentApi(kubeConfigEndpoint(server.kubeConfig()));
    const { events, handlers } = recorder();
    const w = await api.watchVrrpNode("resume-a", handlers);
    try {
      const lists = () => server.requestLog.filter((r) => r.verb === "list" && r.resource === "vrrpnodes").length;
      const listed = lists();
      server.closeWatches();
      server.store.put(node("resume-a", 110));
      await until("the change made while no watch was open", () => (events.includes("upsert resume-a 110") ? true : undefined));
      assert.equal(lists(), listed, "resumed by a watch, not a list");
      assert.deepEqual(events, ["upsert resume-a 100", "connected", "upsert resume-a 110"]);
    } finally {
      await w.stop();
    }
  });

  test("410 Gone (history compacted while no watch was open): relist, a deletion in the gap is reported", async () => {
    server.store.create(node("gone-a", 100));
    const api = restAgentApi(kubeConfigEndpoint(server.kubeConfig()));
    const { events, handlers } = recorder();
    const w = await api.watchVrrpNode("gone-a", handlers);
    try {
      // In one tick: end the watch, change and then delete the object, drop the history.
      server.closeWatches();
      server.store.put(node("gone-a", 130));
      server.store.remove("vrrpnodes", "gone-a");
      server.compact();
      await until("the relist's delete", () => (events.includes("delete gone-a") ? true : undefined));
      assert.ok(!events.includes("error"), `410 is not an error: ${events.join(", ")}`);
      assert.ok(!events.includes("upsert gone-a 130"), "the gap's events came from a relist, not a resumed watch");
      server.store.create(node("gone-a", 140));
      await until("the object created again", () => (events.includes("upsert gone-a 140") ? true : undefined));
    } finally {
      await w.stop();
    }
  });

  test("the API server away and back: onError, then relisted and connected again", async () => {
    server.store.create(node("away-a", 100));
    const api = restAgentApi(kubeConfigEndpoint(server.kubeConfig()));
    const { events, handlers } = recorder();
    const w = await api.watchVrrpNode("away-a", handlers);
    try {
      await server.stop();
      await until("the error", () => (events.includes("error") ? true : undefined));
      server.store.put(node("away-a", 150));
      await server.start();
      await until(
        "reconnected with the change",
        () => (events.includes("upsert away-a 150") && events.at(-1) === "connected" ? true : undefined),
        8000,
      );
    } finally {
      await w.stop();
      await server.start();
    }
  });
});
