/**
 * Follows one directory with a DirectoryWatcher, including while it does not
 * exist: then the nearest existing ancestor is watched, and when the next
 * step toward the directory appears there the watch moves down. A directory
 * deleted or moved away (the watcher reports its own name) is followed the
 * same way, from the nearest ancestor that is left (also when that ancestor
 * goes next, as in `rm -rf` of a parent).
 *
 * onChange(name): `name` in the directory changed; onChange(undefined):
 * anything in it may have changed (the watch moved, or the kernel did not
 * say which entry), so the owner re-reads everything it keeps there.
 * A directory that cannot be watched for another reason (EACCES, the inotify
 * limit) is reported through onError and left to the owner's resync, which
 * calls arm() again.
 */
import { basename, dirname, relative, sep } from "node:path";
import type { DirectoryWatcher } from "../os/ports.js";

export interface DirectoryFollowerDeps {
  readonly watcher: DirectoryWatcher;
  readonly onChange: (name: string | undefined) => void;
  /** A watch could not be set up or failed (not for a directory that does not exist yet). */
  readonly onError: (error: Error, path: string) => void;
}

export class DirectoryFollower {
  private handle: { close(): void } | undefined;
  private watched: string | undefined;

  constructor(
    readonly dir: string,
    private readonly deps: DirectoryFollowerDeps,
  ) {}

  /** True while the directory itself (not an ancestor) is watched. */
  get onTarget(): boolean {
    return this.handle !== undefined && this.watched === this.dir;
  }

  /** (Re)places the watch on the directory, or on its nearest existing ancestor. */
  arm(): void {
    this.close();
    let path = this.dir;
    for (;;) {
      try {
        const at = path;
        this.handle = this.deps.watcher.watch(
          at,
          (name) => this.event(at, name),
          (error) => this.failed(at, error),
        );
        this.watched = at;
        return;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const parent = dirname(path);
        if ((code === "ENOENT" || code === "ENOTDIR") && parent !== path) {
          path = parent;
          continue;
        }
        this.deps.onError(error instanceof Error ? error : new Error(String(error)), path);
        return;
      }
    }
  }

  close(): void {
    this.handle?.close();
    this.handle = undefined;
    this.watched = undefined;
  }

  private event(at: string, name: string | undefined): void {
    if (at !== this.watched) return; // a late event of a watch already closed
    if (at === this.dir) {
      if (name !== undefined && name !== basename(this.dir)) {
        this.deps.onChange(name);
        return;
      }
    } else if (name !== undefined && name !== nextStep(at, this.dir) && name !== basename(at)) return; // another entry of the ancestor
    // The directory (or the ancestor watched) itself went, or a step toward it came: follow it, and re-read.
    this.arm();
    this.deps.onChange(undefined);
  }

  private failed(at: string, error: Error): void {
    if (at !== this.watched) return;
    this.close();
    this.deps.onError(error, at);
  }
}

/** The entry of `ancestor` on the way to `dir`. */
function nextStep(ancestor: string, dir: string): string {
  return relative(ancestor, dir).split(sep)[0]!;
}
