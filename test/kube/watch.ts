// watch=true streams: newline-delimited JSON events (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR),
// resumable from a resourceVersion within the store's compaction window.
import type { ServerResponse } from "node:http";
import { Selector } from "./selectors.js";
import { Store } from "./store.js";
import { KubeObject, ResourceDef, StoredEvent, groupVersion } from "./types.js";
import { externalize } from "./write.js";

export interface WatchParams {
  def: ResourceDef;
  namespace?: string;
  selector: Selector;
  /** undefined, "" and "0" start with synthetic ADDED events for the current state. */
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  bookmarkIntervalMs: number;
  /** Changes the served form of event objects (Table rows for kubectl get -w, metadata only). */
  transform?: (o: KubeObject) => unknown;
}

export interface WatchHandle {
  readonly def: ResourceDef;
  readonly ended: boolean;
  /** Sends a BOOKMARK now (when the client allowed bookmarks). */
  bookmark(): void;
  close(): void;
}

type Out = { type: string; object: unknown };

export function serveWatch(store: Store, res: ServerResponse, p: WatchParams, onEnd: (h: WatchHandle) => void): WatchHandle {
  const timers: NodeJS.Timeout[] = [];
  let ended = false;
  let unsubscribe = (): void => undefined;

  const write = (e: Out): void => {
    if (ended) return;
    const object = p.transform && e.type !== "BOOKMARK" && e.type !== "ERROR" ? p.transform(e.object as KubeObject) : e.object;
    res.write(`${JSON.stringify({ type: e.type, object })}\n`);
  };
  const inScope = (o: KubeObject): boolean => !p.def.namespaced || p.namespace === undefined || o.metadata.namespace === p.namespace;
  const matches = (o: KubeObject | undefined): o is KubeObject => o !== undefined && inScope(o) && p.selector(o);
  const bookmarkObject = (annotations?: Record<string, string>): Out => ({
    type: "BOOKMARK",
    object: {
      kind: p.def.kind,
      apiVersion: groupVersion(p.def),
      metadata: { resourceVersion: String(store.currentRv()), creationTimestamp: null, ...(annotations ? { annotations } : {}) },
    },
  });

  const translate = (e: StoredEvent): Out | undefined => {
    if (e.storageKey !== p.def.storageKey) return undefined;
    const obj = externalize(p.def, e.object);
    if (e.type !== "MODIFIED") return matches(obj) ? { type: e.type, object: obj } : undefined;
    const was = matches(e.previous ? externalize(p.def, e.previous) : undefined);
    const is = matches(obj);
    if (was && is) return { type: "MODIFIED", object: obj };
    if (is) return { type: "ADDED", object: obj };
    if (was) return { type: "DELETED", object: obj };
    return undefined;
  };

  const handle: WatchHandle = {
    def: p.def,
    get ended() {
      return ended;
    },
    bookmark: () => {
      if (p.allowBookmarks) write(bookmarkObject());
    },
    close: () => {
      if (ended) return;
      ended = true;
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      res.end();
      onEnd(handle);
    },
  };

  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  res.on("close", handle.close);

  const rv = p.resourceVersion;
  if (rv === undefined || rv === "" || rv === "0" || p.sendInitialEvents) {
    for (const o of store.list(p.def.storageKey, p.def.namespaced ? p.namespace : undefined)) {
      const ext = externalize(p.def, o);
      if (matches(ext)) write({ type: "ADDED", object: ext });
    }
    if (p.sendInitialEvents && p.allowBookmarks) write(bookmarkObject({ "k8s.io/initial-events-end": "true" }));
  } else {
    const past = store.eventsSince(p.def.storageKey, Number(rv));
    if (past === "expired") {
      write({
        type: "ERROR",
        object: {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: `too old resource version: ${rv} (${store.oldestAvailableRv()})`,
          reason: "Expired",
          code: 410,
        },
      });
      handle.close();
      return handle;
    }
    for (const e of past) {
      const out = translate(e);
      if (out) write(out);
    }
  }
  unsubscribe = store.subscribe((e) => {
    const out = translate(e);
    if (out) write(out);
  });
  if (p.allowBookmarks && p.bookmarkIntervalMs > 0) {
    const tick = (): void => {
      handle.bookmark();
      timers[0] = setTimeout(tick, p.bookmarkIntervalMs);
    };
    timers.push(setTimeout(tick, p.bookmarkIntervalMs));
  }
  if (p.timeoutSeconds !== undefined && p.timeoutSeconds > 0) timers.push(setTimeout(handle.close, p.timeoutSeconds * 1000));
  return handle;
}
