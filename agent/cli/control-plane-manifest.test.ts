import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseYamlConfig } from "../config/load.js";
import { buildControlPlaneManifest, CONFIG_ENV, type ControlPlaneFlags } from "./control-plane-manifest.js";

const base: ControlPlaneFlags = { address: "192.0.2.10", interface: "eth0", image: "registry.example.com/floatip:0.1.0" };

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function build(flags: ControlPlaneFlags) {
  const result = buildControlPlaneManifest(flags);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  const pod = result.manifest.pod as Obj;
  const container = pod["spec"]["containers"][0] as Obj;
  const env = (container["env"] as Obj[]).find((e) => e["name"] === CONFIG_ENV)?.["value"] as string;
  const loaded = parseYamlConfig(env, `$${CONFIG_ENV}`);
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
  return { pod, spec: pod["spec"] as Obj, container, config: loaded.config, configText: env };
}

describe("control-plane static pod", () => {
  it("is a hostNetwork kube-system pod with only NET_ADMIN and NET_RAW, at system-node-critical", () => {
    const { pod, spec, container } = build(base);
    assert.equal(pod["apiVersion"], "v1");
    assert.equal(pod["kind"], "Pod");
    assert.equal(pod["metadata"]["namespace"], "kube-system");
    assert.equal(pod["metadata"]["name"], "floatip-control-plane");
    assert.equal(spec["hostNetwork"], true);
    assert.equal(spec["priorityClassName"], "system-node-critical");
    assert.equal(spec["containers"].length, 1);
    assert.equal(container["image"], "registry.example.com/floatip:0.1.0");
    const sc = container["securityContext"] as Obj;
    assert.deepEqual(sc["capabilities"], { drop: ["ALL"], add: ["NET_ADMIN", "NET_RAW"] });
    assert.equal(sc["privileged"], false);
    assert.equal(sc["allowPrivilegeEscalation"], false);
    assert.equal(sc["readOnlyRootFilesystem"], true);
    assert.equal(spec["serviceAccountName"], undefined, "no API access: a static pod cannot use one");
    assert.ok(!JSON.stringify(pod).includes("configMap"), "static pods cannot mount ConfigMaps");
  });

  it("runs the agent standalone from the config in its environment", () => {
    const { container } = build(base);
    assert.deepEqual(container["args"], [
      "agent",
      `--config-env=${CONFIG_ENV}`,
      "--state-dir=/run/floatip",
      "--metrics-address=127.0.0.1:9111",
    ]);
    assert.ok(!(container["args"] as string[]).includes("--kubernetes"));
    assert.deepEqual(container["livenessProbe"]["httpGet"], { host: "127.0.0.1", port: 9111, path: "/healthz" });
  });

  it("tracks the local kube-apiserver's /readyz, verified with the cluster CA for the name kubernetes; FAULT while it fails", () => {
    const { config, spec, container } = build(base);
    assert.deepEqual(config.httpChecks, [
      {
        name: "kube-apiserver",
        url: "https://127.0.0.1:6443/readyz",
        intervalMs: 1000,
        timeoutMs: 1000,
        weight: 0,
        fall: 3,
        rise: 2,
        tls: { caFile: "/etc/kubernetes/pki/ca.crt", serverName: "kubernetes", insecureSkipVerify: false },
      },
    ]);
    const inst = config.instances[0]!;
    assert.deepEqual(inst.track.httpChecks, [{ name: "kube-apiserver" }]);
    assert.equal(inst.interface, "eth0");
    assert.equal(inst.virtualRouterId, 254);
    assert.equal(inst.version, 3);
    assert.equal(inst.priority, 100);
    assert.equal(inst.preempt, true);
    assert.deepEqual(inst.addresses, [{ address: "192.0.2.10", family: 4, prefixLength: 32 }]);
    // The CA file is the only host path, read-only, at the same path inside.
    assert.deepEqual(
      spec["volumes"].find((v: Obj) => v["hostPath"] !== undefined),
      {
        name: "apiserver-ca",
        hostPath: { path: "/etc/kubernetes/pki/ca.crt", type: "File" },
      },
    );
    assert.deepEqual(
      container["volumeMounts"].find((m: Obj) => m["name"] === "apiserver-ca"),
      {
        name: "apiserver-ca",
        mountPath: "/etc/kubernetes/pki/ca.crt",
        readOnly: true,
      },
    );
  });

  it("multicast without --peers, VRRPv3 unicast with them", () => {
    assert.equal(build(base).config.instances[0]!.unicast, undefined);
    const unicast = build({ ...base, peers: "192.0.2.12, 192.0.2.13", source: "192.0.2.11" }).config.instances[0]!.unicast;
    assert.deepEqual(unicast, { source: "192.0.2.11", peers: ["192.0.2.12", "192.0.2.13"] });
  });

  it("passes every tuning flag through", () => {
    const { config, container, pod } = build({
      ...base,
      address: "192.0.2.10/24",
      priority: "150",
      vrid: "51",
      advertInterval: "100ms",
      apiserverPort: "8443",
      apiserverCa: "/etc/pki/k8s-ca.pem",
      checkInterval: "500ms",
      checkFall: "2",
      checkRise: "1",
      checkWeight: "-60",
      metricsPort: "9200",
      name: "vip",
    });
    const inst = config.instances[0]!;
    assert.deepEqual([inst.priority, inst.virtualRouterId, inst.advertIntervalMs, inst.addresses[0]?.prefixLength], [150, 51, 100, 24]);
    const check = config.httpChecks![0]!;
    assert.equal(check.url, "https://127.0.0.1:8443/readyz");
    assert.deepEqual([check.intervalMs, check.fall, check.rise, check.weight, check.tls?.caFile], [500, 2, 1, -60, "/etc/pki/k8s-ca.pem"]);
    assert.ok((container["args"] as string[]).includes("--metrics-address=127.0.0.1:9200"));
    assert.equal(pod["metadata"]["name"], "vip");
  });

  it("--insecure-skip-verify: no CA mount and no verification", () => {
    const { config, spec, container } = build({ ...base, insecureSkipVerify: true });
    assert.deepEqual(config.httpChecks![0]!.tls, { insecureSkipVerify: true });
    assert.deepEqual(
      spec["volumes"].map((v: Obj) => v["name"]),
      ["state"],
    );
    assert.deepEqual(
      container["volumeMounts"].map((m: Obj) => m["name"]),
      ["state"],
    );
  });

  it("IPv6: the VIP and an IPv6 API server address in brackets", () => {
    const { config } = build({ ...base, address: "2001:db8::10/64", apiserverAddress: "::1", peers: "2001:db8::12" });
    assert.equal(config.instances[0]!.family, 6);
    assert.equal(config.httpChecks![0]!.url, "https://[::1]:6443/readyz");
  });

  const bad: readonly [string, ControlPlaneFlags, string, RegExp][] = [
    ["no address", { ...base, address: undefined }, "--address", /required/],
    ["no interface", { ...base, interface: "" }, "--interface", /required/],
    ["bad address", { ...base, address: "192.0.2.300" }, "--address", /not an IP address/],
    ["VRID 0", { ...base, vrid: "0" }, "--vrid", /between 1 and 255/],
    ["VRID text", { ...base, vrid: "high" }, "--vrid", /integer/],
    ["priority 256", { ...base, priority: "256" }, "--priority", /between 1 and 255/],
    ["advert interval not centiseconds", { ...base, advertInterval: "15ms" }, "--advert-interval", /centiseconds/],
    ["peer of another family", { ...base, peers: "2001:db8::12" }, "--peers", /IPv4/],
    ["peer not an address", { ...base, peers: "cp-2" }, "--peers", /not an IP address/],
    ["empty peers", { ...base, peers: " , " }, "--peers", /at least one/],
    ["source without peers", { ...base, source: "192.0.2.11" }, "--source", /unicast only/],
    ["port 0", { ...base, apiserverPort: "0" }, "--apiserver-port", /1\.\.65535/],
    ["port text", { ...base, apiserverPort: "https" }, "--apiserver-port", /1\.\.65535/],
    ["apiserver address a name", { ...base, apiserverAddress: "localhost" }, "--apiserver-address", /not an IP address/],
    ["relative CA", { ...base, apiserverCa: "pki/ca.crt" }, "--apiserver-ca", /absolute path/],
    ["CA and skip verify", { ...base, apiserverCa: "/etc/ca.crt", insecureSkipVerify: true }, "--insecure-skip-verify", /exclude/],
    ["check interval 0", { ...base, checkInterval: "0s" }, "--check-interval", /more than 0/],
    ["check fall 0", { ...base, checkFall: "0" }, "--check-fall", /between 1/],
    ["check rise text", { ...base, checkRise: "two" }, "--check-rise", /integer/],
    ["check weight 300", { ...base, checkWeight: "300" }, "--check-weight", /between -253 and 253/],
    ["metrics port", { ...base, metricsPort: "99999" }, "--metrics-port", /1\.\.65535/],
    ["pod name", { ...base, name: "Floatip_VIP" }, "--name", /DNS label/],
    ["image with a space", { ...base, image: "floatip :1" }, "--image", /without spaces/],
  ];
  for (const [name, flags, flag, message] of bad) {
    it(`rejects ${name}, naming ${flag} (and only it)`, () => {
      const result = buildControlPlaneManifest(flags);
      assert.ok(!result.ok);
      assert.deepEqual(
        result.errors.map((e) => e.flag),
        [flag],
        JSON.stringify(result.errors),
      );
      assert.match(result.errors[0]!.message, message);
    });
  }

  it("reports every bad flag at once", () => {
    const result = buildControlPlaneManifest({ ...base, vrid: "300", priority: "0", checkFall: "0" });
    assert.ok(!result.ok);
    assert.deepEqual(result.errors.map((e) => e.flag).sort(), ["--check-fall", "--priority", "--vrid"]);
  });
});
