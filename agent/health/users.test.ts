import { test } from "node:test";
import assert from "node:assert/strict";
import { parseIdFile, passwdUserLookup, resolveUser } from "./users.js";

const passwd = parseIdFile(
  "root:x:0:0:root:/root:/bin/bash\n# comment\nnobody:x:65534:65534:nobody:/:/usr/sbin/nologin\nchk:x:1001:1002::/home/chk:/bin/sh\n",
);
const groups = parseIdFile("root:x:0:\nnogroup:x:65534:\nops:x:2000:chk\n");

test("name resolves to uid and primary gid", () => {
  assert.deepEqual(resolveUser("chk", passwd, groups), { ok: true, ids: { uid: 1001, gid: 1002 } });
});

test("numeric uid with a passwd entry takes its primary gid", () => {
  assert.deepEqual(resolveUser("65534", passwd, groups), { ok: true, ids: { uid: 65534, gid: 65534 } });
});

test("user:group picks the group by name or number", () => {
  assert.deepEqual(resolveUser("chk:ops", passwd, groups), { ok: true, ids: { uid: 1001, gid: 2000 } });
  assert.deepEqual(resolveUser("4242:4243", passwd, groups), { ok: true, ids: { uid: 4242, gid: 4243 } });
});

test("unknown names fail", () => {
  assert.equal(resolveUser("nosuch", passwd, groups).ok, false);
  assert.equal(resolveUser("chk:nosuch", passwd, groups).ok, false);
  assert.equal(resolveUser("4242", passwd, groups).ok, false);
  assert.equal(resolveUser("", passwd, groups).ok, false);
});

test("passwdUserLookup reads /etc/passwd and /etc/group through the injected reader", async () => {
  const read: string[] = [];
  const lookup = passwdUserLookup(async (path) => {
    read.push(path);
    return path === "/etc/passwd" ? "chk:x:1001:1002::/:/bin/sh\n" : "ops:x:2000:\n";
  });
  assert.deepEqual(await lookup("chk:ops"), { ok: true, ids: { uid: 1001, gid: 2000 } });
  assert.deepEqual(read.sort(), ["/etc/group", "/etc/passwd"]);
});
