/**
 * List-then-watch of one resource for the agent, over rest.ts (the
 * controller keeps client-node's ListWatch in watch-list.ts; same handlers).
 *
 * Life cycle: list (every object is an upsert, objects gone since the last
 * list are deletes, then onSynced with the full set) → watch from the list's
 * resourceVersion → the server ends the watch (timeoutSeconds): watch again
 * from the last resourceVersion seen (events and BOOKMARKs advance it) →
 * 410 Gone (HTTP or an ERROR event: the resourceVersion was compacted away):
 * list again at once (after a pause if the watch from that list got 410 too) → any other failure: onError, list again after
 * RESTART_MS. stop() aborts the open request.
 */
import type { Rest } from "./rest.js";
import type { Stoppable, WatchHandlers } from "../../base/watch-list.js";

export type { Stoppable, WatchHandlers };

interface KubeObject {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly resourceVersion?: string };
}
interface KubeList<T> {
  readonly metadata?: { readonly resourceVersion?: string };
  readonly items?: readonly T[];
}

export const RESTART_MS = 2000;
/** The server ends each watch after this long; a new one resumes from the last resourceVersion. */
const WATCH_TIMEOUT_S = 290;
/** Silence for this long (no event, no BOOKMARK, no end) means a dead connection. */
const IDLE_MS = (WATCH_TIMEOUT_S + 30) * 1000;

class Gone extends Error {}

const keyOf = (o: KubeObject) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

/** Resolves once the first list-and-watch is established or has failed (then it keeps retrying). */
export async function watchList<T>(options: {
  readonly rest: Rest;
  readonly path: string;
  readonly list: () => Promise<unknown>;
  readonly fieldSelector?: string;
  readonly handlers: WatchHandlers<T>;
  readonly onSynced?: (items: readonly T[]) => void;
  readonly restartMs?: number;
}): Promise<Stoppable> {
  const { handlers } = options;
  const known = new Map<string, KubeObject>();
  let resourceVersion: string | undefined;
  let stopped = false;
  let abort = new AbortController();
  let wake: (() => void) | undefined;
  let first: (() => void) | undefined;
  const started = new Promise<void>((resolve) => (first = resolve));
  const settleFirst = () => {
    first?.();
    first = undefined;
  };

  const relist = async () => {
    const list = (await options.list()) as KubeList<KubeObject>;
    const items = list.items ?? [];
    const fresh = new Map(items.map((o) => [keyOf(o), o]));
    for (const [key, old] of known) if (!fresh.has(key)) handlers.onDelete(old as T);
    known.clear();
    for (const [key, o] of fresh) {
      known.set(key, o);
      handlers.onUpsert(o as T);
    }
    resourceVersion = list.metadata?.resourceVersion;
    options.onSynced?.(items as T[]);
  };

  const onEvent = (raw: unknown) => {
    const event = raw as { type?: string; object?: KubeObject & { code?: number; message?: string } };
    const o = event.object ?? {};
    if (event.type === "ERROR") {
      if (o.code === 410) throw new Gone(o.message ?? "resourceVersion too old");
      throw new Error(`watch ${options.path}: ERROR ${o.code ?? ""} ${o.message ?? ""}`);
    }
    if (o.metadata?.resourceVersion !== undefined) resourceVersion = o.metadata.resourceVersion;
    if (event.type === "ADDED" || event.type === "MODIFIED") {
      known.set(keyOf(o), o);
      handlers.onUpsert(o as T);
    } else if (event.type === "DELETED") {
      known.delete(keyOf(o));
      handlers.onDelete(o as T);
    }
    // BOOKMARK: only its resourceVersion matters.
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async () => {
    let needList = true;
    // A server that answers 410 to a watch from a fresh list would otherwise spin list/watch.
    let goneInARow = 0;
    while (!stopped) {
      try {
        const listed = needList;
        if (needList) await relist();
        needList = false;
        await options.rest.stream(
          options.path,
          {
            watch: true,
            fieldSelector: options.fieldSelector,
            resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: WATCH_TIMEOUT_S,
          },
          {
            signal: abort.signal,
            idleMs: IDLE_MS,
            onOpen: () => {
              goneInARow = 0;
              if (!listed) return;
              handlers.onConnected?.();
              settleFirst();
            },
            onEvent,
          },
        );
      } catch (error) {
        if (stopped) break;
        const gone = error instanceof Gone || (error as { code?: unknown })?.code === 410;
        needList = true;
        if (gone && ++goneInARow === 1) continue;
        handlers.onError?.(error);
        settleFirst();
        await pause(options.restartMs ?? RESTART_MS);
      }
    }
  };
  const done = loop();
  await started;
  return {
    async stop() {
      stopped = true;
      abort.abort();
      abort = new AbortController();
      wake?.();
      await done;
    },
  };
}
