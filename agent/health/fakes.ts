/**
 * Test doubles for the health and notify edges: a spawner whose processes
 * the test ends by hand (or through a behaviour hook), a logger that
 * keeps what was logged, and a directory watcher the test fires by hand.
 */
import type { DirectoryWatcher } from "../os/ports.js";
import type { Logger, Level } from "../../base/logger.js";
import type { ProcessExit, SpawnedProcess, Spawner, SpawnRequest } from "../../base/process.js";

export class FakeProcess implements SpawnedProcess {
  readonly signals: string[] = [];
  private exitResult: ProcessExit | undefined;
  private readonly listeners: ((exit: ProcessExit) => void)[] = [];
  /** When true, SIGTERM is recorded but does not end the process. */
  ignoreTerm = false;

  constructor(readonly request: SpawnRequest) {}

  get argv(): readonly string[] {
    return this.request.argv;
  }
  get exited(): boolean {
    return this.exitResult !== undefined;
  }
  onExit(listener: (exit: ProcessExit) => void): void {
    if (this.exitResult !== undefined) listener(this.exitResult);
    else this.listeners.push(listener);
  }
  kill(signal: "SIGTERM" | "SIGKILL"): void {
    this.signals.push(signal);
    if (signal === "SIGKILL" || !this.ignoreTerm) this.finish({ type: "signaled", signal });
  }
  exit(code: number): void {
    this.finish({ type: "exited", code });
  }
  finish(result: ProcessExit): void {
    if (this.exitResult !== undefined) return;
    this.exitResult = result;
    for (const listener of this.listeners.splice(0)) listener(result);
  }
}

export class FakeSpawner implements Spawner {
  readonly spawned: FakeProcess[] = [];
  /** Called for every new process, e.g. to end it at once. */
  constructor(private readonly behaviour: (process: FakeProcess) => void = () => undefined) {}

  spawn(request: SpawnRequest): FakeProcess {
    const process = new FakeProcess(request);
    this.spawned.push(process);
    this.behaviour(process);
    return process;
  }
  get last(): FakeProcess | undefined {
    return this.spawned[this.spawned.length - 1];
  }
  running(): FakeProcess[] {
    return this.spawned.filter((p) => !p.exited);
  }
}

export interface LogEntry {
  readonly level: Level;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export function memoryLogger(entries: LogEntry[] = [], base: Readonly<Record<string, unknown>> = {}): Logger & { entries: LogEntry[] } {
  return {
    entries,
    log(level, message, fields = {}) {
      entries.push({ level, message, fields: { ...base, ...fields } });
    },
    child(fields) {
      return memoryLogger(entries, { ...base, ...fields });
    },
  };
}

/** Let pending promise callbacks and I/O callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Directories that exist are listed in `dirs` (the test edits it); watch()
 * of any other path throws ENOENT like fs.watch. emit() delivers an event to
 * the open watches of a directory.
 */
export class FakeDirectoryWatcher implements DirectoryWatcher {
  readonly dirs = new Set<string>();
  /** Per directory, the watches that are open. */
  private readonly open = new Map<string, Set<{ onChange: (name: string | undefined) => void; onError: (error: Error) => void }>>();

  constructor(dirs: readonly string[] = []) {
    for (const d of dirs) this.dirs.add(d);
  }

  watch(dir: string, onChange: (name: string | undefined) => void, onError: (error: Error) => void): { close(): void } {
    if (!this.dirs.has(dir)) throw Object.assign(new Error(`ENOENT: no such file or directory, watch '${dir}'`), { code: "ENOENT" });
    const entry = { onChange, onError };
    const set = this.open.get(dir) ?? new Set();
    set.add(entry);
    this.open.set(dir, set);
    return { close: () => void set.delete(entry) };
  }

  /** The directories with at least one open watch. */
  watched(): string[] {
    return [...this.open].filter(([, set]) => set.size > 0).map(([dir]) => dir);
  }

  emit(dir: string, name: string | undefined): void {
    for (const w of [...(this.open.get(dir) ?? [])]) w.onChange(name);
  }

  fail(dir: string, error: Error): void {
    for (const w of [...(this.open.get(dir) ?? [])]) w.onError(error);
  }
}
