/**
 * A small Kubernetes cluster in the namespace lab, shared by the end-to-end
 * tests: the test API server and the controller in the lab's "client"
 * namespace (the control plane, 192.0.2.100), one Node object per lab node
 * (with its InternalIPs, Ready), and an agent with `--kubernetes` in every
 * node namespace (or started per node by the test); driven with the real
 * kubectl as a user would. Every process runs through lab.spawnIn, so
 * stop() ends them all.
 */
import type { ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import assert from "node:assert/strict";
import { createLab, type Lab, type LabHost } from "./netns.js";
import { addSecondSegment, type SegmentHost } from "./segment.js";
import { AddressWatch, FLOATIP_BIN, Scratch } from "./vrrp-lab.js";
import { kubeTools } from "../kube/tools.js";

export const REPO = resolve(FLOATIP_BIN, "../..");
const API_PORT = 6443;

export interface ClusterOptions {
  readonly nodes: number;
  /** Extra `floatip agent` flags (every agent). */
  readonly agentArgs?: readonly string[];
  /** Start an agent on every node (default); false: the test calls startAgent. */
  readonly startAgents?: boolean;
  /** Extra `floatip controller` flags. */
  readonly controllerArgs?: readonly string[];
  /** Give every host a second interface, eth1 on a second bridge (test/lab/segment.ts), before anything starts. */
  readonly secondSegment?: boolean;
  /** Run before the controller and the agents start (seed objects). */
  readonly seed?: (cluster: KubeCluster) => Promise<void>;
}

export class KubeCluster {
  /** Output of every process started, by name ("api-server", "controller", "agent n1", a restart "agent n1 #2"). */
  readonly logs = new Map<string, () => string>();
  private apiServer: ChildProcess | undefined;
  /** Each host's end of the second segment (empty without options.secondSegment). */
  segment: readonly SegmentHost[] = [];

  private constructor(
    readonly lab: Lab,
    readonly scratch: Scratch,
    readonly watch: AddressWatch,
    private readonly kubectlPath: string,
    readonly kubeconfig: string,
    private readonly options: ClusterOptions,
  ) {}

  static async start(options: ClusterOptions): Promise<KubeCluster> {
    const kubectlPath = (await kubeTools()).kubectl;
    const lab = await createLab({ nodes: options.nodes });
    const scratch = new Scratch();
    const watch = new AddressWatch(lab);
    const cluster = new KubeCluster(lab, scratch, watch, kubectlPath, scratch.write("kubeconfig", ""), options);
    try {
      if (options.secondSegment === true) cluster.segment = await addSecondSegment(lab);
      await watch.start(lab.nodes);
      await cluster.boot();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get control(): LabHost {
    return this.lab.client!;
  }

  kubectl(args: readonly string[], input?: string): Promise<string> {
    const { kubectlPath: k, kubeconfig } = this;
    return this.lab.exec(
      this.control.ns,
      input === undefined
        ? [k, "--kubeconfig", kubeconfig, ...args]
        : ["sh", "-c", `printf '%s' "$0" | ${k} --kubeconfig ${kubeconfig} ${args.join(" ")}`, input],
      { timeoutMs: 45_000 },
    );
  }

  /** kubectl's error message; fails the test when the command succeeds. */
  kubectlFails(args: readonly string[], input: string): Promise<string> {
    return this.kubectl(args, input).then(
      () => assert.fail(`kubectl ${args.join(" ")} should have failed`),
      (error: Error) => error.message,
    );
  }

  async getJson<T>(args: readonly string[]): Promise<T> {
    return JSON.parse(await this.kubectl([...args, "-o", "json"])) as T;
  }

  apply(object: unknown): Promise<string> {
    return this.kubectl(["apply", "-f", "-"], JSON.stringify(object));
  }

  /** `floatip agent --kubernetes` on host, with its own cache and state directories (kept across restarts). */
  startAgent(host: LabHost, extraArgs: readonly string[] = []): ChildProcess {
    return this.spawnLogged(`agent ${host.name}`, host, [
      process.execPath,
      FLOATIP_BIN,
      "agent",
      "--kubernetes",
      "--node-name",
      host.name,
      "--kubeconfig",
      this.kubeconfig,
      "--cache-dir",
      join(this.scratch.dir, `cache-${host.name}`),
      "--state-dir",
      join(this.scratch.dir, `state-${host.name}`),
      ...(this.options.agentArgs ?? []),
      ...extraArgs,
    ]);
  }

  /** Takes the API server off the network (objects kept) and waits until it says so. */
  async stopApiServer(): Promise<void> {
    const before = this.count("api-server", '"stopped"');
    this.apiServer!.kill("SIGUSR1");
    await this.lab.waitFor(() => this.count("api-server", '"stopped"') > before, 5000, "API server stopped");
  }

  /** Brings it back and waits until it listens again. */
  async startApiServer(): Promise<void> {
    const before = this.count("api-server", '"started"');
    this.apiServer!.kill("SIGUSR2");
    await this.lab.waitFor(() => this.count("api-server", '"started"') > before, 5000, "API server started");
  }

  log(name: string): string {
    return this.logs.get(name)?.() ?? "";
  }

  /** The last lines of every process's output, for failure messages. */
  diag(): string {
    return [...this.logs].map(([name, out]) => `--- ${name}\n${out().slice(-2500)}`).join("\n");
  }

  /** Logged under `base`, or `base #2`, `#3` for a restart. */
  private spawnLogged(base: string, host: LabHost, cmd: readonly string[]): ChildProcess {
    let name = base;
    for (let i = 2; this.logs.has(name); i++) name = `${base} #${i}`;
    const child = this.lab.spawnIn(host.ns, cmd);
    let text = "";
    child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
    this.logs.set(name, () => text);
    return child;
  }

  async stop(): Promise<void> {
    await this.watch.stop();
    await this.lab.destroy();
    this.scratch.cleanup();
  }

  private count(name: string, text: string): number {
    return this.log(name).split(text).length - 1;
  }

  private async boot(): Promise<void> {
    const { options } = this;
    const crds = ["virtualip", "vrrpnode", "virtualippool"].map((c) => join(REPO, `crds/${c}.yaml`)).join(",");
    this.apiServer = this.spawnLogged("api-server", this.control, [
      process.execPath,
      join(REPO, "dist/test/kube/serve.js"),
      "--host",
      this.control.ipv4,
      "--port",
      String(API_PORT),
      "--crds",
      crds,
    ]);
    const first = await this.lab.waitFor(
      () => {
        const line = this.log("api-server").split("\n")[0];
        return line?.startsWith("{") && line.includes('"kubeconfig"') ? line : undefined;
      },
      10_000,
      "API server listening",
    );
    this.scratch.write("kubeconfig", JSON.stringify((JSON.parse(first) as { kubeconfig: unknown }).kubeconfig));
    for (const host of this.lab.nodes) {
      await this.apply({ apiVersion: "v1", kind: "Node", metadata: { name: host.name, labels: { "kubernetes.io/os": "linux" } } });
      await this.kubectl([
        "patch",
        "node",
        host.name,
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify({
          status: {
            addresses: [
              { type: "InternalIP", address: host.ipv4 },
              { type: "InternalIP", address: host.ipv6 },
            ],
            conditions: [{ type: "Ready", status: "True" }],
          },
        }),
      ]);
    }
    await options.seed?.(this);
    this.spawnLogged("controller", this.control, [
      process.execPath,
      FLOATIP_BIN,
      "controller",
      "--kubeconfig",
      this.kubeconfig,
      "--namespace",
      "floatip-system",
      "--metrics-address",
      `${this.control.ipv4}:9120`,
      ...(options.controllerArgs ?? []),
    ]);
    if (options.startAgents ?? true) for (const host of this.lab.nodes) this.startAgent(host);
  }
}
