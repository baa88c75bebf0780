/**
 * Network-namespace lab: a bridge in a "switch" namespace and one namespace
 * per host (nodes n1..nN and optionally a client), each with a veth `eth0`
 * plugged into the bridge. Addresses are documentation ranges only:
 * node i gets 192.0.2.(10+i)/24 and 2001:db8::(10+i)/64, the client
 * 192.0.2.100/24 and 2001:db8::100/64. No routes lead anywhere else.
 *
 * Every name carries a per-run prefix ("fl" + 6 hex digits). Nothing is
 * created in the caller's namespace: veths are made directly inside the lab
 * namespaces. destroy() kills every process the lab started (by pid) and
 * deletes its namespaces (which deletes their links); it also runs on
 * process exit and on SIGINT/SIGTERM/SIGHUP.
 *
 * IPv6: DAD is off in the lab (accept_dad=0) so link-local and global
 * addresses are usable at once, and keep_addr_on_down=1 so setLinkDown()
 * does not flush the hosts' IPv6 addresses (the kernel default does). The bridge has multicast snooping off by
 * default so 224.0.0.18 / ff02::12 are flooded without an MLD/IGMP querier.
 */
import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const KILL_GRACE_MS = 2000;

export interface LabOptions {
  /** Number of node namespaces (n1..nN). */
  readonly nodes: number;
  /** Add a client namespace (default true). */
  readonly client?: boolean;
  /** Bridge multicast snooping (default false). */
  readonly multicastSnooping?: boolean;
}

export interface LabHost {
  /** "n1", "n2", ... or "client". */
  readonly name: string;
  /** Its network namespace. */
  readonly ns: string;
  /** Its interface into the bridge. */
  readonly ifname: string;
  readonly ipv4: string;
  readonly ipv6: string;
  /** The bridge-side end of its veth, in the switch namespace. */
  readonly switchPort: string;
}

/** One entry of `ip -j addr`'s addr_info. */
export interface LabAddress {
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefixLength: number;
  readonly label: string | undefined;
  readonly scope: string;
  /** Boolean flags ip reports, e.g. "nodad", "tentative", "secondary", "dynamic". */
  readonly flags: readonly string[];
}

/** waitFor() ran out of time. */
export class LabTimeoutError extends Error {
  override readonly name = "LabTimeoutError";
}
/** An `ip` command (or one run through `ip netns exec`) failed. */
export class LabCommandError extends Error {
  override readonly name = "LabCommandError";
}

export class Lab {
  readonly switchNs: string;
  readonly nodes: readonly LabHost[];
  readonly client: LabHost | undefined;
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly onExit = () => this.destroySync();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.destroySync();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  private destroyed = false;

  private constructor(
    readonly prefix: string,
    nodes: number,
    client: boolean,
  ) {
    this.switchNs = `${prefix}-sw`;
    this.nodes = Array.from({ length: nodes }, (_, i) => host(prefix, `n${i + 1}`, 10 + i + 1, i + 1));
    this.client = client ? host(prefix, "client", 100, 0) : undefined;
  }

  /** Builds a lab; on failure whatever was made is removed again. */
  static async create(options: LabOptions): Promise<Lab> {
    if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 80) throw new RangeError("a lab needs 1..80 nodes");
    const lab = new Lab(`fl${randomBytes(3).toString("hex")}`, options.nodes, options.client ?? true);
    lab.register();
    try {
      await lab.build(options.multicastSnooping ?? false);
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  /** Every host: the nodes, then the client if any. */
  get hosts(): readonly LabHost[] {
    return this.client === undefined ? this.nodes : [...this.nodes, this.client];
  }

  /** Runs cmd inside ns and returns its stdout; rejects with LabCommandError on a non-zero exit. */
  async exec(ns: string, cmd: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
    return run(["netns", "exec", ns, ...cmd], options.timeoutMs);
  }

  /**
   * Starts cmd inside ns (stdout/stderr piped by default: read them, or pass
   * stdio). The lab kills it (by pid) on destroy unless it has exited.
   */
  spawnIn(ns: string, cmd: readonly string[], options: SpawnOptions = {}): ChildProcess {
    if (this.destroyed) throw new Error("lab is destroyed");
    const child = spawn("ip", ["netns", "exec", ns, ...cmd], { stdio: ["ignore", "pipe", "pipe"], ...options });
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
    child.once("error", () => this.children.delete(child));
    return child;
  }

  /** Stops one process started by spawnIn: SIGTERM, then SIGKILL after a grace period. */
  async kill(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    tryKill(child.pid, signal);
    const timer = setTimeout(() => child.pid !== undefined && tryKill(child.pid, "SIGKILL"), KILL_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  /** The addresses on ifname in ns, parsed from `ip -j addr show dev ifname`. */
  async addresses(ns: string, ifname: string): Promise<LabAddress[]> {
    const out = await run(["-j", "-n", ns, "addr", "show", "dev", ifname]);
    const links = JSON.parse(out) as { addr_info?: Record<string, unknown>[] }[];
    return (links[0]?.addr_info ?? []).map(parseAddrInfo);
  }

  /** Administratively downs / ups the host's own veth (IFF_UP). */
  setLinkDown = (target: LabHost): Promise<void> => setLink(target.ns, target.ifname, "down");
  setLinkUp = (target: LabHost): Promise<void> => setLink(target.ns, target.ifname, "up");

  /** Downs / ups the bridge side of the host's veth: the host keeps IFF_UP but loses carrier. */
  setPortDown = (target: LabHost): Promise<void> => setLink(this.switchNs, target.switchPort, "down");
  setPortUp = (target: LabHost): Promise<void> => setLink(this.switchNs, target.switchPort, "up");

  /** Bridge port isolation: isolated ports cannot reach each other, carrier and the rest of the segment stay up. */
  async isolate(targets: readonly LabHost[], on: boolean): Promise<void> {
    for (const t of targets)
      await run(["-n", this.switchNs, "link", "set", "dev", t.switchPort, "type", "bridge_slave", "isolated", on ? "on" : "off"]);
  }

  /** Polls predicate until it returns a truthy value (returned) or timeoutMs passes (LabTimeoutError). */
  async waitFor<T>(predicate: () => T | Promise<T>, timeoutMs: number, what = "condition"): Promise<NonNullable<T>> {
    return waitFor(predicate, timeoutMs, what);
  }

  /**
   * Runs `node script` inside ns with an IPC channel and waits until it calls
   * serveWorker(). The script decides what it serves (e.g. by `env`).
   */
  async startWorker(ns: string, script: string, env: Record<string, string> = {}): Promise<LabWorker> {
    // Not inherited: the worker's output must not mix into a test runner's stdout, nor
    // should it think it is a node:test child.
    const { NODE_TEST_CONTEXT: _ignored, ...parentEnv } = process.env;
    const child = this.spawnIn(ns, [process.execPath, script], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: { ...parentEnv, ...env },
    });
    for (const stream of [child.stdout, child.stderr]) stream?.on("data", (d: Buffer) => process.stderr.write(d));
    const worker = new LabWorker(child, (c) => this.kill(c));
    await worker.ready;
    return worker;
  }

  /** Kills the lab's processes, deletes its namespaces. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all([...this.children].map((child) => this.kill(child).catch(() => undefined)));
    for (const ns of [...this.namespaces].reverse()) await run(["netns", "del", ns]).catch(() => undefined);
    this.namespaces.length = 0;
    this.unregister();
  }

  /** Synchronous destroy for process exit and signals. */
  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const child of this.children) if (child.pid !== undefined) tryKill(child.pid, "SIGKILL");
    for (const ns of [...this.namespaces].reverse()) {
      try {
        execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
      } catch {
        // already gone
      }
    }
    this.namespaces.length = 0;
    this.unregister();
  }

  private register(): void {
    process.once("exit", this.onExit);
    for (const signal of SIGNALS) process.once(signal, this.onSignal);
  }

  private unregister(): void {
    process.removeListener("exit", this.onExit);
    for (const signal of SIGNALS) process.removeListener(signal, this.onSignal);
  }

  private async addNamespace(ns: string): Promise<void> {
    await run(["netns", "add", ns]);
    this.namespaces.push(ns);
    await run(["-n", ns, "link", "set", "lo", "up"]);
    await sysctl(ns, [
      "net.ipv6.conf.all.accept_dad=0",
      "net.ipv6.conf.default.accept_dad=0",
      "net.ipv6.conf.all.keep_addr_on_down=1",
      "net.ipv6.conf.default.keep_addr_on_down=1",
    ]);
  }

  private async build(snooping: boolean): Promise<void> {
    await this.addNamespace(this.switchNs);
    const sw = ["-n", this.switchNs, "link"];
    await run([...sw, "add", "br0", "type", "bridge", "mcast_snooping", snooping ? "1" : "0"]);
    await run([...sw, "set", "br0", "up"]);
    for (const h of this.hosts) {
      await this.addNamespace(h.ns);
      await run([...sw, "add", h.switchPort, "type", "veth", "peer", "name", h.ifname, "netns", h.ns]);
      await sysctl(h.ns, [`net.ipv6.conf.${h.ifname}.accept_dad=0`, `net.ipv6.conf.${h.ifname}.keep_addr_on_down=1`]);
      await run([...sw, "set", h.switchPort, "master", "br0", "up"]);
      await run(["-n", h.ns, "addr", "add", `${h.ipv4}/24`, "dev", h.ifname]);
      await run(["-n", h.ns, "addr", "add", `${h.ipv6}/64`, "dev", h.ifname, "nodad"]);
      await run(["-n", h.ns, "link", "set", h.ifname, "up"]);
    }
    for (const h of this.hosts) {
      await this.waitFor(
        async () => (await this.addresses(h.ns, h.ifname)).some((a) => a.scope === "link" && !a.flags.includes("tentative")),
        5000,
        `link-local address on ${h.name}`,
      );
    }
  }
}

export function createLab(options: LabOptions): Promise<Lab> {
  return Lab.create(options);
}

export async function waitFor<T>(predicate: () => T | Promise<T>, timeoutMs: number, what = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const why = last === undefined ? "" : ` (last error: ${last instanceof Error ? last.message : String(last)})`;
      throw new LabTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function host(prefix: string, name: string, octet: number, port: number): LabHost {
  return {
    name,
    ns: `${prefix}-${name}`,
    ifname: "eth0",
    ipv4: `192.0.2.${octet}`,
    ipv6: `2001:db8::${octet}`,
    switchPort: `${prefix}p${port}`,
  };
}

async function run(args: readonly string[], timeoutMs = 10_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync("ip", args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new LabCommandError(`ip ${args.join(" ")} failed${stderr ? `: ${stderr}` : `: ${String(error)}`}`, { cause: error });
  }
}

async function setLink(ns: string, ifname: string, state: "up" | "down"): Promise<void> {
  await run(["-n", ns, "link", "set", ifname, state]);
}

async function sysctl(ns: string, settings: readonly string[]): Promise<void> {
  await run(["netns", "exec", ns, "sysctl", "-q", "-w", ...settings]);
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already exited
  }
}

function parseAddrInfo(info: Record<string, unknown>): LabAddress {
  return {
    family: info.family === "inet6" ? 6 : 4,
    address: String(info.local),
    prefixLength: Number(info.prefixlen),
    label: typeof info.label === "string" ? info.label : undefined,
    scope: String(info.scope),
    flags: Object.keys(info).filter((key) => info[key] === true),
  };
}

interface WorkerReply {
  readonly id?: number;
  readonly ready?: true;
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string; readonly code?: string };
  readonly event?: string;
  readonly data?: unknown;
}

/** A node process in a lab namespace, called over IPC (JSON messages). */
export class LabWorker {
  readonly ready: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, ((data: unknown) => void)[]>();

  constructor(
    readonly child: ChildProcess,
    private readonly killer: (child: ChildProcess) => Promise<void>,
  ) {
    this.ready = new Promise((resolve, reject) => {
      child.once("exit", (code, signal) => {
        const error = new Error(`lab worker exited (code ${code}, signal ${signal})`);
        reject(error);
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
      });
      child.on("message", (message: WorkerReply) => {
        if (message.ready) resolve();
        else if (message.event !== undefined) for (const l of this.listeners.get(message.event) ?? []) l(message.data);
        else if (message.id !== undefined) this.settle(message);
      });
    });
  }

  call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, method, args }, (error) => error && this.pending.delete(id) && reject(error));
    });
  }

  on(event: string, listener: (data: unknown) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }

  async stop(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await this.killer(this.child);
  }

  private settle(message: WorkerReply): void {
    const waiting = this.pending.get(message.id!);
    if (waiting === undefined) return;
    this.pending.delete(message.id!);
    if (message.error === undefined) waiting.resolve(message.result);
    else waiting.reject(Object.assign(new Error(message.error.message), message.error));
  }
}

export type WorkerHandlers = Record<string, (...args: never[]) => unknown>;

/**
 * Worker side of startWorker(): answers calls with handlers(emit)'s methods;
 * emit(event, data) sends an event to the parent. Exits when the parent goes.
 */
export function serveWorker(handlers: (emit: (event: string, data: unknown) => void) => WorkerHandlers): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error("serveWorker needs an IPC channel (start it with Lab.startWorker)");
  const table = handlers((event, data) => send({ event, data }));
  process.on("disconnect", () => process.exit(0));
  process.on("message", (message: { id: number; method: string; args: never[] }) => {
    const handler = table[message.method];
    const reply = (body: object) => send({ id: message.id, ...body });
    Promise.resolve()
      .then(() => (handler === undefined ? Promise.reject(new Error(`no such method: ${message.method}`)) : handler(...message.args)))
      .then(
        (result) => reply({ result: result ?? null }),
        (error: unknown) => {
          const e = error instanceof Error ? error : new Error(String(error));
          reply({ error: { name: e.name, message: e.message, code: (e as { code?: string }).code } });
        },
      );
  });
  send({ ready: true });
}
