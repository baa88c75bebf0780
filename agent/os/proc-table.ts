/**
 * The processes of this host from /proc (track_process): comm and state
 * from /proc/PID/stat, argv from /proc/PID/cmdline (only when asked: it
 * may have to be paged in). A process that ends while it is read is left
 * out.
 */
import { readdir, readFile } from "node:fs/promises";
import type { ProcessInfo, ProcessLister } from "./ports.js";

export function procProcessLister(root = "/proc"): ProcessLister {
  return async ({ argv }) => {
    const names = (await readdir(root)).filter((n) => /^[1-9]\d*$/.test(n));
    const read = await Promise.all(names.map((n) => readProcess(root, n, argv)));
    return read.filter((p): p is ProcessInfo => p !== undefined);
  };
}

async function readProcess(root: string, pid: string, withArgv: boolean): Promise<ProcessInfo | undefined> {
  try {
    const stat = await readFile(`${root}/${pid}/stat`, "utf8");
    // "PID (comm) S ...": comm may hold spaces and parentheses, so take the last ')'.
    const open = stat.indexOf("(");
    const close = stat.lastIndexOf(")");
    if (open < 0 || close < open) return undefined;
    const comm = stat.slice(open + 1, close);
    const zombie = stat[close + 2] === "Z";
    const argv = withArgv && !zombie ? splitCmdline(await readFile(`${root}/${pid}/cmdline`, "utf8")) : [];
    return { pid: Number(pid), comm, argv, zombie };
  } catch {
    return undefined; // gone meanwhile
  }
}

function splitCmdline(text: string): string[] {
  const parts = text.split("\0");
  if (parts.at(-1) === "") parts.pop();
  return parts;
}
