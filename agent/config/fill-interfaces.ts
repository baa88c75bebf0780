/**
 * Instances may leave `interface` out: the agent picks the interface whose
 * own address subnet contains the instance's first address (what a
 * VirtualIP without `interface` means). Works on the raw YAML-form document
 * before validation; pure.
 */
import type { LinkInfo } from "../os/ports.js";
import { parseAddress } from "../vrrp/address-bytes.js";
import type { ConfigError } from "./validate.js";

/** On failure `doc` still has every interface that could be filled (the agent in a cluster applies the other instances). */
export type FillResult =
  | { readonly ok: true; readonly doc: unknown }
  | { readonly ok: false; readonly errors: readonly ConfigError[]; readonly doc: unknown };

export function fillInterfaces(doc: unknown, links: readonly LinkInfo[]): FillResult {
  if (!isObject(doc) || !Array.isArray(doc["instances"])) return { ok: true, doc };
  const errors: ConfigError[] = [];
  const instances = doc["instances"].map((raw: unknown, i: number) => {
    if (!isObject(raw) || raw["interface"] !== undefined) return raw;
    const first = firstAddress(raw["addresses"]);
    if (first === undefined) return raw; // the validator reports the missing addresses
    const found = interfaceFor(first, links);
    if (found === undefined) {
      errors.push({
        path: `instances[${i}].interface`,
        message: `not given, and no interface has an address whose subnet contains ${first}`,
      });
      return raw;
    }
    return { ...raw, interface: found };
  });
  return errors.length > 0 ? { ok: false, errors, doc: { ...doc, instances } } : { ok: true, doc: { ...doc, instances } };
}

/** The first interface (by index) carrying an address, other than the VIP itself, whose prefix covers `address`. */
export function interfaceFor(address: string, links: readonly LinkInfo[]): string | undefined {
  const target = parseAddress(address);
  if (!target.ok) return undefined;
  const sorted = [...links].sort((a, b) => a.index - b.index);
  for (const link of sorted) {
    for (const own of link.addresses) {
      if (own.family !== target.family || own.address === address || own.prefixLength >= (own.family === 4 ? 32 : 128)) continue;
      const mine = parseAddress(own.address);
      if (mine.ok && samePrefix(mine.bytes, target.bytes, own.prefixLength)) return link.name;
    }
  }
  return undefined;
}

function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

function firstAddress(list: unknown): string | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const item: unknown = list[0];
  const text = typeof item === "string" ? item : isObject(item) && typeof item["address"] === "string" ? item["address"] : undefined;
  return text?.split("/")[0]?.trim();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
