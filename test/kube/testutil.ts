// Helpers for tests that drive the test API server with client-node.
import { KubeConfig, Watch } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { apiStatus } from "./tools.js";

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 3000, what = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Runs `fn`, expecting a client-node ApiException; returns its Status. */
export async function rejects(fn: () => Promise<unknown>): Promise<NonNullable<ReturnType<typeof apiStatus>>> {
  try {
    await fn();
  } catch (e) {
    const s = apiStatus(e);
    if (s) return s;
    throw e;
  }
  throw new Error("expected the API call to fail");
}

export interface WatchEvent {
  type: string;
  object: {
    metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
    code?: number;
    reason?: string;
    [k: string]: unknown;
  };
}

export interface CollectedWatch {
  events: WatchEvent[];
  /** Resolves with the done() error (null on a clean end). */
  ended: Promise<unknown>;
  abort(): void;
}

/** A client-node Watch that records its events. */
export async function collectWatch(
  kc: KubeConfig,
  path: string,
  params: Record<string, string | number | boolean | undefined>,
): Promise<CollectedWatch> {
  const events: WatchEvent[] = [];
  let resolveEnd: (e: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((r) => (resolveEnd = r));
  const ctl = await new Watch(kc).watch(
    path,
    params,
    (type, object) => events.push({ type, object: object as WatchEvent["object"] }),
    (err) => resolveEnd(err),
  );
  return { events, ended, abort: () => ctl.abort() };
}
