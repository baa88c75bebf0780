/**
 * Adverts from ever-new forged sources for the memory lab test, run with node
 * inside an attacker namespace: `node forged-sender.js IFNAME VRID RATE SECONDS`.
 * Sends VRRPv3 adverts over IPv6 to ff02::12 on IFNAME, each from a new
 * source in 2001:db8:ff00::/40 (documentation addresses), with an address
 * list no instance has (so every one is dropped), RATE per second for
 * SECONDS (both bounded). The IPv6 header is written here (IPV6_HDRINCL, and
 * IPV6_FREEBIND so the kernel sends from an address the host does not have).
 * Prints {sent} as JSON.
 */
import { createRequire } from "node:module";
import { encodeAdvert } from "../../agent/vrrp/codec.js";

interface RawSocket {
  pauseRecv(): void;
  on(event: "error", listener: (error: Error | undefined) => void): void;
  send(buffer: Buffer, offset: number, length: number, address: string, after: (error: Error | undefined) => void): void;
  setOption(level: number, option: number, value: number): void;
  close(): void;
}
interface RawSocketModule {
  createSocket(options: { protocol: number; addressFamily?: number }): RawSocket;
  SocketLevel: { IPPROTO_IPV6: number };
  AddressFamily: { IPv6: number };
}

const IPV6_HDRINCL = 36;
const IPV6_FREEBIND = 78;
const MAX_RATE = 5000;
const MAX_SECONDS = 120;

/** The n-th forged source: 2001:db8:ffXX:XXXX:XX::1. */
function source(n: number): string {
  const hex = (v: number) => v.toString(16);
  return `2001:db8:ff${hex((n >>> 24) & 0xff).padStart(2, "0")}:${hex((n >>> 8) & 0xffff)}:${hex(n & 0xff)}::1`;
}

function addressBytes(text: string): Buffer {
  const [head, tail] = text.split("::") as [string, string | undefined];
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function packet(n: number, vrid: number): Buffer {
  const src = source(n);
  const payload = encodeAdvert(
    { version: 3, family: 6, virtualRouterId: vrid, priority: 254, advertIntervalMs: 100, addresses: ["2001:db8::ffff"] },
    { source: src, destination: "ff02::12" },
  );
  const header = Buffer.alloc(40);
  header.writeUInt32BE(0x60000000, 0);
  header.writeUInt16BE(payload.length, 4);
  header[6] = 112; // next header: VRRP
  header[7] = 255; // hop limit
  addressBytes(src).copy(header, 8);
  addressBytes("ff02::12").copy(header, 24);
  return Buffer.concat([header, payload]);
}

async function main(): Promise<void> {
  const [ifname, vridText, rateText, secondsText] = process.argv.slice(2);
  const vrid = Number(vridText);
  const rate = Number(rateText);
  const seconds = Number(secondsText);
  if (!/^[\w-]+$/.test(ifname ?? "") || !(vrid >= 1 && vrid <= 255)) throw new Error("usage: forged-sender IFNAME VRID RATE SECONDS");
  if (!(rate > 0 && rate <= MAX_RATE) || !(seconds > 0 && seconds <= MAX_SECONDS))
    throw new Error(`RATE 1..${MAX_RATE}, SECONDS 1..${MAX_SECONDS}`);
  const raw = createRequire(import.meta.url)("raw-socket") as RawSocketModule;
  const socket = raw.createSocket({ protocol: 112, addressFamily: raw.AddressFamily.IPv6 });
  socket.setOption(raw.SocketLevel.IPPROTO_IPV6, IPV6_HDRINCL, 1);
  socket.setOption(raw.SocketLevel.IPPROTO_IPV6, IPV6_FREEBIND, 1);
  socket.pauseRecv();
  // raw-socket closes the socket on a poll error and never calls a pending send back: fail that send.
  let pending: ((e: Error) => void) | undefined;
  socket.on("error", (e) => pending?.(e ?? new Error("raw socket closed on a poll error")));
  let done = false;
  let sent = 0;
  process.once("exit", () => {
    if (!done) {
      process.stderr.write(`forged-sender: stopped after ${sent} adverts\n`);
      process.exitCode = 1;
    }
  });
  const destination = `ff02::12%${ifname}`;
  const start = Date.now();
  const end = start + seconds * 1000;
  while (Date.now() < end) {
    // Catch up to the rate every 10 ms: at most `rate` adverts a second, whatever the timer does.
    const due = Math.min(Math.floor(((Date.now() - start) / 1000) * rate), rate * seconds);
    while (sent < due) {
      const bytes = packet(sent, vrid);
      await new Promise<void>((resolve, reject) => {
        pending = reject;
        socket.send(bytes, 0, bytes.length, destination, (e) => (e ? reject(e) : resolve()));
      });
      sent++;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  done = true;
  socket.close();
  process.stdout.write(JSON.stringify({ sent }) + "\n");
}

if (process.argv[1]?.endsWith("forged-sender.js")) {
  main().catch((error: unknown) => {
    process.stderr.write(`forged-sender: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
