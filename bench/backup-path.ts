/**
 * The backup's part of a tracked interface loss, floatip against keepalived
 * in the same run: from the master's priority-0 advert arriving on the
 * backup's interface to the backup's address add, its first advert as master
 * and its first gratuitous ARP, each minus Skew_Time (what the protocol asks
 * the backup to wait). Arrival, advert and ARP are the kernel's packet
 * timestamps (tcpdump inside the backup's namespace, on its interface); the
 * address add is the kernel's RTM_NEWADDR as `ip -ts monitor address` prints
 * it, the same stamp the failover bench stops its clock on. Setup as the
 * failover bench's tracked-interface row (bench/failover.ts): two speakers,
 * the master's `up0` loses carrier once the pair has settled. Usage:
 *   node dist/bench/backup-path.js [--runs N] [--interval 10] [--impls floatip,keepalived] [--build NAME=DIR/bin/floatip ...]
 * --build adds another build's agent under NAME (a copy of the tree before a
 * change: bin/, dist/, package.json, build/ and node_modules), run
 * interleaved with the others so a change is measured against its
 * predecessor in the same lock slot.
 */
import type { ChildProcess } from "node:child_process";
import { createLab, type Lab } from "../test/lab/netns.js";
import { AddressWatch, keepalivedConf, soleHolder, startAgent, startKeepalived, stopSpeaker, type Speaker } from "../test/lab/vrrp-lab.js";
import { benchScratch, tcpdumpLines, type Impl } from "./multi.js";
import { cpuPercent, processTree, sample } from "./procstat.js";
import { SETTLE, settle } from "./settle.js";
import { summarize } from "./stats.js";

const VIP = "192.0.2.5";
const TRACKED = "up0";
const TRACKED_PEER = "up0p";
/** tcpdump's line for a gratuitous ARP of the VIP (who-has and tell both the VIP; the target MAC may be printed). */
const gratuitous = new RegExp(`^ARP, Request who-has ${VIP.replaceAll(".", "\\.")} (\\([^)]*\\) )?tell ${VIP.replaceAll(".", "\\.")},`);

/** The implementations, or the NAME of a --build. */
type Kind = Impl | string;

interface Packet {
  readonly at: number;
  readonly line: string;
}

/** Per run, ms after the priority-0 advert's arrival, minus Skew_Time. */
interface Split {
  readonly address: number;
  readonly advert: number;
  readonly garp: number;
}

function args(argv: readonly string[]) {
  let runs = 9;
  let interval = 10;
  let impls: Kind[] = ["floatip", "keepalived"];
  const builds = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const next = () => argv[++i] ?? "";
    if (argv[i] === "--runs") runs = Number(next());
    else if (argv[i] === "--interval") interval = Number(next());
    else if (argv[i] === "--impls") impls = next().split(",") as Kind[];
    else if (argv[i] === "--build") {
      const [name, bin] = next().split("=");
      if (name === undefined || bin === undefined) throw new Error("--build: expected NAME=PATH");
      builds.set(name, bin);
    }
  }
  return { runs, interval, impls: [...impls, ...builds.keys()], builds };
}

async function main(): Promise<void> {
  const { runs, interval, impls, builds } = args(process.argv.slice(2));
  const lab: Lab = await createLab({ nodes: 2, client: false });
  const scratch = benchScratch();
  const watch = new AddressWatch(lab);
  const packets: Packet[] = [];
  let dump: ChildProcess | undefined;
  const [backupHost, masterHost] = [lab.nodes[0]!, lab.nodes[1]!];
  const skewMs = ((256 - 100) * interval) / 256;
  const out: Record<string, Split[]> = {};
  try {
    for (const h of lab.nodes) {
      await lab.exec(h.ns, ["ip", "link", "add", TRACKED, "type", "veth", "peer", "name", TRACKED_PEER]);
      for (const name of [TRACKED_PEER, TRACKED]) await lab.exec(h.ns, ["ip", "link", "set", name, "up"]);
    }
    await watch.start([backupHost]);
    dump = tcpdumpLines(
      lab,
      backupHost.ns,
      ["-i", backupHost.ifname, "-n", "-l", "--immediate-mode", "-tt", "--time-stamp-precision=micro", "ip proto 112 or arp"],
      (line) => {
        const m = /^(\d+\.\d+) (.*)$/.exec(line);
        if (m !== null) packets.push({ at: Number(m[1]) * 1000, line: m[2]! });
        if (packets.length > 20_000) packets.splice(0, 10_000);
      },
    );
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < runs; i++) {
      for (const impl of impls) {
        const start = (host: typeof backupHost, priority: number): Speaker =>
          impl === "keepalived"
            ? startKeepalived({
                lab,
                host,
                scratch,
                conf: keepalivedConf({
                  ifname: host.ifname,
                  vrid: 51,
                  priority,
                  version: 3,
                  advertInt: String(interval / 1000),
                  vips: [`${VIP}/24`],
                  extra: `    track_interface {\n        ${TRACKED}\n    }\n`,
                }),
              })
            : startAgent({
                lab,
                host,
                scratch,
                ...(builds.has(impl) ? { bin: builds.get(impl)! } : {}),
                config: {
                  instances: [
                    {
                      name: "bench",
                      interface: host.ifname,
                      virtualRouterID: 51,
                      version: 3,
                      priority,
                      advertisementInterval: `${interval}ms`,
                      addresses: [`${VIP}/24`],
                      garp: { repeat: 1, delay: 0 },
                      track: { interfaces: [{ name: TRACKED }] },
                    },
                  ],
                },
                // A build with trace marks (not in main) writes them to this file.
                ...(process.env.FLOATIP_TRACE !== undefined && priority === 100
                  ? { env: { FLOATIP_TRACE: process.env.FLOATIP_TRACE } }
                  : {}),
              });
        const speakers = [start(backupHost, 100), start(masterHost, 150)];
        try {
          const holder = await soleHolder(lab, VIP, 20 * interval + 10_000, lab.nodes, Math.max(3 * interval, 300));
          if (holder !== "n2") throw new Error(`expected n2 to be master, got ${holder}`);
          await settle(
            SETTLE,
            async (windowMs) => {
              const pids = speakers.flatMap((s) => (s.child.pid === undefined ? [] : processTree(s.child.pid)));
              const before = sample(pids);
              const from = performance.now();
              await new Promise((r) => setTimeout(r, windowMs));
              return cpuPercent(before, sample(pids), performance.now() - from);
            },
            () => performance.now(),
          );
          await new Promise((r) => setTimeout(r, Math.random() * interval));
          const t0 = performance.timeOrigin + performance.now();
          void lab.exec(masterHost.ns, ["ip", "link", "set", TRACKED_PEER, "down"]);
          const added = await lab.waitFor(() => watch.first(VIP, true, t0, "n1"), 5000, "VIP on n1");
          await new Promise((r) => setTimeout(r, 100 + 3 * interval));
          const arrival = packets.find((p) => p.at > t0 && p.line.startsWith(`IP ${masterHost.ipv4} >`) && /prio 0\b/.test(p.line));
          if (arrival === undefined) throw new Error("no priority-0 advert seen on the backup");
          const advert = packets.find((p) => p.at > arrival.at && p.line.startsWith(`IP ${backupHost.ipv4} >`));
          const garp = packets.find((p) => p.at > arrival.at && gratuitous.test(p.line));
          const split: Split = {
            address: added.at - arrival.at - skewMs,
            advert: (advert?.at ?? Number.NaN) - arrival.at - skewMs,
            garp: (garp?.at ?? Number.NaN) - arrival.at - skewMs,
          };
          (out[impl] ??= []).push(split);
          process.stdout.write(
            `${impl} run ${i} (arrival ${arrival.at.toFixed(3)}): address ${split.address.toFixed(3)} advert ${split.advert.toFixed(3)} garp ${split.garp.toFixed(3)} ms after Skew_Time\n`,
          );
        } finally {
          await Promise.all(speakers.map((s) => stopSpeaker(lab, s, "SIGKILL")));
          for (const h of lab.nodes) {
            await lab.exec(h.ns, ["ip", "addr", "del", `${VIP}/24`, "dev", h.ifname]).catch(() => undefined);
            await lab.exec(h.ns, ["ip", "link", "set", TRACKED_PEER, "up"]);
          }
        }
      }
    }
  } finally {
    if (dump !== undefined) await lab.kill(dump);
    await watch.stop();
    await lab.destroy();
    scratch.cleanup();
  }
  process.stdout.write(`\nmedian (p95) ms after the priority-0 advert's arrival + Skew_Time (${skewMs.toFixed(2)} ms), ${runs} runs:\n`);
  for (const [impl, splits] of Object.entries(out)) {
    const part = (k: keyof Split) => {
      const s = summarize(splits.map((x) => x[k]).filter((v) => Number.isFinite(v)));
      return `${k} ${s.median.toFixed(3)} (${s.p95.toFixed(3)})`;
    };
    process.stdout.write(`${impl}: ${part("address")}, ${part("advert")}, ${part("garp")}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
