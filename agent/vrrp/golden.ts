/**
 * Golden VRRP messages captured from keepalived v2.2.7 (01/16,2022), Debian
 * package, Linux 6.18, with test/golden/capture-keepalived.sh.
 *
 * Lab: netns A holds vka (02:00:00:00:00:01, 192.0.2.1/24, 2001:db8::1/64,
 * link-local fe80::ff:fe00:1); netns B holds its veth peer vkb
 * (02:00:00:00:00:02, 192.0.2.2/24, 2001:db8::2/64). keepalived ran in A as
 *   keepalived -n -l -D -G -P -f CONF -p PIDFILE -r VRRPPIDFILE
 * with CONF =
 *   global_defs { router_id floatip_golden; vrrp_garp_master_repeat 1; vrrp_garp_master_delay 0 }
 *   vrrp_instance golden_<scenario> { state MASTER; interface vka; <the lines given per fixture> }
 * and tcpdump on vka captured `ip proto 112 or ip6 proto 112`. Each hex
 * string is the VRRP message only (IP header and Ethernet padding removed);
 * every capture had TTL / hop limit 255 and three consecutive adverts were
 * byte-identical.
 */
import type { Advert } from "./packet.js";

export interface GoldenAdvert {
  /** Scenario name in capture-keepalived.sh. */
  readonly scenario: string;
  /** IP source and destination of the captured packet. */
  readonly source: string;
  readonly destination: string;
  /** The VRRP message as lowercase hex. */
  readonly hex: string;
  /** What the message says, as the decoder must report it. */
  readonly advert: Advert;
}

/**
 * version 2; virtual_router_id 51; priority 150; advert_int 1;
 * virtual_ipaddress { 192.0.2.100/32 }
 * 192.0.2.1 -> 224.0.0.18. Auth type 0 and still 8 zero auth bytes.
 */
export const GOLDEN_V2_NOAUTH: GoldenAdvert = {
  scenario: "v2-noauth",
  source: "192.0.2.1",
  destination: "224.0.0.18",
  hex: "2133960100018665" + "c0000264" + "0000000000000000",
  advert: {
    version: 2,
    family: 4,
    virtualRouterId: 51,
    priority: 150,
    advertIntervalMs: 1000,
    addresses: ["192.0.2.100"],
    authType: 0,
  },
};

/**
 * version 2; virtual_router_id 52; priority 120; advert_int 2;
 * authentication { auth_type PASS; auth_pass s3cret }
 * virtual_ipaddress { 192.0.2.101/32 }
 * 192.0.2.1 -> 224.0.0.18. Password NUL-padded to 8 bytes.
 */
export const GOLDEN_V2_PASS: GoldenAdvert = {
  scenario: "v2-pass",
  source: "192.0.2.1",
  destination: "224.0.0.18",
  hex: "2134780101026748" + "c0000265" + "7333637265740000",
  advert: {
    version: 2,
    family: 4,
    virtualRouterId: 52,
    priority: 120,
    advertIntervalMs: 2000,
    addresses: ["192.0.2.101"],
    authType: 1,
    password: Buffer.from("s3cret"),
  },
};

/**
 * version 2; virtual_router_id 57; priority 254; advert_int 1;
 * authentication { auth_type PASS; auth_pass floatip8 }
 * virtual_ipaddress { 192.0.2.102/32; 192.0.2.103/32 }
 * 192.0.2.1 -> 224.0.0.18. An 8-byte password fills the field, no NUL.
 */
export const GOLDEN_V2_PASS8: GoldenAdvert = {
  scenario: "v2-pass8",
  source: "192.0.2.1",
  destination: "224.0.0.18",
  hex: "2139fe020101a084" + "c0000266" + "c0000267" + "666c6f6174697038",
  advert: {
    version: 2,
    family: 4,
    virtualRouterId: 57,
    priority: 254,
    advertIntervalMs: 1000,
    addresses: ["192.0.2.102", "192.0.2.103"],
    authType: 1,
    password: Buffer.from("floatip8"),
  },
};

/**
 * version 3; virtual_router_id 53; priority 100; advert_int 1;
 * virtual_ipaddress { 198.51.100.10/32 }
 * 192.0.2.1 -> 224.0.0.18. Checksum includes the IPv4 pseudo-header.
 */
export const GOLDEN_V3_V4: GoldenAdvert = {
  scenario: "v3-v4",
  source: "192.0.2.1",
  destination: "224.0.0.18",
  hex: "313564010064" + "9d96" + "c633640a",
  advert: {
    version: 3,
    family: 4,
    virtualRouterId: 53,
    priority: 100,
    advertIntervalMs: 1000,
    addresses: ["198.51.100.10"],
  },
};

/**
 * version 3; virtual_router_id 54; priority 200; advert_int 0.1;
 * virtual_ipaddress { 192.0.2.110/32; 203.0.113.10/32 }
 * 192.0.2.1 -> 224.0.0.18. Max Adver Int 10 cs.
 */
export const GOLDEN_V3_V4_FAST: GoldenAdvert = {
  scenario: "v3-v4-fast",
  source: "192.0.2.1",
  destination: "224.0.0.18",
  hex: "3136c802000a" + "65ae" + "c000026e" + "cb00710a",
  advert: {
    version: 3,
    family: 4,
    virtualRouterId: 54,
    priority: 200,
    advertIntervalMs: 100,
    addresses: ["192.0.2.110", "203.0.113.10"],
  },
};

/**
 * version 3; virtual_router_id 56; priority 100; advert_int 1;
 * unicast_src_ip 192.0.2.1; unicast_peer { 192.0.2.2 }
 * virtual_ipaddress { 192.0.2.120/32 }
 * 192.0.2.1 -> 192.0.2.2 (unicast): the pseudo-header carries the peer address.
 */
export const GOLDEN_V3_V4_UNICAST: GoldenAdvert = {
  scenario: "v3-v4-unicast",
  source: "192.0.2.1",
  destination: "192.0.2.2",
  hex: "313864010064" + "2369" + "c0000278",
  advert: {
    version: 3,
    family: 4,
    virtualRouterId: 56,
    priority: 100,
    advertIntervalMs: 1000,
    addresses: ["192.0.2.120"],
  },
};

/**
 * version 3; virtual_router_id 55; priority 100; advert_int 1;
 * virtual_ipaddress { 2001:db8::100/64 }
 * fe80::ff:fe00:1 (vka's link-local, not 2001:db8::1) -> ff02::12. The
 * kernel fills the checksum (IPV6_CHECKSUM), IPv6 pseudo-header included.
 */
export const GOLDEN_V3_V6: GoldenAdvert = {
  scenario: "v3-v6",
  source: "fe80::ff:fe00:1",
  destination: "ff02::12",
  hex: "313764010064" + "3e8b" + "20010db8000000000000000000000100",
  advert: {
    version: 3,
    family: 6,
    virtualRouterId: 55,
    priority: 100,
    advertIntervalMs: 1000,
    addresses: ["2001:db8::100"],
  },
};

export const GOLDEN_ADVERTS: readonly GoldenAdvert[] = [
  GOLDEN_V2_NOAUTH,
  GOLDEN_V2_PASS,
  GOLDEN_V2_PASS8,
  GOLDEN_V3_V4,
  GOLDEN_V3_V4_FAST,
  GOLDEN_V3_V4_UNICAST,
  GOLDEN_V3_V6,
];
