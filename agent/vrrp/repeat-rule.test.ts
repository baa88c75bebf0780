// The repeat rule (receive-checks.ts): a packet byte-identical to the last accepted advert, from the
// same source to the same destination with the same TTL, may skip decode and checks. Held here by
// running generated packet streams through both paths: the fast one (peekVrid, isRepeat, else
// decode and check, as agent.ts and router.ts do) and decode-and-check for every packet. A check
// that came to depend on a clock, a count or an earlier advert would make them differ.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { InstanceConfig } from "../config/types.js";
import { validateAgentConfig } from "../config/validate.js";
import { decodeAdvert, encodeAdvert, peekVrid } from "./codec.js";
import type { Advert } from "./packet.js";
import { type AcceptedAdvert, checkAdvert, isRepeat, type ReceiveContext, receiveContext } from "./receive-checks.js";

interface Packet {
  readonly family: 4 | 6;
  readonly payload: Buffer;
  readonly source: string;
  readonly destination: string;
  readonly ttl: number;
}
type Verdict = { readonly accepted: Advert } | { readonly dropped: string };

const OWN = { 4: "192.0.2.11", 6: "fe80::11" } as const;

function instance(fields: Record<string, unknown>): InstanceConfig {
  const r = validateAgentConfig({ instances: [{ name: "i", interface: "eth0", virtualRouterId: 51, ...fields }] });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config.instances[0]!;
}
const instances: readonly InstanceConfig[] = [
  instance({ addresses: ["192.0.2.5", "192.0.2.6"] }),
  instance({ addresses: ["192.0.2.5"], version: 2, authentication: { type: "pass", password: "s3cret" } }),
  instance({ addresses: ["192.0.2.5"], unicast: { peers: ["192.0.2.12", "192.0.2.13"] } }),
  instance({ addresses: ["2001:db8::5"] }),
];

/** A packet near what a peer of `inst` sends: the right or a wrong version, VRID, addresses, source, TTL, password. */
function packetArb(inst: InstanceConfig): fc.Arbitrary<Packet> {
  const family = inst.addresses[0]!.family;
  const ours = inst.addresses.map((a) => a.address);
  const other = family === 4 ? "192.0.2.99" : "2001:db8::99";
  return fc
    .record({
      version: fc.constantFrom<2 | 3>(2, 3),
      vrid: fc.constantFrom(51, 52),
      priority: fc.integer({ min: 0, max: 255 }),
      intervalS: fc.constantFrom(1, 2),
      addresses: fc.constantFrom(ours, [...ours].reverse(), [other], [...ours, other]),
      password: fc.constantFrom<string | undefined>(undefined, "s3cret", "other"),
      source: fc.constantFrom(...(family === 4 ? [OWN[4], "192.0.2.12", "192.0.2.77"] : [OWN[6], "fe80::12"])),
      destination: fc.constantFrom(...(family === 4 ? ["224.0.0.18", OWN[4]] : ["ff02::12", "2001:db8::11"])),
      ttl: fc.constantFrom(255, 255, 64),
      corrupt: fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { freq: 4 }),
    })
    .filter((p) => family === 4 || p.version === 3)
    .map((p): Packet => {
      const advert: Advert = {
        version: p.version,
        family,
        virtualRouterId: p.vrid,
        priority: p.priority,
        advertIntervalMs: p.intervalS * 1000,
        addresses: p.addresses,
        ...(p.version === 2 ? (p.password === undefined ? { authType: 0 } : { authType: 1, password: Buffer.from(p.password) }) : {}),
      };
      const payload = encodeAdvert(advert, { source: p.source, destination: p.destination });
      // Some packets get one byte changed: bad checksums, versions, lengths.
      if (p.corrupt !== null) {
        const at = p.corrupt[0] % payload.length;
        payload[at] = payload[at]! ^ p.corrupt[1];
      }
      return { family, payload, source: p.source, destination: p.destination, ttl: p.ttl };
    });
}

function decodeAndCheck(ctx: ReceiveContext, packet: Packet): { verdict: Verdict; accepted?: AcceptedAdvert } {
  const decoded = decodeAdvert(packet);
  if (!decoded.ok) return { verdict: { dropped: decoded.reason } };
  assert.equal(peekVrid(packet.payload), decoded.advert.virtualRouterId, "peekVrid reads the VRID decode finds");
  const arrived = { advert: decoded.advert, source: packet.source, destination: packet.destination, ttl: packet.ttl };
  const reason = checkAdvert(ctx, arrived);
  if (reason !== undefined) return { verdict: { dropped: reason } };
  return { verdict: { accepted: decoded.advert }, accepted: { payload: Buffer.from(packet.payload), arrived } };
}

/** What agent.ts and router.ts do: the VRID from peekVrid, a repeat taken as the last accepted advert. */
function fastPath(ctx: ReceiveContext, stream: readonly Packet[]): Verdict[] {
  const last = new Map<number, AcceptedAdvert>();
  return stream.map((packet) => {
    const vrid = peekVrid(packet.payload);
    const previous = vrid === undefined ? undefined : last.get(vrid);
    if (isRepeat(previous, packet)) return { accepted: previous.arrived.advert };
    const { verdict, accepted } = decodeAndCheck(ctx, packet);
    if (accepted !== undefined) last.set(accepted.arrived.advert.virtualRouterId, accepted);
    return verdict;
  });
}

describe("the repeat rule", () => {
  it("the fast path (peekVrid, isRepeat) and decode-and-check agree on every packet of a stream", () => {
    const streams = fc.constantFrom(...instances).chain((inst) =>
      fc.record({
        inst: fc.constant(inst),
        // A few distinct packets, sent in an order with many repeats (as a master repeats its advert).
        packets: fc.array(packetArb(inst), { minLength: 1, maxLength: 6 }),
        order: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
      }),
    );
    fc.assert(
      fc.property(streams, ({ inst, packets, order }) => {
        const stream = order.map((i) => packets[i % packets.length]!);
        const ctx = receiveContext(inst, OWN[inst.addresses[0]!.family]);
        const slow = stream.map((p) => decodeAndCheck(ctx, p).verdict);
        assert.deepEqual(fastPath(ctx, stream), slow);
      }),
      { numRuns: 2000 },
    );
  });

  it("a repeat is taken only with the same bytes, source, destination and TTL", () => {
    const inst = instances[0]!;
    const ctx = receiveContext(inst, OWN[4]);
    const advert: Advert = {
      version: 3,
      family: 4,
      virtualRouterId: 51,
      priority: 100,
      advertIntervalMs: 1000,
      addresses: ["192.0.2.5", "192.0.2.6"],
    };
    const packet: Packet = {
      family: 4,
      payload: encodeAdvert(advert, { source: "192.0.2.12", destination: "224.0.0.18" }),
      source: "192.0.2.12",
      destination: "224.0.0.18",
      ttl: 255,
    };
    const { accepted } = decodeAndCheck(ctx, packet);
    assert.ok(accepted !== undefined);
    assert.ok(isRepeat(accepted, { ...packet, payload: Buffer.from(packet.payload) }));
    assert.ok(!isRepeat(accepted, { ...packet, ttl: 64 }));
    assert.ok(!isRepeat(accepted, { ...packet, source: "192.0.2.13" }));
    assert.ok(!isRepeat(accepted, { ...packet, destination: "192.0.2.11" }));
    const changed = Buffer.from(packet.payload);
    changed[2] = 99;
    assert.ok(!isRepeat(accepted, { ...packet, payload: changed }));
    assert.ok(!isRepeat(undefined, packet));
  });

  it("peekVrid: byte 1, or undefined for a message too short to carry it", () => {
    assert.equal(peekVrid(Buffer.from([0x31, 51, 100])), 51);
    assert.equal(peekVrid(Buffer.from([0x31])), undefined);
    assert.equal(peekVrid(Buffer.alloc(0)), undefined);
  });
});
