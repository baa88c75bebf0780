/**
 * A notify FIFO's path must be a FIFO or nothing yet (the agent then creates
 * it, as keepalived does): a regular file or directory there is a config
 * error at start, naming the field or keepalived.conf line, not a silent
 * loss of every line. Pure: the caller looks at the paths.
 */
import type { AgentConfig } from "./types.js";
import type { ConfigError } from "./validate.js";

export type FileKind = "fifo" | "missing" | "other";

/** `where` turns a field path (notifyFifos[0].path) into what the error names (a file:line for keepalived.conf). */
export function fifoErrors(config: AgentConfig, kinds: ReadonlyMap<string, FileKind>, where: (field: string) => string): ConfigError[] {
  return (config.notifyFifos ?? []).flatMap((fifo, i) =>
    kinds.get(fifo.path) === "other"
      ? [{ path: where(`notifyFifos[${i}].path`), message: `${fifo.path} exists and is not a FIFO (remove it, or name another path)` }]
      : [],
  );
}
