// The import rule: a folder is a floor. A production file of base/, agent/ or operator/ imports only from
// its own floor's folder or from a lower floor, never from the other tower (agent-only or
// operator-only floors), and no files import each other in a circle. What breaks the rule today
// is listed in ALLOWED_UPWARD and ALLOWED_CIRCLES below, each with why: those lists may only
// shrink (the test fails on an entry that is no longer needed, so a fix removes it), and anything
// new fails. Tests, fakes and fixtures may import across floors. C files are not checked.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Files that exist for tests only (the same convention tsconfig.build.json excludes by). */
const TEST_ONLY = /\.test\.ts$|(^|\/)(fakes|fake-[^/]*|simulated-[^/]*|test-fixtures|golden)\.ts$/;

/** "roof": above both towers, may import from either (the one command line). */
type Tower = "shared" | "agent" | "operator" | "roof";
interface Floor {
  readonly level: number;
  readonly tower: Tower;
}

/**
 * The floors, lowest first. A file belongs to the longest prefix that names it (a file entry
 * would beat its folder).
 */
const FLOORS: Readonly<Record<string, Floor>> = {
  // Ground floor (base/): runtime-independent utilities (time, logging, queues, HTTP, processes, CLI args).
  base: { level: 0, tower: "shared" },
  // The protocol core: codec, state machine, receive checks, timing. Pure.
  "agent/vrrp": { level: 1, tower: "shared" },
  // The configuration's vocabulary (plain types), and conflict decisions over the core.
  "agent/config/types.ts": { level: 2, tower: "shared" },
  "agent/conflict": { level: 2, tower: "shared" },
  // OS effects behind ports (sockets, netlink, the addon).
  "agent/os": { level: 3, tower: "shared" },
  // Reading and validating configuration (may ask the OS about interfaces through the ports).
  "agent/config": { level: 4, tower: "shared" },
  // What the agent runs beside the routers: health checks, notify scripts, keepalived config.
  "agent/health": { level: 5, tower: "agent" },
  "agent/notify": { level: 5, tower: "agent" },
  "agent/keepalived": { level: 5, tower: "agent" },
  // The top of the agent: routers, the agent, the supervisor.
  "agent/runtime": { level: 6, tower: "agent" },
  // The agent on Kubernetes (VRRPNode in, status out).
  "agent/kube": { level: 7, tower: "agent" },
  // The agent's binary.
  "agent/cli": { level: 8, tower: "agent" },
  // The operator, over the agent's configuration (a VRRPNode spec is agent config): API types and
  // validation, then the planners, then the controller.
  "operator/api": { level: 5, tower: "operator" },
  "operator/planner": { level: 6, tower: "operator" },
  "operator/lb": { level: 7, tower: "operator" },
  // Converters from other projects' resources (MetalLB, kube-vip, keepalived-operator) to pools.
  "operator/convert": { level: 8, tower: "operator" },
  "operator/controller": { level: 9, tower: "operator" },
  // The command line both binaries share: dispatches to the agent, the controller and the converters.
  cli: { level: 10, tower: "roof" },
};

/**
 * Imports that break the floors today ("from -> to", both repository paths). Only shrinks.
 * Issue 17 names most of these; the layout issue removes them.
 */
const ALLOWED_UPWARD: ReadonlySet<string> = new Set([]);

/** Import circles today, each as its sorted member files joined by " ". Only shrinks. */
const ALLOWED_CIRCLES: ReadonlySet<string> = new Set<string>([]);

function floorOf(file: string): { key: string; floor: Floor } {
  let best: string | undefined;
  for (const key of Object.keys(FLOORS)) {
    if ((file === key || file.startsWith(`${key}/`)) && (best === undefined || key.length > best.length)) best = key;
  }
  assert.ok(best !== undefined, `${file} is on no floor: add its folder to FLOORS in test/imports/layering.test.ts`);
  return { key: best, floor: FLOORS[best]! };
}

function walk(dir: string): string[] {
  const abs = join(REPO, dir);
  if (!statSync(abs).isDirectory()) return [dir];
  return readdirSync(abs).flatMap((e) => walk(posix.join(dir, e)));
}

/** Repository-relative .ts files a production file imports (relative specifiers; type-only too). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(REPO, file), "utf8"), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((s) => s.startsWith("."))
    .map((s) => posix.normalize(posix.join(posix.dirname(file), s)).replace(/\.js$/, ".ts"))
    .filter((t) => t.endsWith(".ts") && existsSync(join(REPO, t)));
}

const files = [...walk("base"), ...walk("agent"), ...walk("operator"), ...walk("cli")].filter(
  (f) => f.endsWith(".ts") && !TEST_ONLY.test(f),
);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** Whether `from` may import `to` by the floors. */
function allowed(from: string, to: string): boolean {
  const a = floorOf(from);
  const b = floorOf(to);
  if (a.key === b.key || (a.floor.level === 0 && b.floor.level === 0)) return true;
  if (b.floor.tower !== "shared" && a.floor.tower !== "roof" && b.floor.tower !== a.floor.tower) return false;
  return b.floor.level < a.floor.level;
}

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
function circles(): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe("the import rule", () => {
  it("every production file of base/, agent/, operator/ and cli/ is on a floor", () => {
    for (const f of files) floorOf(f);
  });

  const upward = [...graph].flatMap(([from, tos]) => tos.filter((to) => !allowed(from, to)).map((to) => `${from} -> ${to}`));

  it("no import goes up a floor or across to the other tower, except those listed (which may only shrink)", () => {
    assert.deepEqual(upward.filter((e) => !ALLOWED_UPWARD.has(e)).sort(), [], "new imports against the floors");
  });

  it("every listed exception still exists (remove an entry once its import is gone)", () => {
    assert.deepEqual([...ALLOWED_UPWARD].filter((e) => !upward.includes(e)).sort(), []);
  });

  it("no import circle, except those listed (which may only shrink)", () => {
    const found = circles().map((c) => c.join(" "));
    assert.deepEqual(found.filter((c) => !ALLOWED_CIRCLES.has(c)).sort(), [], "new import circles");
    assert.deepEqual([...ALLOWED_CIRCLES].filter((c) => !found.includes(c)).sort(), [], "listed circles that are gone: remove them");
  });
});
