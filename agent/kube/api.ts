/**
 * The agent's whole Kubernetes surface, as a small interface (so the agent
 * logic is tested against fakes) and its implementation over plain HTTP
 * (rest.ts; see endpoint.ts for why not @kubernetes/client-node's generated
 * clients). These are also exactly the permissions the agent needs:
 * list/watch its own VRRPNode (field selector), patch its status, list/watch
 * pods on its node, get the Secrets its VRRPNode names. (It creates no
 * Events; the controller does.)
 *
 * The request helpers below carry client-node's method names and parameters
 * (CoreV1Api, CustomObjectsApi) for the calls the agent makes, so the
 * requests read as they would with the full client, and the RBAC test
 * (test/chart/rbac.test.ts) maps them to rules with the same table.
 */
import type { ApiEndpoint } from "./endpoint.js";
import type { PodObject } from "./pod-index.js";
import { rest, type Rest } from "./rest.js";
import { watchList, type Stoppable, type WatchHandlers } from "./rest-watch.js";

export type { Stoppable, WatchHandlers };

export const GROUP = "floatip.io";
export const VERSION = "v1alpha1";
export const VRRPNODES = "vrrpnodes";

export interface VrrpNodeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly generation?: number;
    readonly resourceVersion?: string;
  };
  readonly spec?: unknown;
  readonly status?: unknown;
}

export interface AgentKubeApi {
  watchVrrpNode(name: string, handlers: WatchHandlers<VrrpNodeObject>): Promise<Stoppable>;
  watchPodsOnNode(
    nodeName: string,
    handlers: WatchHandlers<PodObject> & { readonly onSynced: (pods: readonly PodObject[]) => void },
  ): Promise<Stoppable>;
  /** The Secret's data, base64-decoded. */
  readSecret(namespace: string, name: string): Promise<Readonly<Record<string, string>>>;
  patchVrrpNodeStatus(name: string, status: unknown): Promise<void>;
}

const enc = encodeURIComponent;

/** client-node's CoreV1Api, the agent's two calls. */
class CoreV1Api {
  constructor(private readonly http: Rest) {}
  listPodForAllNamespaces(p: { fieldSelector: string }): Promise<unknown> {
    return this.http.json("GET", "/api/v1/pods", { query: { fieldSelector: p.fieldSelector } });
  }
  async readNamespacedSecret(p: {
    namespace: string;
    name: string;
  }): Promise<{ data?: Record<string, string>; stringData?: Record<string, string> }> {
    return (await this.http.json("GET", `/api/v1/namespaces/${enc(p.namespace)}/secrets/${enc(p.name)}`)) as {
      data?: Record<string, string>;
    };
  }
}

/** client-node's CustomObjectsApi, the agent's two calls (cluster-scoped). */
class CustomObjectsApi {
  constructor(private readonly http: Rest) {}
  listClusterCustomObject(p: { group: string; version: string; plural: string; fieldSelector: string }): Promise<unknown> {
    return this.http.json("GET", `/apis/${p.group}/${p.version}/${p.plural}`, { query: { fieldSelector: p.fieldSelector } });
  }
  async patchClusterCustomObjectStatus(p: { group: string; version: string; plural: string; name: string; body: unknown }): Promise<void> {
    await this.http.json("PATCH", `/apis/${p.group}/${p.version}/${p.plural}/${enc(p.name)}/status`, {
      body: p.body,
      contentType: "application/merge-patch+json",
    });
  }
}

/** `makeApiClient` as on client-node's KubeConfig, over one endpoint. */
function apiClients(endpoint: ApiEndpoint) {
  const http = rest(endpoint);
  return { http, makeApiClient: <A>(api: new (http: Rest) => A): A => new api(http) };
}

export function restAgentApi(endpoint: ApiEndpoint): AgentKubeApi {
  const kc = apiClients(endpoint);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    watchVrrpNode(name, handlers) {
      const fieldSelector = `metadata.name=${name}`;
      return watchList<VrrpNodeObject>({
        rest: kc.http,
        path: `/apis/${GROUP}/${VERSION}/${VRRPNODES}`,
        fieldSelector,
        list: () => custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: VRRPNODES, fieldSelector }),
        handlers,
      });
    },
    watchPodsOnNode(nodeName, handlers) {
      const fieldSelector = `spec.nodeName=${nodeName}`;
      return watchList<PodObject>({
        rest: kc.http,
        path: "/api/v1/pods",
        fieldSelector,
        list: () => core.listPodForAllNamespaces({ fieldSelector }),
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
      await custom.patchClusterCustomObjectStatus({ group: GROUP, version: VERSION, plural: VRRPNODES, name, body: { status } });
    },
  };
}
