/**
 * What a host on the segment sees of gratuitous ARP: its neighbour cache
 * (`ip neigh`) and the ARP frames on its wire (tcpdump with epoch
 * timestamps), both read inside the host's namespace.
 */
import type { ChildProcess } from "node:child_process";
import type { Lab, LabHost } from "./netns.js";

/** The MAC host's neighbour cache holds for address, if any. */
export async function neighbourMac(lab: Lab, host: LabHost, address: string): Promise<string | undefined> {
  const out = await lab.exec(host.ns, ["ip", "-j", "neigh", "show", address, "dev", host.ifname]);
  return (JSON.parse(out) as { lladdr?: string }[])[0]?.lladdr;
}

/** The MAC of a host's lab interface. */
export async function macOf(lab: Lab, host: LabHost): Promise<string> {
  const out = await lab.exec(host.ns, ["ip", "-j", "link", "show", "dev", host.ifname]);
  const mac = (JSON.parse(out) as { address?: string }[])[0]?.address;
  if (mac === undefined) throw new Error(`no MAC on ${host.name}/${host.ifname}`);
  return mac;
}

/** One gratuitous ARP seen on the wire: an ARP request for address from address. */
export interface SeenGarp {
  /** Wall-clock ms (tcpdump's capture time). */
  readonly at: number;
  readonly mac: string;
  readonly address: string;
}

export class GarpCapture {
  private stdout = "";
  private stderr = "";

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on("data", (d: Buffer) => (this.stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
  }

  /** tcpdump on host's interface, ARP only; resolves once it listens. */
  static async start(lab: Lab, host: LabHost): Promise<GarpCapture> {
    const capture = new GarpCapture(lab.spawnIn(host.ns, ["tcpdump", "-i", host.ifname, "-nn", "-e", "-tt", "-l", "arp"]));
    await lab.waitFor(() => capture.stderr.includes("listening on"), 5000, "tcpdump to start");
    return capture;
  }

  /** Gratuitous ARPs (who-has X tell X) seen so far, optionally for one address. */
  garps(address?: string): SeenGarp[] {
    const out: SeenGarp[] = [];
    const re = /^(\d+)\.(\d{6}) ([0-9a-f:]{17}) > ff:ff:ff:ff:ff:ff, .*Request who-has ([0-9.]+) (?:\([0-9a-f:]+\) )?tell ([0-9.]+)[,\s]/;
    for (const line of this.stdout.split("\n")) {
      const m = re.exec(line);
      if (m === null || m[4] !== m[5]) continue;
      if (address !== undefined && m[4] !== address) continue;
      out.push({ at: Number(m[1]) * 1000 + Number(m[2]) / 1000, mac: m[3]!, address: m[4]! });
    }
    return out;
  }

  text(): string {
    return this.stdout;
  }

  stop(lab: Lab): Promise<void> {
    return lab.kill(this.child);
  }
}

/** Splits time-ordered events into bursts: a gap longer than gapMs starts a new one. */
export function bursts<T extends { readonly at: number }>(events: readonly T[], gapMs: number): T[][] {
  const out: T[][] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (last !== undefined && e.at - last[last.length - 1]!.at <= gapMs) last.push(e);
    else out.push([e]);
  }
  return out;
}
