import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateAgentConfig } from "../config/validate.js";
import { fileConfigCache } from "./config-cache.js";

describe("config cache", () => {
  it("keeps a router's excludedAddresses across the agent's restart (the controller's overflow rides there)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "floatip-cache-"));
    try {
      const checked = validateAgentConfig(
        {
          instances: [
            {
              name: "vrid-1",
              interface: "eth0",
              virtualRouterID: 1,
              addresses: ["192.0.2.5/32"],
              excludedAddresses: ["192.0.2.6/32", "192.0.2.7/32"],
            },
          ],
        },
        { kubernetes: true },
      );
      assert.ok(checked.ok);
      const problems: string[] = [];
      const cache = fileConfigCache(dir, (m) => problems.push(m));
      await cache.save({ generation: 3, config: checked.config });
      const loaded = await cache.load();
      assert.deepEqual(problems, []);
      assert.equal(loaded?.generation, 3);
      assert.deepEqual(loaded.config.instances[0]?.excludedAddresses, checked.config.instances[0]?.excludedAddresses);
      assert.deepEqual(loaded.config.instances[0]?.addresses, checked.config.instances[0]?.addresses);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
