import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_INCLUDED_CHARACTERS, MAX_INCLUDED_FILES, lex, type Token } from "./lexer.js";
import { expandPattern } from "./glob.js";
import { fakeIo } from "./fake-io.js";

const texts = (tokens: readonly Token[]) => tokens.map((t) => (t.kind === "eol" ? "\\n" : t.kind === "string" ? `"${t.text}"` : t.text));

function tokensOf(text: string): string[] {
  const result = lex(text, "k.conf");
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return texts(result.tokens);
}

describe("keepalived lexer", () => {
  it("splits words, braces and lines, with file and line on every token", () => {
    const result = lex("vrrp_instance VI_1 {\n\n  state MASTER\n}\n", "k.conf");
    assert.ok(result.ok);
    assert.deepEqual(texts(result.tokens), ["vrrp_instance", "VI_1", "{", "\\n", "state", "MASTER", "\\n", "}", "\\n"]);
    assert.deepEqual(
      result.tokens.map((t) => t.line),
      [1, 1, 1, 1, 3, 3, 3, 4, 4],
    );
    assert.ok(result.tokens.every((t) => t.file === "k.conf"));
  });

  const cases: readonly [string, string, string[]][] = [
    ["# comment line", "# all of this\nrouter_id x", ["router_id", "x", "\\n"]],
    ["! comment line", "! all of this\nrouter_id x", ["router_id", "x", "\\n"]],
    ["# after tokens", "priority 100 # the priority", ["priority", "100", "\\n"]],
    ["! after tokens", "priority 100 ! the priority", ["priority", "100", "\\n"]],
    ["comment glued to a word", "priority 100#x", ["priority", "100", "\\n"]],
    ["# inside quotes is text", 'script "/bin/check #1 !x"', ["script", '"/bin/check #1 !x"', "\\n"]],
    ["quoted string keeps spaces", 'script "/usr/bin/pkill -0 sshd"', ["script", '"/usr/bin/pkill -0 sshd"', "\\n"]],
    ["quote ends a word", 'a"b c"d', ["a", '"b c"', "d", "\\n"]],
    ["empty quoted string", 'x ""', ["x", '""', "\\n"]],
    ["braces glued to words", "virtual_ipaddress{192.0.2.5}", ["virtual_ipaddress", "{", "192.0.2.5", "}", "\\n"]],
    ["escaped comment characters", "auth_pass a\\#b\\!c", ["auth_pass", "a#b!c", "\\n"]],
    ["other backslashes stay", "x a\\b", ["x", "a\\b", "\\n"]],
    ["line continuation", "priority \\\n  100\nx", ["priority", "100", "\\n", "x", "\\n"]],
    ["CRLF line ends", "a 1\r\nb 2\r\n", ["a", "1", "\\n", "b", "2", "\\n"]],
    ["tabs", "\ta\t1", ["a", "1", "\\n"]],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => assert.deepEqual(tokensOf(text), expected));
  }

  it("reports an unterminated quote with file and line", () => {
    const result = lex('x 1\nscript "/bin/true\n', "k.conf");
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [{ file: "k.conf", line: 2, keyword: "script", message: "unterminated quoted string" }]);
  });
});

describe("keepalived includes", () => {
  it("splices included files in sorted glob order, relative to the including file", () => {
    const io = fakeIo({
      "/etc/keepalived/conf.d/b.conf": "b 2\n",
      "/etc/keepalived/conf.d/a.conf": "a 1\n",
      "/etc/keepalived/conf.d/.hidden.conf": "hidden 1\n",
      "/etc/keepalived/conf.d/skip.txt": "txt 1\n",
    });
    const result = lex("top 0\ninclude conf.d/*.conf\nend 9\n", "/etc/keepalived/keepalived.conf", io);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(texts(result.tokens), ["top", "0", "\\n", "a", "1", "\\n", "b", "2", "\\n", "end", "9", "\\n"]);
    assert.deepEqual(
      result.tokens.filter((t) => t.kind === "word").map((t) => `${t.file}:${t.line}`),
      [
        "/etc/keepalived/keepalived.conf:1",
        "/etc/keepalived/keepalived.conf:1",
        "/etc/keepalived/conf.d/a.conf:1",
        "/etc/keepalived/conf.d/a.conf:1",
        "/etc/keepalived/conf.d/b.conf:1",
        "/etc/keepalived/conf.d/b.conf:1",
        "/etc/keepalived/keepalived.conf:3",
        "/etc/keepalived/keepalived.conf:3",
      ],
    );
  });

  it("includes nested files relative to their own directory, with ? and absolute paths", () => {
    const io = fakeIo({ "/a/sub/one.conf": "include ../two?.conf\n", "/a/two1.conf": "two 1\n", "/b/x.conf": "x 1\n" });
    const result = lex("include sub/one.conf\ninclude /b/x.conf # abs\n", "/a/top.conf", io);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(texts(result.tokens), ["two", "1", "\\n", "x", "1", "\\n"]);
  });

  it("a wildcard matching nothing includes nothing, as in keepalived", () => {
    const result = lex("include none/*.conf\na 1\n", "/etc/k.conf", fakeIo({ "/etc/k.conf": "" }));
    assert.ok(result.ok);
    assert.deepEqual(texts(result.tokens), ["a", "1", "\\n"]);
  });

  it("a missing literal file is an error at the include line", () => {
    const result = lex("a 1\ninclude missing.conf\n", "/etc/k.conf", fakeIo({}));
    assert.ok(!result.ok);
    assert.equal(result.errors.length, 1);
    assert.deepEqual({ ...result.errors[0], message: "" }, { file: "/etc/k.conf", line: 2, keyword: "include", message: "" });
    assert.match(result.errors[0]!.message, /cannot read \/etc\/missing.conf/);
  });

  it("detects include cycles", () => {
    const io = fakeIo({ "/k/a.conf": "include b.conf\n", "/k/b.conf": "x 1\ninclude a.conf\n" });
    const result = lex("include a.conf\n", "/k/top.conf", io);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => `${e.file}:${e.line}: ${e.keyword}: ${e.message}`),
      ["/k/b.conf:2: include: include cycle: /k/top.conf -> /k/a.conf -> /k/b.conf -> /k/a.conf"],
    );
  });

  it("detects a file including itself", () => {
    const result = lex("include *.conf\n", "/k/top.conf", fakeIo({ "/k/top.conf": "" }));
    assert.ok(!result.ok);
    assert.match(result.errors[0]!.message, /include cycle: \/k\/top.conf -> \/k\/top.conf/);
  });

  it("bounds include expansion in total: a chain of files each including the next twice fails at once, naming the line", () => {
    // 2^33 reads without a bound (fuzz finding F2).
    const files: Record<string, string> = { "/k/inc/32.conf": "# end\n" };
    for (let i = 1; i < 32; i++) files[`/k/inc/${i}.conf`] = `include ${i + 1}.conf\ninclude ${i + 1}.conf\n`;
    const reads = { count: 0 };
    const io = fakeIo(files);
    const counting = { ...io, readFile: (path: string) => (reads.count++, io.readFile(path)) };
    const started = Date.now();
    const result = lex("include inc/1.conf\ninclude inc/1.conf\n", "/k/keepalived.conf", counting);
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    assert.equal(reads.count, MAX_INCLUDED_FILES);
    assert.ok(!result.ok);
    assert.equal(result.errors.length, 1, "the exhausted budget is reported once");
    const e = result.errors[0]!;
    assert.match(`${e.file}:${e.line}`, /^\/k\/inc\/\d+\.conf:[12]$/);
    assert.equal(e.keyword, "include");
    assert.match(
      e.message,
      /^include expansion would read more than 1000 included files in all; \/k\/inc\/\d+\.conf alone was included \d+ times/,
    );
  });

  it("accepts a file included from many places, up to the total", () => {
    const blocks = Array.from({ length: 255 }, (_, i) => `vrrp_instance V${i} {\n  include common.conf\n}\n`).join("");
    const result = lex(blocks, "/k/keepalived.conf", fakeIo({ "/k/common.conf": "advert_int 1\n" }));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors.slice(0, 2)));
    assert.equal(result.tokens.filter((t) => t.text === "advert_int").length, 255);
  });

  it("bounds the included text in total, naming the include line and the file", () => {
    const big = "x 1\n".repeat(MAX_INCLUDED_CHARACTERS / 4 / 3 + 1); // a third of the budget and a bit
    const result = lex("include big.conf\ninclude big.conf\ninclude big.conf\n", "/k/keepalived.conf", fakeIo({ "/k/big.conf": big }));
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => `${e.file}:${e.line}: ${e.keyword}`),
      ["/k/keepalived.conf:3: include"],
    );
    assert.match(
      result.errors[0]!.message,
      /over 4,000,000 characters of included text in all with \/k\/big.conf; \/k\/big.conf alone was included 3 times/,
    );
  });

  it("rejects includes without file access, bad arguments and unsupported glob syntax", () => {
    const noIo = lex("include x.conf\n", "k.conf");
    assert.ok(!noIo.ok);
    assert.match(noIo.errors[0]!.message, /no file access/);
    const two = lex("include a b\n", "k.conf", fakeIo({}));
    assert.ok(!two.ok);
    assert.match(two.errors[0]!.message, /exactly one/);
    const brace = lex("include {a,b}.conf\n", "k.conf", fakeIo({}));
    assert.ok(!brace.ok);
    assert.match(brace.errors[0]!.message, /brace expansion/);
    const bracket = lex("include conf[12].conf\n", "k.conf", fakeIo({}));
    assert.ok(!bracket.ok);
    assert.match(bracket.errors[0]!.message, /only \* and \? wildcards/);
  });

  it("expands patterns relative to a relative directory", () => {
    const io = fakeIo({ "conf.d/x.conf": "", "conf.d/y.conf": "" });
    assert.deepEqual(expandPattern("conf.d/*.conf", ".", io.listDir), {
      ok: true,
      paths: ["conf.d/x.conf", "conf.d/y.conf"],
      wildcard: true,
    });
  });
});
