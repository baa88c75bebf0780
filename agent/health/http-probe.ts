/**
 * The HTTP health-check edge: one GET per probe, behind a small interface
 * so the runner (http-check-runner.ts) is tested with a fake. The real
 * prober uses node:http / node:https, a fresh connection per probe (no
 * keep-alive: a probe must see a restarted server as it is now), reads the
 * CA file on every probe (it may appear or be rotated after the agent
 * starts) and never reads the body.
 */
import type { IncomingMessage } from "node:http";
import type { HttpCheckTls } from "../config/types.js";
import { nodeHttp, nodeHttps } from "../../base/node-http.js";

export interface HttpProbeRequest {
  readonly url: string;
  readonly tls?: HttpCheckTls;
  /** Aborted by the runner on timeout or stop; the probe must then settle promptly. */
  readonly signal: AbortSignal;
}

/** What one probe saw. The runner adds "timeout" when it aborted the probe itself. */
export type HttpProbeOutcome =
  | { readonly type: "status"; readonly code: number }
  | { readonly type: "error"; readonly message: string }
  | { readonly type: "timeout"; readonly afterMs: number };

export interface HttpProber {
  get(request: HttpProbeRequest): Promise<HttpProbeOutcome>;
}

/** A success is a status from 200 to 399, as for Kubernetes httpGet probes. */
export function probeSucceeded(outcome: HttpProbeOutcome): boolean {
  return outcome.type === "status" && outcome.code >= 200 && outcome.code < 400;
}

export function describeProbe(outcome: HttpProbeOutcome): string {
  switch (outcome.type) {
    case "status":
      return `HTTP ${outcome.code}`;
    case "error":
      return `error: ${outcome.message}`;
    case "timeout":
      return `no answer within ${outcome.afterMs} ms`;
  }
}

export interface SystemProberDeps {
  /** Reads the CA file (PEM). */
  readonly readFile: (path: string) => Promise<string>;
}

export function systemHttpProber(deps: SystemProberDeps): HttpProber {
  return {
    async get(req) {
      const url = new URL(req.url);
      let ca: string | undefined;
      if (req.tls?.caFile !== undefined) {
        try {
          ca = await deps.readFile(req.tls.caFile);
        } catch (error) {
          return { type: "error", message: `cannot read CA file ${req.tls.caFile}: ${(error as Error).message}` };
        }
      }
      if (req.signal.aborted) return { type: "error", message: "aborted" };
      const https = url.protocol === "https:";
      const options = {
        method: "GET",
        agent: false as const,
        signal: req.signal,
        headers: { "user-agent": "floatip-agent", accept: "*/*" },
        ...(https
          ? {
              rejectUnauthorized: req.tls?.insecureSkipVerify !== true,
              ...(ca !== undefined ? { ca } : {}),
              ...(req.tls?.serverName !== undefined ? { servername: req.tls.serverName } : {}),
            }
          : {}),
      };
      // Loaded on the first probe: agents without HTTP checks never pay for node:http(s).
      const { request } = https ? nodeHttps() : nodeHttp();
      return new Promise<HttpProbeOutcome>((resolve) => {
        const onResponse = (res: IncomingMessage) => {
          resolve({ type: "status", code: res.statusCode ?? 0 });
          res.destroy(); // the status is all a probe needs
        };
        const client = request(url, options, onResponse);
        client.once("error", (error: Error) => resolve({ type: "error", message: error.message }));
        client.end();
      });
    },
  };
}
