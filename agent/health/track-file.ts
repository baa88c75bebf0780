/**
 * Track files (keepalived track_file): a file holding an integer, read every
 * pollMs (keepalived uses inotify; polling keeps this portable and simple).
 * Reading follows keepalived's process_track_file:
 *  - a missing or unreadable file, or an empty one, is 0;
 *  - the text is parsed like strtol(buf, NULL, 0) on its first 127 bytes:
 *    leading whitespace, optional sign, 0x.. hex, 0.. octal, else decimal,
 *    stopping at the first other character; no digits at all is 0;
 *  - a number outside [-2^31, 2^31] is logged and ignored (the previous
 *    value stays).
 */
import type { TrackFileConfig } from "../config/types.js";
import type { Clock } from "../../base/clock.js";
import { PolledWatch } from "./poller.js";
import type { Logger } from "../../base/logger.js";

const READ_LIMIT = 127;
const MIN_VALUE = -2147483648;
const MAX_VALUE = 2147483648;

export type TrackFileValue = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly reason: string };

/** Parse file contents like keepalived (strtol base 0, range-checked). */
export function parseTrackFileValue(text: string): TrackFileValue {
  const s = text.slice(0, READ_LIMIT);
  let i = 0;
  while (i < s.length && " \t\n\v\f\r".includes(s[i]!)) i++;
  let sign = 1;
  if (s[i] === "+" || s[i] === "-") {
    if (s[i] === "-") sign = -1;
    i++;
  }
  let base = 10;
  if (s[i] === "0") {
    if ((s[i + 1] === "x" || s[i + 1] === "X") && isDigit(s[i + 2], 16)) {
      base = 16;
      i += 2;
    } else base = 8;
  }
  let value = 0n;
  let digits = 0;
  while (i < s.length && isDigit(s[i], base)) {
    value = value * BigInt(base) + BigInt(parseInt(s[i]!, base));
    digits++;
    i++;
  }
  if (digits === 0) return { ok: true, value: 0 };
  const signed = BigInt(sign) * value;
  if (signed < BigInt(MIN_VALUE) || signed > BigInt(MAX_VALUE)) return { ok: false, reason: `number ${signed} out of range` };
  return { ok: true, value: Number(signed) };
}

function isDigit(c: string | undefined, base: number): boolean {
  if (c === undefined) return false;
  const d = parseInt(c, 36);
  return !Number.isNaN(d) && d < base && /[0-9a-fA-F]/.test(c);
}

export interface TrackFileWatchDeps {
  readonly clock: Clock;
  /** Reads a whole file as UTF-8 text; rejects if it cannot (missing, unreadable). */
  readonly readFile: (path: string) => Promise<string>;
  readonly logger: Logger;
  /** Default 1000 ms. */
  readonly pollMs?: number;
  readonly onChange?: (name: string, value: number) => void;
}

export const DEFAULT_TRACK_FILE_POLL_MS = 1000;

export class TrackFileWatch extends PolledWatch {
  private readonly values = new Map<string, number>();
  /** The last invalid-value reason logged per file, so a file that stays invalid is logged once. */
  private readonly invalid = new Map<string, string>();

  constructor(private readonly files: readonly TrackFileConfig[], private readonly deps: TrackFileWatchDeps) {
    super({ clock: deps.clock, intervalMs: deps.pollMs ?? DEFAULT_TRACK_FILE_POLL_MS, what: "track file watch" });
  }

  /** The last value read; 0 before the first read. */
  value(name: string): number {
    return this.values.get(name) ?? 0;
  }

  protected get empty(): boolean {
    return this.files.length === 0;
  }

  protected pollOnce(report: boolean): Promise<void> {
    return this.readAll(report);
  }

  private async readAll(report: boolean): Promise<void> {
    const read = await Promise.all(this.files.map(async (file) => [file, await this.read(file)] as const));
    for (const [file, parsed] of read) {
      if (!parsed.ok) {
        if (this.invalid.get(file.name) !== parsed.reason) {
          this.deps.logger.log("warn", "ignoring invalid track file value", { trackFile: file.name, path: file.path, reason: parsed.reason });
        }
        this.invalid.set(file.name, parsed.reason);
        continue;
      }
      this.invalid.delete(file.name);
      const before = this.value(file.name);
      this.values.set(file.name, parsed.value);
      if (before === parsed.value || !this.running) continue;
      this.deps.logger.log("info", `track file ${file.name} now ${parsed.value}`, { trackFile: file.name, from: before, to: parsed.value });
      if (report) this.deps.onChange?.(file.name, parsed.value);
    }
  }

  private async read(file: TrackFileConfig): Promise<TrackFileValue> {
    try {
      return parseTrackFileValue(await this.deps.readFile(file.path));
    } catch {
      return { ok: true, value: 0 };
    }
  }
}
