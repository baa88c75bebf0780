import { test } from "node:test";
import assert from "node:assert/strict";
import { DirectoryFollower } from "./directory-follower.js";
import { FakeDirectoryWatcher } from "./fakes.js";

function follower(watcher: FakeDirectoryWatcher, dir = "/run/floatip/maint") {
  const changes: (string | undefined)[] = [];
  const errors: string[] = [];
  const f = new DirectoryFollower(dir, {
    watcher,
    onChange: (name) => changes.push(name),
    onError: (error, path) => errors.push(`${path}: ${error.message}`),
  });
  return { f, changes, errors };
}

test("DirectoryFollower: an existing directory is watched and its entries' names passed on", () => {
  const watcher = new FakeDirectoryWatcher(["/", "/run", "/run/floatip", "/run/floatip/maint"]);
  const { f, changes } = follower(watcher);
  f.arm();
  assert.equal(f.onTarget, true);
  assert.deepEqual(watcher.watched(), ["/run/floatip/maint"]);
  watcher.emit("/run/floatip/maint", "drain");
  watcher.emit("/run/floatip/maint", undefined);
  assert.deepEqual(changes, ["drain", undefined]);
});

test("DirectoryFollower: a missing directory is waited for on its nearest ancestor, other entries there ignored", () => {
  const watcher = new FakeDirectoryWatcher(["/", "/run"]);
  const { f, changes } = follower(watcher);
  f.arm();
  assert.equal(f.onTarget, false);
  assert.deepEqual(watcher.watched(), ["/run"]);
  watcher.emit("/run", "sshd.pid");
  assert.deepEqual(changes, []);
  // mkdir -p /run/floatip/maint: the watch moves down as far as it can, and says "re-read".
  watcher.dirs.add("/run/floatip");
  watcher.dirs.add("/run/floatip/maint");
  watcher.emit("/run", "floatip");
  assert.equal(f.onTarget, true);
  assert.deepEqual(watcher.watched(), ["/run/floatip/maint"]);
  assert.deepEqual(changes, [undefined]);
});

test("DirectoryFollower: the directory deleted is followed from its parent until it comes back", () => {
  const watcher = new FakeDirectoryWatcher(["/", "/run", "/run/floatip", "/run/floatip/maint"]);
  const { f, changes } = follower(watcher);
  f.arm();
  watcher.dirs.delete("/run/floatip/maint");
  watcher.emit("/run/floatip/maint", "maint"); // inotify's IN_DELETE_SELF, under the directory's own name
  assert.deepEqual(watcher.watched(), ["/run/floatip"]);
  watcher.dirs.add("/run/floatip/maint");
  watcher.emit("/run/floatip", "maint");
  assert.equal(f.onTarget, true);
  assert.deepEqual(changes, [undefined, undefined]);
});

test("DirectoryFollower: rm -rf of an ancestor while the watch climbs: the ancestor's own deletion moves it up again", () => {
  const watcher = new FakeDirectoryWatcher(["/", "/run", "/run/a", "/run/a/b"]);
  const { f } = follower(watcher, "/run/a/b");
  f.arm();
  // rm -rf /run/a: b goes first (the watch moves to a, still there), then a itself.
  watcher.dirs.delete("/run/a/b");
  watcher.emit("/run/a/b", "b");
  assert.deepEqual(watcher.watched(), ["/run/a"]);
  watcher.dirs.delete("/run/a");
  watcher.emit("/run/a", "a");
  assert.deepEqual(watcher.watched(), ["/run"]);
  watcher.dirs.add("/run/a");
  watcher.dirs.add("/run/a/b");
  watcher.emit("/run", "a");
  assert.equal(f.onTarget, true);
});

test("DirectoryFollower: a watch that cannot be set up or fails is reported and left for the next arm()", () => {
  const watcher = new FakeDirectoryWatcher(["/", "/run", "/run/floatip", "/run/floatip/maint"]);
  const { f, errors } = follower(watcher);
  const real = watcher.watch.bind(watcher);
  watcher.watch = () => {
    throw Object.assign(new Error("ENOSPC: System limit for number of file watchers reached"), { code: "ENOSPC" });
  };
  f.arm();
  assert.equal(f.onTarget, false);
  assert.deepEqual(errors, ["/run/floatip/maint: ENOSPC: System limit for number of file watchers reached"]);
  watcher.watch = real;
  f.arm();
  assert.equal(f.onTarget, true);
  watcher.fail("/run/floatip/maint", new Error("EIO"));
  assert.equal(f.onTarget, false);
  assert.equal(errors.length, 2);
});

test("DirectoryFollower: no event after close()", () => {
  const watcher = new FakeDirectoryWatcher(["/", "/run"]);
  const { f, changes } = follower(watcher, "/run");
  f.arm();
  f.close();
  watcher.emit("/run", "x");
  assert.deepEqual(changes, []);
  assert.deepEqual(watcher.watched(), []);
});
