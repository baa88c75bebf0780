/**
 * Where the agent's API server is and how to authenticate to it.
 *
 * Why not @kubernetes/client-node's KubeConfig: its module imports the
 * client's generated layer (every Kubernetes model class; a Node 24 process
 * goes from 45 to 120 MiB resident just loading it), and the agent runs on
 * every node. The common cases are read here directly: in-cluster (the
 * ServiceAccount's token file and CA, as the DaemonSet runs), or a kubeconfig
 * whose current context uses a token, token file, client certificate or
 * basic auth. A kubeconfig this does not cover (an `exec` or `auth-provider`
 * user, a proxy, several files in KUBECONFIG) goes to client-node's
 * KubeConfig, loaded only then, so every form kubectl accepts still works.
 */
import { existsSync, readFileSync } from "node:fs";
import type { RequestOptions } from "node:https";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";

export interface ApiEndpoint {
  /** Base URL of the API server (a path prefix is kept). */
  readonly server: string;
  /** Adds TLS material and credentials to one request's options (token files are re-read: projected tokens rotate). */
  authorize(options: RequestOptions & { headers: Record<string, string> }): Promise<void>;
}

const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The endpoint for `--kubeconfig path`, else KUBECONFIG, ~/.kube/config, in-cluster (client-node's loadFromDefault order). */
export async function loadEndpoint(kubeconfig?: string, env: NodeJS.ProcessEnv = process.env): Promise<ApiEndpoint> {
  if (kubeconfig !== undefined) return fromKubeconfigFile(kubeconfig);
  const listed = (env["KUBECONFIG"] ?? "").split(":").filter((p) => p !== "");
  if (listed.length > 1) return viaClientNode((kc) => kc.loadFromDefault());
  if (listed.length === 1) return fromKubeconfigFile(listed[0]!);
  const home = join(env["HOME"] ?? homedir(), ".kube", "config");
  if (existsSync(home)) return fromKubeconfigFile(home);
  return inCluster(env);
}

/** Running in a pod: the ServiceAccount's token (re-read per request) and CA. */
export function inCluster(env: NodeJS.ProcessEnv, root = SERVICE_ACCOUNT): ApiEndpoint {
  const host = env["KUBERNETES_SERVICE_HOST"];
  const port = env["KUBERNETES_SERVICE_PORT"];
  if (host === undefined || port === undefined)
    throw new Error("no kubeconfig found and not in a cluster (KUBERNETES_SERVICE_HOST/PORT unset); pass --kubeconfig");
  const ca = readFileSync(join(root, "ca.crt"));
  const tokenFile = join(root, "token");
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    async authorize(options) {
      options.ca = ca;
      options.headers["Authorization"] = `Bearer ${readFileSync(tokenFile, "utf8").trim()}`;
    },
  };
}

type Doc = Record<string, unknown>;

/** A kubeconfig file (YAML or JSON); relative file paths in it are relative to its directory. */
export async function fromKubeconfigFile(path: string): Promise<ApiEndpoint> {
  const text = readFileSync(path, "utf8");
  // js-yaml only when needed (a few MiB); JSON is YAML, so either parse is right for JSON.
  const doc = (text.trimStart().startsWith("{") ? JSON.parse(text) : (await import("js-yaml")).load(text)) as Doc;
  const picked = pick(doc, path);
  if (picked === "needs-client-node") return viaClientNode((kc) => kc.loadFromFile(path));
  return fromParts(picked, dirname(path));
}

interface Parts {
  readonly cluster: Doc;
  readonly user: Doc;
}

function named(doc: Doc, list: string, name: string, file: string): Doc {
  const entries = doc[list];
  const entry = Array.isArray(entries) ? (entries as Doc[]).find((e) => e?.["name"] === name) : undefined;
  const inner = entry?.[list.slice(0, -1)];
  if (typeof inner !== "object" || inner === null) throw new Error(`${file}: ${list}: no entry named "${name}"`);
  return inner as Doc;
}

function pick(doc: Doc, file: string): Parts | "needs-client-node" {
  const current = doc["current-context"];
  if (typeof current !== "string" || current === "") throw new Error(`${file}: current-context is not set`);
  const context = named(doc, "contexts", current, file);
  const cluster = named(doc, "clusters", String(context["cluster"]), file);
  const user = context["user"] === undefined ? {} : named(doc, "users", String(context["user"]), file);
  if (user["exec"] !== undefined || user["auth-provider"] !== undefined || cluster["proxy-url"] !== undefined) return "needs-client-node";
  if (typeof cluster["server"] !== "string") throw new Error(`${file}: clusters.${String(context["cluster"])}.server is not set`);
  return { cluster, user };
}

function fileOrData(parts: Doc, key: string, dir: string): Buffer | undefined {
  const data = parts[`${key}-data`];
  if (typeof data === "string") return Buffer.from(data, "base64");
  const file = parts[key];
  if (typeof file === "string") return readFileSync(isAbsolute(file) ? file : join(dir, file));
  return undefined;
}

function fromParts({ cluster, user }: Parts, dir: string): ApiEndpoint {
  const ca = fileOrData(cluster, "certificate-authority", dir);
  const cert = fileOrData(user, "client-certificate", dir);
  const key = fileOrData(user, "client-key", dir);
  const skipVerify = cluster["insecure-skip-tls-verify"] === true;
  const serverName = cluster["tls-server-name"];
  const token = typeof user["token"] === "string" ? user["token"] : undefined;
  const tokenFile =
    typeof user["tokenFile"] === "string" ? (isAbsolute(user["tokenFile"]) ? user["tokenFile"] : join(dir, user["tokenFile"])) : undefined;
  const basic =
    typeof user["username"] === "string"
      ? `${user["username"]}:${typeof user["password"] === "string" ? user["password"] : ""}`
      : undefined;
  return {
    server: cluster["server"] as string,
    async authorize(options) {
      if (ca !== undefined) options.ca = ca;
      if (cert !== undefined) options.cert = cert;
      if (key !== undefined) options.key = key;
      if (skipVerify) options.rejectUnauthorized = false;
      if (typeof serverName === "string") options.servername = serverName;
      if (token !== undefined) options.headers["Authorization"] = `Bearer ${token}`;
      else if (tokenFile !== undefined) options.headers["Authorization"] = `Bearer ${readFileSync(tokenFile, "utf8").trim()}`;
      else if (basic !== undefined) options.headers["Authorization"] = `Basic ${Buffer.from(basic).toString("base64")}`;
    },
  };
}

/** Whatever client-node's KubeConfig can do (exec plugins, auth providers, proxies), at its memory cost. */
async function viaClientNode(load: (kc: KubeConfig) => void): Promise<ApiEndpoint> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  load(kc);
  return kubeConfigEndpoint(kc);
}

/** An endpoint over an already loaded client-node KubeConfig (tests, and the fallback above). */
export function kubeConfigEndpoint(kc: KubeConfig): ApiEndpoint {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error("kubeconfig: no current cluster");
  return {
    server: cluster.server,
    async authorize(options) {
      await kc.applyToHTTPSOptions(options);
      // It also makes an https.Agent from the same TLS options (already on `options`);
      // dropped so plain-http servers work and requests share the default agent.
      delete options.agent;
    },
  };
}
