/**
 * A bounded hostile-packet sender for the flood lab test, run with node inside
 * an attacker namespace: `node flood-sender.js PLAN.json`. It sends the plan's
 * packets round-robin (IP protocol 112 over a raw IPv4 or IPv6 socket; the
 * kernel writes the IP header, with the TTL / hop limit each packet asks for),
 * `rounds` times, `gapMs` apart, and stops at `deadlineMs` whatever it has
 * sent. It prints how many of each packet went out as JSON on stdout.
 *
 * IPv6: the kernel fills in the VRRP checksum (IPV6_CHECKSUM at offset 6), so
 * a packet is valid whichever source address it picks; a link-local
 * destination names its interface (`ff02::12%eth0`).
 *
 * Only documentation addresses: the plan's destinations are checked.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

export interface FloodPacket {
  /** The VRRP payload (hex). */
  readonly hex: string;
  readonly ttl: number;
  readonly destination: string;
}

export interface FloodPlan {
  readonly packets: readonly FloodPacket[];
  readonly rounds: number;
  readonly gapMs: number;
  readonly deadlineMs: number;
}

interface RawSocket {
  pauseRecv(): void;
  on(event: "error", listener: (error: Error) => void): void;
  send(buffer: Buffer, offset: number, length: number, address: string, after: (error: Error | undefined) => void): void;
  setOption(level: number, option: number, value: number): void;
  close(): void;
}
interface RawSocketModule {
  createSocket(options: { protocol: number; addressFamily?: number }): RawSocket;
  SocketLevel: { IPPROTO_IP: number; IPPROTO_IPV6: number };
  AddressFamily: { IPv4: number; IPv6: number };
}

const IP_TTL = 2;
const IP_MULTICAST_TTL = 33;
const IPV6_CHECKSUM = 7;
const IPV6_UNICAST_HOPS = 16;
const IPV6_MULTICAST_HOPS = 18;
const MAX_PACKETS = 20_000;

function documentation(address: string): boolean {
  return (
    address === "224.0.0.18" ||
    /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/.test(address) ||
    /^ff02::12%[\w-]+$/.test(address) ||
    /^2001:db8:[0-9a-f:]*$/.test(address)
  );
}

const isV6 = (destination: string) => destination.includes(":");

/**
 * One raw socket per family, opened on first use. raw-socket closes a socket
 * on any poll error (an ICMP error for an earlier packet sets one) and then
 * never calls back a pending send: the channel opens a new socket and sends
 * the packet again.
 */
class Channel {
  private socket: RawSocket | undefined;
  private pending: { readonly packet: FloodPacket; readonly resolve: () => void; readonly reject: (e: Error) => void } | undefined;
  reopened = 0;

  constructor(
    private readonly raw: RawSocketModule,
    private readonly family: 4 | 6,
  ) {}

  send(packet: FloodPacket): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending = { packet, resolve, reject };
      this.issue();
    });
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private issue(): void {
    const { packet, resolve, reject } = this.pending!;
    const socket = (this.socket ??= this.open());
    if (this.family === 6) {
      socket.setOption(
        this.raw.SocketLevel.IPPROTO_IPV6,
        packet.destination.startsWith("ff") ? IPV6_MULTICAST_HOPS : IPV6_UNICAST_HOPS,
        packet.ttl,
      );
    } else {
      socket.setOption(this.raw.SocketLevel.IPPROTO_IP, packet.destination === "224.0.0.18" ? IP_MULTICAST_TTL : IP_TTL, packet.ttl);
    }
    const bytes = Buffer.from(packet.hex, "hex");
    socket.send(bytes, 0, bytes.length, packet.destination, (e) => {
      this.pending = undefined;
      if (e) reject(e);
      else resolve();
    });
  }

  private open(): RawSocket {
    const socket = this.raw.createSocket({ protocol: 112, ...(this.family === 6 ? { addressFamily: this.raw.AddressFamily.IPv6 } : {}) });
    // The kernel fills in the IPv6 checksum (its pseudo-header has the source address it picks).
    if (this.family === 6) socket.setOption(this.raw.SocketLevel.IPPROTO_IPV6, IPV6_CHECKSUM, 6);
    socket.pauseRecv(); // sending only
    socket.on("error", () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (++this.reopened > 100) return this.pending?.reject(new Error("raw socket failed 100 times"));
      if (this.pending !== undefined) this.issue();
    });
    return socket;
  }
}

async function main(): Promise<void> {
  const plan = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as FloodPlan;
  if (plan.rounds * plan.packets.length > MAX_PACKETS) throw new Error(`at most ${MAX_PACKETS} packets`);
  for (const p of plan.packets) if (!documentation(p.destination)) throw new Error(`not a lab address: ${p.destination}`);
  const raw = createRequire(import.meta.url)("raw-socket") as RawSocketModule;
  const channels = { 4: new Channel(raw, 4), 6: new Channel(raw, 6) };
  const sent = plan.packets.map(() => 0);
  const deadline = Date.now() + plan.deadlineMs;
  let done = false;
  // A send that is never called back would let the process end without a word: say where it stopped.
  process.once("exit", () => {
    if (done) return;
    process.stderr.write(
      `flood-sender: stopped after ${sent.join("/")} packets (socket reopened ${channels[4].reopened}+${channels[6].reopened} times)\n`,
    );
    process.exitCode = 1;
  });
  try {
    for (let round = 0; round < plan.rounds && Date.now() < deadline; round++) {
      for (const [i, p] of plan.packets.entries()) {
        await channels[isV6(p.destination) ? 6 : 4].send(p);
        sent[i]!++;
        if (plan.gapMs > 0) await new Promise((r) => setTimeout(r, plan.gapMs));
      }
    }
  } finally {
    done = true;
    channels[4].close();
    channels[6].close();
  }
  const reopened = channels[4].reopened + channels[6].reopened;
  process.stdout.write(JSON.stringify({ sent, reopened }) + "\n");
}

if (process.argv[1]?.endsWith("flood-sender.js")) {
  main().catch((error: unknown) => {
    process.stderr.write(`flood-sender: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
