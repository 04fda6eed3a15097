// Watches the program's source files for saves: the directories they are in, so that editors
// that save by renaming are seen too. Reports each file whose content changed, once per burst.

import { watch, readFileSync, type FSWatcher } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** A running watch. */
export interface SourceWatcher {
  /** Watches these files too (after a rebuild found more). */
  add(files: string[]): void;
  close(): void;
}

/** Calls `onChange` with the paths (relative to `cwd`) of .ts files in the watched directories whose content changed. */
export function watchSources(cwd: string, files: string[], onChange: (changed: string[]) => void, debounceMs = 80): SourceWatcher {
  const known = new Map<string, string | null>();
  const watchers = new Map<string, FSWatcher>();
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const read = (path: string) => {
    try {
      return readFileSync(resolve(cwd, path), "utf8");
    } catch {
      return null;
    }
  };
  const flush = () => {
    timer = null;
    const changed = [...pending].filter((path) => {
      const text = read(path);
      if (known.get(path) === text) return false;
      known.set(path, text);
      return true;
    });
    pending.clear();
    if (changed.length > 0) onChange(changed.sort());
  };
  const add = (paths: string[]) => {
    for (const path of paths) {
      if (!known.has(path)) known.set(path, read(path));
      const dir = resolve(cwd, dirname(path));
      if (watchers.has(dir)) continue;
      const watcher = watch(dir, (_event, name) => {
        if (!name || !String(name).endsWith(".ts")) return;
        pending.add(relative(cwd, join(dir, String(name))).replace(/\\/g, "/"));
        if (timer) clearTimeout(timer);
        timer = setTimeout(flush, debounceMs);
      });
      watcher.on("error", () => watcher.close());
      watchers.set(dir, watcher);
    }
  };
  add(files);
  return {
    add,
    close() {
      if (timer) clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
