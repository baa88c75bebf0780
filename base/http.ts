/**
 * The agent's HTTP endpoint: /metrics (Prometheus text), /healthz
 * (liveness), /readyz (readiness), and /state (JSON snapshot of every
 * instance, read by `floatip check`). See liveness.ts for what they mean.
 *
 * It shares the event loop with the VRRP timers, so it is bounded: at most
 * maxConnections (64) open at once (Node closes the others as they are
 * accepted; the listen backlog is as small), and a connection idle or
 * without a complete request for idleTimeoutMs (10 s) is closed. A storm of
 * connections then costs little more than the accepts.
 */
import type { Server } from "node:http";
import type { Registry } from "prom-client";
import { describeLiveness, type Liveness } from "./liveness.js";
import { nodeHttp } from "./node-http.js";

export interface HttpEndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly healthy: () => boolean;
  /** When given, /healthz answers from it (a failing one lists its problems) instead of healthy(). */
  readonly liveness?: () => Liveness;
  /** /readyz; without it /readyz follows /healthz. */
  readonly ready?: () => boolean;
  readonly state: () => unknown;
  /** Connections open at once (default 64). */
  readonly maxConnections?: number;
  /** A connection idle, or without a whole request, this long is closed (default 10 s). */
  readonly idleTimeoutMs?: number;
}

export const DEFAULT_MAX_CONNECTIONS = 64;
export const DEFAULT_IDLE_TIMEOUT_MS = 10_000;

export function parseListenAddress(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? (match[2] || "0.0.0.0"), port };
}

export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<Server> {
  // Loaded here: an agent without --metrics-address does not need node:http.
  const { createServer } = nodeHttp();
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const limits = {
    headersTimeout: idleMs,
    requestTimeout: idleMs,
    keepAliveTimeout: Math.min(5000, idleMs),
    // How often the two timeouts above are checked (default 30 s).
    connectionsCheckingInterval: Math.min(1000, idleMs),
  };
  const server = createServer(limits, (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      options.registry.metrics().then(
        (body) => {
          res.writeHead(200, { "content-type": options.registry.contentType });
          res.end(body);
        },
        (error: unknown) => {
          res.writeHead(500);
          res.end(String(error));
        },
      );
    } else if (path === "/healthz" && options.liveness !== undefined) {
      const liveness = options.liveness();
      res.writeHead(liveness.ok ? 200 : 503, { "content-type": "text/plain" });
      res.end(describeLiveness(liveness));
    } else if (path === "/healthz" || path === "/readyz") {
      const ok = path === "/readyz" && options.ready !== undefined ? options.ready() : (options.liveness?.().ok ?? options.healthy());
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" });
      res.end(ok ? "ok\n" : "not ready\n");
    } else if (path === "/state") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(options.state()));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  server.maxConnections = maxConnections;
  server.timeout = idleMs;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port, host: options.host, backlog: maxConnections }, () => resolve());
  });
  return server;
}
