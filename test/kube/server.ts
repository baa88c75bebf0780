// A Kubernetes API test server over plain HTTP on 127.0.0.1, good enough for the real
// @kubernetes/client-node and the real kubectl. See test/kube/README.md for what it supports.
//
//   const server = await startTestApiServer({ crds: ["crds/virtualip.yaml"] });
//   const kc = server.kubeConfig();            // a loaded client-node KubeConfig
//   const core = kc.makeApiClient(CoreV1Api);
//   ...
//   await server.close();
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { randomUUID } from "node:crypto";
import { KubeConfig } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { Api, CRD_KEY, ETCD_MAX_REQUEST_BYTES } from "./api.js";
import { BuiltinSpec, builtin, builtinResources } from "./builtins.js";
import { makeRuleRunner } from "./cel-eval.js";
import { loadCrdFile } from "./crd.js";
import type { Fault } from "./faults.js";
import { handle } from "./handler.js";
import { Registry } from "./registry.js";
import { Store } from "./store.js";
import { KubeObject, Obj, RequestLogEntry, clone, nowTimestamp } from "./types.js";
import { WatchHandle } from "./watch.js";
import { externalize } from "./write.js";

export interface TestApiServerOptions {
  /** CRD objects, or paths of YAML/JSON files holding CustomResourceDefinitions. */
  crds?: Array<string | Obj>;
  /** Extra built-in resource types (e.g. apps/v1 deployments) next to the default set. */
  builtins?: BuiltinSpec[];
  /** Objects stored before the server starts (as with `store.put`). */
  objects?: KubeObject[];
  /** How many change events are kept for watch resumption; older resourceVersions get 410. Default 1000. */
  compactionWindow?: number;
  /** Interval of BOOKMARK events on watches that allow them. Default 1000 ms (the real server: ~1 min). */
  bookmarkIntervalMs?: number;
  /** Port to listen on; default 0 (random). */
  port?: number;
  /** Address to listen on; default 127.0.0.1 (a lab test binds a namespace's documentation address). */
  host?: string;
  /** Strategic merge patch on custom resources: "merge" (default) or "reject" (415, like the real server). */
  strategicMergeForCustomResources?: "merge" | "reject";
  /**
   * Largest stored object in JSON bytes, or per resource plural (`{vrrpnodes: 6000}`); larger writes
   * get etcd's refusal (500 "etcdserver: request is too large"). Default 1.5 MiB, etcd's default.
   */
  maxObjectBytes?: number | Readonly<Record<string, number>>;
}

/** Direct access to the stored objects, for test setup and assertions. */
export interface StoreAccess {
  resourceVersion(): number;
  /** `resource`: plural, singular, kind, short name or "plural.group". Served form. */
  get(resource: string, name: string, namespace?: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
  /** Create through the API semantics (validation, defaults, 409...). */
  create(obj: KubeObject): KubeObject;
  /** Create or replace as-is (status included, no validation), like a kubelet/controller wrote it. */
  put(obj: KubeObject): KubeObject;
  /** Removes at once, ignoring finalizers. Returns whether it existed. */
  remove(resource: string, name: string, namespace?: string): boolean;
}

export interface TestApiServer {
  readonly url: string;
  readonly port: number;
  readonly requestLog: RequestLogEntry[];
  readonly store: StoreAccess;
  /** Requests refused with a given Status before they reach the resource (faults.ts); add and remove rules at will. */
  readonly faults: Fault[];
  /** x-kubernetes-validations rules that the tiny CEL evaluator could not run (skipped). */
  readonly unsupportedValidations: ReadonlySet<string>;
  /** kubeconfig document (the YAML shape kubectl reads). */
  kubeconfig(namespace?: string): Obj;
  kubeconfigYaml(namespace?: string): string;
  /** A client-node KubeConfig pointing at this server. */
  kubeConfig(namespace?: string): KubeConfig;
  /** Drops the event history up to `rv` (default: now): watches resuming before it get 410. */
  compact(rv?: number): void;
  /** Sends a BOOKMARK on every open watch that allows bookmarks. */
  sendBookmarks(): void;
  /** Ends every open watch stream cleanly (as the real server does at its watch timeout). */
  closeWatches(): void;
  openWatches(): number;
  /** Simulates the API server going away: listener closed, all connections dropped. */
  stop(): Promise<void>;
  /** Listens again on the same port with the same stored objects. */
  start(): Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

export async function startTestApiServer(opts: TestApiServerOptions = {}): Promise<TestApiServer> {
  const registry = new Registry();
  for (const d of builtinResources()) registry.add(d);
  for (const b of opts.builtins ?? []) registry.add(builtin(b));
  const store = new Store(opts.compactionWindow ?? 1000);
  const unsupported = new Set<string>();
  const api = new Api(store, registry, makeRuleRunner(unsupported), {
    strategicMergeForCustomResources: opts.strategicMergeForCustomResources ?? "merge",
    maxObjectBytes: opts.maxObjectBytes ?? ETCD_MAX_REQUEST_BYTES,
  });
  const crdDef = registry.resolve("customresourcedefinitions.apiextensions.k8s.io");
  for (const c of opts.crds ?? []) {
    for (const crd of typeof c === "string" ? loadCrdFile(c) : [c]) api.create(crdDef, undefined, crd);
  }

  const defOf = (obj: KubeObject) => {
    const def = registry.byApiVersionKind(obj.apiVersion, obj.kind);
    if (!def) throw new Error(`test API server: no resource type for ${obj.apiVersion} ${obj.kind}`);
    return def;
  };
  const access: StoreAccess = {
    resourceVersion: () => store.currentRv(),
    get: (r, name, ns) => {
      const def = registry.resolve(r);
      const o = store.get(def.storageKey, def.namespaced ? (ns ?? "default") : undefined, name);
      return o ? externalize(def, o) : undefined;
    },
    list: (r, ns) => {
      const def = registry.resolve(r);
      return store.list(def.storageKey, def.namespaced ? ns : undefined).map((o) => externalize(def, o));
    },
    create: (obj) => api.create(defOf(obj), obj.metadata.namespace ?? "default", obj),
    put: (obj) => {
      const def = defOf(obj);
      let o: KubeObject = clone(obj);
      if (def.toInternal) o = def.toInternal(o);
      if (def.namespaced) o.metadata.namespace = o.metadata.namespace ?? "default";
      else delete o.metadata.namespace;
      const old = store.get(def.storageKey, o.metadata.namespace, o.metadata.name ?? "");
      o.metadata.uid = o.metadata.uid ?? old?.metadata.uid ?? randomUUID();
      o.metadata.creationTimestamp = o.metadata.creationTimestamp ?? old?.metadata.creationTimestamp ?? nowTimestamp();
      o.metadata.generation = o.metadata.generation ?? old?.metadata.generation ?? 1;
      const stored = store.put(def.storageKey, o);
      if (def.storageKey === CRD_KEY) api.registerCrd(stored);
      return externalize(def, stored);
    },
    remove: (r, name, ns) => {
      const def = registry.resolve(r);
      return store.remove(def.storageKey, def.namespaced ? (ns ?? "default") : undefined, name) !== undefined;
    },
  };
  for (const o of opts.objects ?? []) access.put(o);

  const requestLog: RequestLogEntry[] = [];
  const faults: Fault[] = [];
  const watches = new Set<WatchHandle>();
  const sockets = new Set<Socket>();
  let port = opts.port ?? 0;
  const host = opts.host ?? "127.0.0.1";
  const http = createServer((req, res) => {
    void handle(
      {
        api,
        registry,
        store,
        log: requestLog,
        watches,
        bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000,
        hostPort: () => `${host}:${port}`,
        faults,
      },
      req,
      res,
    );
  });
  http.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  port = await listen(http, port, host);
  let running = true;
  const url = `http://${host}:${port}`;

  const kubeconfig = (namespace = "default"): Obj => ({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "floatip-test", cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name: "floatip-test", user: { token: "floatip-test-token" } }],
    contexts: [{ name: "floatip-test", context: { cluster: "floatip-test", user: "floatip-test", namespace } }],
    "current-context": "floatip-test",
    preferences: {},
  });
  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    for (const w of [...watches]) w.close();
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    url,
    port,
    requestLog,
    store: access,
    faults,
    unsupportedValidations: unsupported,
    kubeconfig,
    kubeconfigYaml: (ns) => yaml.dump(kubeconfig(ns)),
    kubeConfig: (ns) => {
      const kc = new KubeConfig();
      kc.loadFromString(yaml.dump(kubeconfig(ns)));
      return kc;
    },
    compact: (rv) => store.compact(rv),
    sendBookmarks: () => {
      for (const w of watches) w.bookmark();
    },
    closeWatches: () => {
      for (const w of [...watches]) w.close();
    },
    openWatches: () => watches.size,
    stop,
    start: async () => {
      if (running) return;
      await listen(http, port, host);
      running = true;
    },
    close: stop,
  };
}
