// The README is the front door: every page under docs/ is linked from it, and every relative link
// in the README, docs/ and the other guides leads to a file that exists (and, with a #fragment
// into a Markdown file, to a heading there, as GitHub names its anchors).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const DOCS = readdirSync(join(REPO, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => `docs/${f}`);
const PAGES = [
  "README.md",
  "CONTRIBUTING.md",
  "bench/notes.md",
  "crds/README.md",
  "operator/README.md",
  "charts/floatip/README.md",
  ...DOCS,
];
/** Pages the README links to that other branches are adding; an entry goes once its page has landed. */
const PENDING: ReadonlySet<string> = new Set<string>([]);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");

function anchors(file: string): Set<string> {
  const text = readFileSync(join(REPO, file), "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
}

/** Relative links of a Markdown file (outside code blocks), as [target, fragment]. */
function links(file: string): Array<{ target: string; fragment: string | undefined }> {
  const text = readFileSync(join(REPO, file), "utf8").replace(/```[\s\S]*?```/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((l) => !/^[a-z]+:/.test(l))
    .map((l) => {
      const [path, fragment] = l.split("#") as [string, string | undefined];
      return { target: path === "" ? file : posix.normalize(posix.join(posix.dirname(file), path)), fragment };
    });
}

describe("documentation links", () => {
  it("the README links every page under docs/", () => {
    const linked = new Set(links("README.md").map((l) => l.target));
    assert.deepEqual(
      DOCS.filter((d) => !linked.has(d)),
      [],
    );
  });

  for (const page of PAGES) {
    it(`${page}: every relative link resolves`, () => {
      const broken: string[] = [];
      for (const { target, fragment } of links(page)) {
        if (!existsSync(join(REPO, target))) {
          if (!PENDING.has(target)) broken.push(target);
          continue;
        }
        if (fragment !== undefined && target.endsWith(".md") && !anchors(target).has(fragment)) broken.push(`${target}#${fragment}`);
      }
      assert.deepEqual(broken, []);
    });
  }
});

// The architecture page is the map of the code: it names every source folder, and every file path it
// names in backquotes exists, so the two data flows it follows stay on real file names.
describe("docs/architecture.md", () => {
  const text = readFileSync(join(REPO, "docs/architecture.md"), "utf8");
  const sourceFolders = [
    "base",
    "cli",
    ...["agent", "operator"].flatMap((tower) =>
      readdirSync(join(REPO, tower), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => `${tower}/${e.name}`),
    ),
  ];

  it("names every source folder", () => {
    assert.deepEqual(
      sourceFolders.filter((d) => !text.includes(`\`${d}/\``)),
      [],
    );
  });

  it("every repository path it names exists", () => {
    const named = [...text.matchAll(/`((?:base|cli|agent|operator|test|bench|fuzz)\/[\w./-]+)`/g)].map((m) => m[1]!);
    assert.deepEqual(
      named.filter((p) => !existsSync(join(REPO, p))),
      [],
    );
  });
});
