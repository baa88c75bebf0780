/**
 * Per-instance checks on a decoded advert before it reaches the state
 * machine (RFC 3768 §7.1, RFC 5798 §7.1). Ordered list of small pure checks;
 * the first that fails names the drop reason.
 *
 * The repeat rule (isRepeat below, used by router.ts receiveRepeat): every
 * check reads only the instance's context and the arrived tuple (payload
 * bytes, source, destination, TTL); no clock, no state, no earlier advert. So
 * a packet whose bytes, source, destination and TTL equal those of the last
 * accepted advert decodes to the same advert, passes the checks again, and
 * may skip both. A check that reads anything else (a time, a count, what came
 * before) breaks the rule: then isRepeat has to compare that too, or go.
 * repeat-rule.test.ts holds the two paths equal over generated packet streams.
 */
import type { Advert, DropReason, VrrpVersion } from "./packet.js";
import { multicastGroup, VRRP_TTL } from "./packet.js";
import { withoutTrailingNuls } from "./codec.js";

export interface ArrivedAdvert {
  readonly advert: Advert;
  readonly source: string;
  readonly destination: string;
  readonly ttl: number;
}

/**
 * The parts of an instance's configuration the checks read (an InstanceConfig of agent/config has
 * them all; the core does not depend on the rest).
 */
export interface ReceiveParams {
  readonly version: VrrpVersion;
  readonly family: 4 | 6;
  /** Absent: the RFC group of the family (see multicastGroup). */
  readonly multicastGroup?: string;
  readonly advertIntervalMs: number;
  readonly addresses: readonly { readonly address: string }[];
  /** Held with master state but never advertised (keepalived virtual_ipaddress_excluded). */
  readonly excludedAddresses?: readonly { readonly address: string }[];
  readonly unicast?: { readonly peers: readonly string[] };
  readonly authentication?: { readonly password: string };
}

/** What the checks compare against, prepared once per instance (they run for every advert). */
export interface ReceiveContext {
  readonly instance: ReceiveParams;
  /** The address our own adverts leave from. */
  readonly ownAddress: string;
  /** What our adverts list. */
  readonly addresses: ReadonlySet<string>;
  /** What our master holds: the advertised and the excluded addresses. */
  readonly held: ReadonlySet<string>;
  readonly peers: ReadonlySet<string> | undefined;
  /** The multicast group a multicast instance's adverts must be sent to. */
  readonly group: string;
  /** v2 simple-text password as it appears in an advert: UTF-8 bytes without trailing NULs. */
  readonly password: Buffer | undefined;
}

export function receiveContext(instance: ReceiveParams, ownAddress: string): ReceiveContext {
  return {
    instance,
    ownAddress,
    addresses: new Set(instance.addresses.map((a) => a.address)),
    held: new Set([...instance.addresses, ...(instance.excludedAddresses ?? [])].map((a) => a.address)),
    peers: instance.unicast === undefined ? undefined : new Set(instance.unicast.peers),
    group: multicastGroup(instance),
    password:
      instance.authentication === undefined ? undefined : withoutTrailingNuls(Buffer.from(instance.authentication.password, "utf8")),
  };
}

type Check = (ctx: ReceiveContext, arrived: ArrivedAdvert) => DropReason | undefined;

const checks: readonly Check[] = [
  (ctx, a) => (a.source === ctx.ownAddress ? "own-advert" : undefined),
  // §7.1: TTL / hop limit must be 255 for every advert, unicast too: anything less left another
  // link, and an off-link host must never win an election (we always send 255).
  (_ctx, a) => (a.ttl !== VRRP_TTL ? "bad-ttl" : undefined),
  // A multicast instance speaks to the group only: a unicast-addressed advert is not for it.
  (ctx, a) => (ctx.peers === undefined && a.destination !== ctx.group ? "bad-destination" : undefined),
  (ctx, a) => (a.advert.version !== ctx.instance.version ? "version-mismatch" : undefined),
  (ctx, a) => (ctx.peers !== undefined && !ctx.peers.has(a.source) ? "unknown-peer" : undefined),
  (ctx, a) => (ctx.instance.version === 2 && !authMatches(ctx, a.advert) ? "auth-mismatch" : undefined),
  (ctx, a) => (ctx.instance.version === 2 && a.advert.advertIntervalMs !== ctx.instance.advertIntervalMs ? "interval-mismatch" : undefined),
  (ctx, a) => (fromOurGroup(ctx, a.advert) ? undefined : "address-mismatch"),
];

/** An advert the checks accepted, with the bytes it came in (copied: received payloads are reused). */
export interface AcceptedAdvert {
  readonly payload: Buffer;
  readonly arrived: ArrivedAdvert;
}

/** The packet as it arrived, before decoding. */
export interface RawArrival {
  readonly payload: Buffer;
  readonly source: string;
  readonly destination: string;
  readonly ttl: number;
}

/**
 * The repeat rule: `packet` repeats `last` (so it would decode to `last.arrived.advert` and pass
 * the checks again) when its bytes, source, destination and TTL are the same.
 */
export function isRepeat(last: AcceptedAdvert | undefined, packet: RawArrival): last is AcceptedAdvert {
  return (
    last !== undefined &&
    last.arrived.source === packet.source &&
    last.arrived.destination === packet.destination &&
    last.arrived.ttl === packet.ttl &&
    last.payload.equals(packet.payload)
  );
}

export function checkAdvert(ctx: ReceiveContext, arrived: ArrivedAdvert): DropReason | undefined {
  for (const check of checks) {
    const reason = check(ctx, arrived);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** RFC 3768 §7.1 / keepalived: the auth type and the 8 auth data bytes must be ours, compared as bytes. */
function authMatches(ctx: ReceiveContext, advert: Advert): boolean {
  const type = advert.authType ?? 0;
  if (ctx.password === undefined) return type === 0;
  return type === 1 && advert.password !== undefined && ctx.password.equals(advert.password);
}

/**
 * The address-list rule. RFC 5798 §7.1 (RFC 3768 §7.1) makes checking the
 * advertised addresses a MAY; keepalived 2.2 drops every advert whose list
 * is not exactly its own. floatip changes a router's list in place, and
 * during a roll-out (a SIGHUP on one node after the other, a VRRPNode that
 * reaches the nodes at different moments) master and backup disagree on it
 * for a while. Dropping the master's adverts then would let the backup take
 * over: two masters. So an advert whose list differs is taken as coming from
 * our group (and counted and logged by the router, see addressListMatch)
 * when
 *  - the instance is unicast: the unknown-peer check already proved the
 *    source is one of our configured peers; or
 *  - the advert lists at least one address our master holds, advertised
 *    or excluded (an address moving between our two lists, as the
 *    controller moves the overflow of a full advert, is still ours).
 * Only a multicast advert with no address in common is dropped
 * (address-mismatch): another group on our VRID, reported as foreign VRRP.
 * Two masters of such disjoint lists hold different addresses, so no
 * address is ever held twice.
 */
function fromOurGroup(ctx: ReceiveContext, advert: Advert): boolean {
  if (ctx.peers !== undefined) return true;
  return advert.addresses.some((a) => ctx.held.has(a));
}

export type AddressListMatch = "same" | "differs";

/** Whether an accepted advert's list is exactly ours, in any order (the router counts and logs the others). */
export function addressListMatch(ctx: ReceiveContext, advert: Advert): AddressListMatch {
  if (advert.addresses.length !== ctx.addresses.size) return "differs";
  const seen = new Set(advert.addresses);
  return seen.size === ctx.addresses.size && advert.addresses.every((a) => ctx.addresses.has(a)) ? "same" : "differs";
}
