/**
 * The agent's whole Kubernetes surface, as a small interface (so the agent
 * logic is tested against fakes) and its implementation over
 * @kubernetes/client-node. These are also exactly the permissions the agent
 * needs: list/watch its own VRRPNode (field selector), patch its status,
 * list/watch pods on its node, get the Secrets its VRRPNode names. (It
 * creates no Events; the controller does.)
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import type { PodObject } from "./pod-index.js";
import { watchList, type Stoppable, type WatchHandlers } from "./watch-list.js";

export type { Stoppable, WatchHandlers };

export const GROUP = "floatip.io";
export const VERSION = "v1alpha1";
export const VRRPNODES = "vrrpnodes";

export interface VrrpNodeObject extends KubernetesObject {
  readonly spec?: unknown;
  readonly status?: unknown;
}

export interface AgentKubeApi {
  watchVrrpNode(name: string, handlers: WatchHandlers<VrrpNodeObject>): Promise<Stoppable>;
  watchPodsOnNode(nodeName: string, handlers: WatchHandlers<PodObject> & { readonly onSynced: (pods: readonly PodObject[]) => void }): Promise<Stoppable>;
  /** The Secret's data, base64-decoded. */
  readSecret(namespace: string, name: string): Promise<Readonly<Record<string, string>>>;
  patchVrrpNodeStatus(name: string, status: unknown): Promise<void>;
}

export function clientNodeAgentApi(kc: KubeConfig): AgentKubeApi {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    watchVrrpNode(name, handlers) {
      const fieldSelector = `metadata.name=${name}`;
      return watchList<VrrpNodeObject>({
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
      return watchList<PodObject & KubernetesObject>({
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
