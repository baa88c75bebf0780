/**
 * The agent follows the kernel (issue 14 items 1-3): two agents in network
 * namespaces (n1 priority 200, n2 100; VRRPv3, 100 ms adverts), one IPv4
 * and one IPv6 instance each, and the host changed behind their backs with
 * `ip`: a VIP deleted on the master, its primary address deleted, its
 * interface deleted and re-created, renamed, its carrier lost, a tracked
 * interface down, and its VRRP sends failing (strace injects EPERM).
 * Every case checks who holds the VIPs; times go to `# timing:` lines.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createLab, type Lab, type LabHost } from "../lab/netns.js";
import { AddressWatch, Scratch, httpGetIn, startAgent, stopSpeaker, type Speaker } from "../lab/vrrp-lab.js";
import { masterDownInterval, recordTiming, skewTime, sleep } from "./timings.js";

const VIP4 = "192.0.2.5";
const VIP6 = "2001:db8::5";
const INTERVAL = 100;
/** Scheduling, `ip` command and event latency on a shared 2-core machine. */
const SLACK = 60;
const PORT = 9113;
const PRIORITY: Readonly<Record<string, number>> = { n1: 200, n2: 100 };
const SKEW_N2 = skewTime(PRIORITY.n2!, INTERVAL);

function agentConfig(priority: number) {
  const common = {
    version: 3,
    priority,
    advertInterval: `${INTERVAL}ms`,
    preempt: true,
    garp: { repeat: 1, delay: 0 },
    track: { interfaces: [{ name: "up0" }] },
  };
  return {
    instances: [
      { name: "v4", virtualRouterId: 51, addresses: [`${VIP4}/24`], ...common },
      { name: "v6", virtualRouterId: 52, addresses: [`${VIP6}/64`], ...common },
    ],
  };
}

describe("the agent follows link and address events", { timeout: 300_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  let watch: AddressWatch;
  const running = new Map<string, Speaker>();
  const n = (i: number): LabHost => lab.nodes[i]!;
  const ip = (host: LabHost, ...args: string[]) => lab.exec(host.ns, ["ip", ...args]);
  /** The HTTP status of a GET from inside the host's namespace (0: no answer). */
  const status = (host: LabHost, path: string) => {
    const url = `http://${host.ipv4}:${PORT}${path}`;
    const script = `fetch(${JSON.stringify(url)}).then(r=>process.stdout.write(String(r.status)),()=>process.stdout.write("0"))`;
    return lab.exec(host.ns, [process.execPath, "-e", script], { timeoutMs: 10_000 }).then(Number);
  };
  const healthz = async (host: LabHost) => (await status(host, "/healthz")) === 200;
  /** Nodes holding vip on any interface (an interface may be missing or renamed here). */
  const holders = async (vip: string): Promise<string[]> => {
    const out: string[] = [];
    for (const h of lab.nodes) {
      const all = JSON.parse(await ip(h, "-j", "addr", "show")) as { addr_info?: { local?: string }[] }[];
      if (all.some((link) => (link.addr_info ?? []).some((a) => a.local === vip))) out.push(h.name);
    }
    return out;
  };
  /**
   * Waits until `host` alone holds vip and keeps it for stableMs (another node may hold it for a
   * Master_Down_Interval first, until `host` preempts); returns its name.
   */
  const holdsAlone = async (host: string, vip: string, timeoutMs: number, stableMs: number): Promise<void> => {
    let since: number | undefined;
    await lab.waitFor(
      async () => {
        const alone = (await holders(vip)).join() === host;
        if (!alone) since = undefined;
        else since ??= Date.now();
        return since !== undefined && Date.now() - since >= stableMs;
      },
      timeoutMs,
      `${host} alone holding ${vip}`,
    );
  };
  /** n1 is the sole holder of both VIPs, as at the start of every case. */
  const settled = async () => {
    for (const vip of [VIP4, VIP6]) await holdsAlone("n1", vip, 10_000, 800);
  };
  /** For ms, never more than one holder of either VIP. */
  const neverTwo = async (ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      for (const vip of [VIP4, VIP6]) assert.ok((await holders(vip)).length <= 1, `${vip} on two nodes`);
      await sleep(50);
    }
  };
  const clientPings = (vip: string) =>
    lab.exec(lab.client!.ns, ["ping", "-c", "1", "-W", "1", vip]).then(
      () => true,
      () => false,
    );

  before(async () => {
    lab = await createLab({ nodes: 2, client: true });
    scratch = new Scratch();
    for (const h of lab.nodes) {
      // The tracked interface: a veth pair inside the node (its peer's state is up0's carrier).
      await ip(h, "link", "add", "up0", "type", "veth", "peer", "name", "up0p");
      await ip(h, "link", "set", "up0p", "up");
      await ip(h, "link", "set", "up0", "up");
    }
    watch = new AddressWatch(lab);
    await watch.start(lab.nodes);
    for (let i = 0; i < 2; i++) {
      running.set(n(i).name, startAgent({ lab, host: n(i), scratch, config: agentConfig(PRIORITY[n(i).name]!), metricsPort: PORT }));
    }
    await settled();
  });

  after(async () => {
    if (process.env["FLOATIP_LAB_LOG_DIR"] !== undefined) {
      const { writeFileSync } = await import("node:fs");
      for (const s of running.values()) writeFileSync(`${process.env["FLOATIP_LAB_LOG_DIR"]}/${s.host.name}.log`, s.output());
    }
    for (const s of running.values()) await stopSpeaker(lab, s).catch(() => undefined);
    await watch?.stop();
    scratch?.cleanup();
    await lab?.destroy();
  });

  afterEach(async () => {
    for (const s of running.values()) assert.equal(s.child.exitCode, null, `${s.host.name} still runs`);
  });

  for (const [family, vip] of [
    [4, VIP4],
    [6, VIP6],
  ] as const) {
    it(`IPv${family}: a VIP deleted on the master is back within 200 ms and answers the client`, async () => {
      await settled();
      const since = Date.now();
      await ip(n(0), "addr", "del", `${vip}/${family === 4 ? 24 : 64}`, "dev", n(0).ifname);
      const back = await lab.waitFor(() => watch.first(vip, true, since, "n1"), 2000, `${vip} back on n1`);
      recordTiming({ fault: `IPv${family} VIP deleted`, what: "VIP back on the master", ms: back.at - since, boundMs: 200 });
      assert.ok(back.at - since <= 200, `took ${back.at - since} ms`);
      assert.deepEqual(await holders(vip), ["n1"]);
      assert.ok(await clientPings(vip), "the client's ping is answered");
    });
  }

  it("IPv4: the master's primary address deleted: FAULT, the backup holds the VIP within Skew_Time + 20 ms; restored, n1 takes it back", async () => {
    await settled();
    const since = Date.now();
    await ip(n(0), "addr", "del", `${n(0).ipv4}/24`, "dev", n(0).ifname);
    const moved = await lab.waitFor(() => watch.first(VIP4, true, since, "n2"), 3000, "VIP on n2");
    recordTiming({ fault: "IPv4 primary address deleted", what: "VIP on the backup", ms: moved.at - since, boundMs: SKEW_N2 + 20 });
    assert.ok(moved.at - since <= SKEW_N2 + 20 + SLACK, `took ${moved.at - since} ms`);
    await neverTwo(1000);
    assert.deepEqual(await holders(VIP4), ["n2"]);
    await ip(n(0), "addr", "add", `${n(0).ipv4}/24`, "dev", n(0).ifname);
    await settled();
  });

  it("IPv6: the master's link-local (source) address deleted: FAULT, the backup holds the VIP within Skew_Time + 20 ms; restored, n1 takes it back", async () => {
    await settled();
    const linkLocal = (await lab.addresses(n(0).ns, n(0).ifname)).find((a) => a.family === 6 && a.scope === "link")!;
    const logged = running.get("n1")!.output().length;
    const since = Date.now();
    await ip(n(0), "addr", "del", `${linkLocal.address}/64`, "dev", n(0).ifname);
    const moved = await lab.waitFor(() => watch.first(VIP6, true, since, "n2"), 3000, "VIP on n2");
    // The priority-0 advert still leaves from the address just deleted: a handover, not a Master_Down_Interval (360.9 ms).
    const bound = SKEW_N2 + 20;
    recordTiming({ fault: "IPv6 link-local address deleted", what: "VIP on the backup", ms: moved.at - since, boundMs: bound });
    assert.ok(
      moved.at - since <= bound + SLACK,
      `took ${moved.at - since} ms (Master_Down_Interval is ${masterDownInterval(PRIORITY.n2!, INTERVAL)} ms)`,
    );
    assert.doesNotMatch(running.get("n1")!.output().slice(logged), /sending advert failed/);
    await neverTwo(1000);
    assert.deepEqual(await holders(VIP6), ["n2"]);
    await ip(n(0), "addr", "add", `${linkLocal.address}/64`, "dev", n(0).ifname, "nodad");
    await settled();
  });

  it("the master's interface deleted and re-created: exactly one master within a few advert intervals, and it stays so", async () => {
    await settled();
    const h = n(0);
    const errorsBefore = (
      running
        .get("n1")!
        .output()
        .match(/VRRP socket error/g) ?? []
    ).length;
    await ip(h, "link", "del", h.ifname);
    for (const vip of [VIP4, VIP6]) await holdsAlone("n2", vip, 3000, 300);
    await sleep(1000);
    await lab.exec(lab.switchNs, ["ip", "link", "add", h.switchPort, "type", "veth", "peer", "name", h.ifname, "netns", h.ns]);
    await lab.exec(h.ns, ["sysctl", "-q", "-w", `net.ipv6.conf.${h.ifname}.accept_dad=0`, `net.ipv6.conf.${h.ifname}.keep_addr_on_down=1`]);
    await lab.exec(lab.switchNs, ["ip", "link", "set", h.switchPort, "master", "br0", "up"]);
    await ip(h, "addr", "add", `${h.ipv4}/24`, "dev", h.ifname);
    await ip(h, "addr", "add", `${h.ipv6}/64`, "dev", h.ifname, "nodad");
    await ip(h, "link", "set", h.ifname, "up");
    for (const vip of [VIP4, VIP6]) await holdsAlone("n1", vip, 3000, 300);
    await neverTwo(2000);
    for (const vip of [VIP4, VIP6]) assert.deepEqual(await holders(vip), ["n1"]);
    const errors =
      (
        running
          .get("n1")!
          .output()
          .match(/VRRP socket error/g) ?? []
      ).length - errorsBefore;
    assert.ok(errors <= 4, `${errors} socket error lines (no flood)`);
    assert.ok(await healthz(h), "healthy again");
  });

  it("the master's interface renamed away and back: n2 serves meanwhile, never two masters", async () => {
    await settled();
    const h = n(0);
    await ip(h, "link", "set", h.ifname, "down");
    await ip(h, "link", "set", h.ifname, "name", "moved0");
    await ip(h, "link", "set", "moved0", "up");
    for (const vip of [VIP4, VIP6]) await holdsAlone("n2", vip, 3000, 300);
    await neverTwo(1000);
    await ip(h, "link", "set", "moved0", "down");
    await ip(h, "link", "set", "moved0", "name", h.ifname);
    await ip(h, "link", "set", h.ifname, "up");
    await settled();
    await neverTwo(1000);
  });

  it("carrier loss on the master's own interface: FAULT, n2 serves; carrier back, n1 preempts, never two", async () => {
    await settled();
    await lab.setPortDown(n(0));
    for (const vip of [VIP4, VIP6]) await holdsAlone("n2", vip, 3000, 300);
    await lab.setPortUp(n(0));
    await settled();
    await neverTwo(1000);
  });

  it("a tracked interface down: the backup holds the VIPs within Skew_Time + 20 ms; up again, n1 preempts", async () => {
    await settled();
    const since = Date.now();
    await ip(n(0), "link", "set", "up0p", "down"); // up0 loses carrier
    for (const vip of [VIP4, VIP6]) {
      const moved = await lab.waitFor(() => watch.first(vip, true, since, "n2"), 3000, `${vip} on n2`);
      recordTiming({ fault: "tracked interface down", what: `${vip} on the backup`, ms: moved.at - since, boundMs: SKEW_N2 + 20 });
      assert.ok(moved.at - since <= SKEW_N2 + 20 + SLACK, `took ${moved.at - since} ms`);
    }
    await neverTwo(500);
    const back = Date.now();
    await ip(n(0), "link", "set", "up0p", "up");
    for (const vip of [VIP4, VIP6]) {
      const returned = await lab.waitFor(() => watch.first(vip, true, back, "n1"), 3000, `${vip} back on n1`);
      recordTiming({ fault: "tracked interface up", what: `${vip} back on n1 (preempt)`, ms: returned.at - back });
    }
    await settled();
  });

  it("/healthz fails while the master's VRRP sends fail (strace injects EPERM), and recovers after", async () => {
    await settled();
    const h = n(0);
    assert.ok(await healthz(h));
    const pid = running.get("n1")!.child.pid!;
    const strace: ChildProcess = spawn(
      "strace",
      ["-f", "-qq", "-o", "/dev/null", "-p", String(pid), "-e", "trace=sendmsg", "-e", "inject=sendmsg:error=EPERM"],
      { stdio: "ignore" },
    );
    try {
      await lab.waitFor(async () => !(await healthz(h)), 5000, "/healthz failing");
      const body = await httpGetIn(lab, h, `http://${h.ipv4}:${PORT}/healthz`);
      assert.match(body, /^vrrp-socket eth0: /m);
      assert.equal(await status(h, "/readyz"), 200, "still ready: config loaded, routers running");
    } finally {
      strace.kill("SIGINT");
      await new Promise((r) => strace.once("exit", r));
    }
    await lab.waitFor(() => healthz(h), 10_000, "/healthz ok again");
    await settled();
  });
});
