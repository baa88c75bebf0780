/**
 * A wall-clock step for one process, without touching the machine's clock:
 * libfaketime (Debian package `faketime`) preloaded into the process, reading
 * its offset from a file on every call. Only CLOCK_REALTIME (Date, time(),
 * gettimeofday) moves: FAKETIME_DONT_FAKE_MONOTONIC keeps CLOCK_MONOTONIC,
 * CLOCK_BOOTTIME and their variants real, as a real `date -s` step does.
 * Kernel-made timestamps (packet and netlink) are not shifted.
 */
import { existsSync, writeFileSync } from "node:fs";
import type { Scratch } from "./vrrp-lab.js";

const LIBRARY_DIRS = ["/usr/lib/x86_64-linux-gnu/faketime", "/usr/lib/aarch64-linux-gnu/faketime", "/usr/lib/faketime"];

export class WallClockStep {
  /** Environment that makes a process follow this step. */
  readonly env: Readonly<Record<string, string>>;
  private readonly file: string;

  constructor(scratch: Scratch, name: string) {
    const dir = LIBRARY_DIRS.find((d) => existsSync(`${d}/libfaketime.so.1`));
    if (dir === undefined) throw new Error(`libfaketime.so.1 not found in ${LIBRARY_DIRS.join(", ")} (apt-get install faketime)`);
    this.file = scratch.write(`faketime-${name}`, "+0\n");
    this.env = {
      LD_PRELOAD: `${dir}/libfaketime.so.1`,
      FAKETIME_TIMESTAMP_FILE: this.file,
      FAKETIME_NO_CACHE: "1",
      FAKETIME_DONT_FAKE_MONOTONIC: "1",
    };
  }

  /** The process's wall clock reads real time + offsetSeconds from now on. */
  set(offsetSeconds: number): void {
    writeFileSync(this.file, `${offsetSeconds >= 0 ? "+" : ""}${offsetSeconds}\n`);
  }
}
