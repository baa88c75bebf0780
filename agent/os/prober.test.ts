/**
 * PacketProber over a fake addon: which frames go out, one receiver per
 * interface shared by its watches and closed with the last, claims routed by
 * address, our own MAC never reported. (The real sockets against a real
 * kernel: test/lab/conflict.test.ts.)
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeAddressTable } from "../runtime/fakes.js";
import { gratuitousArp, unsolicitedNeighbourAdvert } from "./frames.js";
import { arpProbe, dadSolicitation } from "./probe-frames.js";
import type { AddressClaim } from "./ports.js";
import { PacketProber, type ProbeNet } from "./prober.js";

const OWN = "02:00:00:00:00:01"; // FakeAddressTable's MAC
const OTHER = "02:00:00:00:00:99";
const SECOND = "02:00:00:00:00:02"; // this host's other interface

/** Claims from a MAC other than the interface's are delivered after a look at the host's interfaces. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A host with a second interface (eth1, its own MAC) on the same segment. */
class TwoInterfaceTable extends FakeAddressTable {
  override async links() {
    const eth0 = await this.link("eth0");
    return [eth0, { ...eth0, name: "eth1", index: 3, mac: SECOND }];
  }
}

function fakeNet() {
  const sent: { ifindex: number; frame: Buffer }[] = [];
  const receivers: { ifname: string; onFrame: (frame: Buffer) => void; closed: boolean }[] = [];
  const net: ProbeNet = {
    openPacketSocket: () => ({ send: (ifindex, frame) => (sent.push({ ifindex, frame }), frame.length), close: () => undefined }),
    openClaimReceiver: (ifname, onFrame) => {
      const r = { ifname, onFrame, closed: false };
      receivers.push(r);
      return { ifindex: 2, close: () => void (r.closed = true) };
    },
  };
  return { net, sent, receivers };
}

describe("PacketProber", () => {
  it("sends an ARP probe for IPv4 and a DAD solicitation for IPv6 out of the interface", async () => {
    const { net, sent } = fakeNet();
    const prober = PacketProber.open({ addresses: new FakeAddressTable(), native: net });
    await prober.probe("eth0", { address: "192.0.2.5", family: 4, prefixLength: 24 });
    await prober.probe("eth0", { address: "2001:db8::5", family: 6, prefixLength: 64 });
    assert.deepEqual(sent, [
      { ifindex: 2, frame: arpProbe({ mac: OWN, address: "192.0.2.5" }) },
      { ifindex: 2, frame: dadSolicitation({ mac: OWN, target: "2001:db8::5" }) },
    ]);
  });

  it("routes claims by address, drops our own MAC, shares one receiver per interface and closes it with the last watch", async () => {
    const { net, receivers } = fakeNet();
    const prober = PacketProber.open({ addresses: new FakeAddressTable(), native: net });
    const got: string[] = [];
    const record = (who: string) => (c: AddressClaim) => got.push(`${who} ${c.address} ${c.mac} ${c.via}`);
    const [a, b] = await Promise.all([prober.watch("eth0", "192.0.2.5", record("a")), prober.watch("eth0", "2001:db8::5", record("b"))]);
    assert.equal(receivers.length, 1, "one receiver for eth0, even for watches opened at once");
    const deliver = receivers[0]!.onFrame;
    deliver(gratuitousArp({ mac: OTHER, address: "192.0.2.5" }));
    deliver(gratuitousArp({ mac: OWN, address: "192.0.2.5" })); // our own: never a claim
    deliver(gratuitousArp({ mac: OTHER, address: "192.0.2.77" })); // nobody watches it
    deliver(unsolicitedNeighbourAdvert({ mac: OTHER, source: "fe80::99", target: "2001:db8::5" }));
    deliver(arpProbe({ mac: OTHER, address: "192.0.2.5" })); // asks, claims nothing
    await settle();
    assert.deepEqual(got, [`a 192.0.2.5 ${OTHER} arp-request`, `b 2001:db8::5 ${OTHER} neighbour-advert`]);
    a.close();
    assert.equal(receivers[0]!.closed, false);
    b.close();
    b.close();
    assert.equal(receivers[0]!.closed, true);
    await prober.watch("eth0", "192.0.2.5", record("c"));
    assert.equal(receivers.length, 2, "a new receiver after the last one closed");
    prober.close();
    assert.equal(receivers[1]!.closed, true);
  });

  it("never reports a MAC of the host's own other interfaces (Linux answers ARP on every interface)", async () => {
    const { net, receivers } = fakeNet();
    const prober = PacketProber.open({ addresses: new TwoInterfaceTable(), native: net });
    const got: string[] = [];
    await prober.watch("eth0", "192.0.2.5", (c) => got.push(c.mac));
    receivers[0]!.onFrame(gratuitousArp({ mac: SECOND, address: "192.0.2.5" }));
    receivers[0]!.onFrame(gratuitousArp({ mac: OTHER, address: "192.0.2.5" }));
    await settle();
    assert.deepEqual(got, [OTHER]);
    prober.close();
  });
});
