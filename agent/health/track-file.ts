/**
 * Track files (keepalived track_file): a file holding an integer. With a
 * DirectoryWatcher (inotify, as keepalived uses) a file is read again as
 * soon as its directory reports a change to it: written in place, renamed
 * over, deleted, created, or the directory itself created, deleted or moved
 * (DirectoryFollower). Events are gathered for eventDelayMs before the read,
 * so that `echo 1 > file` (truncate, then write) is read once, whole, not
 * as an empty file first. A slow poll re-reads every file anyway, as a
 * safety net for changes inotify does not report (a network filesystem, a
 * symlink's target elsewhere, a watch that could not be set up). Without a
 * watcher, the poll alone reads them, every pollMs.
 * Reading follows keepalived's process_track_file:
 *  - a missing or unreadable file, or an empty one, is 0;
 *  - the text is parsed like strtol(buf, NULL, 0) on its first 127 bytes:
 *    leading whitespace, optional sign, 0x.. hex, 0.. octal, else decimal,
 *    stopping at the first other character; no digits at all is 0;
 *  - a number outside [-2^31, 2^31] is logged and ignored (the previous
 *    value stays).
 * Reads run one at a time, in order, so an older read never overwrites a
 * newer one.
 */
import { basename, dirname, resolve } from "node:path";
import type { TrackFileConfig } from "../config/types.js";
import type { DirectoryWatcher } from "../os/ports.js";
import type { Clock, TimerHandle } from "../../base/clock.js";
import { DirectoryFollower } from "./directory-follower.js";
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
  /** Reports changes in the files' directories; without it the files are only polled. */
  readonly watcher?: DirectoryWatcher;
  /** Poll (resync) interval; default 1000 ms without a watcher, 10 s with one. */
  readonly pollMs?: number;
  /** How long events are gathered before the read; default 5 ms. */
  readonly eventDelayMs?: number;
  readonly onChange?: (name: string, value: number) => void;
}

export const DEFAULT_TRACK_FILE_POLL_MS = 1000;
export const DEFAULT_TRACK_FILE_RESYNC_MS = 10_000;
export const DEFAULT_TRACK_FILE_EVENT_DELAY_MS = 5;

export class TrackFileWatch extends PolledWatch {
  private readonly values = new Map<string, number>();
  /** The last invalid-value reason logged per file, so a file that stays invalid is logged once. */
  private readonly invalid = new Map<string, string>();
  private readonly followers: DirectoryFollower[] = [];
  /** Files an event named, waiting for the next read. */
  private readonly dirty = new Set<TrackFileConfig>();
  private eventTimer: TimerHandle | undefined;
  /** The reads, one after the other. */
  private reads: Promise<void> = Promise.resolve();
  /** The last watch error logged per directory, so a watch that keeps failing is logged once. */
  private readonly watchErrors = new Map<string, string>();

  constructor(
    private readonly files: readonly TrackFileConfig[],
    private readonly deps: TrackFileWatchDeps,
  ) {
    super({
      clock: deps.clock,
      intervalMs: deps.pollMs ?? (deps.watcher !== undefined ? DEFAULT_TRACK_FILE_RESYNC_MS : DEFAULT_TRACK_FILE_POLL_MS),
      what: "track file watch",
    });
    const watcher = deps.watcher;
    if (watcher === undefined) return;
    const byDir = new Map<string, TrackFileConfig[]>();
    for (const file of files) {
      const dir = resolve(dirname(file.path));
      byDir.set(dir, [...(byDir.get(dir) ?? []), file]);
    }
    for (const [dir, inDir] of byDir) {
      this.followers.push(
        new DirectoryFollower(dir, {
          watcher,
          onChange: (name) => this.changed(name === undefined ? inDir : inDir.filter((f) => basename(f.path) === name)),
          onError: (error, path) => this.watchFailed(dir, path, error),
        }),
      );
    }
  }

  /** The last value read; 0 before the first read. */
  value(name: string): number {
    return this.values.get(name) ?? 0;
  }

  override async stop(): Promise<void> {
    for (const f of this.followers) f.close();
    this.eventTimer?.cancel();
    this.eventTimer = undefined;
    this.dirty.clear();
    await super.stop();
    await this.reads;
  }

  protected get empty(): boolean {
    return this.files.length === 0;
  }

  protected pollOnce(report: boolean): Promise<void> {
    // Sets up the watches on the first poll (start(), before the first read, so no change falls
    // between the two); later polls, the safety net, put back any watch not on its directory (yet).
    for (const f of this.followers) if (this.running && !f.onTarget) f.arm();
    return this.serial(() => this.readFiles(this.files, report));
  }

  private changed(files: readonly TrackFileConfig[]): void {
    if (!this.running || files.length === 0) return;
    for (const f of files) this.dirty.add(f);
    if (this.eventTimer !== undefined) return;
    const { clock } = this.deps;
    this.eventTimer = clock.at(clock.now() + (this.deps.eventDelayMs ?? DEFAULT_TRACK_FILE_EVENT_DELAY_MS), () => {
      this.eventTimer = undefined;
      const batch = [...this.dirty];
      this.dirty.clear();
      void this.serial(() => this.readFiles(batch, true));
    });
  }

  private watchFailed(dir: string, path: string, error: Error): void {
    if (this.watchErrors.get(dir) === error.message) return;
    this.watchErrors.set(dir, error.message);
    this.deps.logger.log("warn", "cannot watch a track file directory; its files are polled", {
      directory: dir,
      path,
      error: error.message,
    });
  }

  private serial(read: () => Promise<void>): Promise<void> {
    const next = this.reads.then(read);
    this.reads = next.catch(() => undefined);
    return next;
  }

  private async readFiles(files: readonly TrackFileConfig[], report: boolean): Promise<void> {
    const read = await Promise.all(files.map(async (file) => [file, await this.read(file)] as const));
    for (const [file, parsed] of read) {
      if (!parsed.ok) {
        if (this.invalid.get(file.name) !== parsed.reason) {
          this.deps.logger.log("warn", "ignoring invalid track file value", {
            trackFile: file.name,
            path: file.path,
            reason: parsed.reason,
          });
        }
        this.invalid.set(file.name, parsed.reason);
        continue;
      }
      this.invalid.delete(file.name);
      const before = this.value(file.name);
      this.values.set(file.name, parsed.value);
      if (before === parsed.value || !this.running) continue;
      if (report) this.deps.onChange?.(file.name, parsed.value);
      this.deps.logger.log("info", `track file ${file.name} now ${parsed.value}`, { trackFile: file.name, from: before, to: parsed.value });
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
