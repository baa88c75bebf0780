import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ControllerMetrics } from "./metrics.js";

describe("ControllerMetrics", () => {
  it("pool addresses by family and state, and Services by allocation outcome, replaced on each call", async () => {
    const m = new ControllerMetrics();
    m.loadBalancers(
      [
        { name: "default", ipv4: { allocated: 1, free: 0 } },
        { name: "v6", ipv6: { allocated: 2, free: 14 } },
      ],
      ["Allocated", "Allocated", "PoolExhausted"],
    );
    let text = await m.registry.metrics();
    assert.match(text, /^floatip_virtualippool_addresses\{pool="default",family="ipv4",state="free"\} 0$/m);
    assert.match(text, /^floatip_virtualippool_addresses\{pool="v6",family="ipv6",state="allocated"\} 2$/m);
    assert.match(text, /^floatip_loadbalancer_services\{allocation="Allocated"\} 2$/m);
    assert.match(text, /^floatip_loadbalancer_services\{allocation="PoolExhausted"\} 1$/m);
    m.loadBalancers([], []);
    text = await m.registry.metrics();
    assert.doesNotMatch(text, /pool="default"|allocation="PoolExhausted"/, "a deleted pool or a served Service leaves no stale series");
  });

  it("exports floatip_build_info 1 with version and node_version labels", async () => {
    const text = await new ControllerMetrics({ version: "1.2.3", nodeVersion: "v24.0.0" }).registry.metrics();
    assert.match(text, /^# TYPE floatip_build_info gauge$/m);
    assert.match(text, /^floatip_build_info\{version="1\.2\.3",node_version="v24\.0\.0"\} 1$/m);
  });
});
