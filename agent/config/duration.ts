/**
 * Durations in config files: a number means seconds (as in keepalived),
 * a string takes a unit: "10ms", "1s", "1.5s", "2m".
 */
export type DurationResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string };

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(value: unknown): DurationResult {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) return { ok: false, message: `must be a non-negative number of seconds, got ${value}` };
    return { ok: true, ms: round(value * 1000) };
  }
  if (typeof value !== "string") return { ok: false, message: `must be a duration such as "1s" or "100ms", got ${describe(value)}` };
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (match === null) return { ok: false, message: `must be a duration such as "1s" or "100ms", got "${value}"` };
  const amount = Number(match[1]);
  const unit = match[2] ?? "s";
  return { ok: true, ms: round(amount * (UNIT_MS[unit] ?? 1000)) };
}

/** Milliseconds to a short duration string, the inverse of parseDuration for whole milliseconds. */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `"${value}"`;
  return String(value);
}
