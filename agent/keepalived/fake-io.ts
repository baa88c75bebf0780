/**
 * An in-memory IncludeIo for tests: a map of absolute or relative file
 * paths to their text; directories are implied by the paths.
 */
import type { IncludeIo } from "./lexer.js";

export function fakeIo(files: Readonly<Record<string, string>>): IncludeIo {
  return {
    readFile(path) {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return text;
    },
    listDir(dir) {
      const prefix = dir === "." ? "" : dir.endsWith("/") ? dir : `${dir}/`;
      const names = new Set<string>();
      for (const path of Object.keys(files)) {
        if (!path.startsWith(prefix)) continue;
        const name = path.slice(prefix.length).split("/")[0];
        if (name !== undefined && name !== "") names.add(name);
      }
      if (names.size === 0) throw new Error(`ENOENT: no such directory, scandir '${dir}'`);
      return [...names];
    },
  };
}
