/**
 * Structured logs: one JSON object per line. The sink is injected so tests
 * can read what was logged; the default writes to stderr.
 */
export type Level = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: Level, message: string, fields?: Readonly<Record<string, unknown>>): void;
  child(fields: Readonly<Record<string, unknown>>): Logger;
}

export interface LoggerOptions {
  readonly write: (line: string) => void;
  readonly wallClock: () => Date;
  readonly minLevel?: Level;
}

const ORDER: Readonly<Record<Level, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

export function jsonLogger(options: LoggerOptions, base: Readonly<Record<string, unknown>> = {}): Logger {
  const min = ORDER[options.minLevel ?? "info"];
  return {
    log(level, message, fields = {}) {
      if (ORDER[level] < min) return;
      const entry = { time: options.wallClock().toISOString(), level, msg: message, ...base, ...fields };
      options.write(JSON.stringify(entry, errorReplacer) + "\n");
    },
    child(fields) {
      return jsonLogger(options, { ...base, ...fields });
    },
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

export function stderrLogger(minLevel: Level = "info"): Logger {
  return jsonLogger({ write: (line) => process.stderr.write(line), wallClock: () => new Date(), minLevel });
}
