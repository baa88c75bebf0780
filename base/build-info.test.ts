import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { readBuildInfo } from "./build-info.js";
import { AgentMetrics } from "../agent/runtime/metrics.js";

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

describe("build info", () => {
  it("is package.json's version and the running Node's", () => {
    assert.deepEqual(readBuildInfo(), { version: PACKAGE_VERSION, nodeVersion: process.version });
  });

  it("the agent exports floatip_build_info 1 with version and node_version labels", async () => {
    const text = await new AgentMetrics({ version: "1.2.3", nodeVersion: "v24.0.0" }).registry.metrics();
    assert.match(text, /^# TYPE floatip_build_info gauge$/m);
    assert.match(text, /^floatip_build_info\{version="1\.2\.3",node_version="v24\.0\.0"\} 1$/m);
  });
});
