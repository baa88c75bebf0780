/**
 * The real FifoOutlets. A FIFO is opened O_WRONLY | O_NONBLOCK the first
 * time a line is written while some process reads it (no reader: ENXIO, the
 * line is dropped and the open is tried again for the next one), then kept
 * open so a reader such as `cat FIFO` does not see end-of-file between
 * transitions; when the reader goes away the write fails with EPIPE and the
 * descriptor is closed. A full pipe (EAGAIN) drops the line. Lines are far
 * shorter than PIPE_BUF, so each is written whole or not at all.
 *
 * keepalived opens its FIFO O_RDWR instead, so lines wait in the pipe while
 * no one reads; floatip drops them so a reader never gets stale states.
 */
import { execFile } from "node:child_process";
import { chown, stat, unlink } from "node:fs/promises";
import { closeSync, constants, openSync, writeSync } from "node:fs";
import { promisify } from "node:util";
import type { NotifyFifoConfig } from "../config/types.js";
import type { FifoOutlets, FifoWriteResult } from "./ports.js";

const run = promisify(execFile);

/** "user[:group]" to numeric ids (agent/health/users.ts passwdUserLookup, given by the caller). */
export type OwnerLookup = (
  spec: string,
) => Promise<
  { readonly ok: true; readonly ids: { readonly uid: number; readonly gid: number } } | { readonly ok: false; readonly message: string }
>;

export function systemFifoOutlets(lookup: OwnerLookup): FifoOutlets {
  const fds = new Map<string, number>();
  const closeFd = (path: string) => {
    const fd = fds.get(path);
    fds.delete(path);
    if (fd !== undefined) closeSync(fd);
  };
  return {
    async prepare(fifo: NotifyFifoConfig) {
      const kind = await fileKind(fifo.path);
      if (kind === "fifo") return { created: false };
      if (kind === "other") throw new Error(`${fifo.path} exists and is not a FIFO`);
      // Node has no mkfifo(3); the coreutils command does the same.
      await run("mkfifo", ["-m", "0644", fifo.path]);
      if (fifo.user !== undefined || fifo.group !== undefined) {
        const found = await lookup(`${fifo.user ?? "0"}${fifo.group !== undefined ? `:${fifo.group}` : ""}`);
        if (!found.ok) {
          await unlink(fifo.path).catch(() => undefined);
          throw new Error(`owner of ${fifo.path}: ${found.message}`);
        }
        await chown(fifo.path, found.ids.uid, found.ids.gid);
      }
      return { created: true };
    },
    write(path: string, line: string): FifoWriteResult {
      let fd = fds.get(path);
      try {
        if (fd === undefined) {
          // libuv adds O_CLOEXEC.
          fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
          fds.set(path, fd);
        }
        writeSync(fd, line);
        return "written";
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") return "full";
        if (code === "ENXIO") return "no-reader";
        if (code === "EPIPE") {
          closeFd(path); // the reader left; open again for the next line
          return "no-reader";
        }
        closeFd(path);
        return "failed";
      }
    },
    async close(path: string, remove: boolean) {
      closeFd(path);
      if (remove) await unlink(path).catch(() => undefined);
    },
  };
}

/** What is at path: a FIFO, nothing, or something else (a config error). */
export async function fileKind(path: string): Promise<"fifo" | "missing" | "other"> {
  try {
    return (await stat(path)).isFIFO() ? "fifo" : "other";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw error;
  }
}
