// The GitHub Actions workflows, without GitHub: linted by action-validator (npm
// @action-validator/cli, pinned), the release workflow's steps held equal to CONTRIBUTING.md's list,
// its publishing targets equal to the chart's defaults, and its shell steps that need no registry
// (the tag check, the release notes) run here on fixtures. The kind workflow's inputs exist.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import yaml from "js-yaml";
import { PUBLISHED_IMAGE } from "../../base/build-info.js";
import { REPO } from "../chart/helm.js";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  id?: string;
}
interface Job {
  "runs-on": string;
  permissions?: Record<string, string>;
  steps: Step[];
  env?: Record<string, string>;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
  permissions?: Record<string, string>;
}

const WORKFLOWS = join(REPO, ".github", "workflows");
const load = (file: string) => yaml.load(readFileSync(join(WORKFLOWS, file), "utf8")) as Workflow;
const release = load("release.yml");
const releaseJob = release.jobs["release"]!;
const step = (wf: Workflow, job: string, name: string): Step => {
  const s = wf.jobs[job]!.steps.find((x) => x.name === name);
  assert.ok(s !== undefined, `step "${name}" in ${wf.name}`);
  return s;
};

function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { timeout: 30_000, ...options }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown }) | null;
      done({ code: e === null ? 0 : typeof e.code === "number" ? e.code : 1, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A step's `run` script as the runner runs it (bash -e -o pipefail), in `cwd`, with files for GITHUB_ENV and GITHUB_OUTPUT. */
async function runStep(s: Step, cwd: string, env: Record<string, string>) {
  const githubEnv = join(cwd, ".github-env");
  writeFileSync(githubEnv, "");
  const r = await run("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", s.run!], {
    cwd,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", GITHUB_ENV: githubEnv, GITHUB_OUTPUT: join(cwd, ".github-output"), ...env },
  });
  return { ...r, githubEnv: readFileSync(githubEnv, "utf8") };
}

describe("workflows", () => {
  const scratch = mkdtempSync(join(tmpdir(), "floatip-workflows-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const validator = join(REPO, "node_modules", ".bin", "action-validator");

  test("action-validator accepts every workflow (and refuses a broken one)", async () => {
    const files = readdirSync(WORKFLOWS)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
    assert.deepEqual(files, ["e2e-kind.yml", "release.yml"]);
    for (const f of files) {
      const r = await run(process.execPath, [validator, join(WORKFLOWS, f)]);
      assert.equal(r.code, 0, `${f}: ${r.stdout}${r.stderr}`);
    }
    const broken = join(scratch, "broken.yml");
    writeFileSync(broken, readFileSync(join(WORKFLOWS, "release.yml"), "utf8").replace("runs-on:", "runs_on:"));
    assert.notEqual((await run(process.execPath, [validator, broken])).code, 0);
  });

  test("every action is pinned to a major version or a commit", () => {
    for (const f of ["release.yml", "e2e-kind.yml"]) {
      for (const [name, job] of Object.entries(load(f).jobs)) {
        for (const s of job.steps.filter((x) => x.uses !== undefined))
          assert.match(s.uses!, /^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, `${f} ${name}: ${s.uses}`);
      }
    }
  });

  test("the release workflow's steps are the ones CONTRIBUTING.md documents, in order", () => {
    const text = readFileSync(join(REPO, "CONTRIBUTING.md"), "utf8");
    const block = /<!-- release-steps: begin -->\n([\s\S]*?)<!-- release-steps: end -->/.exec(text)?.[1];
    assert.ok(block !== undefined, "CONTRIBUTING.md has the release-steps block");
    const documented = [...block.matchAll(/^\d+\. `(.+)`$/gm)].map((m) => m[1]!);
    assert.deepEqual(
      releaseJob.steps.map((s) => s.name),
      documented,
    );
  });

  test("release: a version tag publishes the chart's default image for amd64 and arm64, signed keylessly with an SBOM", () => {
    assert.deepEqual(release.on, { push: { tags: ["v[0-9]+.[0-9]+.[0-9]+"] } });
    const values = yaml.load(readFileSync(join(REPO, "charts", "floatip", "values.yaml"), "utf8")) as {
      image: { repository: string; tag: string };
    };
    assert.equal(release.env?.["IMAGE"], values.image.repository, "the chart pulls what the workflow pushes");
    assert.equal(PUBLISHED_IMAGE, values.image.repository, "so does floatip manifest control-plane by default");
    assert.equal(values.image.tag, "", "the tag defaults to the chart's appVersion, which the workflow sets to the tag's version");
    const build = step(release, "release", "Build and push the image (linux/amd64, linux/arm64)");
    assert.equal(build.with?.["platforms"], "linux/amd64,linux/arm64");
    assert.equal(build.with?.["push"], true);
    assert.equal(build.with?.["tags"], "${{ env.IMAGE }}:${{ env.VERSION }}");
    assert.equal(releaseJob.permissions?.["id-token"], "write", "keyless cosign needs the OIDC token");
    for (const name of ["Sign the image", "Attest the SBOM", "Sign the chart"]) {
      const r = step(release, "release", name).run!;
      assert.match(r, /^cosign (sign|attest) --yes /, name);
      assert.doesNotMatch(r, /--key\b/, `${name}: keyless`);
    }
    assert.match(step(release, "release", "Attest the SBOM").run!, /--type spdxjson/);
    assert.match(step(release, "release", "Package the chart").run!, /--app-version "\$VERSION"/);
    const chartRef = `${release.env?.["CHART_REPOSITORY"]}/floatip`;
    assert.equal(chartRef, "oci://ghcr.io/floatip/charts/floatip");
    for (const doc of ["CONTRIBUTING.md", "charts/floatip/README.md", "README.md"])
      assert.ok(readFileSync(join(REPO, doc), "utf8").includes(chartRef), `${doc} names ${chartRef}`);
  });

  /** The repository's package.json and Chart.yaml at `version`, and a CHANGELOG, in a fresh directory. */
  function checkout(name: string, version: string, changelog: string): string {
    const dir = join(scratch, name);
    mkdirSync(join(dir, "charts", "floatip"), { recursive: true });
    const current = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
    writeFileSync(
      join(dir, "package.json"),
      readFileSync(join(REPO, "package.json"), "utf8").replace(`"version": "${current}"`, `"version": "${version}"`),
    );
    writeFileSync(
      join(dir, "charts", "floatip", "Chart.yaml"),
      readFileSync(join(REPO, "charts", "floatip", "Chart.yaml"), "utf8").replace(
        /^(version|appVersion): .*$/gm,
        (_m, key: string) => `${key}: ${key === "appVersion" ? `"${version}"` : version}`,
      ),
    );
    writeFileSync(join(dir, "CHANGELOG.md"), changelog);
    return dir;
  }
  const CHANGELOG =
    "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n- next\n\n## [1.2.3] - 2026-12-01\n\n### Fixed\n- one\n- two\n\n## [1.2.2] - 2026-11-01\n\n- older\n";

  test("release: the tag check passes when package.json, Chart.yaml and CHANGELOG.md agree, and names what does not", async () => {
    const tagCheck = step(release, "release", "Check the tag against package.json, Chart.yaml and CHANGELOG.md");
    const good = await runStep(tagCheck, checkout("good", "1.2.3", CHANGELOG), { GITHUB_REF_NAME: "v1.2.3" });
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.equal(good.githubEnv, "VERSION=1.2.3\n");
    const other = await runStep(tagCheck, checkout("other", "1.2.3", CHANGELOG), { GITHUB_REF_NAME: "v1.2.4" });
    assert.notEqual(other.code, 0);
    assert.match(other.stdout, /tag v1\.2\.4 but package\.json says 1\.2\.3/);
    const dir = checkout("chart", "1.2.3", CHANGELOG);
    const chartFile = join(dir, "charts", "floatip", "Chart.yaml");
    writeFileSync(chartFile, readFileSync(chartFile, "utf8").replace('appVersion: "1.2.3"', 'appVersion: "1.2.2"'));
    assert.match((await runStep(tagCheck, dir, { GITHUB_REF_NAME: "v1.2.3" })).stdout, /Chart\.yaml appVersion is 1\.2\.2/);
    const noSection = await runStep(tagCheck, checkout("nosection", "1.2.4", CHANGELOG), { GITHUB_REF_NAME: "v1.2.4" });
    assert.match(noSection.stdout, /CHANGELOG\.md has no section "## \[1\.2\.4\] - YYYY-MM-DD"/);
  });

  test("release: the notes are the version's CHANGELOG.md section and nothing else; an empty one fails", async () => {
    const notes = step(release, "release", "Release notes from CHANGELOG.md");
    const dir = checkout("notes", "1.2.3", CHANGELOG);
    const r = await runStep(notes, dir, { VERSION: "1.2.3" });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(readFileSync(join(dir, "release-notes.md"), "utf8").trim(), "### Fixed\n- one\n- two");
    const empty = checkout("empty", "1.2.3", "# Changelog\n\n## [1.2.3] - 2026-12-01\n\n## [1.2.2] - 2026-11-01\n- older\n");
    assert.notEqual((await runStep(notes, empty, { VERSION: "1.2.3" })).code, 0);
  });

  test("e2e-kind: a three-node cluster, the chart with the image it built, examples whose addresses it rewrites", () => {
    const wf = load("e2e-kind.yml");
    const job = wf.jobs["kind"]!;
    const names = job.steps.map((s) => s.name);
    for (const n of [
      "Build the image",
      "Create the kind cluster",
      "Install the chart",
      "The VirtualIP has a master",
      "The LoadBalancer address answers from a container on the kind network",
      "Failover when the master's agent pod is deleted",
    ]) {
      assert.ok(names.includes(n), n);
    }
    const kindConfig = String(step(wf, "kind", "Create the kind cluster").with?.["config"]);
    const cluster = yaml.load(readFileSync(join(REPO, kindConfig), "utf8")) as { nodes: unknown[] };
    assert.equal(cluster.nodes.length, 3);
    assert.match(step(wf, "kind", "Install the chart").run!, /image\.pullPolicy=Never/);
    const apply = step(wf, "kind", "Apply the examples with addresses of the kind network").run!;
    for (const m of apply.matchAll(/sed "s\|([^|]+)\|[^"]+" (examples\/[\w.-]+)/g)) {
      assert.ok(readFileSync(join(REPO, m[2]!), "utf8").includes(m[1]!), `${m[2]} contains ${m[1]}, which the workflow replaces`);
    }
    assert.equal([...apply.matchAll(/sed "s\|/g)].length, 2);
  });
});
