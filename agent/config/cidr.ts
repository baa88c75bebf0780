/**
 * Addresses as they appear in config: "192.0.2.5", "192.0.2.5/24",
 * "2001:db8::5/64". Results carry the canonical text form.
 */
import type { Family } from "./types.js";
import { formatAddress, parseAddress } from "../vrrp/address-bytes.js";
import { describe } from "./duration.js";

export type HostResult =
  | { readonly ok: true; readonly address: string; readonly family: Family }
  | { readonly ok: false; readonly message: string };

export type CidrResult =
  | { readonly ok: true; readonly address: string; readonly family: Family; readonly prefixLength: number }
  | { readonly ok: false; readonly message: string };

export function parseHost(value: unknown): HostResult {
  if (typeof value !== "string") return { ok: false, message: `must be an IP address, got ${describe(value)}` };
  const parsed = parseAddress(value.trim());
  if (!parsed.ok) return { ok: false, message: `"${value}" is not an IP address` };
  return { ok: true, address: formatAddress(parsed.family, parsed.bytes), family: parsed.family };
}

export function parseCidr(text: string): CidrResult {
  const [host, prefix, ...rest] = text.trim().split("/");
  if (rest.length > 0) return { ok: false, message: `"${text}" has more than one "/"` };
  const parsed = parseHost(host);
  if (!parsed.ok) return parsed;
  const max = parsed.family === 4 ? 32 : 128;
  if (prefix === undefined) return { ...parsed, prefixLength: max };
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
    return { ok: false, message: `"${text}": prefix length must be 0..${max}` };
  }
  return { ...parsed, prefixLength: Number(prefix) };
}
