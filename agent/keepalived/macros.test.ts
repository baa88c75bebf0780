/**
 * keepalived's preprocessor as keepalived.conf(5) describes it: parameters,
 * multi-line definitions, @ID conditionals, ~SEQ / ~SEQx / ~LST, and errors
 * naming file:line. Table tests over lex(): input text → the lines it reads as.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { lex, type Token } from "./lexer.js";
import { conditional, defaultConfigId } from "./conditionals.js";
import { MAX_PRODUCED_LINES, stripComment } from "./macros.js";
import { fakeIo } from "./fake-io.js";

/** The token lines of a lex() run, each as its tokens joined by spaces, with the line number they carry. */
function linesOf(tokens: readonly Token[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  for (const t of tokens) {
    if (t.kind === "eol") {
      out.push(`${t.line}: ${current.join(" ")}`);
      current = [];
    } else current.push(t.kind === "string" ? `"${t.text}"` : t.text);
  }
  return out;
}

function read(text: string, configId?: string): string[] {
  const result = lex(text, "/etc/keepalived/keepalived.conf", undefined, configId !== undefined ? { configId } : {});
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return linesOf(result.tokens);
}

function errorsOf(text: string, configId?: string): string[] {
  const result = lex(text, "/k/k.conf", undefined, configId !== undefined ? { configId } : {});
  assert.ok(!result.ok, "expected errors");
  return result.errors.map((e) => `${e.file}:${e.line}: ${e.keyword}: ${e.message}`);
}

describe("keepalived parameters ($NAME=VALUE)", () => {
  const cases: readonly [string, string, string[]][] = [
    ["$NAME before a space or the line end", "$PRIO=150\npriority $PRIO\n", ["2: priority 150"]],
    ["${NAME} anywhere", "$NET=192.0.2\n${NET}.10/24 dev eth0\n", ["2: 192.0.2.10/24 dev eth0"]],
    ["$NAME glued to text is not replaced (keepalived needs braces there)", "$NET=192.0.2\n$NET.10\n", ["2: $NET.10"]],
    ["an undefined name stays as written", 'script "/bin/check $HOME ${UNSET}"\n', ['1: script "/bin/check $HOME ${UNSET}"']],
    [
      "replacement is recursive and late-bound",
      "$BASE=10.2.${SUB}\n$SUB=0\n${BASE}.100/32\n$SUB=10\n${BASE}.100/32\n",
      ["3: 10.2.0.100/32", "5: 10.2.10.100/32"],
    ],
    ["an empty value", "$EMPTY=\nx${EMPTY}y\n", ["2: xy"]],
    ["a comment after a definition is not part of the value", "$P=150 # the primary\npriority $P\n", ["2: priority 150"]],
    ["a value with spaces, quoted", '$CMD=/usr/bin/pgrep -x haproxy\nscript "${CMD}"\n', ['2: script "/usr/bin/pgrep -x haproxy"']],
    ["$NAME before a quote is not replaced (not followed by a space)", '$CMD=x\nscript "$CMD"\n', ['2: script "$CMD"']],
    ["indented definitions", "  $P=7\n  priority $P\n", ["2: priority 7"]],
    ["${_HASH} and ${_BANG} are text, not comments", "auth_pass a${_HASH}b${_BANG}c\n", ["1: auth_pass a#b!c"]],
    ["${_PWD} is the directory of the file", 'script "${_PWD}/check.sh"\n', ['1: script "/etc/keepalived/check.sh"']],
    ["a plain line keeps its comment rules", "priority 100 # x $P\n", ["1: priority 100"]],
  ];
  for (const [name, text, expected] of cases) it(name, () => assert.deepEqual(read(text), expected));

  it("multi-line definitions: one line each, blank lines skipped, nested definitions and conditionals inside", () => {
    const text = [
      "$INSTANCE= \\",
      "vrrp_instance VI_${NUM} { \\",
      "    interface eth${NUM} \\",
      "",
      "    @lb1 priority 130 \\",
      "    @^lb1 priority 120 \\",
      "    virtual_router_id ${ID} \\",
      "}",
      "$NUM=0",
      "$ID=10",
      "$INSTANCE",
      "$NUM=1",
      "$ID=11",
      "${INSTANCE}",
    ].join("\n");
    assert.deepEqual(read(text, "lb1"), [
      "11: vrrp_instance VI_0 {",
      "11: interface eth0",
      "11: priority 130",
      "11: virtual_router_id 10",
      "11: }",
      "14: vrrp_instance VI_1 {",
      "14: interface eth1",
      "14: priority 130",
      "14: virtual_router_id 11",
      "14: }",
    ]);
    assert.deepEqual(
      read(text, "lb2").filter((l) => l.includes("priority")),
      ["11: priority 120", "14: priority 120"],
    );
  });

  it("definitions carry into included files, as in keepalived", () => {
    const io = fakeIo({ "/k/k.conf": "$P=150\ninclude conf.d/*.conf\n", "/k/conf.d/a.conf": "priority $P\n" });
    const result = lex("$P=150\ninclude conf.d/*.conf\n", "/k/k.conf", io);
    assert.ok(result.ok);
    assert.deepEqual(linesOf(result.tokens), ["1: priority 150"]);
    assert.equal(result.tokens[0]!.file, "/k/conf.d/a.conf");
  });

  const errors: readonly [string, string, string[]][] = [
    [
      "a parameter that refers to itself",
      "$A=x${A}\n$A\n",
      ["/k/k.conf:2: $: parameters nest more than 32 deep; does a parameter refer to itself?"],
    ],
    [
      "a multi-line parameter inside other text",
      "$M= \\\na 1 \\\nb 2\npriority $M\n",
      ["/k/k.conf:4: $M: a multi-line parameter must stand alone on its line"],
    ],
    [
      "a multi-line definition never finished",
      "$M= \\\na 1 \\\n",
      ["/k/k.conf:1: $M: the multi-line definition is not finished: its last line ends with \\"],
    ],
    [
      "${_RANDOM}",
      "priority ${_RANDOM 1 100}\n",
      [
        "/k/k.conf:1: ${_RANDOM}: not supported: floatip reads a config the same way each time (a reload compares it with the running one); write the value",
      ],
    ],
    [
      "redefining a predefined name",
      "$_PWD=/tmp\n",
      ["/k/k.conf:1: $_PWD: _PWD is one of keepalived's predefined names and cannot be redefined"],
    ],
  ];
  for (const [name, text, expected] of errors) it(`error: ${name}`, () => assert.deepEqual(errorsOf(text), expected));
});

describe("keepalived conditional lines (@ID, @^ID)", () => {
  const text = "@lb1 priority 150\n@lb2 priority 100\nunicast_peer {\n  @^lb1 192.0.2.11\n  @^lb2 192.0.2.12\n}\n";
  it("keeps @ID lines for the config id and @^ID lines for the others", () => {
    assert.deepEqual(read(text, "lb1"), ["1: priority 150", "3: unicast_peer {", "5: 192.0.2.12", "6: }"]);
    assert.deepEqual(read(text, "lb2"), ["2: priority 100", "3: unicast_peer {", "4: 192.0.2.11", "6: }"]);
  });
  it("without a config id, no @ID line counts and every @^ID line does", () => {
    assert.deepEqual(read(text), ["3: unicast_peer {", "4: 192.0.2.11", "5: 192.0.2.12", "6: }"]);
  });
  it("a conditional definition, and a parameter that holds a condition", () => {
    assert.deepEqual(read("@lb1 $PRIO=240\n@lb2 $PRIO=200\npriority $PRIO\n$IF_LB1=@lb1\n$IF_LB1 nopreempt\n", "lb1"), [
      "3: priority 240",
      "5: nopreempt",
    ]);
    assert.deepEqual(read("@lb1 $PRIO=240\n@lb2 $PRIO=200\npriority $PRIO\n$IF_LB1=@lb1\n$IF_LB1 nopreempt\n", "lb2"), ["3: priority 200"]);
  });
  it("an @ with no id is an error naming the line", () => {
    assert.deepEqual(errorsOf("priority 1\n@ priority 2\n", "lb1"), [
      '/k/k.conf:2: @: a conditional line needs a config id right after "@" (e.g. @lb1 priority 150)',
    ]);
  });
  const table: readonly [string, string | undefined, string][] = [
    ["@lb1 x", "lb1", "keep"],
    ["@lb1 x", "lb2", "drop"],
    ["@^lb1 x", "lb1", "drop"],
    ["@^lb1 x", "lb2", "keep"],
    ["   @lb1 x", "lb1", "keep"],
    ["x @lb1", "lb1", "plain"],
    ["@lb1", "lb1", "keep"],
  ];
  for (const [line, id, kind] of table) it(`conditional("${line}", ${id})`, () => assert.equal(conditional(line, id).kind, kind));
  it("the default config id is the host name up to its first dot, as keepalived's", () => {
    assert.equal(defaultConfigId("lb1.example.com"), "lb1");
    assert.equal(defaultConfigId("lb1"), "lb1");
  });
});

describe("keepalived sequences (~SEQ, ~SEQx, ~LST)", () => {
  const cases: readonly [string, string, string[]][] = [
    ["~SEQ(VAR, START, END)", "~SEQ(N, 1, 3) 192.0.2.${N}/32\n", ["1: 192.0.2.1/32", "1: 192.0.2.2/32", "1: 192.0.2.3/32"]],
    ["~SEQ(VAR, START, STEP, END)", "~SEQ(N, 10, 5, 20) x ${N}\n", ["1: x 10", "1: x 15", "1: x 20"]],
    ["~SEQ(VAR, END) starts at 1", "~SEQ(N, 2) x $N\n", ["1: x 1", "1: x 2"]],
    ["counting down", "~SEQ(N, 3, 1) x $N\n", ["1: x 3", "1: x 2", "1: x 1"]],
    [
      "~SEQx in hexadecimal",
      "~SEQx(H, 0x90, 0x10, 0xc0) 2001:db8::${H}:1\n",
      ["1: 2001:db8::90:1", "1: 2001:db8::a0:1", "1: 2001:db8::b0:1", "1: 2001:db8::c0:1"],
    ],
    ["nested sequences", "~SEQ(A, 1, 2) ~SEQ(B, 1, 2) ${A}.${B}\n", ["1: 1.1", "1: 1.2", "1: 2.1", "1: 2.2"]],
    ["~LST", "~LST(IF, eth0, eth1) track_interface $IF\n", ["1: track_interface eth0", "1: track_interface eth1"]],
    ["~LST with tuples", "~LST({A, B}, {10, 1}, {20, 4}) 192.0.${A}.${B}\n", ["1: 192.0.10.1", "1: 192.0.20.4"]],
    [
      "inside a block",
      "virtual_ipaddress {\n  ~SEQ(N, 1, 2) 198.51.100.${N}\n}\n",
      ["1: virtual_ipaddress {", "2: 198.51.100.1", "2: 198.51.100.2", "3: }"],
    ],
    ["the variable does not outlive the line", "~SEQ(N, 1, 1) a $N\nb $N\n", ["1: a 1", "2: b $N"]],
  ];
  for (const [name, text, expected] of cases) it(name, () => assert.deepEqual(read(text), expected));

  const errors: readonly [string, string, RegExp][] = [
    ["step 0", "~SEQ(N, 1, 0, 3) x\n", /^\/k\/k.conf:1: ~SEQ: usage: ~SEQ\(VAR, \[START, \[STEP,\]\] END\): STEP must not be 0$/],
    ["not a number", "~SEQ(N, a, 3) x\n", /^\/k\/k.conf:1: ~SEQ: .*must be integers/],
    ["unclosed", "~SEQ(N, 1, 3 x\n", /^\/k\/k.conf:1: ~: expected ~SEQ/],
    ["tuple size", "~LST({A, B}, {1}) x\n", /^\/k\/k.conf:1: ~LST: .*gives 1 values for 2 variables$/],
    [
      "too many lines",
      `~SEQ(A, 1, 1000) ~SEQ(B, 1, 1000) x\n`,
      new RegExp(`^/k/k.conf:1: ~: the config expands to more than ${MAX_PRODUCED_LINES.toLocaleString("en")} lines`),
    ],
  ];
  for (const [name, text, expected] of errors) {
    it(`error: ${name}`, () => {
      const got = errorsOf(text);
      assert.equal(got.length, 1, got.join("\n"));
      assert.match(got[0]!, expected);
    });
  }
});

describe("stripComment", () => {
  const cases: readonly [string, string][] = [
    ["a b # c", "a b "],
    ["a b ! c", "a b "],
    ['a "b # c" d # e', 'a "b # c" d '],
    ["a\\#b # c", "a\\#b "],
    ["no comment", "no comment"],
  ];
  for (const [text, expected] of cases) it(JSON.stringify(text), () => assert.equal(stripComment(text), expected));
});
