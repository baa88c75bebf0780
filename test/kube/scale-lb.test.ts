// Issue 15's acceptance at cluster scale: 5,000 LoadBalancer Services (Cluster policy, one pool) plus
// 500 VirtualIPs on 1,000 Nodes, the real controller against the API test server (bench/lb-scale.ts,
// run as its own process so its CPU and handles are its own). Timing-sensitive: run under the lab lock.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";
import { promisify } from "node:util";
import { REPO } from "../chart/helm.js";
import type { LbScaleResult } from "../../bench/lb-scale.js";
import { ADVERT_CAPACITY } from "../../operator/planner/pack.js";

it("5,000 Services + 500 VirtualIPs on 1,000 nodes: all served on >= 2 nodes, small VRRPNodes, cold start <= 30 s, one more Service moves nothing", {
  timeout: 300_000,
}, async (t) => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(REPO, "dist", "bench", "controller-lb.js"), "--services", "5000", "--vips", "500", "--nodes", "1000"],
    { cwd: REPO, maxBuffer: 16 * 1024 * 1024, timeout: 280_000 },
  );
  const r = JSON.parse(stdout) as LbScaleResult;
  t.diagnostic(
    `cold start ${(r.coldStartMs / 1000).toFixed(1)} s, largest VRRPNode ${r.largestVrrpNodeBytes} bytes, ${r.routers} routers, ${r.advertsPerSecond} adverts/s`,
  );
  assert.deepEqual(
    r.served,
    { services: 5000, vips: 5500, minNodesPerAddress: 3 },
    "every Service has its ingress, every VirtualIP a VRID, every address 3 nodes",
  );
  assert.ok(r.largestVrrpNodeBytes <= 256 * 1024, `largest VRRPNode ${r.largestVrrpNodeBytes} bytes`);
  assert.equal(r.repeatedPeerLists, 0, "no VRRPNode writes a peer list twice (peer sets)");
  assert.ok(r.largestRouter <= ADVERT_CAPACITY[6], "an IPv6 router's advert carries at most 77 addresses (the rest ride excluded)");
  assert.ok(r.coldStartMs <= 30_000, `cold start ${r.coldStartMs} ms`);
  assert.deepEqual(r.addOne.moved, [], "no address already rendered moved");
  assert.equal(r.addOne.rendered, 3, "the new Service's address is rendered on its router's 3 candidates");
  assert.equal(r.addOne.specWrites.length, 3, "only the VRRPNodes of the router it joined are written");
  assert.deepEqual(r.addOne.writes, {
    createVirtualIP: 1,
    setVirtualIPFinalizers: 1,
    patchVirtualIPStatus: 1,
    writeVrrpNodeSpec: 3,
    patchServiceStatus: 1,
    createServiceEvent: 1,
    patchVirtualIPPoolStatus: 1,
  });
});
