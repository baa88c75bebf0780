// The Helm chart, with the real helm binary (offline): lint, render, structural validation of
// every rendered object, references between objects, the values schema, the agent's security
// posture, the CRD copies, and that alerts and the dashboard use metrics the code exports.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import yaml from "js-yaml";
import { at, byKind, CHART, ciValues, helm, NAMESPACE, one, render, REPO, RELEASE, type KubeObject, type RenderOptions } from "./helm.js";
import { knownKind, validate } from "./k8s-schema.js";
import { AgentMetrics } from "../../agent/runtime/metrics.js";

const CI_FILES = readdirSync(join(CHART, "ci"))
  .filter((f) => f.endsWith(".yaml"))
  .sort();

/** Every configuration the tests render: the defaults and each ci/ values file. */
const CONFIGS: ReadonlyArray<{ name: string; options: RenderOptions }> = [
  { name: "defaults", options: {} },
  ...CI_FILES.map((f) => ({ name: `ci/${f}`, options: { values: [ciValues(f)] } })),
];

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

function podSpec(o: KubeObject): Obj {
  return obj(at(o, "spec", "template", "spec"));
}

function container(o: KubeObject, name: string): Obj {
  const c = list(podSpec(o)["containers"]).find((x) => x["name"] === name);
  assert.ok(c, `${o.kind} ${o.metadata.name} has a container "${name}"`);
  return c;
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

describe("helm lint", () => {
  test("the chart lints cleanly (--strict) with the default values", async () => {
    const r = await helm(["lint", "--strict", CHART]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
  test("there are example values files in ci/", () => {
    assert.ok(CI_FILES.length >= 3, `ci/ has ${CI_FILES.join(", ")}`);
  });
  for (const f of CI_FILES) {
    test(`lints cleanly (--strict) with ci/${f}`, async () => {
      const r = await helm(["lint", "--strict", CHART, "-f", ciValues(f)]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });
  }
});

describe("rendered objects", () => {
  for (const { name, options } of CONFIGS) {
    test(`${name}: every object validates against its kind's schema`, async () => {
      const objects = await render(options);
      assert.ok(objects.length > 0);
      const problems: string[] = [];
      for (const o of objects) {
        if (!knownKind(o.apiVersion, o.kind))
          problems.push(`${o.apiVersion} ${o.kind} ${o.metadata?.name}: not a kind this test validates`);
        for (const e of validate(o)) problems.push(`${o.kind} ${o.metadata?.name}${e}`);
      }
      assert.deepEqual(problems, []);
      const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
      assert.deepEqual(
        keys.filter((k, i) => keys.indexOf(k) !== i),
        [],
        "no two objects share kind, namespace and name",
      );
    });

    test(`${name}: references between objects resolve`, async () => {
      const objects = await render(options);
      const pods = [...byKind(objects, "Deployment"), ...byKind(objects, "DaemonSet")];
      for (const w of pods) {
        const selector = obj(at(w, "spec", "selector", "matchLabels")) as Record<string, string>;
        const labels = obj(at(w, "spec", "template", "metadata", "labels")) as Record<string, string>;
        assert.ok(
          Object.keys(selector).length > 0 && matches(selector, labels),
          `${w.kind} ${w.metadata.name}: selector matches its pod template`,
        );
        const others = pods.filter((x) => x !== w);
        for (const x of others) {
          assert.ok(
            !matches(selector, obj(at(x, "spec", "template", "metadata", "labels")) as Record<string, string>),
            `${w.kind} selector does not match ${x.kind} pods`,
          );
        }
        const spec = podSpec(w);
        const volumes = new Set(list(spec["volumes"]).map((v) => v["name"]));
        for (const c of list(spec["containers"])) {
          for (const m of list(c["volumeMounts"]))
            assert.ok(volumes.has(m["name"]), `${w.kind}: volumeMount ${String(m["name"])} has a volume`);
          const ports = new Set(list(c["ports"]).map((p) => p["name"]));
          for (const probe of ["livenessProbe", "readinessProbe"]) {
            const port = at(c, probe, "httpGet", "port");
            assert.ok(typeof port === "string" && ports.has(port), `${w.kind}: ${probe} uses a named container port`);
            const path = probe === "livenessProbe" ? "/healthz" : "/readyz";
            assert.equal(at(c, probe, "httpGet", "path"), path, `${w.kind}: ${probe} on ${path}`);
          }
        }
        const sa = spec["serviceAccountName"];
        assert.equal(typeof sa, "string", `${w.kind} names its ServiceAccount`);
      }
      for (const s of byKind(objects, "Service")) {
        const selector = obj(at(s, "spec", "selector")) as Record<string, string>;
        const targets = pods.filter((p) =>
          matches(selector, obj(at(p, "spec", "template", "metadata", "labels")) as Record<string, string>),
        );
        assert.equal(targets.length, 1, `Service ${s.metadata.name} selects exactly one workload`);
        const named = new Set(list(podSpec(targets[0]!)["containers"]).flatMap((c) => list(c["ports"]).map((p) => p["name"])));
        for (const p of list(at(s, "spec", "ports")))
          assert.ok(named.has(p["targetPort"]), `Service ${s.metadata.name}: targetPort ${String(p["targetPort"])} exists`);
      }
      for (const pdb of byKind(objects, "PodDisruptionBudget")) {
        const selector = obj(at(pdb, "spec", "selector", "matchLabels")) as Record<string, string>;
        assert.deepEqual(
          pods
            .filter((p) => matches(selector, obj(at(p, "spec", "template", "metadata", "labels")) as Record<string, string>))
            .map((p) => p.kind),
          ["Deployment"],
        );
      }
      const roles = new Set(
        [...byKind(objects, "ClusterRole"), ...byKind(objects, "Role")].map(
          (r) => `${r.kind}/${r.metadata.namespace ?? ""}/${r.metadata.name}`,
        ),
      );
      const accounts = new Set(byKind(objects, "ServiceAccount").map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
      for (const b of [...byKind(objects, "ClusterRoleBinding"), ...byKind(objects, "RoleBinding")]) {
        const ref = obj(b["roleRef"]);
        const key = `${String(ref["kind"])}/${ref["kind"] === "Role" ? (b.metadata.namespace ?? "") : ""}/${String(ref["name"])}`;
        assert.ok(roles.has(key), `${b.kind} ${b.metadata.name}: roleRef ${key} is rendered`);
        for (const s of list(b["subjects"])) {
          assert.equal(s["kind"], "ServiceAccount");
          assert.equal(s["namespace"], NAMESPACE, `${b.kind} ${b.metadata.name}: subject in the release namespace`);
          if (accounts.size > 0)
            assert.ok(
              accounts.has(`${String(s["namespace"])}/${String(s["name"])}`),
              `${b.kind} ${b.metadata.name}: subject ${String(s["name"])} is rendered`,
            );
        }
      }
      for (const w of pods) {
        if (accounts.size > 0)
          assert.ok(accounts.has(`${NAMESPACE}/${String(podSpec(w)["serviceAccountName"])}`), `${w.kind}: its ServiceAccount is rendered`);
      }
      for (const m of [...byKind(objects, "ServiceMonitor"), ...byKind(objects, "PodMonitor")]) {
        const selector = obj(at(m, "spec", "selector", "matchLabels")) as Record<string, string>;
        const candidates =
          m.kind === "ServiceMonitor"
            ? byKind(objects, "Service").map((s) => s.metadata.labels)
            : pods.map((p) => obj(at(p, "spec", "template", "metadata", "labels")) as Record<string, string>);
        assert.equal(
          candidates.filter((l) => matches(selector, l)).length,
          1,
          `${m.kind} ${m.metadata.name} selects exactly one ${m.kind === "ServiceMonitor" ? "Service" : "workload"}`,
        );
      }
    });
  }

  test("the defaults render exactly the expected objects", async () => {
    const kinds = (await render()).map((o) => `${o.kind} ${o.metadata.name}`).sort();
    assert.deepEqual(kinds, [
      "ClusterRole floatip-agent",
      "ClusterRole floatip-controller",
      "ClusterRoleBinding floatip-agent",
      "ClusterRoleBinding floatip-controller",
      "CustomResourceDefinition virtualippools.floatip.io",
      "CustomResourceDefinition virtualips.floatip.io",
      "CustomResourceDefinition vrrpnodes.floatip.io",
      "DaemonSet floatip-agent",
      "Deployment floatip-controller",
      "PodDisruptionBudget floatip-controller",
      "Role floatip-agent-secrets",
      "Role floatip-controller",
      "RoleBinding floatip-agent-secrets",
      "RoleBinding floatip-controller",
      "Service floatip-agent-metrics",
      "Service floatip-controller-metrics",
      "ServiceAccount floatip-agent",
      "ServiceAccount floatip-controller",
    ]);
  });

  test("one image for both workloads: image.repository and image.tag (default: appVersion)", async () => {
    const chart = yaml.load(readFileSync(join(CHART, "Chart.yaml"), "utf8")) as Obj;
    assert.equal(chart["apiVersion"], "v2");
    const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
    assert.equal(chart["appVersion"], version, "appVersion is package.json's version (CONTRIBUTING.md, Releasing)");
    const images = async (options: RenderOptions) =>
      (await render(options)).flatMap((o) =>
        o.kind === "Deployment" || o.kind === "DaemonSet"
          ? list(podSpec(o)["containers"]).map((c) => [c["image"], c["imagePullPolicy"]])
          : [],
      );
    const published = `ghcr.io/floatip/floatip:${version}`;
    assert.deepEqual(
      await images({}),
      [
        [published, "IfNotPresent"],
        [published, "IfNotPresent"],
      ],
      "the image the release workflow publishes, at appVersion",
    );
    assert.deepEqual(await images({ values: [ciValues("tolerations-values.yaml")] }), [
      ["registry.example.com/floatip:0.1.0", "Always"],
      ["registry.example.com/floatip:0.1.0", "Always"],
    ]);
  });

  test("a release name without 'floatip' prefixes the names; NOTES.txt renders", async () => {
    const r = await helm(["template", "edge", CHART, "--namespace", "net", "--show-only", "templates/agent-daemonset.yaml"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /name: edge-floatip-agent\n/);
    const notes = await helm(["install", "edge", CHART, "--namespace", "net", "--dry-run=client"]);
    assert.equal(notes.code, 0, notes.stderr);
    assert.match(notes.stdout, /kind: VirtualIP/);
    assert.match(notes.stdout, /examples\/virtualip-basic\.yaml/);
    assert.match(notes.stdout, /pod-security\.kubernetes\.io\/enforce=privileged/);
  });

  test("the chart refuses Kubernetes older than 1.29 (the CRDs' CEL rules)", async () => {
    const r = await helm(["template", RELEASE, CHART, "--kube-version", "1.28.0"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /kubeVersion|incompatible/i);
  });
});

describe("controller Deployment", () => {
  test("controller.loadBalancer.defaultClass adds --default-load-balancer-class (off by default)", async () => {
    for (const [setJson, want] of [
      [[], false],
      [["controller.loadBalancer.defaultClass=true"], true],
    ] as const) {
      const args = list(container(one(await render({ setJson: [...setJson] }), "Deployment"), "controller")["args"]) as unknown as string[];
      assert.equal(args.includes("--default-load-balancer-class"), want, JSON.stringify(setJson));
    }
  });
  test("controller.maxCandidates is --max-candidates (3 by default); the schema refuses a negative one", async () => {
    for (const [setJson, want] of [
      [[], "--max-candidates=3"],
      [["controller.maxCandidates=0"], "--max-candidates=0"],
    ] as const) {
      const args = list(container(one(await render({ setJson: [...setJson] }), "Deployment"), "controller")["args"]) as unknown as string[];
      assert.ok(args.includes(want), JSON.stringify(args));
    }
    const r = await helm(["template", RELEASE, CHART, "--set-json", "controller.maxCandidates=-1"]);
    assert.notEqual(r.code, 0);
  });
  test("agent.allowVRRPNodeScripts adds --allow-vrrpnode-scripts to the agent (off by default)", async () => {
    for (const [setJson, want] of [
      [[], false],
      [["agent.allowVRRPNodeScripts=true"], true],
    ] as const) {
      const args = list(container(one(await render({ setJson: [...setJson] }), "DaemonSet"), "agent")["args"]) as unknown as string[];
      assert.equal(args.includes("--allow-vrrpnode-scripts"), want, JSON.stringify(setJson));
    }
  });
  test("2 replicas, Lease leader election in the release namespace, downward-API env, liveness on /healthz, readiness on /readyz :9120", async () => {
    const objects = await render();
    const d = one(objects, "Deployment");
    assert.equal(at(d, "spec", "replicas"), 2);
    const c = container(d, "controller");
    const args = list(c["args"]) as unknown as string[];
    assert.equal(args[0], "controller");
    assert.ok(args.includes("--lease-name=floatip-controller"));
    assert.ok(args.includes("--metrics-address=0.0.0.0:9120"));
    const env = Object.fromEntries(list(c["env"]).map((e) => [e["name"], at(e, "valueFrom", "fieldRef", "fieldPath")]));
    assert.deepEqual(env, { POD_NAMESPACE: "metadata.namespace", POD_NAME: "metadata.name" });
    assert.deepEqual(list(c["ports"]), [{ name: "metrics", containerPort: 9120, protocol: "TCP" }]);
    assert.deepEqual(at(c, "livenessProbe", "httpGet"), { path: "/healthz", port: "metrics" });
    assert.deepEqual(at(c, "readinessProbe", "httpGet"), { path: "/readyz", port: "metrics" });
    const lease = one(objects, "Role", "floatip-controller");
    assert.equal(lease.metadata.namespace, NAMESPACE);
    const pdb = one(objects, "PodDisruptionBudget");
    assert.equal(at(pdb, "spec", "minAvailable"), 1);
    const sc = obj(c["securityContext"]);
    assert.equal(sc["readOnlyRootFilesystem"], true);
    assert.equal(sc["allowPrivilegeEscalation"], false);
    assert.deepEqual(at(sc, "capabilities", "drop"), ["ALL"]);
    assert.equal(at(podSpec(d), "securityContext", "runAsNonRoot"), true);
  });

  test("a single replica gets no PodDisruptionBudget (it would block every drain)", async () => {
    const objects = await render({ values: [ciValues("single-replica-values.yaml")] });
    assert.equal(byKind(objects, "PodDisruptionBudget").length, 0);
    assert.equal(byKind(objects, "ClusterRole").length, 0, "rbac.create=false renders no RBAC");
    assert.equal(byKind(objects, "ServiceAccount").length, 0);
    assert.equal(podSpec(one(objects, "DaemonSet"))["serviceAccountName"], "floatip-agent-existing");
  });
});

describe("agent DaemonSet security posture", () => {
  for (const { name, options } of CONFIGS) {
    test(`${name}: host network, exactly NET_ADMIN + NET_RAW, nothing privileged, one hostPath`, async () => {
      const ds = one(await render(options), "DaemonSet");
      const spec = podSpec(ds);
      assert.equal(spec["hostNetwork"], true);
      assert.equal(spec["dnsPolicy"], "ClusterFirstWithHostNet");
      for (const forbidden of ["hostPID", "hostIPC", "shareProcessNamespace"]) assert.notEqual(spec[forbidden], true, forbidden);
      const grace = spec["terminationGracePeriodSeconds"];
      assert.ok(typeof grace === "number" && grace >= 10, `terminationGracePeriodSeconds ${String(grace)} >= 10 (priority-0 handover)`);
      assert.equal(at(ds, "spec", "updateStrategy", "type"), "RollingUpdate");
      assert.notEqual(at(ds, "spec", "updateStrategy", "rollingUpdate", "maxUnavailable"), undefined);
      assert.equal(at(ds, "spec", "updateStrategy", "rollingUpdate", "maxSurge"), 0, "never two agents on one node");

      const containers = list(spec["containers"]);
      assert.equal(containers.length, 1);
      assert.equal(list(spec["initContainers"]).length, 0);
      const c = containers[0]!;
      const sc = obj(c["securityContext"]);
      assert.deepEqual([...(at(sc, "capabilities", "add") as string[])].sort(), ["NET_ADMIN", "NET_RAW"]);
      assert.deepEqual(at(sc, "capabilities", "drop"), ["ALL"]);
      assert.equal(sc["privileged"], false);
      assert.equal(sc["allowPrivilegeEscalation"], false);
      assert.equal(sc["readOnlyRootFilesystem"], true);
      assert.equal(sc["runAsUser"], 0, "root: added capabilities only take effect for uid 0 (see the comment in the template)");
      assert.equal(at(spec, "securityContext", "privileged"), undefined);

      const volumes = list(spec["volumes"]);
      const hostPaths = volumes.filter((v) => v["hostPath"] !== undefined);
      assert.deepEqual(
        hostPaths.map((v) => v["hostPath"]),
        [{ path: "/var/lib/floatip", type: "DirectoryOrCreate" }],
      );
      for (const v of volumes) {
        const sources = Object.keys(v).filter((k) => k !== "name");
        assert.ok(
          sources.length === 1 && ["hostPath", "emptyDir"].includes(sources[0]!),
          `volume ${String(v["name"])}: only hostPath (the cache) and emptyDir`,
        );
      }
      const mounts = Object.fromEntries(list(c["volumeMounts"]).map((m) => [m["mountPath"], volumes.find((v) => v["name"] === m["name"])]));
      assert.ok(mounts["/var/lib/floatip"]?.["hostPath"] !== undefined, "the cache hostPath at /var/lib/floatip");
      assert.ok(mounts["/run/floatip"]?.["emptyDir"] !== undefined, "an emptyDir for state records at /run/floatip");

      const args = list(c["args"]) as unknown as string[];
      assert.deepEqual(args.slice(0, 2), ["agent", "--kubernetes"]);
      assert.ok(args.includes("--cache-dir=/var/lib/floatip"));
      assert.ok(args.includes("--state-dir=/run/floatip"));
      assert.ok(args.some((a) => a.startsWith("--metrics-address=")));
      const nodeName = list(c["env"]).find((e) => e["name"] === "NODE_NAME");
      assert.equal(at(nodeName, "valueFrom", "fieldRef", "fieldPath"), "spec.nodeName");
      const port = list(c["ports"]).find((p) => p["name"] === "metrics");
      assert.ok(
        args.some((a) => a.endsWith(`:${String(port?.["containerPort"])}`)),
        "the metrics port is where the agent listens",
      );
    });
  }

  test("tolerates every taint by default; tolerations are configurable", async () => {
    assert.deepEqual(podSpec(one(await render(), "DaemonSet"))["tolerations"], [{ operator: "Exists" }]);
    const custom = podSpec(one(await render({ values: [ciValues("tolerations-values.yaml")] }), "DaemonSet"));
    assert.deepEqual(custom["tolerations"], [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }]);
    assert.equal(custom["priorityClassName"], "system-node-critical");
  });

  test("metrics listen addresses: IPv4 plain, IPv6 and $(HOST_IP) in brackets", async () => {
    const objects = await render({ values: [ciValues("tolerations-values.yaml")] });
    assert.ok(
      (list(container(one(objects, "DaemonSet"), "agent")["args"]) as unknown as string[]).includes("--metrics-address=[$(HOST_IP)]:9111"),
    );
    assert.ok(
      (list(container(one(objects, "Deployment"), "controller")["args"]) as unknown as string[]).includes("--metrics-address=[::]:9121"),
    );
  });
});

describe("values schema", () => {
  const bad: ReadonlyArray<[string, string, RegExp]> = [
    ["controller.replicas is a string", 'controller.replicas="two"', /controller\/replicas/],
    ["controller.replicas is 0", "controller.replicas=0", /controller\/replicas/],
    ["agent.tolerations is a string", 'agent.tolerations="x"', /agent\/tolerations/],
    ["a toleration with a bad operator", 'agent.tolerations=[{"operator":"Sometimes"}]', /agent\/tolerations\/0\/operator/],
    ["image.tag is a number", "image.tag=5", /image\/tag/],
    ["image.pullPolicy is not a policy", 'image.pullPolicy="Sometimes"', /image\/pullPolicy/],
    ["an unknown top-level key", 'imageTag="1.0"', /imageTag/],
    ["an unknown nested key", "agent.hostPID=true", /hostPID/],
    ["agent.terminationGracePeriodSeconds below 10", "agent.terminationGracePeriodSeconds=5", /terminationGracePeriodSeconds/],
    ["agent.cacheDir is relative", 'agent.cacheDir="var/lib/floatip"', /cacheDir/],
    ["a metrics port out of range", "agent.metrics.port=70000", /agent\/metrics\/port/],
    ["agent.secretNamespaces is a string", 'agent.secretNamespaces="default"', /secretNamespaces/],
    ["monitoring.monitor.kind is unknown", 'monitoring.monitor.kind="Probe"', /monitor\/kind/],
    ["monitoring.monitor.interval is not a duration", 'monitoring.monitor.interval="soon"', /monitor\/interval/],
    ["a log level that does not exist", 'controller.logLevel="verbose"', /logLevel/],
  ];
  for (const [what, set, where] of bad) {
    test(`rejected by helm template: ${what}`, async () => {
      const r = await helm(["template", RELEASE, CHART, "--set-json", set]);
      assert.notEqual(r.code, 0, `accepted ${set}`);
      assert.match(r.stderr, /schema/i);
      assert.match(r.stderr, where);
    });
  }
  test("rejected by helm lint too", async () => {
    const r = await helm(["lint", CHART, "--set-json", 'controller.replicas="two"']);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /controller\/replicas/);
  });
  test("values.yaml documents every top-level key the schema knows (but global and enabled, which a parent chart sets)", () => {
    const schema = JSON.parse(readFileSync(join(CHART, "values.schema.json"), "utf8")) as {
      properties: Obj;
      additionalProperties: boolean;
    };
    const values = yaml.load(readFileSync(join(CHART, "values.yaml"), "utf8")) as Obj;
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(
      Object.keys(values).sort(),
      Object.keys(schema.properties)
        .filter((k) => k !== "global" && k !== "enabled")
        .sort(),
    );
  });
});

describe("CRDs", () => {
  test("charts/floatip/files/crds/ is a byte-for-byte copy of crds/", () => {
    const source = readdirSync(join(REPO, "crds"))
      .filter((f) => f.endsWith(".yaml"))
      .sort();
    const copy = readdirSync(join(CHART, "files", "crds")).sort();
    assert.ok(source.length > 0);
    assert.deepEqual(copy, source, "the same files (make crds; delete a copy whose source is gone)");
    for (const f of source) {
      assert.ok(
        readFileSync(join(REPO, "crds", f)).equals(readFileSync(join(CHART, "files", "crds", f))),
        `crds/${f} differs from charts/floatip/files/crds/${f}: run make crds`,
      );
    }
    assert.ok(!existsSync(join(CHART, "crds")), "no crds/ directory in the chart: Helm would install it once and never upgrade it");
  });
  test("the CRDs validate as CustomResourceDefinitions and are what helm installs: crds/*.yaml plus the chart's labels and resource-policy keep", async () => {
    const r = await helm(["template", RELEASE, CHART, "--namespace", NAMESPACE]);
    assert.equal(r.code, 0, r.stderr);
    const crds = (yaml.loadAll(r.stdout) as KubeObject[]).filter((o) => o?.kind === "CustomResourceDefinition");
    assert.deepEqual(crds.map((c) => c.metadata.name).sort(), [
      "virtualippools.floatip.io",
      "virtualips.floatip.io",
      "vrrpnodes.floatip.io",
    ]);
    for (const c of crds) assert.deepEqual(validate(c), [], c.metadata.name);
    for (const f of readdirSync(join(REPO, "crds")).filter((n) => n.endsWith(".yaml"))) {
      const source = yaml.load(readFileSync(join(REPO, "crds", f), "utf8")) as KubeObject;
      const rendered = crds.find((c) => c.metadata.name === source.metadata.name);
      assert.ok(rendered !== undefined, source.metadata.name);
      assert.equal(rendered.metadata.annotations?.["helm.sh/resource-policy"], "keep");
      assert.equal(rendered.metadata.labels?.["app.kubernetes.io/managed-by"], "Helm");
      assert.deepEqual(
        { ...rendered, metadata: { name: rendered.metadata.name } },
        { ...source, metadata: { name: source.metadata.name } },
        `${f} renders unchanged`,
      );
      for (const [k, v] of Object.entries(source.metadata.labels ?? {})) assert.equal(rendered.metadata.labels?.[k], v, `${f}: label ${k}`);
    }
  });
  test("crds.install=false renders no CRD", async () => {
    const objects = await render({ setJson: ["crds.install=false"] });
    assert.deepEqual(
      objects.filter((o) => o.kind === "CustomResourceDefinition"),
      [],
    );
  });
});

describe("monitoring", () => {
  /** Metric names the code registers (prom-client `name:` in the two metrics files). */
  function exportedMetrics(): Set<string> {
    const names = new Set<string>();
    for (const f of ["agent/runtime/metrics.ts", "operator/controller/metrics.ts"]) {
      const text = readFileSync(join(REPO, f), "utf8");
      for (const m of text.matchAll(/new (Counter|Gauge|Histogram|Summary)\(\{\s*name:\s*"([a-z_:]+)"/g)) {
        const [kind, name] = [m[1]!, m[2]!];
        names.add(name);
        if (kind === "Histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
      }
    }
    return names;
  }
  /** floatip_* metric names used in a PromQL expression. */
  function usedMetrics(expr: string): string[] {
    return [...expr.matchAll(/\b(floatip_[a-z_]+)\b/g)].map((m) => m[1]!);
  }
  function balanced(expr: string): boolean {
    const stack: string[] = [];
    const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
    let quoted = false;
    for (const ch of expr) {
      if (ch === '"') quoted = !quoted;
      else if (quoted) continue;
      else if ("([{".includes(ch)) stack.push(ch);
      else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
    }
    return stack.length === 0 && !quoted;
  }

  test("the code's metric registry is found", () => {
    const names = exportedMetrics();
    for (const n of ["floatip_instance_state", "floatip_instance_transitions_total", "floatip_virtualips", "floatip_controller_leader"])
      assert.ok(names.has(n), n);
  });

  test("PrometheusRule: the alerts, on metrics the code exports", async () => {
    const objects = await render({ values: [ciValues("monitoring-values.yaml")] });
    const rules = list(at(one(objects, "PrometheusRule"), "spec", "groups")).flatMap((g) => list(g["rules"]));
    const byName = Object.fromEntries(rules.map((r) => [r["alert"], r]));
    assert.deepEqual(Object.keys(byName).sort(), [
      "FloatipAgentDown",
      "FloatipControllerNoLeader",
      "FloatipControllerWritesFailing",
      "FloatipFlapping",
      "FloatipMultipleMasters",
      "FloatipNetworkConflict",
      "FloatipNoMaster",
      "FloatipPoolExhausted",
      "FloatipVRRPNodeConfigRejected",
      "FloatipVirtualIPConflict",
      "FloatipVirtualIPInvalid",
      "FloatipVirtualIPNoEligibleNode",
    ]);
    const expr = (a: string) => String(byName[a]?.["expr"]);
    assert.match(expr("FloatipNoMaster"), /sum by \(vrrp_instance\) \(floatip_instance_state\{state="master"\}\) == 0/);
    assert.equal(byName["FloatipNoMaster"]?.["for"], "1m");
    assert.match(expr("FloatipMultipleMasters"), /floatip_instance_state\{state="master"\}\) > 1/);
    assert.match(
      expr("FloatipVirtualIPConflict"),
      /floatip_virtualips\{finding=~"vrid-taken\|vrid-exhausted\|address-overlap\|instance-name-taken"\} > 0 and on \(instance\) floatip_controller_leader == 1/,
    );
    assert.match(
      expr("FloatipVirtualIPInvalid"),
      /^floatip_virtualips\{finding="invalid"\} > 0 and on \(instance\) floatip_controller_leader == 1$/,
    );
    assert.match(
      expr("FloatipVirtualIPNoEligibleNode"),
      /^floatip_virtualips\{finding="no-nodes"\} > 0 and on \(instance\) floatip_controller_leader == 1$/,
    );
    assert.match(
      expr("FloatipVRRPNodeConfigRejected"),
      /^floatip_vrrpnode_config_rejected == 1 and on \(instance\) floatip_controller_leader == 1$/,
    );
    assert.match(
      expr("FloatipControllerWritesFailing"),
      /^floatip_controller_failing_writes > 0 and on \(instance\) floatip_controller_leader == 1$/,
    );
    assert.match(
      expr("FloatipPoolExhausted"),
      /^floatip_loadbalancer_services\{allocation="PoolExhausted"\} > 0 and on \(instance\) floatip_controller_leader == 1$/,
    );
    assert.equal(expr("FloatipNetworkConflict"), "sum by (vrrp_instance, node, kind) (floatip_conflicts_active) > 0");
    assert.equal(expr("FloatipAgentDown"), 'up{job=~".*floatip-agent.*"} == 0');
    assert.match(expr("FloatipFlapping"), /increase\(floatip_instance_transitions_total\[10m\]\)\) > 6$/);
    const exported = exportedMetrics();
    for (const r of rules) {
      const e = String(r["expr"]);
      assert.ok(balanced(e), `${String(r["alert"])}: balanced brackets and quotes`);
      for (const m of usedMetrics(e)) assert.ok(exported.has(m), `${String(r["alert"])} uses ${m}, which the code does not export`);
      assert.ok(typeof at(r, "labels", "severity") === "string" && typeof at(r, "annotations", "summary") === "string");
    }
    const podMonitor = await render({ values: [ciValues("podmonitor-values.yaml")] });
    const agentDown = list(at(one(podMonitor, "PrometheusRule"), "spec", "groups"))
      .flatMap((g) => list(g["rules"]))
      .find((r) => r["alert"] === "FloatipAgentDown");
    assert.equal(agentDown?.["expr"], 'up{job=~"floatip-system/floatip-agent"} == 0');
  });

  test("the agent's series carry vrrp_instance, the alerts' label, with no relabelling and no clash with Prometheus' instance", async () => {
    for (const f of ["monitoring-values.yaml", "podmonitor-values.yaml"]) {
      const objects = await render({ values: [ciValues(f)] });
      const monitors = objects.filter((o) => o.kind === "ServiceMonitor" || o.kind === "PodMonitor");
      assert.equal(monitors.length, 2, f);
      const agent = monitors.find((m) => m.metadata.name === "floatip-agent")!;
      const endpoint = list(at(agent, "spec", agent.kind === "ServiceMonitor" ? "endpoints" : "podMetricsEndpoints"))[0]!;
      assert.equal(endpoint["metricRelabelings"], undefined, f);
    }
    const metrics = new AgentMetrics();
    const labels = { vrrp_instance: "web", interface: "eth0", vrid: "51" };
    metrics.instanceStarted(labels, 100);
    metrics.transitioned(labels, "initialize", "master");
    metrics.packetDropped("eth0", "web", "bad-ttl");
    const text = await metrics.registry.metrics();
    const series = text.split("\n").filter((l) => l.startsWith("floatip_"));
    assert.ok(series.length >= 5, text);
    for (const line of series) assert.doesNotMatch(line, /[{,]instance=/, line);
    assert.ok(series.some((l) => l.startsWith('floatip_instance_state{vrrp_instance="web"')));
  });

  test("the Grafana dashboard is valid JSON whose queries use exported metrics", async () => {
    const objects = await render({ values: [ciValues("monitoring-values.yaml")] });
    const cm = one(objects, "ConfigMap");
    assert.equal(cm.metadata.namespace, "monitoring");
    assert.equal(cm.metadata.labels?.["grafana_dashboard"], "1");
    const dashboard = JSON.parse(String(at(cm, "data", "floatip.json"))) as { uid: string; panels: Obj[] };
    assert.equal(dashboard.uid, "floatip");
    const exported = exportedMetrics();
    const used = new Set<string>();
    for (const p of dashboard.panels) {
      for (const t of list(p["targets"])) {
        const e = String(t["expr"]);
        assert.ok(balanced(e), `panel ${String(p["title"])}: balanced`);
        for (const m of usedMetrics(e)) {
          assert.ok(exported.has(m), `panel ${String(p["title"])} uses ${m}`);
          used.add(m);
        }
      }
    }
    for (const m of [
      "floatip_instance_state",
      "floatip_instance_transitions_total",
      "floatip_instance_effective_priority",
      "floatip_adverts_sent_total",
      "floatip_adverts_received_total",
      "floatip_packets_dropped_total",
      "floatip_conflicts_active",
      "floatip_conflicts_total",
      "floatip_vrrpnode_config_rejected",
      "floatip_virtualippool_addresses",
      "floatip_loadbalancer_services",
    ]) {
      assert.ok(used.has(m), `the dashboard shows ${m}`);
    }
  });

  test("monitoring objects are off by default", async () => {
    const kinds = new Set((await render()).map((o) => o.kind));
    for (const k of ["ServiceMonitor", "PodMonitor", "PrometheusRule", "ConfigMap"]) assert.ok(!kinds.has(k), k);
  });
});
