/**
 * Everything the controller does to the Kubernetes API, as one small
 * interface (faked in unit tests) and its implementation over
 * @kubernetes/client-node. The RBAC rules in the Helm chart grant exactly
 * these calls.
 */
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  EventsV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1Lease,
} from "@kubernetes/client-node";
import { GROUP, VERSION, type VirtualIP, type VRRPNode } from "../api/types.js";
import type { VirtualIPPool } from "../api/pool.js";
import { watchList, type WatchHandlers, type Stoppable } from "../../base/watch-list.js";

export const VIRTUALIPS = "virtualips";
export const VRRPNODES = "vrrpnodes";
export const VIRTUALIPPOOLS = "virtualippools";

export interface EventInput {
  readonly kind: "VirtualIP" | "VRRPNode";
  readonly name: string;
  readonly uid?: string;
  readonly type: "Normal" | "Warning";
  readonly reason: string;
  readonly message: string;
}

export interface LeaseRecord {
  readonly holder: string | undefined;
  readonly renewTime: Date | undefined;
  readonly leaseDurationSeconds: number;
  readonly resourceVersion: string | undefined;
}

export interface ControllerKubeApi {
  watchVirtualIPs(handlers: WatchHandlers<VirtualIP>): Promise<Stoppable>;
  watchVrrpNodes(handlers: WatchHandlers<VRRPNode>): Promise<Stoppable>;
  watchNodes(handlers: WatchHandlers<KubernetesObject>): Promise<Stoppable>;
  /** Create the VRRPNode, or replace its spec (merge patch of the whole spec). */
  writeVrrpNodeSpec(name: string, spec: unknown, exists: boolean): Promise<void>;
  deleteVrrpNode(name: string): Promise<void>;
  /** Apply a JSON merge patch to the status (see merge-patch.ts for removing fields). */
  patchVirtualIPStatus(name: string, statusPatch: unknown): Promise<void>;
  /** Set metadata.finalizers, guarded by resourceVersion (409 when stale). */
  setVirtualIPFinalizers(name: string, finalizers: readonly string[], resourceVersion: string | undefined): Promise<void>;
  createEvent(event: EventInput, now: Date): Promise<void>;
  readLease(namespace: string, name: string): Promise<LeaseRecord | undefined>;
  /** Create (resourceVersion undefined) or update the Lease; 409 when someone else wrote it first. No holder: released. */
  writeLease(
    namespace: string,
    name: string,
    holder: string | undefined,
    durationSeconds: number,
    now: Date,
    resourceVersion: string | undefined,
  ): Promise<void>;
}

/** What the load-balancer part of the controller does (Services, EndpointSlices, pools, owned VirtualIPs). */
export interface LoadBalancerKubeApi {
  watchServices(handlers: WatchHandlers<KubernetesObject>): Promise<Stoppable>;
  watchEndpointSlices(handlers: WatchHandlers<KubernetesObject>): Promise<Stoppable>;
  watchVirtualIPPools(handlers: WatchHandlers<VirtualIPPool>): Promise<Stoppable>;
  watchNamespaces(handlers: WatchHandlers<KubernetesObject>): Promise<Stoppable>;
  createVirtualIP(vip: VirtualIP): Promise<void>;
  /** JSON merge patch of metadata (labels, annotations) and spec. */
  patchVirtualIP(name: string, patch: unknown): Promise<void>;
  deleteVirtualIP(name: string): Promise<void>;
  /** JSON merge patch of a Service's status (loadBalancer, conditions). */
  patchServiceStatus(namespace: string, name: string, statusPatch: unknown): Promise<void>;
  patchVirtualIPPoolStatus(name: string, statusPatch: unknown): Promise<void>;
  /** An events.k8s.io/v1 Event about a Service, in the Service's namespace. */
  createServiceEvent(event: ServiceEventInput, now: Date): Promise<void>;
}

export interface ServiceEventInput {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly type: "Normal" | "Warning";
  readonly reason: string;
  readonly message: string;
}

const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export function clientNodeControllerApi(kc: KubeConfig, eventNamespace: string): ControllerKubeApi & LoadBalancerKubeApi {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const events = kc.makeApiClient(EventsV1Api);
  const crd = (plural: string) => ({ group: GROUP, version: VERSION, plural });
  return {
    watchVirtualIPs: (handlers) =>
      watchList<VirtualIP>({
        kc,
        path: `/apis/${GROUP}/${VERSION}/${VIRTUALIPS}`,
        list: () => custom.listClusterCustomObject(crd(VIRTUALIPS)),
        handlers,
      }),
    watchVrrpNodes: (handlers) =>
      watchList<VRRPNode>({
        kc,
        path: `/apis/${GROUP}/${VERSION}/${VRRPNODES}`,
        list: () => custom.listClusterCustomObject(crd(VRRPNODES)),
        handlers,
      }),
    watchNodes: (handlers) => watchList<KubernetesObject>({ kc, path: "/api/v1/nodes", list: () => core.listNode(), handlers }),
    async writeVrrpNodeSpec(name, spec, exists) {
      if (!exists) {
        const body = { apiVersion: `${GROUP}/${VERSION}`, kind: "VRRPNode", metadata: { name }, spec };
        await custom.createClusterCustomObject({ ...crd(VRRPNODES), body });
        return;
      }
      await custom.patchClusterCustomObject({ ...crd(VRRPNODES), name, body: { spec } }, merge);
    },
    async deleteVrrpNode(name) {
      await custom.deleteClusterCustomObject({ ...crd(VRRPNODES), name });
    },
    async patchVirtualIPStatus(name, statusPatch) {
      await custom.patchClusterCustomObjectStatus({ ...crd(VIRTUALIPS), name, body: { status: statusPatch } }, merge);
    },
    async setVirtualIPFinalizers(name, finalizers, resourceVersion) {
      const metadata = { finalizers, ...(resourceVersion !== undefined ? { resourceVersion } : {}) };
      await custom.patchClusterCustomObject({ ...crd(VIRTUALIPS), name, body: { metadata } }, merge);
    },
    async createEvent(event, now) {
      const time = now.toISOString();
      await core.createNamespacedEvent({
        namespace: eventNamespace,
        body: {
          metadata: { generateName: `${event.name}.`, namespace: eventNamespace },
          involvedObject: {
            apiVersion: `${GROUP}/${VERSION}`,
            kind: event.kind,
            name: event.name,
            ...(event.uid !== undefined ? { uid: event.uid } : {}),
          },
          type: event.type,
          reason: event.reason,
          message: event.message,
          source: { component: "floatip-controller" },
          firstTimestamp: now,
          lastTimestamp: now,
          eventTime: time as unknown as Date,
          reportingComponent: "floatip.io/controller",
          reportingInstance: process.env["POD_NAME"] ?? "floatip-controller",
          action: event.reason,
          count: 1,
        },
      });
    },
    watchServices: (handlers) =>
      watchList<KubernetesObject>({ kc, path: "/api/v1/services", list: () => core.listServiceForAllNamespaces(), handlers }),
    watchEndpointSlices: (handlers) =>
      watchList<KubernetesObject>({
        kc,
        path: "/apis/discovery.k8s.io/v1/endpointslices",
        list: () => discovery.listEndpointSliceForAllNamespaces(),
        handlers,
      }),
    watchVirtualIPPools: (handlers) =>
      watchList<VirtualIPPool>({
        kc,
        path: `/apis/${GROUP}/${VERSION}/${VIRTUALIPPOOLS}`,
        list: () => custom.listClusterCustomObject(crd(VIRTUALIPPOOLS)),
        handlers,
      }),
    watchNamespaces: (handlers) =>
      watchList<KubernetesObject>({ kc, path: "/api/v1/namespaces", list: () => core.listNamespace(), handlers }),
    async createVirtualIP(vip) {
      await custom.createClusterCustomObject({
        ...crd(VIRTUALIPS),
        body: { apiVersion: `${GROUP}/${VERSION}`, kind: "VirtualIP", ...vip },
      });
    },
    async patchVirtualIP(name, patch) {
      await custom.patchClusterCustomObject({ ...crd(VIRTUALIPS), name, body: patch }, merge);
    },
    async deleteVirtualIP(name) {
      await custom.deleteClusterCustomObject({ ...crd(VIRTUALIPS), name });
    },
    async patchServiceStatus(namespace, name, statusPatch) {
      await core.patchNamespacedServiceStatus({ namespace, name, body: { status: statusPatch } }, merge);
    },
    async patchVirtualIPPoolStatus(name, statusPatch) {
      await custom.patchClusterCustomObjectStatus({ ...crd(VIRTUALIPPOOLS), name, body: { status: statusPatch } }, merge);
    },
    async createServiceEvent(event, now) {
      await events.createNamespacedEvent({
        namespace: event.namespace,
        body: {
          metadata: { generateName: `${event.name}.`, namespace: event.namespace },
          regarding: {
            apiVersion: "v1",
            kind: "Service",
            namespace: event.namespace,
            name: event.name,
            ...(event.uid !== undefined ? { uid: event.uid } : {}),
          },
          type: event.type,
          reason: event.reason,
          note: noteText(event.message),
          action: event.reason,
          eventTime: now.toISOString() as unknown as Date,
          reportingController: "floatip.io/controller",
          reportingInstance: process.env["POD_NAME"] ?? "floatip-controller",
        },
      });
    },
    async readLease(namespace, name) {
      try {
        const lease: V1Lease = await coordination.readNamespacedLease({ namespace, name });
        return {
          holder: lease.spec?.holderIdentity,
          renewTime: lease.spec?.renewTime === undefined ? undefined : new Date(lease.spec.renewTime as unknown as string),
          leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? 15,
          resourceVersion: lease.metadata?.resourceVersion,
        };
      } catch (error) {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      }
    },
    async writeLease(namespace, name, holder, durationSeconds, now, resourceVersion) {
      const body: V1Lease = {
        metadata: { name, namespace, ...(resourceVersion !== undefined ? { resourceVersion } : {}) },
        spec: {
          ...(holder !== undefined ? { holderIdentity: holder } : {}),
          leaseDurationSeconds: durationSeconds,
          renewTime: now.toISOString() as unknown as Date,
        },
      };
      if (resourceVersion === undefined) await coordination.createNamespacedLease({ namespace, body });
      else await coordination.replaceNamespacedLease({ namespace, name, body });
    },
  };
}

/** events.k8s.io/v1 limits `note` to 1 kB. */
function noteText(message: string): string {
  if (Buffer.byteLength(message) <= 1024) return message;
  let text = message.slice(0, 1020);
  while (Buffer.byteLength(`${text}...`) > 1024) text = text.slice(0, -1);
  return `${text}...`;
}
