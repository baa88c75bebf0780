/**
 * DirectoryWatcher over fs.watch, which uses inotify on Linux: one watch
 * per directory, not keeping the process alive (persistent: false).
 */
import { watch } from "node:fs";
import type { DirectoryWatcher } from "./ports.js";

export function fsDirectoryWatcher(): DirectoryWatcher {
  return {
    watch(dir, onChange, onError) {
      const watcher = watch(dir, { persistent: false }, (_event, name) => onChange(typeof name === "string" ? name : undefined));
      watcher.on("error", onError);
      return { close: () => watcher.close() };
    },
  };
}
