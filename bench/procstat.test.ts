import { it } from "node:test";
import assert from "node:assert/strict";
import { countBecameMaster } from "./stability.js";
import { cpuPercent, cpuTicks, processTree, sample, statusKiB } from "./procstat.js";
import { keepalivedMultiConf, settledOn, vipFor, vipsFor } from "./multi.js";

it("reads this process from /proc", () => {
  assert.ok((cpuTicks(process.pid) ?? -1) >= 0);
  assert.ok((statusKiB(process.pid, "VmRSS") ?? 0) > 1024);
  assert.deepEqual(processTree(process.pid).slice(0, 1), [process.pid]);
  const a = sample([process.pid]);
  const end = Date.now() + 30;
  while (Date.now() < end) {
    // burn a little CPU
  }
  assert.ok(cpuPercent(a, sample([process.pid]), 30) >= 0);
  assert.equal(cpuTicks(2 ** 22 + 12345), undefined);
});

it("VIPs: documentation ranges only, distinct, avoiding the lab hosts", () => {
  const all = vipsFor(255);
  assert.equal(new Set(all).size, 255);
  for (const v of all) assert.match(v, /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/);
  assert.ok(!all.includes("192.0.2.11") && !all.includes("192.0.2.12") && !all.includes("192.0.2.100"));
  assert.throws(() => vipFor(256));
  assert.equal((keepalivedMultiConf("eth0", { count: 3, intervalMs: 100, version: 3 }, 150).match(/vrrp_instance/g) ?? []).length, 3);
  assert.ok(
    settledOn(
      new Map([
        ["n1", 0],
        ["n2", 3],
      ]),
      "n2",
      3,
    ),
  );
  assert.ok(
    !settledOn(
      new Map([
        ["n1", 1],
        ["n2", 3],
      ]),
      "n2",
      3,
    ),
  );
});

it("counts backup -> master lines of both implementations", () => {
  assert.equal(
    countBecameMaster("floatip", '{"level":"info","msg":"backup -> master","instance":"bench"}\n{"msg":"master -> backup"}\n'),
    1,
  );
  assert.equal(countBecameMaster("keepalived", "Wed Nov 25 22:00:00 2026: (lab) Entering MASTER STATE\n(lab) Entering BACKUP STATE\n"), 1);
});
