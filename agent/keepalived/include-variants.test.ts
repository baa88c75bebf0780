/**
 * keepalived 2.2.7's include variants (keepalived.conf(5)): includer,
 * includem, includew, includeb and includea read files as include does;
 * includew and includea also require a wildcard to match at least one file.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { lex } from "./lexer.js";
import { fakeIo } from "./fake-io.js";

const FILES = { "/k/conf.d/a.conf": "a 1\n", "/k/empty/.keep": "" };

function run(line: string) {
  return lex(`${line}\nend 9\n`, "/k/k.conf", fakeIo(FILES));
}

describe("keepalived include variants", () => {
  for (const keyword of ["include", "includer", "includem", "includew", "includeb", "includea"]) {
    it(`${keyword} reads the files a pattern matches`, () => {
      const result = run(`${keyword} conf.d/*.conf`);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
      assert.deepEqual(
        result.tokens.filter((t) => t.kind === "word").map((t) => t.text),
        ["a", "1", "end", "9"],
      );
    });
  }
  for (const keyword of ["include", "includer", "includem", "includeb"]) {
    it(`${keyword}: a wildcard matching nothing includes nothing`, () => assert.ok(run(`${keyword} empty/*.conf`).ok));
  }
  for (const keyword of ["includew", "includea"]) {
    it(`${keyword}: a wildcard matching nothing is an error naming the line`, () => {
      const result = run(`${keyword} empty/*.conf`);
      assert.ok(!result.ok);
      assert.deepEqual(
        result.errors.map((e) => `${e.file}:${e.line}: ${e.keyword}: ${e.message}`),
        [`/k/k.conf:1: ${keyword}: "empty/*.conf" matches no file (${keyword} requires at least one)`],
      );
    });
  }
  it("a missing literal file is an error for every variant", () => {
    for (const keyword of ["include", "includer", "includea"]) assert.ok(!run(`${keyword} missing.conf`).ok, keyword);
  });
});
