/**
 * A bounded connection storm for the HTTP lab test, run with node inside a
 * client namespace: `node conn-storm.js HOST PORT COUNT DEADLINE_MS`. Opens up
 * to COUNT TCP connections to HOST:PORT (all at once, no request sent), waits
 * until each has connected or failed or the deadline has passed, then
 * destroys them all in the same tick. Prints {connected, failed, closedByPeer}
 * as JSON. Only lab addresses.
 */
import { connect, type Socket } from "node:net";

const MAX = 20_000;

async function main(): Promise<void> {
  const [host, portText, countText, deadlineText] = process.argv.slice(2);
  const count = Number(countText);
  if (!/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/.test(host ?? "")) throw new Error(`not a lab address: ${host}`);
  if (!(count > 0 && count <= MAX)) throw new Error(`COUNT must be 1..${MAX}`);
  const deadline = Date.now() + Number(deadlineText);
  const sockets: Socket[] = [];
  let connected = 0;
  let failed = 0;
  let closedByPeer = 0;
  const settled = Array.from({ length: count }, () => {
    const socket = connect({ host: host!, port: Number(portText) });
    sockets.push(socket);
    return new Promise<void>((resolve) => {
      socket.once("connect", () => (connected++, resolve()));
      socket.once("error", () => (failed++, resolve()));
      socket.once("end", () => closedByPeer++);
    });
  });
  await Promise.race([Promise.all(settled), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
  await new Promise((r) => setTimeout(r, 500)); // hold them a moment
  for (const s of sockets) s.destroy();
  process.stdout.write(JSON.stringify({ connected, failed, closedByPeer }) + "\n");
  process.exit(0);
}

if (process.argv[1]?.endsWith("conn-storm.js")) {
  main().catch((error: unknown) => {
    process.stderr.write(`conn-storm: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
