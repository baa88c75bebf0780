/**
 * Failover benchmark: floatip agent→agent against keepalived→keepalived on
 * the same namespace lab, in the same run, at the same advert interval.
 *
 *   node loss: the master's switch port goes down (carrier lost); time until
 *              the backup's interface carries the VIP.
 *   handover:  SIGTERM to the master; time until the backup carries the VIP.
 *   tracked interface loss: the master's tracked interface (`up0`, a veth
 *              inside its namespace) loses carrier (its peer set down); the
 *              master goes to FAULT and sends priority 0; time until the
 *              backup carries the VIP (floor: Skew_Time).
 *
 * Every fault is injected once the speakers have settled (bench/settle.ts:
 * their CPU over a window has dropped to a steady level; the same rule for
 * both implementations; `--settle off` injects as soon as the election has
 * settled, as runs before 2026-12-06 evening did).
 * Times come from kernel address events (`ip -ts monitor address`, µs) minus
 * the wall clock (µs) just before the fault was injected; a tracked
 * interface loss is timed from the kernel's announcement of the carrier loss
 * (`ip -ts monitor link` in the master's namespace, bench/link-watch.ts)
 * instead (with --split: or from the master's priority-0 advert on the
 * bridge, if that stamp is earlier), with the time from before the `ip`
 * command that causes it kept as a second column. A node loss is
 * injected at phases spread evenly over the advert interval (after an advert
 * of the master seen on the lab bridge), the same phases for both
 * implementations; a handover at a random moment. For node loss the
 * master's last advert before the fault (tcpdump on the lab bridge, µs) is
 * recorded too: the time from it to the VIP on the backup does not depend on
 * where in the advert interval the fault fell, which moves single node-loss
 * times by up to an interval (the floor is MDI minus that phase). Usage:
 *   node dist/bench/failover.js [--runs N] [--intervals 1000:2,100:3,10:3] [--faults node-loss,handover,tracked-interface] [--settle on|off] [--out FILE] [--json FILE]
 * --json also writes every sample (FailoverResultsJson), e.g. for bench/plots.ts.
 * --merge a.json,b.json,... writes --out (and --json) from cells run one at a
 * time (each under the lab lock) instead of running anything. --split also
 * runs tcpdump for tracked interface loss and records when the master's
 * priority-0 advert crossed the bridge (master's part vs backup's part).
 */
import { writeFileSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import { createLab, type Lab } from "../test/lab/netns.js";
import {
  AddressWatch,
  Scratch,
  keepalivedConf,
  soleHolder,
  startAgent,
  startKeepalived,
  stopSpeaker,
  type Speaker,
} from "../test/lab/vrrp-lab.js";
import { LinkWatch } from "./link-watch.js";
import { benchScratch, tcpdumpLines } from "./multi.js";
import { cpuPercent, processTree, sample } from "./procstat.js";
import { SETTLE, settle, type SettleOutcome } from "./settle.js";
import { summarize } from "./stats.js";
import {
  machine,
  mergeCells,
  settleSummary,
  table,
  type Fault,
  type FailoverResultsJson,
  type Impl,
  type Row,
  type Setting,
} from "./failover-report.js";

export type { FailoverResultsJson } from "./failover-report.js";

const VIP = "192.0.2.5";
const MASTER_PRIORITY = 150;
const BACKUP_PRIORITY = 100;

const FAULTS: readonly Fault[] = ["node-loss", "handover", "tracked-interface"];
/** The interface both implementations track: a veth inside each node whose peer's state is its carrier. */
const TRACKED = "up0";
const TRACKED_PEER = "up0p";

/** One failover: from the fault, and (node loss) from the master's last advert before it. */
interface Sample {
  readonly ms: number;
  readonly sinceLastAdvertMs: number | undefined;
  /** Tracked interface loss: from before the `ip` command (ms is from the kernel's link event). */
  readonly fromCommandMs: number | undefined;
  /** Tracked interface loss with --split: from the kernel's link event to the master's priority-0 advert on the bridge. */
  readonly toAdvertMs: number | undefined;
  readonly settle: SettleOutcome | undefined;
}

/** VRRP adverts on the lab bridge with their kernel timestamps (wall ms, µs precision). */
class AdvertWatch {
  private readonly seen: { at: number; source: string; priority: number }[] = [];
  private child: ChildProcess | undefined;

  constructor(private readonly lab: Lab) {}

  async start(): Promise<void> {
    this.seen.length = 0;
    // Immediate mode: each packet as it comes (by default the kernel hands them over in blocks, late).
    const args = ["-i", "br0", "-n", "-l", "--immediate-mode", "-tt", "--time-stamp-precision=micro", "ip proto 112"];
    this.child = tcpdumpLines(this.lab, this.lab.switchNs, args, (line) => {
      const m = /^(\d+\.\d+) IP (\S+) > .*prio (\d+)/.exec(line);
      if (m !== null) this.seen.push({ at: Number(m[1]) * 1000, source: m[2]!, priority: Number(m[3]) });
      if (this.seen.length > 20_000) this.seen.splice(0, 10_000);
    });
    await new Promise((r) => setTimeout(r, 500)); // let tcpdump open the interface
  }

  /** Wall ms of the first advert from source with priority after `after`. */
  firstAfter(source: string, priority: number, after: number): number | undefined {
    return this.seen.find((a) => a.at > after && a.source === source && a.priority === priority)?.at;
  }

  /** Wall ms of the last advert from source with priority before `before`. */
  lastBefore(source: string, priority: number, before: number): number | undefined {
    for (let i = this.seen.length - 1; i >= 0; i--) {
      const a = this.seen[i]!;
      if (a.at < before && a.source === source && a.priority === priority) return a.at;
    }
    return undefined;
  }

  async stop(): Promise<void> {
    if (this.child !== undefined) await this.lab.kill(this.child);
    this.child = undefined;
  }
}

const skew = (s: Setting, p: number) => (s.version === 2 ? ((256 - p) * 1000) / 256 : ((256 - p) * s.intervalMs) / 256);
const masterDown = (s: Setting, p: number) => 3 * s.intervalMs + skew(s, p);

function parseArgs(argv: readonly string[]) {
  let runs = 20;
  let settings: Setting[] = [
    { intervalMs: 1000, version: 2 },
    { intervalMs: 100, version: 3 },
    { intervalMs: 10, version: 3 },
  ];
  let out = "bench/results-failover.md";
  let json: string | undefined;
  let faults: readonly Fault[] = FAULTS;
  let settleFirst = true;
  let merge: string[] | undefined;
  let split = false;
  for (let i = 0; i < argv.length; i++) {
    const next = () => argv[++i] ?? "";
    if (argv[i] === "--runs") runs = Number(next());
    else if (argv[i] === "--out") out = next();
    else if (argv[i] === "--json") json = next();
    else if (argv[i] === "--merge") merge = next().split(",");
    else if (argv[i] === "--split") split = true;
    else if (argv[i] === "--settle") {
      const v = next();
      if (v !== "on" && v !== "off") throw new Error(`--settle: expected on or off, got ${v}`);
      settleFirst = v === "on";
    } else if (argv[i] === "--faults") {
      faults = next().split(",") as Fault[];
      const unknown = faults.filter((f) => !FAULTS.includes(f));
      if (unknown.length > 0) throw new Error(`--faults: unknown ${unknown.join(", ")} (known: ${FAULTS.join(", ")})`);
    } else if (argv[i] === "--intervals") {
      settings = next()
        .split(",")
        .map((part) => {
          const [ms, v] = part.split(":");
          return { intervalMs: Number(ms), version: Number(v) === 2 ? 2 : 3 } as Setting;
        });
    }
  }
  return { runs, settings, out, json, faults, settleFirst, merge, split };
}

class Bench {
  private readonly running: Speaker[] = [];
  constructor(
    private readonly lab: Lab,
    private readonly scratch: Scratch,
    private readonly watch: AddressWatch,
    private readonly adverts: AdvertWatch,
    private readonly links: LinkWatch,
    private readonly settleFirst: boolean,
  ) {}

  /** `track`: the instance tracks up0 (only for the tracked interface case, so the other rows stay as they were). */
  start(impl: Impl, index: number, setting: Setting, priority: number, track = false): Speaker {
    const host = this.lab.nodes[index]!;
    const speaker =
      impl === "keepalived"
        ? startKeepalived({
            lab: this.lab,
            host,
            scratch: this.scratch,
            conf: keepalivedConf({
              ifname: host.ifname,
              vrid: 51,
              priority,
              version: setting.version,
              advertInt: String(setting.intervalMs / 1000),
              vips: [`${VIP}/24`],
              ...(track ? { extra: `    track_interface {\n        ${TRACKED}\n    }\n` } : {}),
            }),
          })
        : startAgent({
            lab: this.lab,
            host,
            scratch: this.scratch,
            config: {
              instances: [
                {
                  name: "bench",
                  interface: host.ifname,
                  virtualRouterID: 51,
                  version: setting.version,
                  priority,
                  advertisementInterval: `${setting.intervalMs}ms`,
                  addresses: [`${VIP}/24`],
                  garp: { repeat: 1, delay: 0 },
                  ...(track ? { track: { interfaces: [{ name: TRACKED }] } } : {}),
                },
              ],
            },
          });
    this.running.push(speaker);
    return speaker;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running.splice(0).map((s) => stopSpeaker(this.lab, s, "SIGKILL")));
    for (const h of this.lab.nodes) {
      await this.lab.exec(h.ns, ["ip", "addr", "del", `${VIP}/24`, "dev", h.ifname]).catch(() => undefined);
      await this.lab.setPortUp(h);
      await this.lab.exec(h.ns, ["ip", "link", "set", TRACKED_PEER, "up"]);
    }
  }

  /** Every node gets its tracked interface, up (once per lab). */
  async addTrackedInterfaces(): Promise<void> {
    for (const h of this.lab.nodes) {
      await this.lab.exec(h.ns, ["ip", "link", "add", TRACKED, "type", "veth", "peer", "name", TRACKED_PEER]);
      for (const name of [TRACKED_PEER, TRACKED]) await this.lab.exec(h.ns, ["ip", "link", "set", name, "up"]);
    }
  }

  /** Returns `phase` of an interval after one of the master's adverts (as tcpdump on the bridge saw it). */
  private async afterAdvert(setting: Setting, phase: number): Promise<void> {
    const wall = () => performance.timeOrigin + performance.now();
    const from = wall();
    const master = this.lab.nodes[1]!.ipv4;
    const seen = await this.lab.waitFor(
      () => this.adverts.firstAfter(master, MASTER_PRIORITY, from),
      3 * setting.intervalMs + 5000,
      "a master advert",
    );
    // Adverts are periodic: the same phase of a later interval if this one has passed already.
    let target = seen + phase * setting.intervalMs;
    while (target < wall() + 2) target += setting.intervalMs;
    await new Promise((r) => setTimeout(r, Math.max(0, target - wall() - 2)));
    while (wall() < target) {
      // the last 2 ms or less: setTimeout counts whole milliseconds
    }
  }

  /**
   * One fault; ms from injection (and from the master's last advert) to the
   * VIP on the backup (n1). A node loss falls `phase` (0..1) of an interval
   * after one of the master's adverts, so both implementations see the same
   * phases (a node-loss time is Master_Down_Interval minus that phase).
   */
  async once(impl: Impl, setting: Setting, fault: Fault, phase: number): Promise<Sample> {
    const track = fault === "tracked-interface";
    const backup = this.start(impl, 0, setting, BACKUP_PRIORITY, track);
    const master = this.start(impl, 1, setting, MASTER_PRIORITY, track);
    const stable = Math.max(3 * setting.intervalMs, 300);
    const holder = await soleHolder(this.lab, VIP, 20 * setting.intervalMs + 10_000, this.lab.nodes, stable);
    if (holder !== "n2") throw new Error(`expected n2 to be master, got ${holder}`);
    const settled = this.settleFirst ? await this.settle([backup, master]) : undefined;
    if (fault === "node-loss") await this.afterAdvert(setting, phase);
    else await new Promise((r) => setTimeout(r, Math.random() * setting.intervalMs)); // any moment: Skew_Time runs from the priority 0 (handover, tracked interface)
    const t0 = performance.timeOrigin + performance.now(); // wall ms with µs, like the address events
    if (fault === "node-loss") await this.lab.setPortDown(this.lab.nodes[1]!);
    else if (fault === "tracked-interface") void this.lab.exec(this.lab.nodes[1]!.ns, ["ip", "link", "set", TRACKED_PEER, "down"]);
    else void stopSpeaker(this.lab, master, "SIGTERM");
    const event = await this.lab.waitFor(() => this.watch.first(VIP, true, t0, "n1"), 10 * setting.intervalMs + 5000, "VIP on n1");
    // The kernel announced the carrier loss before the backup could act on it: it is in by now.
    const lost = track ? await this.lab.waitFor(() => this.links.carrierLost(TRACKED, t0), 2000, "up0's carrier loss") : undefined;
    // With --split (tcpdump running): the master's priority-0 advert, which divides the time between master and backup.
    const farewell = track ? this.adverts.firstAfter(this.lab.nodes[1]!.ipv4, 0, t0) : undefined;
    if (fault === "node-loss") {
      // Every advert up to the takeover has been read once the new master's first one has.
      const backup = this.lab.nodes[0]!.ipv4;
      await this.lab
        .waitFor(() => this.adverts.firstAfter(backup, BACKUP_PRIORITY, event.at - 1), 2000, "the new master's advert")
        .catch(() => undefined);
    }
    await this.stopAll();
    // The last advert that crossed the bridge: the port goes down a few ms after t0 (the `ip` command), and nothing passes after.
    const last = fault === "node-loss" ? this.adverts.lastBefore(this.lab.nodes[1]!.ipv4, MASTER_PRIORITY, event.at) : undefined;
    // `ip monitor` wakes alongside the speakers listening to the same event and sometimes prints after
    // the priority-0 advert it caused has crossed the bridge (floatip's link thread sends it at once):
    // with --split the clock starts at whichever came first, the same rule for both implementations.
    const start = lost === undefined ? t0 : Math.min(lost.at, farewell ?? lost.at);
    return {
      ms: event.at - start,
      sinceLastAdvertMs: last === undefined ? undefined : event.at - last,
      fromCommandMs: lost === undefined ? undefined : event.at - t0,
      toAdvertMs: lost === undefined || farewell === undefined ? undefined : farewell - lost.at,
      settle: settled,
    };
  }

  /** Waits until both speakers' start-up work is over (bench/settle.ts), the same rule for both implementations. */
  private async settle(speakers: readonly Speaker[]): Promise<SettleOutcome> {
    const wall = () => performance.now();
    return settle(
      SETTLE,
      async (windowMs) => {
        const pids = speakers.flatMap((s) => (s.child.pid === undefined ? [] : processTree(s.child.pid)));
        const before = sample(pids);
        const from = wall();
        await new Promise((r) => setTimeout(r, windowMs));
        return cpuPercent(before, sample(pids), wall() - from);
      },
      wall,
    );
  }
}

async function main(): Promise<void> {
  const { runs, settings, out, json, faults, settleFirst, merge, split } = parseArgs(process.argv.slice(2));
  if (merge !== undefined) return mergeCells(merge, out, json);
  const lab = await createLab({ nodes: 2, client: false });
  const scratch = benchScratch();
  const watch = new AddressWatch(lab);
  const adverts = new AdvertWatch(lab);
  const links = new LinkWatch(lab);
  const rows: Row[] = [];
  try {
    await watch.start(lab.nodes);
    await links.start(lab.nodes[1]!);
    const bench = new Bench(lab, scratch, watch, adverts, links, settleFirst);
    await bench.addTrackedInterfaces();
    for (const setting of settings) {
      for (const fault of faults) {
        const samples: Record<Impl, number[]> = { floatip: [], keepalived: [] };
        const since: Record<Impl, number[]> = { floatip: [], keepalived: [] };
        const fromCommand: Record<Impl, number[]> = { floatip: [], keepalived: [] };
        const toAdvert: Record<Impl, number[]> = { floatip: [], keepalived: [] };
        const settles: Record<Impl, SettleOutcome[]> = { floatip: [], keepalived: [] };
        // tcpdump only where it is needed: its wake-ups would also load handover runs.
        if (fault === "node-loss" || (split && fault === "tracked-interface")) await adverts.start();
        // Interleave the two implementations so drift on a shared machine hits both alike.
        for (let i = 0; i < runs; i++) {
          for (const impl of ["floatip", "keepalived"] as const) {
            // Node loss: phases spread evenly over the interval, the same for both implementations.
            const sample = await bench.once(impl, setting, fault, (i + 0.5) / runs);
            samples[impl].push(sample.ms);
            if (sample.sinceLastAdvertMs !== undefined) since[impl].push(sample.sinceLastAdvertMs);
            if (sample.fromCommandMs !== undefined) fromCommand[impl].push(sample.fromCommandMs);
            if (sample.toAdvertMs !== undefined) toAdvert[impl].push(sample.toAdvertMs);
            if (sample.settle !== undefined) settles[impl].push(sample.settle);
          }
        }
        await adverts.stop();
        const floorMs = fault === "node-loss" ? masterDown(setting, BACKUP_PRIORITY) : skew(setting, BACKUP_PRIORITY);
        const row: Row = {
          setting,
          fault,
          floorMs,
          results: { floatip: summarize(samples.floatip), keepalived: summarize(samples.keepalived) },
          samples,
          ...(since.floatip.length > 0 && since.keepalived.length > 0
            ? { sinceLastAdvert: { floatip: summarize(since.floatip), keepalived: summarize(since.keepalived) } }
            : {}),
          ...(fromCommand.floatip.length > 0 && fromCommand.keepalived.length > 0
            ? { fromCommand: { floatip: summarize(fromCommand.floatip), keepalived: summarize(fromCommand.keepalived) } }
            : {}),
          ...(toAdvert.floatip.length > 0 && toAdvert.keepalived.length > 0
            ? { toAdvert: { floatip: summarize(toAdvert.floatip), keepalived: summarize(toAdvert.keepalived) } }
            : {}),
          ...(settles.floatip.length > 0 && settles.keepalived.length > 0
            ? { settle: { floatip: settleSummary(settles.floatip), keepalived: settleSummary(settles.keepalived) } }
            : {}),
        };
        rows.push(row);
        process.stdout.write(
          `${table([row], runs, settleFirst).split("\n")[2]} settle ${JSON.stringify(row.settle)}${row.toAdvert !== undefined ? ` event->priority 0 ${row.toAdvert.floatip.median.toFixed(2)} / ${row.toAdvert.keepalived.median.toFixed(2)} ms` : ""}\n`,
        );
      }
    }
  } finally {
    await watch.stop();
    await adverts.stop();
    await links.stop();
    await lab.destroy();
    scratch.cleanup();
  }
  const text = `# Failover: floatip vs keepalived\n\n${new Date().toISOString()} on ${machine()}\n\n${table(rows, runs, settleFirst)}\n`;
  writeFileSync(out, text);
  if (json !== undefined) {
    const data: FailoverResultsJson = {
      date: new Date().toISOString(),
      machine: machine(),
      runs,
      settleFirst,
      rows: rows.map((r) => ({
        intervalMs: r.setting.intervalMs,
        version: r.setting.version,
        fault: r.fault,
        floorMs: r.floorMs,
        results: r.results,
        samples: r.samples ?? { floatip: [], keepalived: [] },
        ...(r.sinceLastAdvert !== undefined ? { sinceLastAdvert: r.sinceLastAdvert } : {}),
        ...(r.fromCommand !== undefined ? { fromCommand: r.fromCommand } : {}),
        ...(r.toAdvert !== undefined ? { toAdvert: r.toAdvert } : {}),
        ...(r.settle !== undefined ? { settle: r.settle } : {}),
      })),
    };
    writeFileSync(json, JSON.stringify(data, null, 1) + "\n");
  }
  process.stdout.write(`\n${text}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
