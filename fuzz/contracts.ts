/**
 * The contracts the fuzzers check. Each check throws a ContractError when a
 * parser's result breaks its documented shape; a throw from the parser
 * itself is reported by the caller as a crash. Used by the fast-check
 * properties and by the Jazzer.js-style targets in fuzz/targets/.
 */
import { checksumIsValid, pseudoHeaderSumV4, pseudoHeaderSumV6 } from "../agent/vrrp/checksum.js";
import { canonicalAddress, parseAddress } from "../agent/vrrp/address-bytes.js";
import { vrrpMessageLength } from "../agent/vrrp/codec.js";
import type { DecodeInput } from "../agent/vrrp/codec.js";
import type { DecodeResult, DropReason } from "../agent/vrrp/packet.js";
import { INTERVAL_LIMITS } from "../agent/vrrp/timing.js";
import type { LoadResult } from "../agent/config/load.js";
import type { AgentConfig } from "../agent/config/types.js";

/** The parser's result breaks its contract (wrong shape, untyped rejection, unusable config, resource blow-up). */
export class ContractError extends Error {
  override readonly name = "ContractError";
}

/** The parser threw instead of returning a result: always a finding. */
export class ParserThrew extends Error {
  override readonly name = "ParserThrew";
  constructor(fn: string, cause: unknown) {
    super(`${fn} threw ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`, { cause });
  }
}

/** Runs `parse`, turning a throw into ParserThrew and a slow call (a hang in the making) into a ContractError. */
export function timed<T>(fn: string, budgetMs: number, parse: () => T): T {
  const start = performance.now();
  let result: T;
  try {
    result = parse();
  } catch (error) {
    throw new ParserThrew(fn, error);
  }
  const ms = performance.now() - start;
  if (ms > budgetMs) throw new ContractError(`${fn} took ${Math.round(ms)} ms (budget ${budgetMs} ms): hang-like slowness`);
  return result;
}

function must(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ContractError(message);
}

const show = (value: unknown): string => {
  try {
    return JSON.stringify(value)?.slice(0, 300) ?? String(value);
  } catch {
    return String(value);
  }
};

// ---------------------------------------------------------------------------
// VRRP decoder

/** Every DropReason (agent/vrrp/packet.ts); the type check below fails to compile when one is added there. */
export const DROP_REASONS = [
  "truncated",
  "bad-version",
  "bad-type",
  "bad-checksum",
  "bad-ttl",
  "bad-destination",
  "version-mismatch",
  "unknown-vrid",
  "auth-mismatch",
  "interval-mismatch",
  "address-mismatch",
  "unknown-peer",
  "own-advert",
] as const satisfies readonly DropReason[];
type MissingReason = Exclude<DropReason, (typeof DROP_REASONS)[number]>;
const allReasonsListed: [MissingReason] extends [never] ? true : false = true;
void allReasonsListed;

/** The reasons the codec itself can know about; the others need an instance or a socket. */
export const CODEC_REASONS: ReadonlySet<DropReason> = new Set<DropReason>(["truncated", "bad-version", "bad-type", "bad-checksum"]);
const ALL_REASONS: ReadonlySet<string> = new Set<string>(DROP_REASONS);

function checksumOk(input: DecodeInput, length: number): boolean {
  const { family, payload } = input;
  const version = payload[0]! >> 4;
  if (version === 2) return checksumIsValid(payload, 0, 0, length);
  const src = parseAddress(input.source, family);
  const dst = parseAddress(input.destination, family);
  if (src.ok && dst.ok) {
    const pseudo = family === 4 ? pseudoHeaderSumV4(src.bytes, dst.bytes, length) : pseudoHeaderSumV6(src.bytes, dst.bytes, length);
    if (checksumIsValid(payload, pseudo, 0, length)) return true;
  }
  return family === 4 && checksumIsValid(payload, 0, 0, length);
}

/** decodeAdvert's contract: a typed drop from the closed set, or an advert that says what the bytes say. */
export function checkDecodeResult(input: DecodeInput, result: DecodeResult): void {
  must(typeof result === "object" && result !== null, `result is not an object: ${show(result)}`);
  must(result.ok === true || result.ok === false, `result.ok is not a boolean: ${show(result)}`);
  const { payload, family } = input;
  if (!result.ok) {
    must(ALL_REASONS.has(result.reason), `reason ${show(result.reason)} is not a DropReason`);
    must(CODEC_REASONS.has(result.reason), `reason "${result.reason}" cannot be known to the codec`);
    must(typeof result.detail === "string" && result.detail.length > 0, `drop "${result.reason}" has no detail`);
    return;
  }
  const a = result.advert;
  must(typeof a === "object" && a !== null, "ok result without an advert");
  must(payload.length >= 8, `accepted a ${payload.length}-byte message`);
  const version = payload[0]! >> 4;
  must((version === 2 || version === 3) && (payload[0]! & 0x0f) === 1, `accepted version/type byte 0x${payload[0]!.toString(16)}`);
  must(!(version === 2 && family === 6), "accepted VRRPv2 over IPv6");
  must(
    a.version === version && a.family === family,
    `advert version/family ${a.version}/${a.family} for bytes of v${version}/IPv${family}`,
  );
  const count = payload[3]!;
  must(payload.length === vrrpMessageLength(version, family, count), `accepted ${payload.length} bytes for ${count} addresses`);
  must(checksumOk(input, payload.length), "accepted a message whose checksum is wrong");
  must(a.virtualRouterId === payload[1] && a.priority === payload[2], "VRID or priority differ from the bytes");
  must(Array.isArray(a.addresses) && a.addresses.length === count, `advert has ${a.addresses.length} addresses, header says ${count}`);
  for (const text of a.addresses) {
    must(typeof text === "string" && canonicalAddress(text, family) === text, `address ${show(text)} is not canonical IPv${family}`);
  }
  if (version === 2) {
    must(a.advertIntervalMs === payload[5]! * 1000, `v2 interval ${a.advertIntervalMs} ms for field ${payload[5]}`);
    must(a.authType === payload[4], `authType ${a.authType} for field ${payload[4]}`);
    if (a.authType === 1) {
      must(a.password instanceof Uint8Array, "auth type 1 without password bytes");
      // packet.ts: the 8 auth data bytes without trailing NULs; receive-checks compares those bytes.
      const auth = payload.subarray(payload.length - 8);
      const again = Buffer.alloc(8);
      const password = Buffer.from(a.password.buffer, a.password.byteOffset, a.password.byteLength);
      must(
        password.length <= 8 &&
          password.copy(again) === password.length &&
          again.equals(auth) &&
          (password.length === 0 || password[password.length - 1] !== 0),
        `password ${password.toString("hex")} does not stand for the auth bytes ${auth.toString("hex")} (lossy decoding)`,
      );
    } else {
      must(a.password === undefined, `password on auth type ${a.authType}`);
    }
  } else {
    must(a.advertIntervalMs === (payload.readUInt16BE(4) & 0x0fff) * 10, `v3 interval ${a.advertIntervalMs} ms`);
    must(a.authType === undefined && a.password === undefined, "VRRPv3 advert with authentication fields");
  }
}

// ---------------------------------------------------------------------------
// Config loaders (YAML and keepalived.conf share LoadResult)

export interface ErrorPathRule {
  /** Accepts an error path, else returns why not. */
  (path: string): string | undefined;
}

/** keepalived errors: "FILE" or "FILE:LINE" for a file that was given, LINE within it. */
export function keepalivedPaths(files: Readonly<Record<string, string>>): ErrorPathRule {
  return (path) => {
    if (Object.hasOwn(files, path)) return undefined;
    const m = /^(.*):(\d+)$/.exec(path);
    if (m === null || !Object.hasOwn(files, m[1]!)) return "is neither FILE nor FILE:LINE of a given file";
    const lines = files[m[1]!]!.split(/\r?\n/).length;
    const line = Number(m[2]);
    return line >= 1 && line <= lines ? undefined : `line ${line} is outside 1..${lines}`;
  };
}

/** YAML errors: "FILE[:LINE]" for syntax, else a field path under the config root. */
export function yamlPaths(file: string): ErrorPathRule {
  return (path) => {
    if (path === file || new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+$`).test(path)) return undefined;
    return /^(config|scripts|trackFiles|instances)([.[]|$)/.test(path) ? undefined : "is not FILE[:LINE] nor a field path";
  };
}

/** LoadResult's contract: `{ok:true, config}` with a usable config, or `{ok:false, errors}` each with path and message. */
export function checkLoadResult(result: LoadResult, pathRule?: ErrorPathRule): void {
  must(typeof result === "object" && result !== null, `result is not an object: ${show(result)}`);
  must(result.ok === true || result.ok === false, `result.ok is not a boolean: ${show(result)}`);
  if (result.ok) {
    checkConfig(result.config);
    return;
  }
  must(Array.isArray(result.errors) && result.errors.length > 0, "ok:false without errors");
  for (const e of result.errors) {
    must(typeof e === "object" && e !== null, `error is not an object: ${show(e)}`);
    must(typeof e.path === "string" && e.path.length > 0, `error without a path: ${show(e)}`);
    must(typeof e.message === "string" && e.message.trim().length > 0, `error without a message: ${show(e)}`);
    const why = pathRule?.(e.path);
    must(why === undefined, `error path ${show(e.path)} ${why}: ${show(e)}`);
  }
}

/** A duration a timer can wait: finite, not negative, within setTimeout's limit (longer ones fire after 1 ms). */
const isMs = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 2 ** 31 - 1;
const intIn = (v: unknown, min: number, max: number): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/** What the agent relies on in an accepted AgentConfig (agent/config/types.ts). */
export function checkConfig(config: AgentConfig): void {
  must(typeof config === "object" && config !== null, "ok:true without a config");
  must(Array.isArray(config.scripts) && Array.isArray(config.trackFiles), "scripts/trackFiles are not lists");
  must(Array.isArray(config.instances) && config.instances.length > 0, "accepted a config without instances");
  for (const s of config.scripts) {
    const at = `script ${show(s.name)}`;
    must(typeof s.name === "string" && s.name.length > 0 && typeof s.command === "string" && s.command.length > 0, `${at}: name/command`);
    must(
      isMs(s.intervalMs) && s.intervalMs > 0 && isMs(s.timeoutMs),
      `${at}: interval ${s.intervalMs} ms / timeout ${s.timeoutMs} ms is not a finite duration within setTimeout's limit`,
    );
    must(intIn(s.weight, -253, 253) && intIn(s.fall, 1, 1_000_000) && intIn(s.rise, 1, 1_000_000), `${at}: weight/fall/rise out of range`);
  }
  const names = new Set<string>();
  for (const inst of config.instances) {
    const at = `instance ${show(inst.name)}`;
    must(typeof inst.name === "string" && inst.name.length > 0 && !names.has(inst.name), `${at}: empty or duplicate name`);
    names.add(inst.name);
    must(typeof inst.interface === "string" && inst.interface.length > 0, `${at}: no interface`);
    must(intIn(inst.virtualRouterId, 1, 255), `${at}: virtualRouterId ${inst.virtualRouterId}`);
    must(intIn(inst.priority, 1, 255), `${at}: priority ${inst.priority}`);
    must(inst.version === 2 || inst.version === 3, `${at}: version ${inst.version}`);
    must(inst.family === 4 || inst.family === 6, `${at}: family ${inst.family}`);
    must(!(inst.version === 2 && inst.family === 6), `${at}: VRRPv2 with IPv6`);
    const limits = INTERVAL_LIMITS[inst.version as 2 | 3];
    must(
      intIn(inst.advertIntervalMs, limits.minMs, limits.maxMs) && inst.advertIntervalMs % limits.stepMs === 0,
      `${at}: advertIntervalMs ${inst.advertIntervalMs} cannot go on the wire`,
    );
    must(isMs(inst.preemptDelayMs), `${at}: preemptDelayMs ${inst.preemptDelayMs} is not a finite duration within setTimeout's limit`);
    must(inst.initialState === "backup" || inst.initialState === "master", `${at}: initialState ${show(inst.initialState)}`);
    must(
      Array.isArray(inst.addresses) && inst.addresses.length >= 1 && inst.addresses.length <= 255,
      `${at}: ${inst.addresses.length} addresses`,
    );
    for (const a of inst.addresses) {
      must(a.family === inst.family && canonicalAddress(a.address, a.family) === a.address, `${at}: address ${show(a)}`);
      must(intIn(a.prefixLength, 0, a.family === 4 ? 32 : 128), `${at}: prefix of ${show(a)}`);
    }
    if (inst.authentication !== undefined) {
      must(inst.version === 2, `${at}: authentication on VRRPv3`);
      must(Buffer.byteLength(inst.authentication.password, "utf8") <= 8, `${at}: password longer than 8 bytes`);
    }
    for (const peer of inst.unicast?.peers ?? []) must(canonicalAddress(peer, inst.family) === peer, `${at}: peer ${show(peer)}`);
    const g = inst.garp;
    must(intIn(g.repeat, 1, 100) && intIn(g.refreshRepeat, 1, 100), `${at}: garp repeat ${g.repeat}/${g.refreshRepeat}`);
    must(
      isMs(g.delayMs) && isMs(g.refreshMs) && isMs(g.intervalMs),
      `${at}: garp delay/refresh/interval ${g.delayMs}/${g.refreshMs}/${g.intervalMs} ms is not a finite duration within setTimeout's limit`,
    );
    if (inst.notify !== undefined)
      must(
        isMs(inst.notify.timeoutMs),
        `${at}: notify timeout ${inst.notify.timeoutMs} ms is not a finite duration within setTimeout's limit`,
      );
    for (const ref of inst.track.scripts)
      must(
        config.scripts.some((s) => s.name === ref.name),
        `${at}: unknown script ${show(ref.name)}`,
      );
    for (const ref of inst.track.files)
      must(
        config.trackFiles.some((f) => f.name === ref.name),
        `${at}: unknown track file ${show(ref.name)}`,
      );
  }
}
