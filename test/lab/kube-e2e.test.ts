/**
 * End to end on Kubernetes: the test API server and the controller run in
 * the lab's "client" namespace (the control plane, 192.0.2.100), three
 * agents with `--kubernetes` in the node namespaces, driven with the real
 * kubectl as a user would.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { createLab, type Lab, type LabHost } from "./netns.js";
import { AddressWatch, FLOATIP_BIN, Scratch, holders, soleHolder } from "./vrrp-lab.js";
import { kubeTools } from "../kube/tools.js";

const REPO = resolve(FLOATIP_BIN, "../..");
const VIP = "192.0.2.6"; // examples/virtualip-nginx.yaml
const API_PORT = 6443;

describe("VirtualIPs on a cluster", { timeout: 300_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  let watch: AddressWatch;
  let kubeconfig: string;
  let kubectlPath: string;
  let apiServer: import("node:child_process").ChildProcess;
  const logs = new Map<string, () => string>();

  const control = () => lab.client!;
  const kubectl = (args: readonly string[], input?: string) =>
    lab.exec(control().ns, input === undefined ? [kubectlPath, "--kubeconfig", kubeconfig, ...args] : ["sh", "-c", `printf '%s' "$0" | ${kubectlPath} --kubeconfig ${kubeconfig} ${args.join(" ")}`, input], { timeoutMs: 45_000 });
  const kubectlFails = (args: readonly string[], input: string) =>
    kubectl(args, input).then(
      () => assert.fail(`kubectl ${args.join(" ")} should have failed`),
      (error: Error) => error.message,
    );
  const getJson = async <T>(args: readonly string[]): Promise<T> => JSON.parse(await kubectl([...args, "-o", "json"])) as T;
  const diag = () => [...logs].map(([name, out]) => `--- ${name}\n${out().slice(-2500)}`).join("\n");

  function spawnLogged(name: string, host: LabHost, cmd: readonly string[]) {
    const child = lab.spawnIn(host.ns, cmd);
    let text = "";
    child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
    logs.set(name, () => text);
    return child;
  }

  const setPodReady = (node: string, ready: boolean) =>
    kubectl(["patch", "pod", `nginx-${node}`, "-n", "default", "--subresource=status", "--type=merge", "-p",
      JSON.stringify({ status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } })]);

  before(async () => {
    kubectlPath = (await kubeTools()).kubectl;
    lab = await createLab({ nodes: 3 });
    scratch = new Scratch();
    watch = new AddressWatch(lab);
    await watch.start(lab.nodes);
    kubeconfig = scratch.write("kubeconfig", "");
    apiServer = spawnLogged("api-server", control(), [
      process.execPath, join(REPO, "dist/test/kube/serve.js"), "--host", control().ipv4, "--port", String(API_PORT),
      "--crds", `${join(REPO, "crds/virtualip.yaml")},${join(REPO, "crds/vrrpnode.yaml")}`,
    ]);
    const first = await lab.waitFor(() => logs.get("api-server")!().split("\n")[0]?.startsWith("{") ? logs.get("api-server")!().split("\n")[0] : undefined, 10_000, "API server listening");
    scratch.write("kubeconfig", JSON.stringify((JSON.parse(first) as { kubeconfig: unknown }).kubeconfig));

    // The cluster: three Nodes with their InternalIPs, and an nginx pod on each.
    for (const host of lab.nodes) {
      await kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Node", metadata: { name: host.name, labels: { "kubernetes.io/os": "linux" } } }));
      await kubectl(["patch", "node", host.name, "--subresource=status", "--type=merge", "-p",
        JSON.stringify({ status: { addresses: [{ type: "InternalIP", address: host.ipv4 }, { type: "InternalIP", address: host.ipv6 }], conditions: [{ type: "Ready", status: "True" }] } })]);
      await kubectl(["apply", "-f", "-"], JSON.stringify({
        apiVersion: "v1", kind: "Pod", metadata: { name: `nginx-${host.name}`, namespace: "default", labels: { app: "nginx" } },
        spec: { nodeName: host.name, containers: [{ name: "nginx", image: "nginx:1.27" }] },
      }));
      await setPodReady(host.name, true);
    }

    spawnLogged("controller", control(), [process.execPath, FLOATIP_BIN, "controller", "--kubeconfig", kubeconfig, "--namespace", "floatip-system", "--metrics-address", `${control().ipv4}:9120`]);
    for (const host of lab.nodes) {
      spawnLogged(`agent ${host.name}`, host, [
        process.execPath, FLOATIP_BIN, "agent", "--kubernetes", "--node-name", host.name, "--kubeconfig", kubeconfig,
        "--cache-dir", join(scratch.dir, `cache-${host.name}`), "--state-dir", join(scratch.dir, `state-${host.name}`), "--log-level", "debug",
      ]);
    }
  });

  after(async () => {
    await watch?.stop();
    await lab?.destroy();
    scratch?.cleanup();
  });

  it("rejects invalid VirtualIPs with a message naming the field", async () => {
    const bad = (spec: object) => JSON.stringify({ apiVersion: "floatip.io/v1alpha1", kind: "VirtualIP", metadata: { name: "bad" }, spec });
    const cases: [object, RegExp][] = [
      [{ addresses: ["192.0.2.300/24"] }, /spec\.addresses\[0\]/],
      [{ addresses: ["192.0.2.9/24"], virtualRouterID: 0 }, /spec\.virtualRouterID/],
      [{ addresses: ["192.0.2.9/24"], virtualRouterID: 256 }, /spec\.virtualRouterID/],
      [{ addresses: ["2001:db8::9/64"], version: 2 }, /spec\.version|spec\.addresses/],
      [{ addresses: ["192.0.2.9/24"], version: 3, authentication: { secretRef: { name: "x", key: "p" } } }, /spec\.authentication|spec\.version/],
      [{ addresses: ["192.0.2.9/24"], advertisementInterval: "5ms" }, /spec\.advertisementInterval/],
    ];
    for (const [spec, field] of cases) assert.match(await kubectlFails(["apply", "-f", "-"], bad(spec)), field, JSON.stringify(spec));
  });

  it("apply the example → one node holds the VIP and status.master names it", async () => {
    await kubectl(["apply", "-f", join(REPO, "examples/virtualip-nginx.yaml")]);
    const holder = await soleHolder(lab, VIP, 20_000).catch((e) => assert.fail(`${e}\n${diag()}`));
    const vip = await lab.waitFor(async () => {
      const v = await getJson<{ status?: { master?: string } }>(["get", "vip", "nginx"]);
      return v.status?.master === holder ? v : undefined;
    }, 10_000, "status.master").catch((e) => assert.fail(`${e}\n${diag()}`));
    assert.equal(vip.status?.master, holder);
    const table = await kubectl(["get", "vip"]);
    assert.match(table, /NAME\s+ADDRESSES\s+VRID\s+MASTER\s+READY\s+AGE/);
    assert.match(table, new RegExp(`nginx\\s+.*192\\.0\\.2\\.6/24.*\\s${holder}\\s+True`));
  });

  let second = "";
  it("the master's local pod becomes unready → the VIP moves and an Event says why", async () => {
    const first = (await holders(lab, VIP))[0]!;
    const since = Date.now();
    await setPodReady(first, false);
    const moved = await lab.waitFor(() => lab.nodes.map((h) => watch.first(VIP, true, since, h.name)).find((e) => e !== undefined && e.host !== first), 10_000, "VIP on another node")
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    second = moved.host;
    assert.deepEqual(await holders(lab, VIP), [second]);
    const event = await lab.waitFor(async () => {
      const events = await getJson<{ items: { reason: string; message: string; involvedObject: { name: string } }[] }>(["get", "events", "-n", "floatip-system"]);
      return events.items.find((e) => e.involvedObject.name === "nginx" && e.message.startsWith(`${second} became master`));
    }, 10_000, "master-change Event").catch((e) => assert.fail(`${e}\n${diag()}`));
    assert.match(event.message, new RegExp(`${first}: master -> fault \\(fault\\); FAULT after pods default/app=nginx: 0 ready on this node`), event.message);
  });

  it("API server gone → the master's link is cut → the VIP still moves; API back → status catches up", async () => {
    apiServer.kill("SIGUSR1");
    await lab.waitFor(() => logs.get("api-server")!().includes('"stopped"'), 5000, "API server stopped");
    const victim = lab.nodes.find((h) => h.name === second)!;
    const since = Date.now();
    await lab.setPortDown(victim);
    const moved = await lab.waitFor(() => lab.nodes.map((h) => watch.first(VIP, true, since, h.name)).find((e) => e !== undefined && e.host !== second), 10_000, "VIP moved without the API server")
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    assert.notEqual(moved.host, second);
    // Back: the API server, then the link. The cut node reports again (its status was frozen
    // at Master while it could not reach the API server) and the status settles on the real holder.
    apiServer.kill("SIGUSR2");
    await lab.setPortUp(victim);
    // (The returning node has the higher priority and may preempt, so compare with whoever holds it now.)
    await soleHolder(lab, VIP, 15_000, lab.nodes, 2000).catch((e) => assert.fail(`${e}\n${diag()}`));
    await lab.waitFor(async () => {
      const now = await holders(lab, VIP);
      const v = await getJson<{ status?: { master?: string; conditions?: { type: string; status: string }[] } }>(["get", "vip", "nginx"]).catch(() => undefined);
      return now.length === 1 && v?.status?.master === now[0] && v?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
    }, 30_000, "status.master = the node holding the VIP, Ready").catch((e) => assert.fail(`${e}\n${diag()}`));
  });

  it("delete the VirtualIP → the VIP is gone from every node and the object goes", async () => {
    await kubectl(["delete", "vip", "nginx", "--wait=true", "--timeout=30s"]);
    await lab.waitFor(async () => (await holders(lab, VIP)).length === 0, 10_000, "VIP removed everywhere").catch((e) => assert.fail(`${e}\n${diag()}`));
    const list = await getJson<{ items: unknown[] }>(["get", "vip"]);
    assert.equal(list.items.length, 0);
  });

  it("every other example reaches Ready, each with one node holding its addresses", async () => {
    for (const host of lab.nodes) await kubectl(["label", "node", host.name, "node-role.kubernetes.io/ingress=", "--overwrite"]);
    const examples: [string, string, string[]][] = [
      ["virtualip-basic.yaml", "web", ["192.0.2.5"]],
      ["virtualip-dual-stack.yaml", "api", ["192.0.2.7", "2001:db8::7"]],
      ["virtualip-keepalived-router.yaml", "gateway", ["192.0.2.1"]],
      ["virtualip-multicast.yaml", "ingress", ["192.0.2.8"]],
    ];
    for (const [file] of examples) await kubectl(["apply", "-f", join(REPO, "examples", file)]);
    for (const [file, name, addresses] of examples) {
      await lab.waitFor(async () => {
        const v = await getJson<{ status?: { master?: string; conditions?: { type: string; status: string }[] } }>(["get", "vip", name]);
        return v.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? v : undefined;
      }, 30_000, `${file} Ready`).catch((e) => assert.fail(`${e}\n${diag()}`));
      for (const address of addresses) assert.equal((await holders(lab, address)).length, 1, `${address} of ${file} on exactly one node`);
    }
    for (const [, name] of examples) await kubectl(["delete", "vip", name, "--wait=true", "--timeout=30s"]);
    for (const [, , addresses] of examples) for (const a of addresses) assert.deepEqual(await holders(lab, a), [], `${a} released`);
  });

  it("the VRRPv2 password from the Secret appears in no VRRPNode, VirtualIP, Event or log", async () => {
    const password = "s3cret"; // examples/virtualip-keepalived-router.yaml
    await kubectl(["apply", "-f", join(REPO, "examples/virtualip-keepalived-router.yaml")]);
    await lab.waitFor(async () => {
      const v = await getJson<{ status?: { conditions?: { type: string; status: string }[] } }>(["get", "vip", "gateway"]);
      return v.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
    }, 30_000, "gateway Ready").catch((e) => assert.fail(`${e}\n${diag()}`));
    assert.equal((await holders(lab, "192.0.2.1")).length, 1);
    const nodes = await kubectl(["get", "vrrpnodes", "-o", "json"]);
    assert.match(nodes, /"secretRef"/, "the VRRPNodes carry the reference (the agents resolve it)");
    const searched: [string, string][] = [
      ["VRRPNodes", nodes],
      ["VirtualIPs", await kubectl(["get", "vip", "-o", "json"])],
      ["Events", await kubectl(["get", "events", "-A", "-o", "json"])],
      ...[...logs].filter(([name]) => name !== "api-server").map(([name, text]): [string, string] => [`${name} log`, text()]),
    ];
    assert.ok(searched.some(([name, text]) => name.startsWith("agent") && /"msg":"backup -> master".*gateway|gateway.*"msg":"backup -> master"/.test(text)), "the agents' logs of the gateway");
    for (const [what, text] of searched) assert.ok(!text.includes(password), `the password appears in ${what}`);
    await kubectl(["delete", "vip", "gateway", "--wait=true", "--timeout=30s"]);
  });
});
