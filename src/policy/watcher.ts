/**
 * Watches policy files and directories and calls back (debounced) when something changes.
 * Directories are watched recursively; a single file is watched through its directory, because
 * editors often replace files by renaming a new one over them.
 */
import { watch, type FSWatcher } from 'node:fs';
import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface PathWatcher {
  close(): void;
}

export function watchPaths(roots: readonly string[], debounceMs: number, onChange: () => void): PathWatcher {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const fire = (): void => {
    if (closed) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (!closed) onChange();
    }, debounceMs);
    timer.unref();
  };
  for (const root of roots) {
    const isDir = statSync(root, { throwIfNoEntry: false })?.isDirectory() ?? false;
    const target = isDir ? root : dirname(root);
    const only = isDir ? null : basename(root);
    const w = watch(target, { recursive: isDir, persistent: false }, (_event, file) => {
      if (only !== null && file !== null && basename(String(file)) !== only) return;
      fire();
    });
    w.on('error', () => {
      // The directory went away (e.g. replaced wholesale); the next reload reports what is missing.
      fire();
    });
    watchers.push(w);
  }
  return {
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
