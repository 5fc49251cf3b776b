/**
 * Small filesystem helpers shared by the file stores (private to `results/`).
 *
 * @module
 */

import type { RuntimeFs } from "../runtime/types.ts";

/** Joins path parts with `/`, without doubling separators. */
export function joinPath(...parts: string[]): string {
  return parts
    .filter((part) => part.length > 0)
    .map((part, index) =>
      index === 0 ? part.replace(/\/+$/, "") || "/" : part.replace(/^\/+|\/+$/g, "")
    )
    .join("/")
    .replace(/^\/\//, "/");
}

/** Reads a text file; `null` when it does not exist. */
export async function readTextOrNull(fs: RuntimeFs, path: string): Promise<string | null> {
  try {
    return await fs.readText(path);
  } catch (error) {
    if ((await fs.stat(path)) === null) return null;
    throw error;
  }
}

/** Lists direct sub-folders of `dir` (names, sorted); `[]` when `dir` does not exist. */
export async function listDirs(fs: RuntimeFs, dir: string): Promise<string[]> {
  if ((await fs.stat(dir)) === null) return [];
  const entries = await fs.readDir(dir);
  return entries.filter((entry) => entry.isDirectory).map((entry) => entry.name);
}

/** Lists direct files of `dir` (names, sorted); `[]` when `dir` does not exist. */
export async function listFileNames(fs: RuntimeFs, dir: string): Promise<string[]> {
  if ((await fs.stat(dir)) === null) return [];
  const entries = await fs.readDir(dir);
  return entries.filter((entry) => !entry.isDirectory).map((entry) => entry.name);
}

/** Runs async tasks one after another in call order; `run` resolves with the task's value. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Queues `task` after every task queued before it. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(task);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every queued task has settled. */
  idle(): Promise<void> {
    return this.#tail.then(() => undefined);
  }
}
