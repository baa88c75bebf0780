/**
 * Structured logs: one JSON object per line. The sink is injected so tests
 * can read what was logged; the default writes to stderr.
 *
 * Logging never throws: a line that cannot be encoded or written (a full
 * disk, a closed or full pipe) is dropped and reported to onWriteError (the
 * agent counts it in floatip_log_write_errors_total). A log line must never
 * stop a takeover half-way.
 */
import { writeSync } from "node:fs";
export type Level = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: Level, message: string, fields?: Readonly<Record<string, unknown>>): void;
  child(fields: Readonly<Record<string, unknown>>): Logger;
}

export interface LoggerOptions {
  readonly write: (line: string) => void;
  readonly wallClock: () => Date;
  readonly minLevel?: Level;
  /** A line could not be written (its errno code, e.g. ENOSPC) or encoded ("encode"); it is dropped. */
  readonly onWriteError?: (code: string) => void;
}

const ORDER: Readonly<Record<Level, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

export function jsonLogger(options: LoggerOptions, base: Readonly<Record<string, unknown>> = {}): Logger {
  const min = ORDER[options.minLevel ?? "info"];
  return {
    log(level, message, fields = {}) {
      if (ORDER[level] < min) return;
      let line: string;
      try {
        const entry = { time: options.wallClock().toISOString(), level, msg: message, ...base, ...fields };
        line = JSON.stringify(entry, errorReplacer) + "\n";
      } catch {
        return options.onWriteError?.("encode");
      }
      try {
        options.write(line);
      } catch (error) {
        options.onWriteError?.(errorCode(error));
      }
    },
    child(fields) {
      return jsonLogger(options, { ...base, ...fields });
    },
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "unknown";
}

/**
 * Writes to file descriptor 2 itself, so a failure is an exception here (and
 * is counted), never an 'error' event on process.stderr nobody handles. A
 * short write (a full non-blocking pipe) drops the rest of the line: the
 * event loop never waits for the log reader.
 */
export function writeStderrLine(line: string): void {
  const bytes = Buffer.from(line);
  const written = writeSync(2, bytes);
  if (written < bytes.length)
    throw Object.assign(new Error(`short write to stderr (${written} of ${bytes.length} bytes)`), { code: "EAGAIN" });
}

/**
 * Keeps an I/O error on process.stdout / process.stderr (EPIPE once the log
 * reader has gone, e.g. from a warning Node itself prints) from becoming an
 * uncaught exception: it is reported like a failed log line.
 */
export function guardStdio(onWriteError: (code: string) => void): void {
  for (const stream of [process.stdout, process.stderr]) stream.on("error", (error) => onWriteError(errorCode(error)));
}

export function stderrLogger(minLevel: Level = "info", onWriteError?: (code: string) => void): Logger {
  return jsonLogger({
    write: writeStderrLine,
    wallClock: () => new Date(),
    minLevel,
    ...(onWriteError !== undefined ? { onWriteError } : {}),
  });
}
