import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SysctlPromoteSecondaries } from "./promote-secondaries.js";

/** /proc/sys/net as a map, recording writes. */
function fakeSysctl(initial: Record<string, string>) {
  const values = new Map(Object.entries(initial));
  const writes: string[] = [];
  return {
    values,
    writes,
    read: async (key: string) => values.get(key) ?? "0",
    write: async (key: string, value: string) => {
      writes.push(`${key}=${value}`);
      values.set(key, value);
    },
  };
}

const KEY = "ipv4/conf/eth0/promote_secondaries";

describe("promote_secondaries (keepalived 2.2.7's rules)", () => {
  it("is set by the first instance on the interface and put back to 0 after the last", async () => {
    const sysctl = fakeSysctl({ [KEY]: "0" });
    const flags = new SysctlPromoteSecondaries(sysctl);
    await flags.hold("eth0");
    await flags.hold("eth0");
    assert.equal(sysctl.values.get(KEY), "1");
    await flags.release("eth0");
    assert.equal(sysctl.values.get(KEY), "1", "another instance still holds it");
    await flags.release("eth0");
    assert.equal(sysctl.values.get(KEY), "0");
    assert.deepEqual(sysctl.writes, [`${KEY}=1`, `${KEY}=0`]);
  });

  it("one that was set before is never written", async () => {
    const sysctl = fakeSysctl({ [KEY]: "1" });
    const flags = new SysctlPromoteSecondaries(sysctl);
    await flags.hold("eth0");
    await flags.release("eth0");
    await flags.release("eth0");
    assert.deepEqual(sysctl.writes, []);
  });
});
