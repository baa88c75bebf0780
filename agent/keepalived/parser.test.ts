import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseKeepalivedText, type Block } from "./parser.js";

function parse(text: string): readonly Block[] {
  const result = parseKeepalivedText(text, "k.conf");
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.blocks;
}

/** keyword args... {children} as a compact string for comparisons. */
function show(blocks: readonly Block[]): string {
  return blocks
    .map((b) => [b.keyword, ...b.args].join(" ") + `@${b.line}` + (b.children !== undefined ? ` { ${show(b.children)} }` : ""))
    .join("; ");
}

describe("keepalived parser", () => {
  it("builds the block tree with lines", () => {
    const blocks = parse(
      "global_defs {\n  router_id r1\n}\nvrrp_instance VI_1 {\n  virtual_ipaddress {\n    192.0.2.5/24 dev eth1\n  }\n}\n",
    );
    assert.equal(
      show(blocks),
      "global_defs@1 { router_id r1@2 }; vrrp_instance VI_1@4 { virtual_ipaddress@5 { 192.0.2.5/24 dev eth1@6 } }",
    );
    assert.equal(blocks[1]!.file, "k.conf");
  });

  it("accepts a block on one line and several statements per line around braces", () => {
    assert.equal(show(parse("virtual_ipaddress { 192.0.2.5 192.0.2.6 }\n")), "virtual_ipaddress@1 { 192.0.2.5 192.0.2.6@1 }");
    assert.equal(show(parse("a { b 1 } c 2\n")), "a@1 { b 1@1 }; c 2@1");
  });

  it("accepts '{' on the line after its keyword", () => {
    assert.equal(show(parse("vrrp_instance VI_1\n{\n  state MASTER\n}\n")), "vrrp_instance VI_1@1 { state MASTER@3 }");
  });

  it("keeps an empty block apart from no block", () => {
    const [withBlock, without] = parse("track_script {\n}\nnopreempt\n");
    assert.deepEqual(withBlock!.children, []);
    assert.equal(without!.children, undefined);
  });

  it("keeps quoted arguments whole", () => {
    const [b] = parse('notify "/etc/keepalived/notify.sh --all" root\n');
    assert.deepEqual(b!.args, ["/etc/keepalived/notify.sh --all", "root"]);
  });

  it("reports a '}' without '{' with file and line", () => {
    const result = parseKeepalivedText("a {\n}\n}\n", "k.conf");
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [{ file: "k.conf", line: 3, keyword: "}", message: "'}' without a matching '{'" }]);
  });

  it("reports a '{' never closed at the line that opened it", () => {
    const result = parseKeepalivedText("vrrp_instance VI_1 {\n  authentication {\n    auth_type PASS\n}\n", "k.conf");
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [
      { file: "k.conf", line: 1, keyword: "vrrp_instance", message: "'{' opened here is never closed with '}'" },
    ]);
  });

  it("reports a '{' with no keyword before it", () => {
    const result = parseKeepalivedText("a {\n}\n{\n}\n", "k.conf");
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [{ file: "k.conf", line: 3, keyword: "{", message: "'{' without a keyword before it" }]);
  });

  it("passes lexer errors through", () => {
    const result = parseKeepalivedText('script "x\n', "k.conf");
    assert.ok(!result.ok);
    assert.equal(result.errors[0]!.message, "unterminated quoted string");
  });
});

it("rejects blocks nested absurdly deep with an error instead of overflowing the stack", () => {
  const deep = "a {\n".repeat(8000) + "}\n".repeat(8000);
  const result = parseKeepalivedText(deep, "deep.conf");
  assert.ok(!result.ok);
  assert.match(result.errors[0]!.message, /nested more than 32 deep/);
  assert.equal(result.errors[0]!.line, 33);
});
