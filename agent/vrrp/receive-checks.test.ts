import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { validateAgentConfig } from "../config/validate.js";
import type { InstanceConfig } from "../config/types.js";
import type { Advert, DropReason } from "./packet.js";
import { addressListMatch, checkAdvert, receiveContext, type AddressListMatch, type ArrivedAdvert } from "./receive-checks.js";

function instance(patch: Record<string, unknown> = {}): InstanceConfig {
  const r = validateAgentConfig({
    instances: [{ name: "i", interface: "eth0", virtualRouterId: 51, addresses: ["192.0.2.5", "192.0.2.6"], ...patch }],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config.instances[0]!;
}

function instance6(): InstanceConfig {
  return instance({ addresses: ["2001:db8::5"] });
}

const v3 = (patch: Partial<Advert> = {}): Advert => ({
  version: 3,
  family: 4,
  virtualRouterId: 51,
  priority: 100,
  advertIntervalMs: 1000,
  addresses: ["192.0.2.6", "192.0.2.5"],
  ...patch,
});
const v2 = (patch: Partial<Advert> = {}): Advert => v3({ version: 2, authType: 0, ...patch });
const arrived = (advert: Advert, patch: Partial<ArrivedAdvert> = {}): ArrivedAdvert => ({
  advert,
  source: "192.0.2.12",
  destination: "224.0.0.18",
  ttl: 255,
  ...patch,
});

const rows: readonly [string, InstanceConfig, ArrivedAdvert, DropReason | undefined][] = [
  ["a good v3 advert (addresses in any order) passes", instance(), arrived(v3()), undefined],
  ["our own advert", instance(), arrived(v3(), { source: "192.0.2.11" }), "own-advert"],
  ["TTL 64 on multicast", instance(), arrived(v3(), { ttl: 64 }), "bad-ttl"],
  // Issue 13 finding 1: §7.1 asks TTL / hop limit 255 of every advert, so nothing from off the link is taken.
  ["TTL 63 on multicast", instance(), arrived(v3(), { ttl: 63 }), "bad-ttl"],
  [
    "TTL 64 on unicast from a configured peer",
    instance({ unicast: { peers: ["192.0.2.12"] } }),
    arrived(v3(), { ttl: 64, destination: "192.0.2.11" }),
    "bad-ttl",
  ],
  ["TTL 63 on unicast to a multicast instance", instance(), arrived(v3(), { ttl: 63, destination: "192.0.2.11" }), "bad-ttl"],
  [
    "hop limit 64 over IPv6",
    instance6(),
    arrived(v3({ family: 6, addresses: ["2001:db8::5"] }), { source: "fe80::12", destination: "ff02::12", ttl: 64 }),
    "bad-ttl",
  ],
  [
    "TTL 255 on unicast from a configured peer",
    instance({ unicast: { peers: ["192.0.2.12"] } }),
    arrived(v3(), { destination: "192.0.2.11" }),
    undefined,
  ],
  ["a multicast instance ignores a unicast-addressed advert", instance(), arrived(v3(), { destination: "192.0.2.11" }), "bad-destination"],
  [
    "a multicast IPv6 instance ignores a unicast-addressed advert",
    instance6(),
    arrived(v3({ family: 6, addresses: ["2001:db8::5"] }), { source: "fe80::12", destination: "2001:db8::11" }),
    "bad-destination",
  ],
  [
    "vrrp_mcast_group4: an advert to the configured group passes",
    { ...instance(), multicastGroup: "224.0.0.88" },
    arrived(v3(), { destination: "224.0.0.88" }),
    undefined,
  ],
  [
    "vrrp_mcast_group4: an advert to the RFC group is not for this instance",
    { ...instance(), multicastGroup: "224.0.0.88" },
    arrived(v3()),
    "bad-destination",
  ],
  [
    "vrrp_mcast_group6: an advert to the RFC group is not for this instance",
    { ...instance6(), multicastGroup: "ff02::88" },
    arrived(v3({ family: 6, addresses: ["2001:db8::5"] }), { source: "fe80::12", destination: "ff02::12" }),
    "bad-destination",
  ],
  [
    "a good IPv6 advert passes",
    instance6(),
    arrived(v3({ family: 6, addresses: ["2001:db8::5"] }), { source: "fe80::12", destination: "ff02::12" }),
    undefined,
  ],
  ["a v2 advert for a v3 instance", instance(), arrived(v2()), "version-mismatch"],
  [
    "a unicast advert from outside the peers",
    instance({ unicast: { peers: ["192.0.2.13"] } }),
    arrived(v3(), { destination: "192.0.2.11" }),
    "unknown-peer",
  ],
  [
    "v2 auth: password matches",
    instance({ version: 2, authentication: { type: "pass", password: "s3cret" } }),
    arrived(v2({ authType: 1, password: Buffer.from("s3cret") })),
    undefined,
  ],
  [
    "v2 auth: wrong password",
    instance({ version: 2, authentication: { type: "pass", password: "s3cret" } }),
    arrived(v2({ authType: 1, password: Buffer.from("other") })),
    "auth-mismatch",
  ],
  [
    "v2 auth: a UTF-8 password matches its bytes",
    instance({ version: 2, authentication: { type: "pass", password: "\uFFFD" } }),
    arrived(v2({ authType: 1, password: Buffer.from([0xef, 0xbf, 0xbd]) })),
    undefined,
  ],
  // F4: as text, ff and fe both decoded to U+FFFD and matched this password; keepalived compares bytes.
  [
    "v2 auth: invalid UTF-8 never matches a text password",
    instance({ version: 2, authentication: { type: "pass", password: "\uFFFD" } }),
    arrived(v2({ authType: 1, password: Buffer.from([0xff]) })),
    "auth-mismatch",
  ],
  [
    "v2 auth: a prefix of the password",
    instance({ version: 2, authentication: { type: "pass", password: "s3cret" } }),
    arrived(v2({ authType: 1, password: Buffer.from("s3c") })),
    "auth-mismatch",
  ],
  [
    "v2 auth: none sent, one wanted",
    instance({ version: 2, authentication: { type: "pass", password: "s3cret" } }),
    arrived(v2()),
    "auth-mismatch",
  ],
  ["v2 auth: sent, none wanted", instance({ version: 2 }), arrived(v2({ authType: 1, password: Buffer.from("x") })), "auth-mismatch"],
  ["v2: a different advert interval", instance({ version: 2 }), arrived(v2({ advertIntervalMs: 2000 })), "interval-mismatch"],
  ["v3: a different interval is accepted (learnt)", instance(), arrived(v3({ advertIntervalMs: 100 })), undefined],
  // The address-list rule (issue 15): a list that differs but shares an address is the same group mid roll-out.
  ["an address missing (shares one): accepted", instance(), arrived(v3({ addresses: ["192.0.2.5"] })), undefined],
  ["an extra address: accepted", instance(), arrived(v3({ addresses: ["192.0.2.5", "192.0.2.6", "192.0.2.7"] })), undefined],
  ["one address swapped: accepted", instance(), arrived(v3({ addresses: ["192.0.2.5", "192.0.2.9"] })), undefined],
  [
    "multicast, no address in common: another group on our VRID",
    instance(),
    arrived(v3({ addresses: ["192.0.2.8", "192.0.2.9"] })),
    "address-mismatch",
  ],
  ["multicast, an empty list: another group", instance(), arrived(v3({ addresses: [] })), "address-mismatch"],
  [
    "multicast, the advert lists only addresses we hold excluded: our group mid roll-out (two masters would both hold them)",
    instance({ excludedAddresses: ["192.0.2.8", "192.0.2.9"] }),
    arrived(v3({ addresses: ["192.0.2.8"] })),
    undefined,
  ],
  [
    "unicast, no address in common from a configured peer: accepted (the peer list says who is in the group)",
    instance({ unicast: { peers: ["192.0.2.12"] } }),
    arrived(v3({ addresses: ["192.0.2.9"] }), { destination: "192.0.2.11" }),
    undefined,
  ],
];

const lists: readonly [string, readonly string[], AddressListMatch][] = [
  ["the same list in another order", ["192.0.2.6", "192.0.2.5"], "same"],
  ["one missing", ["192.0.2.5"], "differs"],
  ["one extra", ["192.0.2.5", "192.0.2.6", "192.0.2.7"], "differs"],
  ["the same count, one other", ["192.0.2.5", "192.0.2.9"], "differs"],
  ["a repeated address is not an extra one", ["192.0.2.5", "192.0.2.5"], "differs"],
];

describe("receive checks", () => {
  for (const [name, inst, a, reason] of rows) {
    it(name, () => assert.equal(checkAdvert(receiveContext(inst, "192.0.2.11"), a), reason));
  }
});

describe("address list of an accepted advert compared with ours", () => {
  for (const [name, addresses, match] of lists) {
    it(name, () => assert.equal(addressListMatch(receiveContext(instance(), "192.0.2.11"), v3({ addresses })), match));
  }
});
