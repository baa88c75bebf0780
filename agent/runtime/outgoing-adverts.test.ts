/**
 * The one cache of encoded adverts: bytes per priority for the advert's
 * content, dropped (and armed farewells armed again) at the one place the
 * content is read, use().
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "../config/validate.js";
import type { InstanceConfig } from "../config/types.js";
import { memoryLogger } from "../health/fakes.js";
import type { VrrpTransport } from "../os/ports.js";
import { OutgoingAdverts } from "./outgoing-adverts.js";

function instance(patch: Record<string, unknown> = {}): InstanceConfig {
  const r = validateAgentConfig({
    instances: [{ name: "i", interface: "eth0", virtualRouterId: 51, priority: 100, addresses: ["192.0.2.5/24"], ...patch }],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config.instances[0]!;
}

function setup(config: InstanceConfig) {
  const sent: { payload: Buffer; destination: string }[] = [];
  const armed: { payload: Buffer; destination: string; linkDown: readonly string[]; state: "armed" | "disarmed" }[] = [];
  const transport: VrrpTransport & { sourceAddress: string } = {
    sourceAddress: "192.0.2.11",
    ifindex: 2,
    send: (payload, destination) => void sent.push({ payload, destination }),
    armFarewell: (payload, destination, linkDown) => {
      const entry = { payload: Buffer.from(payload), destination, linkDown: [...(linkDown ?? [])], state: "armed" as "armed" | "disarmed" };
      armed.push(entry);
      return { sent: () => false, disarm: () => void (entry.state = "disarmed") };
    },
    onPacket: () => undefined,
    onError: () => undefined,
    close: () => undefined,
  };
  const counts = { sent: 0, received: 0, addressMismatch: 0 };
  const adverts = new OutgoingAdverts(config, { transport, log: memoryLogger(), counts: () => counts });
  return { adverts, transport, sent, armed, counts };
}

/** The advert's address list, from its bytes (VRRPv3 IPv4: 8-byte header, then the addresses). */
const addressesIn = (payload: Buffer) => [...payload.subarray(8)].join(".");

describe("outgoing adverts: one cache, one invalidation point", () => {
  it("encodes a priority once: the same bytes go out until the content changes", () => {
    const { adverts, sent, counts } = setup(instance());
    adverts.send(100);
    adverts.send(100);
    adverts.send(90);
    assert.equal(sent[0]!.payload, sent[1]!.payload, "the same buffer");
    assert.notEqual(sent[1]!.payload, sent[2]!.payload);
    assert.equal(sent[2]!.payload[1], 51, "VRID");
    assert.deepEqual([sent[0]!.payload[2], sent[2]!.payload[2]], [100, 90], "priority");
    assert.equal(counts.sent, 3);
  });

  it("an unchanged content (priority, notify, a tracked script...) keeps bytes and farewells", () => {
    const { adverts, sent, armed } = setup(instance());
    adverts.arm();
    adverts.send(100);
    adverts.use(instance({ priority: 150, preempt: false }));
    adverts.send(100);
    assert.equal(sent[0]!.payload, sent[1]!.payload);
    assert.deepEqual(
      armed.map((a) => a.state),
      ["armed"],
      "not armed again",
    );
  });

  it("a new address list: new bytes, and the armed farewell is armed again with them", () => {
    const { adverts, sent, armed } = setup(instance());
    adverts.arm();
    adverts.use(instance({ addresses: ["192.0.2.5/24", "192.0.2.6/24"] }));
    adverts.send(100);
    assert.equal(addressesIn(sent[0]!.payload), "192.0.2.5.192.0.2.6");
    assert.deepEqual(
      armed.map((a) => [a.state, addressesIn(a.payload), a.payload[2]]),
      [
        ["disarmed", "192.0.2.5", 0],
        ["armed", "192.0.2.5.192.0.2.6", 0],
      ],
    );
  });

  it("new unicast peers: one advert and one farewell per peer", () => {
    const { adverts, sent, armed } = setup(instance({ unicast: { source: "192.0.2.11", peers: ["192.0.2.12"] } }));
    adverts.arm();
    adverts.use(instance({ unicast: { source: "192.0.2.11", peers: ["192.0.2.12", "192.0.2.13"] } }));
    adverts.send(100);
    assert.deepEqual(
      sent.map((s) => s.destination),
      ["192.0.2.12", "192.0.2.13"],
    );
    assert.deepEqual(
      armed.filter((a) => a.state === "armed").map((a) => a.destination),
      ["192.0.2.12", "192.0.2.13"],
    );
  });

  it("another tracked interface whose loss means FAULT: armed again for it", () => {
    const { adverts, armed } = setup(instance());
    adverts.arm();
    adverts.use(instance({ track: { interfaces: [{ name: "eth1" }] } }));
    assert.deepEqual(
      armed.map((a) => [a.state, a.linkDown]),
      [
        ["disarmed", []],
        ["armed", ["eth1"]],
      ],
    );
  });

  it("a new source address (socket reopened): new checksums, armed again", () => {
    const config = instance();
    const { adverts, transport, sent, armed } = setup(config);
    adverts.arm();
    adverts.send(100);
    transport.sourceAddress = "192.0.2.21";
    adverts.use(config);
    adverts.send(100);
    assert.notDeepEqual(sent[0]!.payload, sent[1]!.payload, "the checksum covers the source");
    assert.deepEqual(
      armed.map((a) => a.state),
      ["disarmed", "armed"],
    );
  });

  it("not master (nothing armed): a change arms nothing", () => {
    const { adverts, armed } = setup(instance());
    adverts.use(instance({ addresses: ["192.0.2.7/24"] }));
    assert.deepEqual(armed, []);
  });
});
