import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCommandLine } from "./command-line.js";

const ok = (input: string, argv: string[]) =>
  test(`parseCommandLine(${JSON.stringify(input)})`, () => assert.deepEqual(parseCommandLine(input), { ok: true, argv }));
const bad = (input: string) =>
  test(`parseCommandLine(${JSON.stringify(input)}) fails`, () => assert.equal(parseCommandLine(input).ok, false));

ok("/etc/keepalived/notify.sh", ["/etc/keepalived/notify.sh"]);
ok("  killall  -0   haproxy ", ["killall", "-0", "haproxy"]);
ok("/bin/sh -c 'exit 1'", ["/bin/sh", "-c", "exit 1"]);
ok(`/bin/echo "a b" 'c "d"' e\\ f`, ["/bin/echo", "a b", 'c "d"', "e f"]);
ok(`x "q\\"uote \\$HOME \\n"`, ["x", 'q"uote $HOME \\n']);
ok("x ''", ["x", ""]);
ok("x a'b'\"c\"d", ["x", "abcd"]);
ok("x $HOME *", ["x", "$HOME", "*"]);
ok("a\tb\nc", ["a", "b", "c"]);
bad("");
bad("   ");
bad("x 'open");
bad('x "open');
bad("x \\");
bad("'' arg");
