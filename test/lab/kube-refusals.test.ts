/**
 * A VirtualIP an agent refuses, with real agents (`--kubernetes`, default
 * flags) in the namespace lab, the controller and the API test server on the
 * control-plane host, driven with kubectl (issue 13 findings 2 and 11): a
 * VirtualIP in a subnet no node has, and one tracking a script while the
 * agents do not allow scripts from VRRPNodes. Each says why on its
 * Accepted condition, and neither keeps the other VirtualIPs from being
 * added or removed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { holders, soleHolder } from "./vrrp-lab.js";
import { KubeCluster } from "./kube-cluster.js";

interface Vip {
  status?: { master?: string; conditions?: { type: string; status: string; reason: string; message: string }[] };
}

describe("VirtualIPs an agent refuses (real agents)", { timeout: 180_000 }, () => {
  let cluster: KubeCluster;
  const diag = () => cluster.diag();
  const vip = (name: string, spec: object) =>
    cluster.apply({ apiVersion: "floatip.io/v1alpha1", kind: "VirtualIP", metadata: { name }, spec });
  const accepted = (name: string) =>
    cluster.lab
      .waitFor(
        async () => {
          const v = await cluster.getJson<Vip>(["get", "vip", name]);
          const c = v.status?.conditions?.find((x) => x.type === "Accepted");
          return c?.status === "False" ? c : undefined;
        },
        20_000,
        `${name} Accepted=False`,
      )
      .catch((e) => assert.fail(`${e}\n${diag()}`));

  before(async () => {
    cluster = await KubeCluster.start({ nodes: 2 });
  });
  after(async () => {
    await cluster?.stop();
  });

  it("a VirtualIP held before the refused ones come", async () => {
    await vip("old", { addresses: ["192.0.2.7/24"] });
    await soleHolder(cluster.lab, "192.0.2.7", 20_000).catch((e) => assert.fail(`${e}\n${diag()}`));
  });

  it("a VirtualIP in a subnet no node has: refused by each node, the reason on the VirtualIP", async () => {
    await vip("far", { addresses: ["198.51.100.5/24"] });
    const c = await accepted("far");
    assert.equal(c.reason, "RefusedByNode");
    for (const host of cluster.lab.nodes)
      assert.match(
        c.message,
        new RegExp(`${host.name}: interface: not given, and no interface has an address whose subnet contains 198\\.51\\.100\\.5`),
      );
    const events = await cluster.kubectl(["get", "events", "-n", "floatip-system", "--field-selector", "involvedObject.name=far"]);
    assert.match(events, /RefusedByNode/);
  });

  it("a VirtualIP tracking a script, scripts not allowed: refused, saying how to allow them; nobody holds it", async () => {
    await vip("tracked", { addresses: ["192.0.2.8/24"], track: { scripts: [{ name: "check", command: "/bin/true", interval: "1s" }] } });
    const c = await accepted("tracked");
    assert.match(
      c.message,
      /track\.scripts: runs commands on the node, and this agent does not run commands from VRRPNodes \(start it with --allow-vrrpnode-scripts/,
    );
    assert.deepEqual(await holders(cluster.lab, "192.0.2.8"), []);
  });

  it("while they exist, a new VirtualIP gets a master", async () => {
    await vip("web", { addresses: ["192.0.2.9/24"] });
    const holder = await soleHolder(cluster.lab, "192.0.2.9", 20_000).catch((e) => assert.fail(`${e}\n${diag()}`));
    await cluster.lab
      .waitFor(async () => (await cluster.getJson<Vip>(["get", "vip", "web"])).status?.master === holder, 10_000, "web's status.master")
      .catch((e) => assert.fail(`${e}\n${diag()}`));
  });

  it("while they exist, a deleted VirtualIP is released everywhere and its object goes", async () => {
    await cluster.kubectl(["delete", "vip", "old", "--wait=true", "--timeout=30s"]);
    await cluster.lab
      .waitFor(async () => (await holders(cluster.lab, "192.0.2.7")).length === 0, 10_000, "192.0.2.7 released")
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    const names = (await cluster.getJson<{ items: { metadata: { name: string } }[] }>(["get", "vip"])).items
      .map((i) => i.metadata.name)
      .sort();
    assert.deepEqual(names, ["far", "tracked", "web"]);
  });
});
