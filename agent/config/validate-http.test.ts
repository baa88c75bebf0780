import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "./validate.js";

const instance = (track: Record<string, unknown> = { httpChecks: ["apiserver"] }) => ({
  name: "cp",
  interface: "eth0",
  virtualRouterId: 51,
  addresses: ["192.0.2.5/24"],
  track,
});
const readyz = { name: "apiserver", url: "https://127.0.0.1:6443/readyz" };
const config = (check: Record<string, unknown>, track?: Record<string, unknown>) => ({ httpChecks: [check], instances: [instance(track)] });

describe("httpChecks", () => {
  it("fills defaults like a script (1s, timeout = interval, weight 0, fall/rise 1)", () => {
    const result = validateAgentConfig(config(readyz));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(result.config.httpChecks, [
      { name: "apiserver", url: "https://127.0.0.1:6443/readyz", intervalMs: 1000, timeoutMs: 1000, weight: 0, fall: 1, rise: 1 },
    ]);
    assert.deepEqual(result.config.instances[0]!.track.httpChecks, [{ name: "apiserver" }]);
  });

  it("reads every field", () => {
    const result = validateAgentConfig(
      config(
        {
          ...readyz,
          interval: "500ms",
          timeout: "400ms",
          weight: -60,
          fall: 3,
          rise: 2,
          tls: { caFile: "/etc/kubernetes/pki/ca.crt", serverName: "kubernetes" },
        },
        { httpChecks: [{ name: "apiserver", weight: -80 }] },
      ),
    );
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(result.config.httpChecks?.[0], {
      name: "apiserver",
      url: "https://127.0.0.1:6443/readyz",
      intervalMs: 500,
      timeoutMs: 400,
      weight: -60,
      fall: 3,
      rise: 2,
      tls: { caFile: "/etc/kubernetes/pki/ca.crt", serverName: "kubernetes", insecureSkipVerify: false },
    });
    assert.deepEqual(result.config.instances[0]!.track.httpChecks, [{ name: "apiserver", weight: -80 }]);
  });

  it("leaves httpChecks out of a config that has none", () => {
    const result = validateAgentConfig({ instances: [instance({})] });
    assert.ok(result.ok);
    assert.equal("httpChecks" in result.config, false);
    assert.equal("httpChecks" in result.config.instances[0]!.track, false);
  });

  const bad: readonly [string, Record<string, unknown>, string, RegExp][] = [
    ["no url", { name: "apiserver" }, "httpChecks[0].url", /non-empty string/],
    ["not a URL", { ...readyz, url: "127.0.0.1:6443/readyz" }, "httpChecks[0].url", /http or https|URL/],
    ["another scheme", { ...readyz, url: "ftp://192.0.2.1/x" }, "httpChecks[0].url", /http or https, got "ftp"/],
    ["credentials", { ...readyz, url: "https://admin:pw@127.0.0.1:6443/readyz" }, "httpChecks[0].url", /credentials/],
    ["fragment", { ...readyz, url: "https://127.0.0.1:6443/readyz#x" }, "httpChecks[0].url", /fragment/],
    ["interval 0", { ...readyz, interval: 0 }, "httpChecks[0].interval", /more than 0/],
    ["timeout 0", { ...readyz, timeout: "0s" }, "httpChecks[0].timeout", /more than 0/],
    ["timeout text", { ...readyz, timeout: "soon" }, "httpChecks[0].timeout", /duration/],
    ["weight 254", { ...readyz, weight: 254 }, "httpChecks[0].weight", /between -253 and 253/],
    ["fall 0", { ...readyz, fall: 0 }, "httpChecks[0].fall", /between 1/],
    ["rise as text", { ...readyz, rise: "2" }, "httpChecks[0].rise", /integer/],
    ["unknown field", { ...readyz, method: "HEAD" }, "httpChecks[0].method", /unknown field/],
    [
      "tls on http",
      { ...readyz, url: "http://127.0.0.1:8080/healthz", tls: { insecureSkipVerify: true } },
      "httpChecks[0].tls",
      /https:\/\/ URLs only/,
    ],
    ["relative CA file", { ...readyz, tls: { caFile: "pki/ca.crt" } }, "httpChecks[0].tls.caFile", /absolute path/],
    [
      "skip verify with a CA",
      { ...readyz, tls: { caFile: "/etc/ca.crt", insecureSkipVerify: true } },
      "httpChecks[0].tls.insecureSkipVerify",
      /one or the other/,
    ],
    ["skip verify as text", { ...readyz, tls: { insecureSkipVerify: "yes" } }, "httpChecks[0].tls.insecureSkipVerify", /true or false/],
    ["unknown TLS field", { ...readyz, tls: { cert: "/x" } }, "httpChecks[0].tls.cert", /unknown field/],
  ];
  for (const [name, check, path, message] of bad) {
    it(`rejects ${name}, naming ${path}`, () => {
      const result = validateAgentConfig(config(check));
      assert.ok(!result.ok);
      const error = result.errors.find((e) => e.path === path);
      assert.ok(error, `expected an error at ${path}, got ${JSON.stringify(result.errors)}`);
      assert.match(error.message, message);
    });
  }

  it("rejects a reference to an unknown check and a bad per-instance weight", () => {
    const unknown = validateAgentConfig(config(readyz, { httpChecks: ["apiserverr"] }));
    assert.ok(!unknown.ok);
    assert.deepEqual(unknown.errors, [
      { path: "instances[0].track.httpChecks[0]", message: 'no HTTP check named "apiserverr" under httpChecks' },
    ]);
    const weight = validateAgentConfig(config(readyz, { httpChecks: [{ name: "apiserver", weight: -300 }] }));
    assert.ok(!weight.ok);
    assert.equal(weight.errors[0]?.path, "instances[0].track.httpChecks[0].weight");
  });

  it("rejects two checks with one name", () => {
    const result = validateAgentConfig({ httpChecks: [readyz, readyz], instances: [instance()] });
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [{ path: "httpChecks", message: 'name "apiserver" is used twice' }]);
  });
});
