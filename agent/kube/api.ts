/**
 * The agent's whole Kubernetes surface, as a small interface (so the agent
 * logic is tested against fakes) and its implementation over
 * @kubernetes/client-node. These are also exactly the permissions the agent
 * needs: get/list/watch its own VRRPNode, patch its status, list/watch pods
 * on its node, get the Secrets its VRRPNode names, create Events.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  ListWatch,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type KubernetesListObject,
  type KubernetesObject,
} from "@kubernetes/client-node";
import type { PodObject } from "./pod-index.js";

export const GROUP = "floatip.io";
export const VERSION = "v1alpha1";
export const VRRPNODES = "vrrpnodes";

export interface VrrpNodeObject extends KubernetesObject {
  readonly spec?: unknown;
  readonly status?: unknown;
}

export interface Stoppable {
  stop(): Promise<void>;
}

export interface WatchHandlers<T> {
  /** Added or changed (also every object of a relist). */
  readonly onUpsert: (obj: T) => void;
  readonly onDelete: (obj: T) => void;
  /** The watch broke; it is restarted by the implementation. */
  readonly onError?: (error: unknown) => void;
}

export interface AgentKubeApi {
  watchVrrpNode(name: string, handlers: WatchHandlers<VrrpNodeObject>): Promise<Stoppable>;
  watchPodsOnNode(nodeName: string, handlers: WatchHandlers<PodObject> & { readonly onSynced: (pods: readonly PodObject[]) => void }): Promise<Stoppable>;
  /** The Secret's data, base64-decoded. */
  readSecret(namespace: string, name: string): Promise<Readonly<Record<string, string>>>;
  patchVrrpNodeStatus(name: string, status: unknown): Promise<void>;
}

const RESTART_MS = 2000;

/** A ListWatch that restarts itself after errors (API server away), calling onError each time. */
async function startListWatch<T extends KubernetesObject>(options: {
  readonly kc: KubeConfig;
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly fieldSelector?: string;
  readonly handlers: WatchHandlers<T>;
  readonly onSynced?: (items: readonly T[]) => void;
}): Promise<Stoppable> {
  // After each (re)list, once the informer has applied the items, report the full set.
  const list = async () => {
    const result = await options.list();
    if (options.onSynced !== undefined) setImmediate(() => options.onSynced?.(lw.list()));
    return result;
  };
  const lw: ListWatch<T> = new ListWatch<T>(options.path, new Watch(options.kc), list, false, undefined, options.fieldSelector);
  let stopped = false;
  let restart: NodeJS.Timeout | undefined;
  lw.on("add", options.handlers.onUpsert);
  lw.on("update", options.handlers.onUpsert);
  lw.on("delete", options.handlers.onDelete);
  lw.on("error", (error: unknown) => {
    options.handlers.onError?.(error);
    if (stopped) return;
    clearTimeout(restart);
    restart = setTimeout(() => void lw.start().catch((e: unknown) => options.handlers.onError?.(e)), RESTART_MS);
  });
  await lw.start().catch((error: unknown) => {
    options.handlers.onError?.(error);
    restart = setTimeout(() => void lw.start().catch((e: unknown) => options.handlers.onError?.(e)), RESTART_MS);
  });
  return {
    async stop() {
      stopped = true;
      clearTimeout(restart);
      await lw.stop();
    },
  };
}

export function clientNodeAgentApi(kc: KubeConfig): AgentKubeApi {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    watchVrrpNode(name, handlers) {
      const fieldSelector = `metadata.name=${name}`;
      return startListWatch<VrrpNodeObject>({
        kc,
        path: `/apis/${GROUP}/${VERSION}/${VRRPNODES}`,
        fieldSelector,
        list: async () =>
          (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: VRRPNODES, fieldSelector })) as KubernetesListObject<VrrpNodeObject>,
        handlers,
      });
    },
    watchPodsOnNode(nodeName, handlers) {
      const fieldSelector = `spec.nodeName=${nodeName}`;
      return startListWatch<PodObject & KubernetesObject>({
        kc,
        path: "/api/v1/pods",
        fieldSelector,
        list: async () => (await core.listPodForAllNamespaces({ fieldSelector })) as KubernetesListObject<PodObject & KubernetesObject>,
        handlers,
        onSynced: handlers.onSynced,
      });
    },
    async readSecret(namespace, name) {
      const secret = await core.readNamespacedSecret({ namespace, name });
      const data: Record<string, string> = {};
      for (const [k, v] of Object.entries(secret.data ?? {})) data[k] = Buffer.from(v, "base64").toString("utf8");
      for (const [k, v] of Object.entries(secret.stringData ?? {})) data[k] = v;
      return data;
    },
    async patchVrrpNodeStatus(name, status) {
      await custom.patchClusterCustomObjectStatus(
        { group: GROUP, version: VERSION, plural: VRRPNODES, name, body: { status } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    },
  };
}
