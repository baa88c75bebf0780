/**
 * Standalone, a virtual address equal to the node's own address (issue 13
 * finding 3): the agent deleted the node's address at start and stop (as
 * keepalived does). Now it refuses the config at start, naming the field,
 * and the node keeps its address.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLab, type Lab } from "./netns.js";
import { Scratch, startAgent, stopSpeaker, type Speaker } from "./vrrp-lab.js";

describe("a VIP equal to the interface's own address (standalone)", { timeout: 60_000 }, () => {
  let lab: Lab;
  let scratch: Scratch;
  let speaker: Speaker | undefined;
  before(async () => {
    lab = await createLab({ nodes: 1 });
    scratch = new Scratch();
  });
  after(async () => {
    if (speaker !== undefined) await stopSpeaker(lab, speaker, "SIGKILL");
    await lab?.destroy();
    scratch?.cleanup();
  });

  it("exits 2 naming the field, and the node keeps its address", async () => {
    const host = lab.nodes[0]!;
    const before = await lab.addresses(host.ns, host.ifname);
    const config = { instances: [{ name: "web", interface: host.ifname, virtualRouterId: 51, addresses: [`${host.ipv4}/24`] }] };
    speaker = startAgent({ lab, host, scratch, config });
    const code = await Promise.race([
      new Promise<number | null>((resolve) => speaker!.child.once("exit", (c) => resolve(c))),
      new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 4000)),
    ]);
    const after = await lab.addresses(host.ns, host.ifname);
    assert.equal(
      code,
      2,
      `the agent should refuse the config; it is ${code === "running" ? "running" : `exited ${code}`}:\n${speaker.output()}`,
    );
    assert.match(
      speaker.output(),
      new RegExp(`instances\\[0\\]\\.addresses\\[0\\]: ${host.ipv4.replace(/\./g, "\\.")} is already an address of ${host.ifname}`),
    );
    assert.deepEqual(after, before);
  });
});
