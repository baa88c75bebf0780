// The real prober against real HTTP and HTTPS servers on this process's loopback,
// with certificates from a throw-away CA (openssl).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createTestPki, type TestPki } from "../../test/lab/tls.js";
import type { HttpCheckTls } from "../config/types.js";
import { systemHttpProber, type HttpProbeOutcome } from "./http-probe.js";

let pki: TestPki;
let http: Server;
let https: Server;
let hanging: Server;
let status = 200;
// A unit test needs neither root nor apt: without openssl (make lab-deps installs it) these are skipped, saying why.
const skip = spawnSync("openssl", ["version"]).status === 0 ? false : "needs openssl (make lab-deps)";
const prober = systemHttpProber({ readFile: (path) => readFile(path, "utf8") });

const listen = (server: Server) =>
  new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(String((server.address() as AddressInfo).port))));
const close = (server: Server) => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
const probe = (url: string, tls?: HttpCheckTls, signal = AbortSignal.timeout(5000)): Promise<HttpProbeOutcome> =>
  prober.get({ url, signal, ...(tls !== undefined ? { tls } : {}) });

let httpUrl: string;
let httpsUrl: string;
let hangingUrl: string;
before(async () => {
  if (skip !== false) return;
  pki = await createTestPki();
  const handler = (_req: unknown, res: import("node:http").ServerResponse) => {
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(status === 200 ? "ok" : "[-]etcd failed: reason withheld\nreadyz check failed");
  };
  http = createHttpServer(handler);
  https = createHttpsServer({ cert: pki.serverCert, key: pki.serverKey }, handler);
  hanging = createHttpServer(() => undefined);
  httpUrl = `http://127.0.0.1:${await listen(http)}/readyz`;
  httpsUrl = `https://127.0.0.1:${await listen(https)}/readyz`;
  hangingUrl = `http://127.0.0.1:${await listen(hanging)}/readyz`;
});
after(async () => {
  if (skip !== false) return;
  await Promise.all([close(http), close(https), close(hanging)]);
  await pki.cleanup();
});

test("http: the status code comes back as it is", { skip }, async () => {
  status = 200;
  assert.deepEqual(await probe(httpUrl), { type: "status", code: 200 });
  status = 500;
  assert.deepEqual(await probe(httpUrl), { type: "status", code: 500 });
  status = 200;
});

test("https with the cluster CA and the certificate's name (kubernetes) instead of 127.0.0.1", { skip }, async () => {
  assert.deepEqual(await probe(httpsUrl, { caFile: pki.caFile, serverName: "kubernetes", insecureSkipVerify: false }), {
    type: "status",
    code: 200,
  });
});

test("https: a name the certificate does not carry fails", { skip }, async () => {
  const outcome = await probe(httpsUrl, { caFile: pki.caFile, insecureSkipVerify: false });
  assert.equal(outcome.type, "error");
  assert.match(outcome.type === "error" ? outcome.message : "", /altnames|127\.0\.0\.1/);
});

test("https: another CA, or the system CAs, do not verify the server", { skip }, async () => {
  for (const tls of [{ caFile: pki.otherCaFile, serverName: "kubernetes", insecureSkipVerify: false }, undefined]) {
    const outcome = await probe(httpsUrl, tls);
    assert.equal(outcome.type, "error", JSON.stringify(tls));
    assert.match(outcome.type === "error" ? outcome.message : "", /certificate/);
  }
});

test("https with insecureSkipVerify accepts any certificate", { skip }, async () => {
  assert.deepEqual(await probe(httpsUrl, { insecureSkipVerify: true }), { type: "status", code: 200 });
});

test("a missing CA file is an error naming it", { skip }, async () => {
  const outcome = await probe(httpsUrl, { caFile: `${pki.dir}/missing.crt`, insecureSkipVerify: false });
  assert.equal(outcome.type, "error");
  assert.match(outcome.type === "error" ? outcome.message : "", /cannot read CA file .*missing\.crt/);
});

test("nothing listening: connection refused", { skip }, async () => {
  const spare = createHttpServer();
  const port = await listen(spare);
  await close(spare);
  const outcome = await probe(`http://127.0.0.1:${port}/readyz`);
  assert.equal(outcome.type, "error");
  assert.match(outcome.type === "error" ? outcome.message : "", /ECONNREFUSED/);
});

test("an abort ends a probe the server never answers", { skip }, async () => {
  const controller = new AbortController();
  const started = Date.now();
  const pending = probe(hangingUrl, undefined, controller.signal);
  setTimeout(() => controller.abort(), 100);
  const outcome = await pending;
  assert.equal(outcome.type, "error");
  assert.ok(Date.now() - started < 2000, "settles promptly after the abort");
});
