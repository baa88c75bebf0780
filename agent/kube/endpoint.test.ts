import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fromKubeconfigFile, inCluster, loadEndpoint } from "./endpoint.js";

const dir = mkdtempSync(join(tmpdir(), "floatip-endpoint-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const config = (user: object, cluster: object = { server: "https://203.0.113.1:6443" }) =>
  JSON.stringify({
    "current-context": "t",
    contexts: [{ name: "t", context: { cluster: "c", user: "u" } }],
    clusters: [{ name: "c", cluster }],
    users: [{ name: "u", user }],
  });
const authorized = async (e: { authorize: (o: { headers: Record<string, string> }) => Promise<void> }) => {
  const o: { headers: Record<string, string>; ca?: unknown; rejectUnauthorized?: boolean } = { headers: {} };
  await e.authorize(o);
  return o;
};

describe("the agent's API endpoint", () => {
  test("in-cluster: service host and port (IPv6 bracketed), CA, the token re-read per request", async () => {
    const sa = join(dir, "sa");
    rmSync(sa, { recursive: true, force: true });
    (await import("node:fs")).mkdirSync(sa);
    writeFileSync(join(sa, "ca.crt"), "CA");
    writeFileSync(join(sa, "token"), "t1\n");
    const e = inCluster({ KUBERNETES_SERVICE_HOST: "2001:db8::1", KUBERNETES_SERVICE_PORT: "443" }, sa);
    assert.equal(e.server, "https://[2001:db8::1]:443");
    const first = await authorized(e);
    assert.equal(first.headers["Authorization"], "Bearer t1");
    assert.equal(String(first.ca), "CA");
    writeFileSync(join(sa, "token"), "t2\n");
    assert.equal((await authorized(e)).headers["Authorization"], "Bearer t2");
  });

  test("not in a cluster and no kubeconfig: an error saying what to pass", () => {
    assert.throws(() => inCluster({}, dir), /KUBERNETES_SERVICE_HOST.*--kubeconfig/);
  });

  test("kubeconfig: token, basic auth, insecure-skip-tls-verify", async () => {
    const e = await fromKubeconfigFile(
      file("token.json", config({ token: "abc" }, { server: "https://203.0.113.1:6443", "insecure-skip-tls-verify": true })),
    );
    assert.equal(e.server, "https://203.0.113.1:6443");
    const o = await authorized(e);
    assert.equal(o.headers["Authorization"], "Bearer abc");
    assert.equal(o.rejectUnauthorized, false);
    const basic = await authorized(await fromKubeconfigFile(file("basic.yaml", config({ username: "me", password: "pw" }))));
    assert.equal(basic.headers["Authorization"], `Basic ${Buffer.from("me:pw").toString("base64")}`);
  });

  test("kubeconfig errors name the field", async () => {
    await assert.rejects(fromKubeconfigFile(file("nocontext.json", JSON.stringify({ contexts: [] }))), /current-context is not set/);
    await assert.rejects(
      fromKubeconfigFile(file("nouser.json", config({}).replace('"users":[{"name":"u"', '"users":[{"name":"x"'))),
      /users: no entry named "u"/,
    );
  });

  test("an exec user goes to client-node's KubeConfig (same server)", async () => {
    const path = file(
      "exec.json",
      config({ exec: { apiVersion: "client.authentication.k8s.io/v1", command: "false" } }, { server: "https://198.51.100.7:6443" }),
    );
    const e = await loadEndpoint(path);
    assert.equal(e.server, "https://198.51.100.7:6443");
  });

  test("KUBECONFIG with one file is read directly", async () => {
    const e = await loadEndpoint(undefined, { KUBECONFIG: file("env.json", config({ token: "env" })) });
    assert.equal((await authorized(e)).headers["Authorization"], "Bearer env");
  });
});
