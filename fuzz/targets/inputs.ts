/**
 * Byte formats of the fuzz targets' inputs, so one Buffer (what Jazzer.js
 * and the reproducers in fuzz/findings/ hold) stands for a whole parser call.
 *
 * decode-advert:  byte 0 = control, the rest = the VRRP message.
 *   control bit 0     family: 0 → IPv4, 1 → IPv6
 *   control bits 1-2  checksum: 0/3 as given, 1 → rewritten without the
 *                     pseudo-header, 2 → rewritten with it (lets a fuzzer get
 *                     past the checksum to the address and auth code)
 *   control bits 3-5  IP source/destination pair, index into ADDRESSING
 * keepalived-config: UTF-8 text, NUL-separated: part 0 is
 *   /k/keepalived.conf, part i ≥ 1 is /k/inc/i.conf (so "include inc/*.conf",
 *   "include 2.conf" from an included file, "include ../keepalived.conf").
 * yaml-config: the UTF-8 text of fuzz.yaml.
 */
import { internetChecksum, pseudoHeaderSumV4, pseudoHeaderSumV6 } from "../../agent/vrrp/checksum.js";
import { parseAddress } from "../../agent/vrrp/address-bytes.js";
import type { DecodeInput } from "../../agent/vrrp/codec.js";
import type { Family } from "../../agent/config/types.js";

/** IP source/destination pairs: the usual ones, then unusable ones for the pseudo-header path. */
export const ADDRESSING: readonly { readonly source: string; readonly destination: string }[] = [
  { source: "192.0.2.1", destination: "224.0.0.18" },
  { source: "fe80::ff:fe00:1", destination: "ff02::12" },
  { source: "192.0.2.1", destination: "192.0.2.2" },
  { source: "2001:db8::1", destination: "2001:db8::2" },
  { source: "", destination: "" },
  { source: "not an address", destination: "224.0.0.18" },
  { source: "192.0.2.1", destination: "ff02::12" },
  { source: "::ffff:192.0.2.1", destination: "256.0.0.1" },
];

export type ChecksumMode = "as-given" | "no-pseudo" | "pseudo";

export interface AdvertCase {
  readonly family: Family;
  readonly checksum: ChecksumMode;
  readonly addressing: number; // 0..7
  readonly payload: Buffer;
}

export function encodeAdvertCase(c: AdvertCase): Buffer {
  const mode = c.checksum === "no-pseudo" ? 1 : c.checksum === "pseudo" ? 2 : 0;
  const control = (c.family === 6 ? 1 : 0) | (mode << 1) | ((c.addressing & 7) << 3);
  return Buffer.concat([Buffer.of(control), c.payload]);
}

/** The decodeAdvert input a target byte string stands for. */
export function decodeAdvertCase(data: Uint8Array): DecodeInput {
  const control = data[0] ?? 0;
  const family: Family = (control & 1) === 1 ? 6 : 4;
  const mode = (control >> 1) & 3;
  const addressing = ADDRESSING[(control >> 3) & 7]!;
  const payload = Buffer.from(data.subarray(1)); // a copy: the fix-up below must not touch the fuzzer's buffer
  if ((mode === 1 || mode === 2) && payload.length >= 8) {
    payload.writeUInt16BE(0, 6);
    let initial = 0;
    const src = parseAddress(addressing.source, family);
    const dst = parseAddress(addressing.destination, family);
    if (mode === 2 && src.ok && dst.ok && payload.length <= 0xffff) {
      initial =
        family === 4 ? pseudoHeaderSumV4(src.bytes, dst.bytes, payload.length) : pseudoHeaderSumV6(src.bytes, dst.bytes, payload.length);
    }
    payload.writeUInt16BE(internetChecksum(payload, initial), 6);
  }
  return { family, payload, ...addressing };
}

export const KEEPALIVED_MAIN = "/k/keepalived.conf";
export const includePath = (i: number): string => `/k/inc/${i}.conf`;

export function encodeKeepalivedCase(parts: readonly string[]): Buffer {
  return Buffer.from(parts.map((p) => p.replaceAll("\0", "")).join("\0"), "utf8");
}

/** The file map a target byte string stands for: main file first. */
export function decodeKeepalivedCase(data: Uint8Array): Record<string, string> {
  const parts = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8").split("\0");
  const files: Record<string, string> = { [KEEPALIVED_MAIN]: parts[0] ?? "" };
  for (let i = 1; i < parts.length; i++) files[includePath(i)] = parts[i]!;
  return files;
}

export const YAML_FILE = "fuzz.yaml";
