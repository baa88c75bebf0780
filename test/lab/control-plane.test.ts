/**
 * The control-plane VIP as `floatip manifest control-plane` describes it,
 * run in the namespace lab: two "control-plane nodes", each with a fake
 * kube-apiserver /readyz (HTTPS on 127.0.0.1:6443 inside its namespace, a
 * certificate for "kubernetes" from a throw-away CA) that the test flips
 * between 200 and 500, and the agent started exactly as the generated Pod
 * says: its args, its FLOATIP_CONFIG environment, its host-path CA file at
 * the same path. The one translation: the pod's emptyDir (/run/floatip)
 * becomes a scratch directory per node, as a container runtime would give
 * it its own directory.
 *
 * The nodes run the same binary a worker of this file serves /readyz from
 * (FLOATIP_LAB_WORKER=readyz).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import yaml from "js-yaml";
import { createLab, serveWorker, type Lab, type LabHost, type LabWorker } from "./netns.js";
import { createTestPki, type TestPki } from "./tls.js";
import { AddressWatch, FLOATIP_BIN, Scratch, holders, httpGetIn, soleHolder, type Speaker } from "./vrrp-lab.js";

const WORKER_ENV = "FLOATIP_LAB_WORKER";
const VIP = "192.0.2.10";
const ADVERT_MS = 100;
const CHECK_MS = 200;
const FALL = 3;
const RISE = 2;
const METRICS_PORT = 9111;

if (process.env[WORKER_ENV] === "readyz") serveWorker(readyzWorker);
else defineTests();

/** A stand-in kube-apiserver: /readyz answers with the status the test sets. */
function readyzWorker() {
  let status = 200;
  const dir = process.env["PKI_DIR"]!;
  const server = createServer({ cert: readFileSync(join(dir, "server.crt")), key: readFileSync(join(dir, "server.key")) }, (req, res) => {
    res.writeHead(req.url === "/readyz" ? status : 404, { "content-type": "text/plain" });
    res.end(status === 200 ? "ok" : "[-]etcd failed: reason withheld\nreadyz check failed\n");
  });
  const listening = new Promise<void>((resolve) => server.listen(6443, "127.0.0.1", resolve));
  return {
    listening: () => listening,
    setStatus: (code: number) => void (status = code),
  };
}

interface PodContainer {
  readonly args: string[];
  readonly env: { name: string; value: string }[];
  readonly volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Pod {
  readonly spec: { containers: PodContainer[]; volumes: { name: string; emptyDir?: object; hostPath?: { path: string } }[] };
}

function defineTests(): void {
  describe("control-plane VIP static pod in the lab", { timeout: 180_000 }, () => {
    let lab: Lab;
    let pki: TestPki;
    let scratch: Scratch;
    let watch: AddressWatch;
    let n1: LabHost, n2: LabHost;
    const readyz = new Map<string, LabWorker>();
    const agents = new Map<string, Speaker>();

    /** Runs the real CLI: `floatip manifest control-plane ...` for one node. */
    const manifest = async (priority: number, peer: LabHost): Promise<Pod> => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        FLOATIP_BIN,
        "manifest",
        "control-plane",
        "--address",
        `${VIP}/24`,
        "--interface",
        "eth0",
        "--peers",
        peer.ipv4,
        "--priority",
        String(priority),
        "--advert-interval",
        `${ADVERT_MS}ms`,
        "--check-interval",
        `${CHECK_MS}ms`,
        "--check-fall",
        String(FALL),
        "--check-rise",
        String(RISE),
        "--apiserver-ca",
        pki.caFile,
        "--metrics-port",
        String(METRICS_PORT),
      ]);
      return yaml.load(stdout) as Pod;
    };

    /** Starts the container's process as the Pod describes it, inside the node's namespace. */
    const startPod = (host: LabHost, pod: Pod): Speaker => {
      const [container] = pod.spec.containers;
      assert.ok(container !== undefined && pod.spec.containers.length === 1);
      let args = [...container.args];
      for (const mount of container.volumeMounts) {
        const volume = pod.spec.volumes.find((v) => v.name === mount.name);
        if (volume?.emptyDir !== undefined) {
          const dir = join(scratch.dir, `${host.name}-${mount.name}`);
          args = args.map((a) => a.split(mount.mountPath).join(dir));
        } else {
          assert.equal(
            volume?.hostPath?.path,
            mount.mountPath,
            "a host path is mounted at the same path, so the agent sees the host's file",
          );
        }
      }
      const { NODE_TEST_CONTEXT: _ignored, ...parentEnv } = process.env;
      const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
      const child = lab.spawnIn(host.ns, [process.execPath, FLOATIP_BIN, ...args], { env: { ...parentEnv, ...env } });
      let output = "";
      child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
      const speaker: Speaker = { kind: "agent", host, child, output: () => output };
      agents.set(host.name, speaker);
      return speaker;
    };

    /** Waits until only `host` holds the VIP, then checks it keeps holding it alone for a second. */
    const settlesOn = async (host: LabHost, timeoutMs: number, why: string) => {
      await lab.waitFor(async () => (await holders(lab, VIP)).join() === host.name, timeoutMs, `the VIP on ${host.name} only (${why})`);
      assert.equal(await soleHolder(lab, VIP, 5000), host.name, why);
    };
    const setReadyz = (host: LabHost, code: number) => readyz.get(host.name)!.call("setStatus", code);
    const state = async (host: LabHost) =>
      (
        JSON.parse(await httpGetIn(lab, host, `http://127.0.0.1:${METRICS_PORT}/state`)) as {
          instances: { phase: string; effectivePriority: number }[];
        }
      ).instances[0];
    /** Time for a master whose /readyz broke to give up the VIP and a backup to take it: fall probes, one probe's phase and timeout, Skew_Time. */
    const detectMs = (FALL + 1) * CHECK_MS + CHECK_MS + ADVERT_MS;

    before(async () => {
      pki = await createTestPki();
      scratch = new Scratch();
      lab = await createLab({ nodes: 2, client: false });
      [n1, n2] = lab.nodes as [LabHost, LabHost];
      watch = new AddressWatch(lab);
      await watch.start(lab.nodes);
      const script = fileURLToPath(import.meta.url);
      for (const host of lab.nodes) {
        const worker = await lab.startWorker(host.ns, script, { [WORKER_ENV]: "readyz", PKI_DIR: pki.dir });
        await worker.call("listening");
        readyz.set(host.name, worker);
      }
    });

    after(async () => {
      for (const agent of agents.values()) await lab?.kill(agent.child);
      for (const worker of readyz.values()) await worker.stop();
      await watch?.stop();
      await lab?.destroy();
      scratch?.cleanup();
      await pki?.cleanup();
    });

    it("the master gives the VIP up while its /readyz fails and takes it back when it is ready (preemption)", async () => {
      const pod1 = await manifest(150, n2);
      const pod2 = await manifest(100, n1);
      startPod(n1, pod1);
      startPod(n2, pod2);
      assert.equal(await soleHolder(lab, VIP, 10_000), n1.name, "both ready: the higher priority holds it");
      const master = await state(n1);
      assert.deepEqual([master?.phase, master?.effectivePriority], ["master", 150]);

      const broke = Date.now();
      await setReadyz(n1, 500);
      await lab.waitFor(async () => (await holders(lab, VIP)).join() === n2.name, detectMs + 2000, "the VIP on n2 only");
      const moved = Date.now() - broke;
      assert.equal(await soleHolder(lab, VIP, 5000), n2.name, "and it stays there");
      assert.equal((await state(n1))?.phase, "fault", "n1 is in FAULT while its API server is not ready");
      assert.match(agents.get(n1.name)!.output(), /HTTP check kube-apiserver failed/);
      assert.ok(moved >= (FALL - 1) * CHECK_MS - 20, `not before fall (${FALL}) probes failed: moved after ${moved} ms`);

      await setReadyz(n1, 200);
      await settlesOn(n1, RISE * CHECK_MS + CHECK_MS + 3000, "ready again: n1 preempts");
    });

    it("no VIP while no API server is ready; the first one ready gets it", async () => {
      await setReadyz(n1, 500);
      await setReadyz(n2, 500);
      await lab.waitFor(async () => (await holders(lab, VIP)).length === 0, detectMs + 3000, "the VIP on no node");
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(await holders(lab, VIP), []);
      await setReadyz(n2, 200);
      await settlesOn(n2, 5000, "only n2 is ready, so n2 holds it despite its lower priority");
      await setReadyz(n1, 200);
      await settlesOn(n1, 5000, "n1 ready again preempts");
    });

    it("a static pod replaced (SIGTERM) hands over at priority 0, and the new one takes the VIP back", async () => {
      const old = agents.get(n1.name)!;
      const stopped = Date.now();
      await lab.kill(old.child, "SIGTERM");
      assert.equal(await soleHolder(lab, VIP, 5000, lab.nodes, 500), n2.name);
      const took = watch.first(VIP, true, stopped, n2.name);
      assert.ok(
        took !== undefined && took.at - stopped < 1000,
        `n2 took over after a priority-0 advert, within a second (${took && took.at - stopped} ms)`,
      );
      startPod(n1, await manifest(150, n2));
      await settlesOn(n1, 10_000, "the new pod preempts");
    });

    it("the VIP was never held by both nodes longer than a handover takes", () => {
      // Intervals each node held the VIP, from the kernel's address events.
      const spans = new Map<string, { from: number; to: number }[]>();
      const open = new Map<string, number>();
      for (const e of watch.events.filter((x) => x.address === VIP)) {
        if (e.added) open.set(e.host, e.at);
        else if (open.has(e.host)) {
          spans.set(e.host, [...(spans.get(e.host) ?? []), { from: open.get(e.host)!, to: e.at }]);
          open.delete(e.host);
        }
      }
      for (const [host, from] of open) spans.set(host, [...(spans.get(host) ?? []), { from, to: Date.now() }]);
      let worst = 0;
      for (const a of spans.get(n1.name) ?? []) {
        for (const b of spans.get(n2.name) ?? []) worst = Math.max(worst, Math.min(a.to, b.to) - Math.max(a.from, b.from));
      }
      assert.ok((spans.get(n1.name)?.length ?? 0) >= 3, "n1 held it several times");
      assert.ok(worst < 3 * ADVERT_MS, `both held the VIP for ${worst} ms at most (a preempting master and the old one, one advert apart)`);
    });
  });
}
