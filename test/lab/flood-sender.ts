/**
 * A bounded hostile-packet sender for the flood lab test, run with node inside
 * an attacker namespace: `node flood-sender.js PLAN.json`. It sends the plan's
 * packets round-robin (IP protocol 112 over a raw IPv4 socket; the kernel
 * writes the IP header, with the TTL each packet asks for), `rounds` times,
 * `gapMs` apart, and stops at `deadlineMs` whatever it has sent. It prints
 * how many of each packet went out as JSON on stdout.
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
  send(buffer: Buffer, offset: number, length: number, address: string, after: (error: Error | undefined) => void): void;
  setOption(level: number, option: number, value: number): void;
  close(): void;
}
interface RawSocketModule {
  createSocket(options: { protocol: number }): RawSocket;
  SocketLevel: { IPPROTO_IP: number };
}

const IP_TTL = 2;
const IP_MULTICAST_TTL = 33;
const MAX_PACKETS = 20_000;

function documentation(address: string): boolean {
  return address === "224.0.0.18" || /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/.test(address);
}

async function main(): Promise<void> {
  const plan = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as FloodPlan;
  if (plan.rounds * plan.packets.length > MAX_PACKETS) throw new Error(`at most ${MAX_PACKETS} packets`);
  for (const p of plan.packets) if (!documentation(p.destination)) throw new Error(`not a lab address: ${p.destination}`);
  const raw = createRequire(import.meta.url)("raw-socket") as RawSocketModule;
  const socket = raw.createSocket({ protocol: 112 });
  const sent = plan.packets.map(() => 0);
  const deadline = Date.now() + plan.deadlineMs;
  try {
    for (let round = 0; round < plan.rounds && Date.now() < deadline; round++) {
      for (const [i, p] of plan.packets.entries()) {
        const multicast = p.destination === "224.0.0.18";
        socket.setOption(raw.SocketLevel.IPPROTO_IP, multicast ? IP_MULTICAST_TTL : IP_TTL, p.ttl);
        const bytes = Buffer.from(p.hex, "hex");
        await new Promise<void>((resolve, reject) => socket.send(bytes, 0, bytes.length, p.destination, (e) => (e ? reject(e) : resolve())));
        sent[i]!++;
        if (plan.gapMs > 0) await new Promise((r) => setTimeout(r, plan.gapMs));
      }
    }
  } finally {
    socket.close();
  }
  process.stdout.write(JSON.stringify({ sent }) + "\n");
}

if (process.argv[1]?.endsWith("flood-sender.js")) {
  main().catch((error: unknown) => {
    process.stderr.write(`flood-sender: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
