/**
 * advert_int values the wire cannot carry. VRRPv2 adverts carry whole
 * seconds and VRRPv3 adverts centiseconds up to 40.95 s (a 12-bit field).
 * keepalived 2.2.7 does not refuse such a value: it logs a config error and
 * runs with the nearest value the wire can carry (half up, never 0, v3
 * capped at 40.95 s). A config that runs under keepalived must run under
 * floatip with the same interval, so this does the same, with a warning
 * naming the line, instead of leaving validation to refuse it.
 */
import type { Block } from "./parser.js";
import { formatDuration } from "../config/duration.js";
import { secondsToMs, warn, type Ctx } from "./translate-util.js";

const V3_MAX_MS = 40_950;

/** The interval keepalived runs with for `ms` under VRRP `version` (ms unchanged when the wire carries it). */
export function wireAdvertInterval(ms: number, version: number): number {
  const unit = version === 2 ? 1000 : 10;
  if (version !== 2 && ms > V3_MAX_MS) return V3_MAX_MS;
  if (ms % unit === 0) return ms;
  const rounded = Math.floor((ms + unit / 2) / unit) * unit;
  return Math.min(Math.max(rounded, unit), version === 2 ? Number.POSITIVE_INFINITY : V3_MAX_MS);
}

/** Rewrites out.advertisementInterval (set from `b`) to what the instance's version carries, with a warning. */
export function fitAdvertInterval(ctx: Ctx, out: Record<string, unknown>, b: Block | undefined): void {
  const version = out["version"];
  if (b === undefined || typeof version !== "number" || out["advertisementInterval"] === undefined) return;
  const parsed = secondsToMs(b.args[0] ?? "");
  if (!parsed.ok) return;
  const fitted = wireAdvertInterval(parsed.ms, version);
  if (fitted === parsed.ms) return;
  const carries = version === 2 ? "whole seconds" : "steps of 10 ms up to 40.95 s";
  warn(ctx, b, `${b.args[0]} s: VRRPv${version} adverts carry ${carries}; floatip runs with ${formatDuration(fitted)}, as keepalived does`);
  out["advertisementInterval"] = formatDuration(fitted);
}
