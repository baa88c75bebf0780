/**
 * Running external commands (check scripts, notify commands): the Spawner
 * edge over child_process.spawn, and runCommand, which adds the time limit
 * keepalived applies: on timeout SIGTERM to the command's process group,
 * then SIGKILL after a grace period. Each command runs in its own process
 * group (as keepalived does) so the kill also reaches its children.
 */
import { spawn } from "node:child_process";
import type { Clock, TimerHandle } from "./clock.js";

export interface SpawnRequest {
  /** Program and arguments; a bare program name is looked up on PATH. */
  readonly argv: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
}

/** How a process ended, as the operating system reported it. */
export type ProcessExit =
  | { readonly type: "exited"; readonly code: number }
  | { readonly type: "signaled"; readonly signal: string }
  | { readonly type: "spawn-error"; readonly message: string };

export interface SpawnedProcess {
  /** Called exactly once, when the process has ended or could not be started. */
  onExit(listener: (exit: ProcessExit) => void): void;
  /** Signal the process's whole group (also after the leader has exited, to reap what it left behind). */
  kill(signal: "SIGTERM" | "SIGKILL"): void;
}

export interface Spawner {
  spawn(request: SpawnRequest): SpawnedProcess;
}

/** The real spawner: no shell, stdio to /dev/null, a new process group (session) per command. */
export function systemSpawner(): Spawner {
  return {
    spawn(request) {
      const [program, ...args] = request.argv;
      let exit: ProcessExit | undefined;
      const listeners: ((exit: ProcessExit) => void)[] = [];
      const finish = (result: ProcessExit) => {
        if (exit !== undefined) return;
        exit = result;
        for (const listener of listeners.splice(0)) listener(result);
      };
      let child: ReturnType<typeof spawn> | undefined;
      try {
        child = spawn(program ?? "", args, {
          detached: true,
          stdio: "ignore",
          ...(request.uid !== undefined ? { uid: request.uid } : {}),
          ...(request.gid !== undefined ? { gid: request.gid } : {}),
        });
        child.once("error", (error) => {
          // An error before the process started: it will never exit.
          if (child?.pid === undefined) finish({ type: "spawn-error", message: error.message });
        });
        child.once("exit", (code, signal) =>
          finish(code !== null ? { type: "exited", code } : { type: "signaled", signal: signal ?? "unknown" }),
        );
      } catch (error) {
        // spawn throws synchronously for e.g. invalid uid/gid or argument types.
        const message = error instanceof Error ? error.message : String(error);
        queueMicrotask(() => finish({ type: "spawn-error", message }));
      }
      return {
        onExit(listener) {
          if (exit !== undefined) listener(exit);
          else listeners.push(listener);
        },
        kill(signal) {
          const pid = child?.pid;
          if (pid === undefined) return;
          try {
            process.kill(-pid, signal);
          } catch {
            // ESRCH: the group is empty. Otherwise fall back to the process itself.
            if (exit === undefined) child?.kill(signal);
          }
        },
      };
    },
  };
}

/** What running a command amounted to. */
export type RunOutcome = ProcessExit | { readonly type: "timed-out"; readonly afterMs: number } | { readonly type: "terminated" };

export function succeeded(outcome: RunOutcome): boolean {
  return outcome.type === "exited" && outcome.code === 0;
}

export function describeOutcome(outcome: RunOutcome): string {
  switch (outcome.type) {
    case "exited":
      return `exited with status ${outcome.code}`;
    case "signaled":
      return `killed by ${outcome.signal}`;
    case "spawn-error":
      return `could not be started: ${outcome.message}`;
    case "timed-out":
      return `timed out after ${outcome.afterMs}ms`;
    case "terminated":
      return "terminated on shutdown";
  }
}

export interface RunOptions {
  readonly spawner: Spawner;
  readonly clock: Clock;
  readonly argv: readonly string[];
  readonly timeoutMs: number;
  /** Time between SIGTERM and SIGKILL (keepalived: 2 s). */
  readonly killGraceMs: number;
  readonly uid?: number;
  readonly gid?: number;
}

export interface RunningCommand {
  readonly done: Promise<RunOutcome>;
  /** Stop it early (SIGTERM, then SIGKILL after the grace period); `done` then reports "terminated". */
  terminate(): void;
}

export const DEFAULT_KILL_GRACE_MS = 2000;

export function runCommand(options: RunOptions): RunningCommand {
  const { clock } = options;
  const child = options.spawner.spawn({
    argv: options.argv,
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  let stopping: "timed-out" | "terminated" | undefined;
  let exited = false;
  const timers: TimerHandle[] = [];
  const stop = (why: "timed-out" | "terminated") => {
    if (stopping !== undefined || exited) return;
    stopping = why;
    child.kill("SIGTERM");
    timers.push(clock.at(clock.now() + options.killGraceMs, () => child.kill("SIGKILL")));
  };
  timers.push(clock.at(clock.now() + options.timeoutMs, () => stop("timed-out")));
  const done = new Promise<RunOutcome>((resolve) => {
    child.onExit((exit) => {
      exited = true;
      for (const timer of timers) timer.cancel();
      if (stopping === undefined || exit.type === "spawn-error") return resolve(exit);
      // Whatever the command left behind in its group goes too (keepalived does the same).
      child.kill("SIGKILL");
      resolve(stopping === "timed-out" ? { type: "timed-out", afterMs: options.timeoutMs } : { type: "terminated" });
    });
  });
  return { done, terminate: () => stop("terminated") };
}
