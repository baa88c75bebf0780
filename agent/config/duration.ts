/**
 * Durations in config files: a number means seconds (as in keepalived),
 * a string takes a unit: "10ms", "1s", "1.5s", "2m".
 */
export type DurationResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string };

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** The longest a timer can wait (setTimeout's limit, about 24.8 days); nothing here needs more. */
const MAX_MS = 2_147_483_647 - (2_147_483_647 % 86_400_000);

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

export function parseDuration(value: unknown): DurationResult {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0 || value * 1000 > MAX_MS) {
      return { ok: false, message: `must be a non-negative number of seconds up to ${MAX_MS / 1000}, got ${value}` };
    }
    return { ok: true, ms: round(value * 1000) };
  }
  if (typeof value !== "string") return { ok: false, message: `must be a duration such as "1s" or "100ms", got ${describe(value)}` };
  // Trim first: optional blanks on both sides of an optional unit would backtrack quadratically.
  const text = value.trim();
  const match = /^(\d{1,15}(?:\.\d{1,9})?) ?(ms|s|m|h)?$/.exec(text);
  if (match === null) return { ok: false, message: `must be a duration such as "1s" or "100ms", got "${shorten(value)}"` };
  const ms = round(Number(match[1]) * (UNIT_MS[match[2] ?? "s"] ?? 1000));
  if (ms > MAX_MS) return { ok: false, message: `must be at most ${MAX_MS / 86_400_000} days, got "${shorten(value)}"` };
  return { ok: true, ms };
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
