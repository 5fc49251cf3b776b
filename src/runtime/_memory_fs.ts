/**
 * An in-memory {@linkcode RuntimeFs}: a virtual folder tree held in a `Map`, used by the
 * memory runtime (tests) and the web runtime (edge hosts).
 *
 * @module
 */
import type { FileInfo, RuntimeFs, WatchOptions, WriteOptions } from "./types.ts";
import { FileExistsError } from "../errors.ts";

interface MemoryFile {
  data: string;
  mtimeMs: number;
}

/** `path` made absolute-normal: no `.`, `..` or empty segments. */
export function normalizeAbsolute(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

function parentOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index <= 0 ? "/" : path.slice(0, index);
}

function missing(path: string): Error {
  const error = new Error(`ENOENT: no such file or directory: '${path}'`);
  (error as Error & { code: string }).code = "ENOENT";
  return error;
}

/** A virtual filesystem; file times come from `clock`. */
export class MemoryFs implements RuntimeFs {
  readonly #files = new Map<string, MemoryFile>();
  readonly #dirs = new Set<string>(["/"]);
  readonly #cwd: string;
  readonly #clock: { now(): number };
  readonly #watchers = new Set<{ prefix: string; onChange: (path: string) => void }>();

  /** Starts with `files` (relative paths resolve against `cwd`). */
  constructor(cwd: string, clock: { now(): number }, files: Record<string, string>) {
    this.#cwd = cwd;
    this.#clock = clock;
    this.#dirs.add(cwd);
    this.#addParents(cwd);
    for (const [path, data] of Object.entries(files)) {
      const full = this.#resolve(path);
      this.#addParents(full);
      this.#files.set(full, { data, mtimeMs: clock.now() });
    }
  }

  #resolve(path: string): string {
    return normalizeAbsolute(path.startsWith("/") ? path : `${this.#cwd}/${path}`);
  }

  #addParents(path: string): void {
    for (let dir = parentOf(path); !this.#dirs.has(dir); dir = parentOf(dir)) this.#dirs.add(dir);
  }

  #requireDir(path: string, shown: string): void {
    if (!this.#dirs.has(path)) throw missing(shown);
  }

  readText(path: string): Promise<string> {
    const file = this.#files.get(this.#resolve(path));
    return file ? Promise.resolve(file.data) : Promise.reject(missing(path));
  }

  writeText(path: string, data: string, options: WriteOptions = {}): Promise<void> {
    const full = this.#resolve(path);
    if (this.#dirs.has(full)) {
      return Promise.reject(new Error(`EISDIR: '${path}' is a folder`));
    }
    if (options.createDirs) {
      this.#dirs.add(parentOf(full));
      this.#addParents(parentOf(full));
    } else if (!this.#dirs.has(parentOf(full))) {
      return Promise.reject(missing(path));
    }
    if (options.exclusive && !options.append && this.#files.has(full)) {
      return Promise.reject(new FileExistsError(path));
    }
    const before = options.append ? this.#files.get(full)?.data ?? "" : "";
    this.#files.set(full, { data: before + data, mtimeMs: this.#clock.now() });
    this.#changed(full);
    return Promise.resolve();
  }

  /** Tells the watchers of every folder above `full` (synchronously, in write order). */
  #changed(full: string): void {
    for (const watcher of this.#watchers) {
      if (full.startsWith(watcher.prefix)) watcher.onChange(full);
    }
  }

  watch(dir: string, onChange: (path: string) => void, options: WatchOptions = {}): Promise<void> {
    const full = this.#resolve(dir);
    try {
      this.#requireDir(full, dir);
    } catch (error) {
      return Promise.reject(error);
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.resolve();
    const watcher = { prefix: full === "/" ? "/" : full + "/", onChange };
    this.#watchers.add(watcher);
    return new Promise((resolve) => {
      signal?.addEventListener("abort", () => {
        this.#watchers.delete(watcher);
        resolve();
      }, { once: true });
    });
  }

  listFiles(dir: string): Promise<string[]> {
    const full = this.#resolve(dir);
    try {
      this.#requireDir(full, dir);
    } catch (error) {
      return Promise.reject(error);
    }
    const prefix = full === "/" ? "/" : full + "/";
    const shownPrefix = dir.endsWith("/") ? dir : dir + "/";
    const out = [...this.#files.keys()]
      .filter((path) => path.startsWith(prefix))
      .map((path) => shownPrefix + path.slice(prefix.length));
    return Promise.resolve(out.sort());
  }

  readDir(dir: string): Promise<{ name: string; isDirectory: boolean }[]> {
    const full = this.#resolve(dir);
    try {
      this.#requireDir(full, dir);
    } catch (error) {
      return Promise.reject(error);
    }
    const entries = new Map<string, boolean>();
    for (const path of this.#files.keys()) {
      if (parentOf(path) === full) entries.set(path.slice(path.lastIndexOf("/") + 1), false);
    }
    for (const path of this.#dirs) {
      if (path !== "/" && parentOf(path) === full) {
        entries.set(path.slice(path.lastIndexOf("/") + 1), true);
      }
    }
    const out = [...entries].map(([name, isDirectory]) => ({ name, isDirectory }));
    return Promise.resolve(out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  }

  stat(path: string): Promise<FileInfo | null> {
    const full = this.#resolve(path);
    const file = this.#files.get(full);
    if (file) {
      return Promise.resolve({
        isFile: true,
        isDirectory: false,
        size: new TextEncoder().encode(file.data).length,
        mtimeMs: file.mtimeMs,
      });
    }
    if (this.#dirs.has(full)) {
      return Promise.resolve({ isFile: false, isDirectory: true, size: 0, mtimeMs: 0 });
    }
    return Promise.resolve(null);
  }

  mkdir(path: string): Promise<void> {
    const full = this.#resolve(path);
    if (this.#files.has(full)) return Promise.reject(new Error(`EEXIST: '${path}' is a file`));
    this.#dirs.add(full);
    this.#addParents(full);
    return Promise.resolve();
  }

  remove(path: string): Promise<void> {
    const full = this.#resolve(path);
    if (this.#files.delete(full)) this.#changed(full);
    if (full !== "/" && this.#dirs.delete(full)) {
      this.#changed(full);
      const prefix = full + "/";
      for (const file of [...this.#files.keys()]) {
        if (file.startsWith(prefix)) this.#files.delete(file);
      }
      for (const dir of [...this.#dirs]) if (dir.startsWith(prefix)) this.#dirs.delete(dir);
    }
    return Promise.resolve();
  }

  rename(from: string, to: string): Promise<void> {
    const source = this.#resolve(from);
    const target = this.#resolve(to);
    const file = this.#files.get(source);
    if (!file) return Promise.reject(missing(from));
    if (!this.#dirs.has(parentOf(target))) return Promise.reject(missing(to));
    this.#files.delete(source);
    this.#files.set(target, file);
    this.#changed(source);
    this.#changed(target);
    return Promise.resolve();
  }
}
