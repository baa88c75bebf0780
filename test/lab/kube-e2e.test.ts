/**
 * End to end on Kubernetes: the test API server and the controller run in
 * the lab's "client" namespace (the control plane, 192.0.2.100), three
 * agents with `--kubernetes` in the node namespaces, driven with the real
 * kubectl as a user would.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { holders, soleHolder } from "./vrrp-lab.js";
import { KubeCluster, REPO } from "./kube-cluster.js";

const VIP = "192.0.2.6"; // examples/virtualip-nginx.yaml

describe("VirtualIPs on a cluster", { timeout: 300_000 }, () => {
  let cluster: KubeCluster;
  const lab = () => cluster.lab;
  const kubectl = (args: readonly string[], input?: string) => cluster.kubectl(args, input);
  const kubectlFails = (args: readonly string[], input: string) => cluster.kubectlFails(args, input);
  const getJson = <T>(args: readonly string[]) => cluster.getJson<T>(args);
  const diag = () => cluster.diag();

  const setPodReady = (node: string, ready: boolean, c = cluster) =>
    c.kubectl([
      "patch",
      "pod",
      `nginx-${node}`,
      "-n",
      "default",
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } }),
    ]);

  before(async () => {
    // An nginx pod on each node, ready.
    cluster = await KubeCluster.start({
      nodes: 3,
      agentArgs: ["--log-level", "debug"],
      seed: async (c) => {
        for (const host of c.lab.nodes) {
          await c.apply({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: `nginx-${host.name}`, namespace: "default", labels: { app: "nginx" } },
            spec: { nodeName: host.name, containers: [{ name: "nginx", image: "nginx:1.27" }] },
          });
          await setPodReady(host.name, true, c);
        }
      },
    });
  });

  after(async () => {
    await cluster?.stop();
  });

  it("rejects invalid VirtualIPs with a message naming the field", async () => {
    const bad = (spec: object) => JSON.stringify({ apiVersion: "floatip.io/v1alpha1", kind: "VirtualIP", metadata: { name: "bad" }, spec });
    const cases: [object, RegExp][] = [
      [{ addresses: ["192.0.2.300/24"] }, /spec\.addresses\[0\]/],
      [{ addresses: ["192.0.2.9/24"], virtualRouterID: 0 }, /spec\.virtualRouterID/],
      [{ addresses: ["192.0.2.9/24"], virtualRouterID: 256 }, /spec\.virtualRouterID/],
      [{ addresses: ["2001:db8::9/64"], version: 2 }, /spec\.version|spec\.addresses/],
      [
        { addresses: ["192.0.2.9/24"], version: 3, authentication: { secretRef: { name: "x", key: "p" } } },
        /spec\.authentication|spec\.version/,
      ],
      [{ addresses: ["192.0.2.9/24"], advertisementInterval: "5ms" }, /spec\.advertisementInterval/],
    ];
    for (const [spec, field] of cases) assert.match(await kubectlFails(["apply", "-f", "-"], bad(spec)), field, JSON.stringify(spec));
  });

  it("apply the example → one node holds the VIP and status.master names it", async () => {
    await kubectl(["apply", "-f", join(REPO, "examples/virtualip-nginx.yaml")]);
    const holder = await soleHolder(lab(), VIP, 20_000).catch((e) => assert.fail(`${e}\n${diag()}`));
    const vip = await lab()
      .waitFor(
        async () => {
          const v = await getJson<{ status?: { master?: string } }>(["get", "vip", "nginx"]);
          return v.status?.master === holder ? v : undefined;
        },
        10_000,
        "status.master",
      )
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    assert.equal(vip.status?.master, holder);
    const table = await kubectl(["get", "vip"]);
    assert.match(table, /NAME\s+ADDRESSES\s+VRID\s+MASTER\s+READY\s+AGE/);
    assert.match(table, new RegExp(`nginx\\s+.*192\\.0\\.2\\.6/24.*\\s${holder}\\s+True`));
  });

  let second = "";
  it("the master's local pod becomes unready → the VIP moves and an Event says why", async () => {
    const first = (await holders(lab(), VIP))[0]!;
    const since = Date.now();
    await setPodReady(first, false);
    const moved = await lab()
      .waitFor(
        () =>
          lab()
            .nodes.map((h) => cluster.watch.first(VIP, true, since, h.name))
            .find((e) => e !== undefined && e.host !== first),
        10_000,
        "VIP on another node",
      )
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    second = moved.host;
    assert.deepEqual(await holders(lab(), VIP), [second]);
    const event = await lab()
      .waitFor(
        async () => {
          const events = await getJson<{ items: { reason: string; message: string; involvedObject: { name: string } }[] }>([
            "get",
            "events",
            "-n",
            "floatip-system",
          ]);
          return events.items.find((e) => e.involvedObject.name === "nginx" && e.message.startsWith(`${second} became master`));
        },
        10_000,
        "master-change Event",
      )
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    assert.match(
      event.message,
      new RegExp(`${first}: master -> fault \\(fault\\); FAULT after pods default/app=nginx: 0 ready on this node`),
      event.message,
    );
  });

  it("API server gone → the master's link is cut → the VIP still moves; API back → status catches up", async () => {
    await cluster.stopApiServer();
    const victim = lab().nodes.find((h) => h.name === second)!;
    const since = Date.now();
    await lab().setPortDown(victim);
    const moved = await lab()
      .waitFor(
        () =>
          lab()
            .nodes.map((h) => cluster.watch.first(VIP, true, since, h.name))
            .find((e) => e !== undefined && e.host !== second),
        10_000,
        "VIP moved without the API server",
      )
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    assert.notEqual(moved.host, second);
    // Back: the API server, then the link. The cut node reports again (its status was frozen
    // at Master while it could not reach the API server) and the status settles on the real holder.
    await cluster.startApiServer();
    await lab().setPortUp(victim);
    // (The returning node has the higher priority and may preempt, so compare with whoever holds it now.)
    await soleHolder(lab(), VIP, 15_000, lab().nodes, 2000).catch((e) => assert.fail(`${e}\n${diag()}`));
    await lab()
      .waitFor(
        async () => {
          const now = await holders(lab(), VIP);
          const v = await getJson<{ status?: { master?: string; conditions?: { type: string; status: string }[] } }>([
            "get",
            "vip",
            "nginx",
          ]).catch(() => undefined);
          return (
            now.length === 1 &&
            v?.status?.master === now[0] &&
            v?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")
          );
        },
        30_000,
        "status.master = the node holding the VIP, Ready",
      )
      .catch((e) => assert.fail(`${e}\n${diag()}`));
  });

  it("delete the VirtualIP → the VIP is gone from every node and the object goes", async () => {
    await kubectl(["delete", "vip", "nginx", "--wait=true", "--timeout=30s"]);
    await lab()
      .waitFor(async () => (await holders(lab(), VIP)).length === 0, 10_000, "VIP removed everywhere")
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    const list = await getJson<{ items: unknown[] }>(["get", "vip"]);
    assert.equal(list.items.length, 0);
  });

  it("every other example reaches Ready, each with one node holding its addresses", async () => {
    for (const host of lab().nodes) await kubectl(["label", "node", host.name, "node-role.kubernetes.io/ingress=", "--overwrite"]);
    const examples: [string, string, string[]][] = [
      ["virtualip-basic.yaml", "web", ["192.0.2.5"]],
      ["virtualip-dual-stack.yaml", "api", ["192.0.2.7", "2001:db8::7"]],
      ["virtualip-keepalived-router.yaml", "gateway", ["192.0.2.1"]],
      ["virtualip-multicast.yaml", "ingress", ["192.0.2.8"]],
    ];
    for (const [file] of examples) await kubectl(["apply", "-f", join(REPO, "examples", file)]);
    for (const [file, name, addresses] of examples) {
      await lab()
        .waitFor(
          async () => {
            const v = await getJson<{ status?: { master?: string; conditions?: { type: string; status: string }[] } }>([
              "get",
              "vip",
              name,
            ]);
            return v.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? v : undefined;
          },
          30_000,
          `${file} Ready`,
        )
        .catch((e) => assert.fail(`${e}\n${diag()}`));
      for (const address of addresses) assert.equal((await holders(lab(), address)).length, 1, `${address} of ${file} on exactly one node`);
    }
    for (const [, name] of examples) await kubectl(["delete", "vip", name, "--wait=true", "--timeout=30s"]);
    for (const [, , addresses] of examples) for (const a of addresses) assert.deepEqual(await holders(lab(), a), [], `${a} released`);
  });

  it("the VRRPv2 password from the Secret appears in no VRRPNode, VirtualIP, Event or log", async () => {
    const password = "s3cret"; // examples/virtualip-keepalived-router.yaml
    await kubectl(["apply", "-f", join(REPO, "examples/virtualip-keepalived-router.yaml")]);
    await lab()
      .waitFor(
        async () => {
          const v = await getJson<{ status?: { conditions?: { type: string; status: string }[] } }>(["get", "vip", "gateway"]);
          return v.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
        },
        30_000,
        "gateway Ready",
      )
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    assert.equal((await holders(lab(), "192.0.2.1")).length, 1);
    const nodes = await kubectl(["get", "vrrpnodes", "-o", "json"]);
    assert.match(nodes, /"secretRef"/, "the VRRPNodes carry the reference (the agents resolve it)");
    const searched: [string, string][] = [
      ["VRRPNodes", nodes],
      ["VirtualIPs", await kubectl(["get", "vip", "-o", "json"])],
      ["Events", await kubectl(["get", "events", "-A", "-o", "json"])],
      ...[...cluster.logs].filter(([name]) => name !== "api-server").map(([name, text]): [string, string] => [`${name} log`, text()]),
    ];
    assert.ok(
      searched.some(
        ([name, text]) => name.startsWith("agent") && /"msg":"backup -> master".*vrid-42|vrid-42.*"msg":"backup -> master"/.test(text),
      ),
      "the agents' logs of the gateway's router (its VRID, 42)",
    );
    for (const [what, text] of searched) assert.ok(!text.includes(password), `the password appears in ${what}`);
    await kubectl(["delete", "vip", "gateway", "--wait=true", "--timeout=30s"]);
  });
});
