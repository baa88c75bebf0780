/**
 * VRRP advertisement as plain data (RFC 3768 §5.1 for v2, RFC 5798 §5.1 for v3).
 * The codec in codec.ts turns these into bytes and back.
 */
/** IPv4 or IPv6: the family of an advert, and of every address of a virtual router. */
export type Family = 4 | 6;
/** VRRP version 2 (RFC 3768, IPv4 only) or 3 (RFC 5798). */
export type VrrpVersion = 2 | 3;

export const VRRP_PROTOCOL = 112;
export const VRRP_MULTICAST_V4 = "224.0.0.18";
export const VRRP_MULTICAST_V6 = "ff02::12";
/** RFC 5798 §5.1.1.3 / §5.1.2.3: adverts are sent with TTL / hop limit 255. */
export const VRRP_TTL = 255;

export interface Advert {
  readonly version: VrrpVersion;
  readonly family: Family;
  readonly virtualRouterId: number; // 1..255
  readonly priority: number; // 0..255
  /**
   * v2: Adver Int in whole seconds (× 1000 here);
   * v3: Max Adver Int in centiseconds (× 10 here). Always milliseconds.
   */
  readonly advertIntervalMs: number;
  /** Canonical textual addresses, in packet order. */
  readonly addresses: readonly string[];
  /**
   * v2 only: authentication type (0 none, 1 simple text) and, for type 1, the
   * password as the 8 auth data bytes without their trailing NULs. Bytes, not
   * text: a peer may send any bytes, and keepalived compares them as bytes.
   */
  readonly authType?: number;
  readonly password?: Uint8Array;
}

/** Why a packet was dropped before it reached the state machine. Closed set; used as a metrics label. */
export type DropReason =
  | "truncated" // shorter than the header, or than the address list it announces
  | "bad-version" // version field is neither 2 nor 3, or v2 over IPv6
  | "bad-type" // type field is not 1 (ADVERTISEMENT)
  | "bad-checksum"
  | "bad-ttl" // TTL / hop limit not 255 (RFC 5798 §7.1): sent from off the link
  | "bad-destination" // a multicast instance got an advert not sent to the VRRP group
  | "version-mismatch" // a v2 advert for a v3 instance or the reverse
  | "unknown-vrid" // no instance on this interface has the VRID
  | "auth-mismatch" // authentication type or password differ (RFC 3768 §7.1)
  | "interval-mismatch" // v2: Adver Int differs from ours (RFC 3768 §7.1)
  | "address-mismatch" // a multicast advert sharing no address with ours: another group on our VRID (receive-checks.ts)
  | "unknown-peer" // unicast: source is not a configured peer
  | "own-advert"; // our own advert looped back

export type DecodeResult =
  | { readonly ok: true; readonly advert: Advert }
  | { readonly ok: false; readonly reason: DropReason; readonly detail: string };

export interface PacketAddressing {
  readonly source: string;
  readonly destination: string;
}
