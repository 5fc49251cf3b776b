/**
 * An in-memory {@linkcode Runtime} for tests and edge hosts: a virtual
 * filesystem, a hand-driven {@linkcode FakeClock}, a fixed environment, and
 * no subprocesses or workers unless handlers are injected.
 *
 * @module
 */
import { UnsupportedError } from "../errors.ts";
import { FakeClock } from "./fake_clock.ts";
import type {
  FileInfo,
  Runtime,
  RuntimeFs,
  SpawnOptions,
  SpawnResult,
  WorkerFactory,
  WriteOptions,
} from "./types.ts";

export { FakeClock } from "./fake_clock.ts";

/** Options of {@linkcode createMemoryRuntime}. */
export interface MemoryRuntimeOptions {
  /** Initial files, by path (relative paths resolve against `cwd`). */
  readonly files?: Record<string, string>;
  /** Environment variables. @default {} */
  readonly env?: Record<string, string>;
  /** Initial wall-clock time in epoch ms. @default 0 */
  readonly now?: number;
  /** Working folder. @default "/" */
  readonly cwd?: string;
  /** Handles `spawn` calls; without it `spawn` rejects with an `UnsupportedError`. */
  readonly spawn?: (command: readonly string[], options?: SpawnOptions) => Promise<SpawnResult>;
  /** Creates workers; without it `workers.create` throws an `UnsupportedError`. */
  readonly workers?: WorkerFactory;
}

/** A {@linkcode Runtime} whose clock is a {@linkcode FakeClock}. */
export interface MemoryRuntime extends Runtime {
  /** Always `"memory"`. */
  readonly name: "memory";
  /** The hand-driven clock (`advance`, `set`, `runUntilIdle`). */
  readonly clock: FakeClock;
}

interface MemoryFile {
  data: string;
  mtimeMs: number;
}

function normalizeAbsolute(path: string): string {
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

class MemoryFs implements RuntimeFs {
  readonly #files = new Map<string, MemoryFile>();
  readonly #dirs = new Set<string>(["/"]);
  readonly #cwd: string;
  readonly #clock: FakeClock;

  constructor(cwd: string, clock: FakeClock, files: Record<string, string>) {
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
    const before = options.append ? this.#files.get(full)?.data ?? "" : "";
    this.#files.set(full, { data: before + data, mtimeMs: this.#clock.now() });
    return Promise.resolve();
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
    this.#files.delete(full);
    if (full !== "/" && this.#dirs.delete(full)) {
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
    return Promise.resolve();
  }
}

/**
 * Creates an in-memory runtime. Time moves only through `runtime.clock.advance()`.
 *
 * @example
 * ```ts
 * const runtime = createMemoryRuntime({ files: { "conf/a.yml": "a: 1" }, cwd: "/app" });
 * await runtime.fs.readText("/app/conf/a.yml"); // "a: 1"
 * ```
 */
export function createMemoryRuntime(options: MemoryRuntimeOptions = {}): MemoryRuntime {
  const cwd = normalizeAbsolute(options.cwd ?? "/");
  const clock = new FakeClock(options.now ?? 0);
  const env = { ...options.env };
  const spawnHandler = options.spawn;
  const workerFactory = options.workers;
  return {
    name: "memory",
    fs: new MemoryFs(cwd, clock, options.files ?? {}),
    clock,
    env: { get: (name) => env[name], toObject: () => ({ ...env }) },
    spawn: {
      spawn(command, spawnOptions) {
        if (spawnHandler) return spawnHandler(command, spawnOptions);
        return Promise.reject(
          new UnsupportedError(
            `The memory runtime cannot run "${command[0] ?? ""}": it has no subprocesses ` +
              "(pass a spawn handler to createMemoryRuntime())",
          ),
        );
      },
    },
    workers: {
      create(url, workerOptions) {
        if (workerFactory) return workerFactory.create(url, workerOptions);
        throw new UnsupportedError(
          "The memory runtime has no workers (pass a workers factory to createMemoryRuntime())",
        );
      },
    },
    cwd: () => cwd,
  };
}
