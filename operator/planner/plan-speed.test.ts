/**
 * Speed checks, not timed assertions: plans 1,000 VirtualIPs over 200 nodes
 * and reports the time as a test diagnostic. When every VirtualIP selects
 * every node, VirtualIPs pack into 32 routers per subnet (pack.ts), each on
 * 3 candidate nodes (or every node with maxCandidates 0). When each selects
 * 3 of the nodes (a label per node triple), VRIDs repeat across triples.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { plan } from "./plan.js";
import { nodes, vip } from "./test-fixtures.js";

it("plans 1,000 VirtualIPs x 200 nodes, each on every node (time reported, not asserted)", (t) => {
  const cluster = nodes(200);
  const vips = Array.from({ length: 1000 }, (_, i) =>
    vip(`vip-${i}`, { addresses: [i % 2 === 0 ? `10.${i >> 8}.${i & 255}.1/16` : `2001:db8::${(i + 0x1000).toString(16)}/64`] }),
  );
  plan({ virtualIPs: vips.slice(0, 50), nodes: cluster }); // warm-up
  const start = performance.now();
  const result = plan({ virtualIPs: vips, nodes: cluster });
  const ms = performance.now() - start;
  const rendered = [...result.vips.values()].filter((p) => p.renderedNodes.length > 0).length;
  const instances = [...result.nodes.values()].reduce((n, doc) => n + doc.instances.length, 0);
  t.diagnostic(`planned 1000 VirtualIPs x 200 nodes in ${ms.toFixed(0)} ms: ${rendered} rendered, ${instances} instances`);
  assert.equal(rendered, 1000);
  const routers = new Set([...result.vips.values()].map((p) => p.routers![0]!.instance)).size;
  assert.ok(routers <= 5 * 32, `${routers} routers: 32 per group (four IPv4 /24s, one IPv6 /64)`);
  assert.equal(instances, routers * 3, "3 candidates each");
  const everywhere = plan({ virtualIPs: vips, nodes: cluster }, { maxCandidates: 0 });
  assert.equal(
    [...everywhere.nodes.values()].reduce((n, doc) => n + doc.instances.length, 0),
    routers * 200,
  );
});

it("plans 1,000 VirtualIPs x 200 nodes, each on 3 nodes (time reported, not asserted)", (t) => {
  const cluster = nodes(200).map((n, i) => ({ ...n, labels: { ...n.labels, triple: String(Math.floor(i / 3)) } }));
  const triples = Math.ceil(200 / 3);
  const vips = Array.from({ length: 1000 }, (_, i) =>
    vip(`vip-${i}`, {
      addresses: [i % 2 === 0 ? `10.${i >> 8}.${i & 255}.1/16` : `2001:db8::${(i + 0x1000).toString(16)}/64`],
      nodeSelector: { triple: String(i % triples) },
    }),
  );
  plan({ virtualIPs: vips.slice(0, 50), nodes: cluster }); // warm-up
  const start = performance.now();
  const result = plan({ virtualIPs: vips, nodes: cluster });
  const ms = performance.now() - start;
  const rendered = [...result.vips.values()].filter((p) => p.renderedNodes.length > 0);
  t.diagnostic(`planned 1000 VirtualIPs x 200 nodes (3 each) in ${ms.toFixed(0)} ms`);
  assert.equal(rendered.length, 1000);
  assert.ok(
    Math.max(...rendered.map((p) => p.virtualRouterID!)) <= 12,
    "a triple's VirtualIPs of one subnet pack into 3 routers (four IPv4 /24s)",
  );
});
