import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressTable, ReceivedPacket } from "./ports.js";
import { createTransportFactory, RECORD_WORDS, type FloatipNet } from "./transport.js";

/**
 * The addon's side of a batch, as agent/native/vrrp_sockets.c writes it:
 * payloads in the buffer, one record per packet (offset, length, TTL,
 * ifindex, age in us, then source and destination as raw bytes at words 8
 * and 12), then one onPackets(count).
 */
interface Captured {
  buffer: Buffer;
  records: Int32Array;
  onPackets: (count: number) => void;
}

function fakeNative(captured: Captured[]): FloatipNet {
  const socket = {
    ifindex: 2,
    send: () => 0,
    farewell: () => -1,
    readWaiting: () => undefined,
    setReadDelay: () => undefined,
    close: () => undefined,
  };
  return {
    openVrrp4: (
      _ifname: string,
      _source: string,
      _join: boolean,
      buffer: Buffer,
      records: Int32Array,
      onPackets: (count: number) => void,
    ) => {
      captured.push({ buffer, records, onPackets });
      return socket;
    },
    openVrrp6: (_ifname: string, _join: boolean, buffer: Buffer, records: Int32Array, onPackets: (count: number) => void) => {
      captured.push({ buffer, records, onPackets });
      return socket;
    },
  } as unknown as FloatipNet;
}

const addresses = {
  link: async () => ({
    name: "eth0",
    index: 2,
    mac: "02:00:00:00:00:01",
    up: true,
    addresses: [
      { family: 4, address: "192.0.2.11", prefixLength: 24 },
      { family: 6, address: "fe80::1", prefixLength: 64 },
    ],
  }),
} as unknown as AddressTable;

/** Writes packet `slot` of a batch: payload at `offset`, addresses as bytes. */
function put(
  c: Captured,
  slot: number,
  offset: number,
  payload: string,
  source: number[],
  destination: number[],
  ttl: number,
  ageUs: number,
) {
  const bytes = Buffer.from(payload, "hex");
  bytes.copy(c.buffer, offset);
  const at = slot * RECORD_WORDS;
  c.records.fill(0, at, at + RECORD_WORDS);
  c.records.set([offset, bytes.length, ttl, 2, ageUs], at);
  const raw = new Uint8Array(c.records.buffer);
  raw.set(source, (at + 8) * 4);
  raw.set(destination, (at + 12) * 4);
}

/** What a handler saw, copied (the packet and its payload are only valid during the call). */
const seen = (packets: object[]) => (p: ReceivedPacket) => packets.push({ ...p, payload: p.payload.toString("hex") });

test("an IPv4 batch reaches the handlers as packets, each with its own payload, addresses, TTL and age", async () => {
  const captured: Captured[] = [];
  const transport = await createTransportFactory({ addresses, native: fakeNative(captured) }).open({
    interface: "eth0",
    family: 4,
    multicast: true,
  });
  const packets: object[] = [];
  transport.onPacket(seen(packets));
  const c = captured[0]!;
  const group = [224, 0, 0, 18];
  put(c, 0, 20, "3101", [192, 0, 2, 12], group, 255, 150);
  put(c, 1, 4096 + 20, "3102aa", [192, 0, 2, 12], group, 255, 90);
  put(c, 2, 8192 + 24, "3103", [198, 51, 100, 7], [192, 0, 2, 11], 64, 0);
  c.onPackets(3);
  put(c, 0, 20, "3104", [192, 0, 2, 12], group, 255, 40); // the next batch reuses slot 0
  c.onPackets(1);
  const ipv4 = (payload: string, source: string, destination: string, ttl: number, ageMs: number) => ({
    family: 4,
    payload,
    source,
    destination,
    ttl,
    ifindex: 2,
    ageMs,
  });
  assert.deepEqual(packets, [
    ipv4("3101", "192.0.2.12", "224.0.0.18", 255, 0.15),
    ipv4("3102aa", "192.0.2.12", "224.0.0.18", 255, 0.09),
    ipv4("3103", "198.51.100.7", "192.0.2.11", 64, 0),
    ipv4("3104", "192.0.2.12", "224.0.0.18", 255, 0.04),
  ]);
});

test("an IPv6 batch gives canonical address text and the hop limit", async () => {
  const captured: Captured[] = [];
  const transport = await createTransportFactory({ addresses, native: fakeNative(captured) }).open({
    interface: "eth0",
    family: 6,
    multicast: true,
  });
  const packets: object[] = [];
  transport.onPacket(seen(packets));
  const c = captured[0]!;
  const linkLocal = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
  const group = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12];
  const doc = [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  put(c, 0, 0, "3101", linkLocal, group, 255, 10);
  put(c, 1, 4096, "3102", doc, group, 1, 0);
  put(c, 2, 8192, "3103", linkLocal, group, 255, 0);
  c.onPackets(3);
  assert.deepEqual(
    packets.map((p) => {
      const { source, destination, ttl, payload } = p as { source: string; destination: string; ttl: number; payload: string };
      return [payload, source, destination, ttl];
    }),
    [
      ["3101", "fe80::2", "ff02::12", 255],
      ["3102", "2001:db8:1::1", "ff02::12", 1],
      ["3103", "fe80::2", "ff02::12", 255],
    ],
  );
});

test("a handler that closes the transport stops the rest of the batch", async () => {
  const captured: Captured[] = [];
  const transport = await createTransportFactory({ addresses, native: fakeNative(captured) }).open({
    interface: "eth0",
    family: 4,
    multicast: true,
  });
  const payloads: string[] = [];
  transport.onPacket((p) => {
    payloads.push(p.payload.toString("hex"));
    transport.close();
  });
  const c = captured[0]!;
  put(c, 0, 20, "3101", [192, 0, 2, 12], [224, 0, 0, 18], 255, 0);
  put(c, 1, 4096 + 20, "3102", [192, 0, 2, 12], [224, 0, 0, 18], 255, 0);
  c.onPackets(2);
  assert.deepEqual(payloads, ["3101"]);
});
