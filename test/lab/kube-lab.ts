/**
 * A cluster in a Lab: the Kubernetes test API server (test/kube/serve.ts)
 * and the floatip controller in the client namespace (the control plane,
 * 192.0.2.100), Node objects for the lab's nodes, and `floatip agent
 * --kubernetes` started per node on demand. kubectl is the real one.
 * Everything runs through lab.spawnIn, so lab.destroy() stops it.
 */
import type { ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import type { Lab, LabHost } from "./netns.js";
import { FLOATIP_BIN, type Scratch } from "./vrrp-lab.js";
import { kubeTools } from "../kube/tools.js";

const REPO = resolve(FLOATIP_BIN, "../..");
const API_PORT = 6443;

export class KubeLab {
  /** Output of every process started, by name ("api-server", "controller", "agent n1", a restart "agent n1 #2"). */
  private readonly logs = new Map<string, () => string>();
  private apiServer: ChildProcess | undefined;

  private constructor(
    readonly lab: Lab,
    private readonly scratch: Scratch,
    private readonly kubectlPath: string,
    readonly kubeconfig: string,
  ) {}

  /** Starts the API server and the controller, and creates a Ready Node per lab node. */
  static async start(lab: Lab, scratch: Scratch): Promise<KubeLab> {
    if (lab.client === undefined) throw new Error("a KubeLab needs the lab's client namespace (the control plane)");
    const kube = new KubeLab(lab, scratch, (await kubeTools()).kubectl, scratch.write("kubeconfig", ""));
    const control = lab.client;
    kube.apiServer = kube.spawn("api-server", control, [
      process.execPath, join(REPO, "dist/test/kube/serve.js"), "--host", control.ipv4, "--port", String(API_PORT),
      "--crds", `${join(REPO, "crds/virtualip.yaml")},${join(REPO, "crds/vrrpnode.yaml")}`,
    ]);
    const first = await lab.waitFor(() => {
      const line = kube.log("api-server").split("\n")[0];
      return line?.startsWith("{") && line.includes('"kubeconfig"') ? line : undefined;
    }, 10_000, "API server listening");
    scratch.write("kubeconfig", JSON.stringify((JSON.parse(first) as { kubeconfig: unknown }).kubeconfig));
    for (const host of lab.nodes) {
      await kube.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Node", metadata: { name: host.name, labels: { "kubernetes.io/os": "linux" } } }));
      await kube.kubectl(["patch", "node", host.name, "--subresource=status", "--type=merge", "-p",
        JSON.stringify({ status: { addresses: [{ type: "InternalIP", address: host.ipv4 }, { type: "InternalIP", address: host.ipv6 }], conditions: [{ type: "Ready", status: "True" }] } })]);
    }
    kube.spawn("controller", control, [process.execPath, FLOATIP_BIN, "controller", "--kubeconfig", kube.kubeconfig, "--namespace", "floatip-system"]);
    return kube;
  }

  /** `floatip agent --kubernetes` on host, with its own cache and state directories (kept across restarts). */
  startAgent(host: LabHost, extraArgs: readonly string[] = []): ChildProcess {
    return this.spawn(`agent ${host.name}`, host, [
      process.execPath, FLOATIP_BIN, "agent", "--kubernetes", "--node-name", host.name, "--kubeconfig", this.kubeconfig,
      "--cache-dir", join(this.scratch.dir, `cache-${host.name}`), "--state-dir", join(this.scratch.dir, `state-${host.name}`), ...extraArgs,
    ]);
  }

  kubectl(args: readonly string[], input?: string): Promise<string> {
    const cmd = input === undefined
      ? [this.kubectlPath, "--kubeconfig", this.kubeconfig, ...args]
      : ["sh", "-c", `printf '%s' "$0" | ${this.kubectlPath} --kubeconfig ${this.kubeconfig} ${args.join(" ")}`, input];
    return this.lab.exec(this.lab.client!.ns, cmd, { timeoutMs: 45_000 });
  }

  async getJson<T>(args: readonly string[]): Promise<T> {
    return JSON.parse(await this.kubectl([...args, "-o", "json"])) as T;
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

  /** The tail of every process's output, for failure messages. */
  diag(tail = 2500): string {
    return [...this.logs].map(([name, out]) => `--- ${name}\n${out().slice(-tail)}`).join("\n");
  }

  private count(name: string, text: string): number {
    return this.log(name).split(text).length - 1;
  }

  private spawn(base: string, host: LabHost, cmd: readonly string[]): ChildProcess {
    let name = base;
    for (let i = 2; this.logs.has(name); i++) name = `${base} #${i}`;
    const child = this.lab.spawnIn(host.ns, cmd);
    let text = "";
    child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
    this.logs.set(name, () => text);
    return child;
  }
}
