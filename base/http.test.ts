import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { AgentMetrics } from "../agent/runtime/metrics.js";
import { startHttpEndpoint } from "./http.js";

// The socket reads (resume) whatever the server sends: a paused socket with the server's 408 unread
// never sees the end of the stream, so it would not close, and whether the server answered 408 before
// closing depends on which of its two timers fired first.
const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.resume();
    socket.once("error", reject);
  });

const closed = (socket: Socket, withinMs: number) =>
  new Promise<boolean>((resolve) => {
    if (socket.destroyed || socket.readyState === "closed") return resolve(true);
    const timer = setTimeout(() => resolve(false), withinMs);
    socket.once("close", () => (clearTimeout(timer), resolve(true)));
  });

// Issue 13 finding 5: every connection was accepted and kept; closing 10,000 at once stalled the loop.
describe("the agent's HTTP endpoint under a connection storm", () => {
  it("keeps at most maxConnections open; the rest are closed at once", async () => {
    const server = await startHttpEndpoint({
      host: "127.0.0.1",
      port: 0,
      registry: new AgentMetrics().registry,
      healthy: () => true,
      state: () => ({}),
      maxConnections: 8,
    });
    const { port } = server.address() as AddressInfo;
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 40; i++) sockets.push(await open(port));
      const results = await Promise.all(sockets.map((s) => closed(s, 500)));
      assert.equal(results.filter((c) => !c).length, 8, "8 connections stay open, the other 32 are closed");
    } finally {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      server.close();
    }
  });

  it("closes a connection that sends no complete request within the header timeout", async () => {
    const server = await startHttpEndpoint({
      host: "127.0.0.1",
      port: 0,
      registry: new AgentMetrics().registry,
      healthy: () => true,
      state: () => ({}),
      idleTimeoutMs: 300,
    });
    const { port } = server.address() as AddressInfo;
    const socket = await open(port);
    try {
      socket.write("GET /metrics HTTP/1.1\r\n"); // never finished
      assert.equal(await closed(socket, 3000), true);
    } finally {
      socket.destroy();
      server.close();
    }
  });
});
