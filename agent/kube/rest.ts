/**
 * The agent's HTTP to the API server: JSON requests and watch streams over
 * node:http(s), authorised by an ApiEndpoint. No client library layer: the
 * agent makes four kinds of request (agent/kube/api.ts), and node's own
 * http module costs little to load (fetch would load undici; so would an ES
 * import of node:http: base/node-http.ts).
 *
 * A non-2xx answer becomes a KubeApiError carrying the HTTP status as
 * `code` (as client-node's ApiException does, so callers read both alike)
 * and the Status object's reason and message.
 */
import type { IncomingMessage } from "node:http";
import type { RequestOptions } from "node:https";
import { nodeHttp, nodeHttps } from "../../base/node-http.js";
import type { ApiEndpoint } from "./endpoint.js";

export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "KubeApiError";
  }
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** No answer within this long: the request fails (the API server answers in milliseconds). */
const REQUEST_TIMEOUT_MS = 30_000;

export interface Rest {
  json(
    method: string,
    path: string,
    options?: { readonly query?: Query; readonly body?: unknown; readonly contentType?: string },
  ): Promise<unknown>;
  /**
   * A watch: each JSON line of the response is handed to onEvent; resolves when the
   * server ends the stream, rejects on a non-2xx answer or a broken connection.
   * onOpen is called once the server answered 200.
   */
  stream(
    path: string,
    query: Query,
    handlers: {
      readonly onOpen: () => void;
      readonly onEvent: (event: unknown) => void;
      readonly signal: AbortSignal;
      readonly idleMs: number;
    },
  ): Promise<void>;
}

function url(endpoint: ApiEndpoint, path: string, query: Query | undefined): URL {
  const u = new URL(endpoint.server.replace(/\/+$/, "") + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
  return u;
}

async function send(
  endpoint: ApiEndpoint,
  method: string,
  target: URL,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<IncomingMessage> {
  const options: RequestOptions & { headers: Record<string, string> } = { method, headers: { Accept: "application/json", ...headers } };
  if (signal !== undefined) options.signal = signal;
  await endpoint.authorize(options);
  const request = target.protocol === "https:" ? nodeHttps().request : nodeHttp().request;
  return new Promise((resolve, reject) => {
    const req = request(target, options, resolve);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${target.pathname}: no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

async function readAll(res: IncomingMessage): Promise<string> {
  res.setEncoding("utf8");
  let text = "";
  for await (const chunk of res) text += chunk as string;
  return text;
}

async function failure(method: string, path: string, res: IncomingMessage): Promise<KubeApiError> {
  const text = await readAll(res).catch(() => "");
  let status: { reason?: unknown; message?: unknown } = {};
  try {
    status = JSON.parse(text) as typeof status;
  } catch {
    // not a Status object: the text itself is the message
  }
  const reason = typeof status.reason === "string" ? status.reason : undefined;
  const message = typeof status.message === "string" ? status.message : text.slice(0, 200);
  return new KubeApiError(
    res.statusCode ?? 0,
    reason,
    `${method} ${path}: HTTP ${res.statusCode}${reason !== undefined ? ` ${reason}` : ""}: ${message}`,
  );
}

export function rest(endpoint: ApiEndpoint): Rest {
  return {
    async json(method, path, options = {}) {
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const headers: Record<string, string> = body === undefined ? {} : { "Content-Type": options.contentType ?? "application/json" };
      const res = await send(endpoint, method, url(endpoint, path, options.query), headers, body, undefined, REQUEST_TIMEOUT_MS);
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) throw await failure(method, path, res);
      const text = await readAll(res);
      return text === "" ? undefined : (JSON.parse(text) as unknown);
    },
    async stream(path, query, handlers) {
      // The socket timeout doubles as an idle timeout: BOOKMARKs and the server's own
      // timeoutSeconds keep a healthy watch talking, a silently dead one is cut.
      const res = await send(endpoint, "GET", url(endpoint, path, query), {}, undefined, handlers.signal, handlers.idleMs);
      if (res.statusCode !== 200) throw await failure("GET", path, res);
      handlers.onOpen();
      res.setEncoding("utf8");
      let pending = "";
      await new Promise<void>((resolve, reject) => {
        res.on("data", (chunk: string) => {
          pending += chunk;
          let nl: number;
          while ((nl = pending.indexOf("\n")) >= 0) {
            const line = pending.slice(0, nl).trim();
            pending = pending.slice(nl + 1);
            if (line === "") continue;
            try {
              handlers.onEvent(JSON.parse(line));
            } catch (error) {
              res.destroy(error instanceof Error ? error : new Error(String(error)));
              return;
            }
          }
        });
        res.on("end", resolve);
        res.on("error", reject);
        res.on("close", () => (res.complete ? resolve() : reject(new Error(`watch ${path}: connection closed`))));
      });
    },
  };
}
