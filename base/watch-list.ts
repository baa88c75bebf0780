/**
 * A list-then-watch of one resource over @kubernetes/client-node's
 * ListWatch, restarting itself after errors (API server away) and
 * reporting each interruption. Shared by the agent and the controller.
 */
import { KubeConfig, ListWatch, Watch, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";

export interface Stoppable {
  stop(): Promise<void>;
}

export interface WatchHandlers<T> {
  /** Added or changed (also every object of a relist). */
  readonly onUpsert: (obj: T) => void;
  readonly onDelete: (obj: T) => void;
  /** The watch broke; it is restarted by the implementation. */
  readonly onError?: (error: unknown) => void;
  /** A (re)started watch is established: the API server answers. */
  readonly onConnected?: () => void;
}

const RESTART_MS = 2000;

/** A ListWatch that restarts itself after errors (API server away), calling onError each time. */
export async function watchList<T>(options: {
  readonly kc: KubeConfig;
  readonly path: string;
  readonly list: () => Promise<object>;
  readonly fieldSelector?: string;
  readonly handlers: WatchHandlers<T>;
  readonly onSynced?: (items: readonly T[]) => void;
}): Promise<Stoppable> {
  // After each (re)list, once the informer has applied the items, report the full set.
  const list = async () => {
    const result = (await options.list()) as KubernetesListObject<KubernetesObject>;
    if (options.onSynced !== undefined) setImmediate(() => options.onSynced?.(lw.list() as unknown as T[]));
    return result;
  };
  const lw = new ListWatch<KubernetesObject>(options.path, new Watch(options.kc), list, false, undefined, options.fieldSelector);
  let stopped = false;
  let restart: NodeJS.Timeout | undefined;
  lw.on("add", (o) => options.handlers.onUpsert(o as unknown as T));
  lw.on("update", (o) => options.handlers.onUpsert(o as unknown as T));
  lw.on("delete", (o) => options.handlers.onDelete(o as unknown as T));
  // start() resolves once the watch request is answered.
  const restartLater = () =>
    setTimeout(() => void lw.start().then(options.handlers.onConnected, (e: unknown) => options.handlers.onError?.(e)), RESTART_MS);
  lw.on("error", (error: unknown) => {
    options.handlers.onError?.(error);
    if (stopped) return;
    clearTimeout(restart);
    restart = restartLater();
  });
  await lw.start().then(options.handlers.onConnected, (error: unknown) => {
    options.handlers.onError?.(error);
    restart = restartLater();
  });
  return {
    async stop() {
      stopped = true;
      clearTimeout(restart);
      await lw.stop();
    },
  };
}
