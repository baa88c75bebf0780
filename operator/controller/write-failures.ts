/**
 * Failed API writes, one entry per object (pure bookkeeping, time passed
 * in): a write the API server refuses (too large, invalid, conflict, an
 * error) fails alone. The controller keeps converging every other object,
 * retries this one with its own backoff, and shows the failure on the
 * objects it concerns (conditions, Events, a metric).
 *
 * Backoff per object: 500 ms after the first failure, doubling up to 30 s;
 * up to 5 min when the same content will be refused again (too large,
 * invalid), so a refused multi-megabyte VRRPNode is not resent every 30 s.
 * A write whose content changed since it failed is due at once: the change
 * may be the fix (a VirtualIP removed from an oversized VRRPNode).
 */

/** Which write failed (the metric's `kind` label). */
export type WriteKind =
  | "vrrpnode-spec"
  | "vrrpnode-delete"
  | "virtualip-finalizer"
  | "virtualip-status"
  | "virtualip"
  | "service-status"
  | "pool-status";

/** What the API server said, as far as the error tells. */
export interface ApiRefusal {
  /** HTTP status; undefined when no response came (connection refused, timeout). */
  readonly code: number | undefined;
  /** The Status reason (RequestEntityTooLarge, Invalid, Conflict, InternalError, ...), or NoResponse. */
  readonly reason: string;
  readonly message: string;
}

export interface WriteFailure extends ApiRefusal {
  readonly kind: WriteKind;
  /** The object's name, `namespace/name` for Services. */
  readonly target: string;
  /** Consecutive failures of this write. */
  readonly attempts: number;
  /** Monotonic ms when it is due again. */
  readonly retryAt: number;
  /** Identifies the content that failed (a change makes the write due at once). */
  readonly content: string;
}

/** The outcome of one attempted write. */
export type WriteOutcome =
  | { readonly kind: "written" }
  | { readonly kind: "waiting"; readonly failure: WriteFailure }
  | { readonly kind: "failed"; readonly failure: WriteFailure; readonly firstOfItsKind: boolean };

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const MAX_DELAY_CONTENT_MS = 300_000;

/** Refusals of the content itself: sending it again unchanged is refused again. */
function refusesContent(r: ApiRefusal): boolean {
  return r.code === 400 || r.code === 413 || r.code === 422 || r.message.includes("request is too large");
}

const key = (kind: WriteKind, target: string) => `${kind}\u0000${target}`;

export class WriteFailures {
  private readonly entries = new Map<string, WriteFailure>();

  /** Tries `write` unless this object's last write of the same content failed and its backoff has not run out. */
  async attempt(kind: WriteKind, target: string, content: string, now: number, write: () => Promise<void>): Promise<WriteOutcome> {
    const before = this.entries.get(key(kind, target));
    if (before !== undefined && before.content === content && now < before.retryAt) return { kind: "waiting", failure: before };
    try {
      await write();
    } catch (error) {
      const refusal = describeApiError(error);
      const attempts = (before?.attempts ?? 0) + 1;
      const failure: WriteFailure = {
        kind,
        target,
        ...refusal,
        attempts,
        content,
        retryAt: now + Math.min(refusesContent(refusal) ? MAX_DELAY_CONTENT_MS : MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempts - 1)),
      };
      this.entries.set(key(kind, target), failure);
      // A new reason (or a first failure) is news worth an Event; the same refusal again is not.
      return {
        kind: "failed",
        failure,
        firstOfItsKind: before === undefined || before.reason !== failure.reason || before.message !== failure.message,
      };
    }
    this.entries.delete(key(kind, target));
    return { kind: "written" };
  }

  /** Forgets failures of `kind` whose object no longer needs a write (now equal, or gone). */
  settle(kind: WriteKind, stillWanted: (target: string) => boolean): void {
    for (const [k, f] of this.entries) if (f.kind === kind && !stillWanted(f.target)) this.entries.delete(k);
  }

  failing(kind: WriteKind, target: string): WriteFailure | undefined {
    return this.entries.get(key(kind, target));
  }

  all(): WriteFailure[] {
    return [...this.entries.values()];
  }

  /** When the earliest failed write is due again (undefined: nothing failing). */
  nextRetry(): number | undefined {
    let next: number | undefined;
    for (const f of this.entries.values()) if (next === undefined || f.retryAt < next) next = f.retryAt;
    return next;
  }
}

/**
 * The API server's answer inside a client-node error: ApiException carries
 * `code` and `body` (the Status, as text or parsed); a network error carries
 * neither.
 */
export function describeApiError(error: unknown): ApiRefusal {
  const e = (typeof error === "object" && error !== null ? error : {}) as { code?: unknown; body?: unknown; message?: unknown };
  let body: unknown = e.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      body = { message: body };
    }
  }
  const status = (typeof body === "object" && body !== null ? body : {}) as { reason?: unknown; message?: unknown; code?: unknown };
  const code = typeof e.code === "number" ? e.code : typeof status.code === "number" ? status.code : undefined;
  const reason =
    typeof status.reason === "string" && status.reason !== "" ? status.reason : code === undefined ? "NoResponse" : `HTTP${code}`;
  const message =
    typeof status.message === "string" && status.message !== "" ? status.message : error instanceof Error ? error.message : String(error);
  return { code, reason, message };
}

/** "refused by the API server (500 InternalError): etcdserver: request is too large". */
export function refusalText(f: ApiRefusal): string {
  return f.code === undefined
    ? `not written (no response from the API server): ${f.message}`
    : `refused by the API server (${f.code} ${f.reason}): ${f.message}`;
}
