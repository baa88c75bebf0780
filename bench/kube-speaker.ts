/**
 * The agent in `--kubernetes` mode for the scale bench: the same instances
 * as bench/multi.ts's standalone config, but delivered as each node's
 * VRRPNode by the project's Kubernetes API test server (test/kube/serve.ts)
 * running in the lab's client namespace, so the figures include
 * @kubernetes/client-node, the VRRPNode watch, the cached config and the
 * status writes.
 *
 * One API server per run, started with that run's two VRRPNodes created
 * through the API (validated and defaulted as a client's would be); its own
 * CPU is not counted. The server is a process the bench starts and stops
 * by pid, like the speakers.
 */
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Lab, LabHost } from "../test/lab/netns.js";
import { FLOATIP_BIN, type Scratch, type Speaker } from "../test/lab/vrrp-lab.js";
import { floatipMultiConfig, type MultiSettings } from "./multi.js";

const REPO = join(FLOATIP_BIN, "../..");
const API_PORT = 6443;

export interface KubeRun {
  /** Starts `floatip agent --kubernetes` for host (its VRRPNode is already stored). */
  readonly startAgent: (host: LabHost, nodeArgs: readonly string[]) => Speaker;
  readonly stop: () => Promise<void>;
}

/** A VRRPNode for each node: `priorities[i]` is node i's priority for every instance. */
export function vrrpNodes(lab: Lab, s: MultiSettings, priorities: readonly number[]): object[] {
  return lab.nodes.map((host, i) => ({
    apiVersion: "floatip.io/v1alpha1",
    kind: "VRRPNode",
    metadata: { name: host.name },
    spec: asVrrpNodeSpec(floatipMultiConfig(host.ifname, s, priorities[i]!)),
  }));
}

/** The CRD takes durations as strings only (the YAML config also takes a number of milliseconds). */
function asVrrpNodeSpec(config: unknown): unknown {
  const c = config as { instances: { garp?: { delay?: unknown } }[] };
  return {
    ...c,
    instances: c.instances.map((i) => (typeof i.garp?.delay === "number" ? { ...i, garp: { ...i.garp, delay: `${i.garp.delay}ms` } } : i)),
  };
}

/** Starts the API server holding the run's VRRPNodes; resolves once it listens. */
export async function startKubeRun(
  lab: Lab,
  scratch: Scratch,
  s: MultiSettings,
  priorities: readonly number[],
  tag: string,
): Promise<KubeRun> {
  const control = lab.client;
  if (control === undefined) throw new Error("the --kubernetes speaker needs the lab's client namespace (the API server's host)");
  const create = scratch.write(`${tag}-vrrpnodes.json`, JSON.stringify(vrrpNodes(lab, s, priorities)));
  const crds = ["virtualip", "vrrpnode"].map((c) => join(REPO, `crds/${c}.yaml`)).join(",");
  const server = lab.spawnIn(control.ns, [
    process.execPath,
    join(REPO, "dist/test/kube/serve.js"),
    "--host",
    control.ipv4,
    "--port",
    String(API_PORT),
    "--crds",
    crds,
    "--create",
    create,
  ]);
  let out = "";
  server.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  server.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const stopServer = () => lab.kill(server, "SIGKILL");
  let kubeconfig: string;
  try {
    const first = await lab.waitFor(
      () => {
        const line = out.split("\n")[0];
        return line?.startsWith("{") && line.includes('"kubeconfig"') ? line : undefined;
      },
      15_000,
      "API server listening",
    );
    kubeconfig = scratch.write(`${tag}-kubeconfig`, JSON.stringify((JSON.parse(first) as { kubeconfig: unknown }).kubeconfig));
  } catch (error) {
    await stopServer();
    throw new Error(`${error instanceof Error ? error.message : String(error)}; API server output: ${out.slice(-1000)}`);
  }
  return {
    startAgent: (host, nodeArgs) =>
      spawnKubeAgent(lab, host, [
        process.execPath,
        ...nodeArgs,
        FLOATIP_BIN,
        "agent",
        "--kubernetes",
        "--node-name",
        host.name,
        "--kubeconfig",
        kubeconfig,
        "--cache-dir",
        join(scratch.dir, `${tag}-cache-${host.name}`),
        "--state-dir",
        join(scratch.dir, `${tag}-state-${host.name}`),
        "--log-level",
        "info",
      ]),
    stop: stopServer,
  };
}

function spawnKubeAgent(lab: Lab, host: LabHost, cmd: readonly string[]): Speaker {
  const child: ChildProcess = lab.spawnIn(host.ns, cmd);
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
  return { kind: "agent", host, child, output: () => text };
}
