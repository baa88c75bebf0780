// The image carries no tests, fakes, fixtures or golden data: the Dockerfile builds with
// tsconfig.build.json, and the program that config makes (its files plus everything they import,
// which tsc compiles whatever `exclude` says) holds none of them. So a production file that starts
// importing a fake fails here, and so does a new fake whose name the build config does not exclude.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { describe, test } from "node:test";
import ts from "typescript";
import { REPO } from "./helm.js";

/** Files that exist for tests only. Their names are the convention the build config excludes by. */
const TEST_ONLY = /(^|\/)(test|bench|fuzz)\/|\.test\.ts$|(^|\/)(fakes|fake-[^/]*|simulated-[^/]*|test-fixtures|golden)\.ts$/;

function walk(dir: string): string[] {
  const abs = join(REPO, dir);
  if (!statSync(abs).isDirectory()) return [dir];
  return readdirSync(abs).flatMap((e) => walk(posix.join(dir, e)));
}

/** Repository-relative .ts files of the program tsconfig.build.json makes (imports followed). */
function buildProgramFiles(): { roots: string[]; all: string[] } {
  const configPath = join(REPO, "tsconfig.build.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    },
  );
  assert.ok(parsed !== undefined, "tsconfig.build.json parses");
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true, noResolve: false } });
  const rel = (f: string) => relative(REPO, f).split("\\").join("/");
  const all = program
    .getSourceFiles()
    .map((f) => rel(f.fileName))
    .filter((f) => !f.startsWith("node_modules/") && !f.startsWith(".."));
  return { roots: parsed.fileNames.map(rel), all };
}

describe("image contents", () => {
  const { roots, all } = buildProgramFiles();
  const production = [...walk("base"), ...walk("agent"), ...walk("operator"), ...walk("cli")].filter(
    (f) => f.endsWith(".ts") && !TEST_ONLY.test(f),
  );

  test("the build program has no test, fake, fixture or golden file, also none pulled in by an import", () => {
    assert.deepEqual(
      all.filter((f) => TEST_ONLY.test(f)),
      [],
    );
  });

  test("the build config compiles every production file of base/, agent/, operator/ and cli/, and nothing else", () => {
    assert.deepEqual([...roots].sort(), [...production].sort());
    assert.deepEqual(
      all.filter((f) => !production.includes(f)),
      [],
    );
  });

  test("a file that defines a fake is named like one (so the build config excludes it)", () => {
    const fakes = production.filter((f) => /^export (class|function|const) (Fake|fake)[A-Z]/m.test(readFileSync(join(REPO, f), "utf8")));
    assert.deepEqual(fakes, [], "rename to fakes.ts / fake-*.ts / test-fixtures.ts");
  });

  test("the Dockerfile builds with the build config and copies no sources of tests into the image", () => {
    const dockerfile = readFileSync(join(REPO, "Dockerfile"), "utf8");
    const scripts = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    assert.match(dockerfile, /^RUN npm run build:image\b/m);
    assert.doesNotMatch(dockerfile, /npm run build(?!:image)\b/, "the full build compiles the tests");
    assert.match(scripts["build:image"] ?? "", /\btsc -p tsconfig\.build\.json\b/);
    for (const m of dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)) {
      assert.doesNotMatch(m[1]!, /(^|\s)\.?\/?(test|bench|fuzz)(\/|\s)/, `build stage copies ${m[1]}`);
    }
    const distCopies = [...dockerfile.matchAll(/^COPY --from=\S+ \/app\/(dist\S*)/gm)].map((m) => m[1]);
    assert.deepEqual(distCopies, ["dist/base", "dist/agent", "dist/operator", "dist/cli"]);
  });
});
