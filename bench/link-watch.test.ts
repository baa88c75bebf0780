import { test } from "node:test";
import assert from "node:assert/strict";
import { parseLinkLine } from "./link-watch.js";

test("parseLinkLine: name, flags and the µs timestamp of an `ip -ts monitor link` line", () => {
  const e = parseLinkLine(
    "[2026-12-06T18:53:43.451310] 3: up0@up0p: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default ",
  );
  assert.equal(e?.name, "up0");
  assert.deepEqual(e?.flags, ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP", "M-DOWN"]);
  assert.ok(Math.abs(e!.at - (Date.parse("2026-12-06T18:53:43Z") + 451.31)) < 1e-6);
});

test("parseLinkLine: an interface without a peer, and continuation lines", () => {
  assert.equal(parseLinkLine("[2026-12-06T18:53:43.000001] 2: eth0: <BROADCAST,UP,LOWER_UP> mtu 1500")?.name, "eth0");
  assert.equal(parseLinkLine("    link/ether d2:b4:aa:45:1d:08 brd ff:ff:ff:ff:ff:ff"), undefined);
});
