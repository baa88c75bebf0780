import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ControllerMetrics } from "./metrics.js";

describe("ControllerMetrics", () => {
  it("exports floatip_build_info 1 with version and node_version labels", async () => {
    const text = await new ControllerMetrics({ version: "1.2.3", nodeVersion: "v24.0.0" }).registry.metrics();
    assert.match(text, /^# TYPE floatip_build_info gauge$/m);
    assert.match(text, /^floatip_build_info\{version="1\.2\.3",node_version="v24\.0\.0"\} 1$/m);
  });
});
