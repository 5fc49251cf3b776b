/**
 * Watching a folder tree by polling: for hosts whose file watcher cannot watch a tree.
 *
 * @module
 */

import type { RuntimeFs, WatchOptions } from "./types.ts";

async function snapshot(fs: RuntimeFs, dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const path of await fs.listFiles(dir)) {
    const info = await fs.stat(path);
    if (info) out.set(path, `${info.mtimeMs}:${info.size}`);
  }
  return out;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Compares the files below `dir` (path, modification time, size) every `pollMs` and calls
 * `onChange` with each path added, changed or removed, until `signal` aborts.
 */
export async function pollWatch(
  fs: RuntimeFs,
  dir: string,
  onChange: (path: string) => void,
  options: WatchOptions = {},
): Promise<void> {
  const { signal } = options;
  const pollMs = Math.max(10, options.pollMs ?? 1000);
  let last = await snapshot(fs, dir);
  while (!signal?.aborted) {
    await sleep(pollMs, signal);
    if (signal?.aborted) break;
    const now = await snapshot(fs, dir).catch(() => new Map<string, string>());
    for (const [path, stamp] of now) if (last.get(path) !== stamp) onChange(path);
    for (const path of last.keys()) if (!now.has(path)) onChange(path);
    last = now;
  }
}
