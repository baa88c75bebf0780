/**
 * `multicastGroups` (keepalived vrrp_mcast_group4 / vrrp_mcast_group6): the
 * groups every multicast instance sends to and listens on instead of
 * 224.0.0.18 / ff02::12. IPv4 must be a multicast address (224.0.0.0/4).
 * IPv6 must be multicast with link-local scope (ffX2::/16, as ff02::12):
 * adverts are link-local by design (hop limit 255, RFC 5798 §5.1.2.3), and a
 * wider scope would only invite routers to carry them. keepalived 2.2.7
 * checks only that the text parses; floatip refuses what cannot work.
 */
import type { InstanceConfig } from "./types.js";
import type { FieldReader as Reader } from "./field-reader.js";
import { formatAddress, parseAddress } from "../vrrp/address-bytes.js";

export interface MulticastGroups {
  readonly ipv4?: string;
  readonly ipv6?: string;
}

export function readMulticastGroups(r: Reader, value: unknown, path: string): MulticastGroups | undefined {
  const o = r.object(value, path, ["ipv4", "ipv6"]);
  if (o === undefined) return undefined;
  const ipv4 = o["ipv4"] === undefined ? undefined : readGroup(r, o["ipv4"], `${path}.ipv4`, 4);
  const ipv6 = o["ipv6"] === undefined ? undefined : readGroup(r, o["ipv6"], `${path}.ipv6`, 6);
  return { ...(ipv4 !== undefined ? { ipv4 } : {}), ...(ipv6 !== undefined ? { ipv6 } : {}) };
}

function readGroup(r: Reader, value: unknown, path: string, family: 4 | 6): string | undefined {
  const text = r.string(value, path);
  if (text === undefined) return undefined;
  const parsed = parseAddress(text, family);
  if (!parsed.ok) return r.fail(path, `must be an IPv${family} address, got "${text}"`);
  const b = parsed.bytes;
  if (family === 4 && (b[0]! & 0xf0) !== 0xe0) return r.fail(path, `must be an IPv4 multicast address (224.0.0.0/4), got ${text}`);
  if (family === 6 && b[0] !== 0xff) return r.fail(path, `must be an IPv6 multicast address (ff00::/8), got ${text}`);
  if (family === 6 && (b[1]! & 0x0f) !== 2)
    return r.fail(path, `must have link-local scope (ff02::/16, as ff02::12): VRRP adverts never leave the link; got ${text}`);
  return formatAddress(family, b);
}

/** Each instance with the group of its family, if one is configured. */
export function withMulticastGroups(instances: readonly InstanceConfig[], groups: MulticastGroups | undefined): InstanceConfig[] {
  return instances.map((i) => {
    const group = i.family === 4 ? groups?.ipv4 : groups?.ipv6;
    return group === undefined ? i : { ...i, multicastGroup: group };
  });
}
