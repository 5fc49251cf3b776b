/**
 * The Deno runtime adapter: `Deno.*` file, environment and subprocess APIs;
 * Web Workers, or subprocess workers when they must be killable.
 *
 * @module
 */
import { systemClock } from "./_clock.ts";
import { denoApi, type DenoChildProcess } from "./_deno_api.ts";
import { denoWorkers } from "./_deno_worker.ts";
import { type ByteFileOps, writeTextFile } from "./_write.ts";
import {
  abortReason,
  DEFAULT_MAX_OUTPUT_BYTES,
  OutputCollector,
  programNotFound,
} from "./_output.ts";
import type {
  FileInfo,
  OpenOptions,
  OpenProcess,
  Runtime,
  RuntimeFs,
  SpawnOptions,
  SpawnResult,
  WatchOptions,
  WriteOptions,
} from "./types.ts";
import { childPath } from "./_paths.ts";
import { denoCommandEnv } from "./_env.ts";
import { createProcessTable } from "./_process_table.ts";

function isNotFound(error: unknown): boolean {
  return error instanceof denoApi().errors.NotFound;
}

async function entryIsDirectory(
  dir: string,
  entry: { name: string; isDirectory: boolean; isSymlink: boolean },
): Promise<boolean> {
  if (entry.isDirectory) return true;
  if (!entry.isSymlink) return false;
  const info = await denoApi().stat(childPath(dir, entry.name)).catch(() => null);
  return info?.isDirectory ?? false;
}

/** Deno errors do not always name the path; make sure the message does. */
async function withPath<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof Error && !error.message.includes(path)) {
      error.message = `${error.message}: '${path}'`;
    }
    throw error;
  }
}

const DENO_BYTE_OPS: ByteFileOps = {
  mkdirp: (dir) => denoApi().mkdir(dir, { recursive: true }),
  write: (path, bytes, append) => denoApi().writeFile(path, bytes, { append }),
  rename: (from, to) => denoApi().rename(from, to),
  link: (from, to) => denoApi().link(from, to),
  isExists: (error) => error instanceof denoApi().errors.AlreadyExists,
  remove: (path) => denoApi().remove(path),
};

/** The Deno filesystem adapter. */
export const denoFs: RuntimeFs = {
  readText: (path) => withPath(path, () => denoApi().readTextFile(path)),

  writeText(path: string, data: string, options: WriteOptions = {}): Promise<void> {
    return withPath(path, () => writeTextFile(DENO_BYTE_OPS, path, data, options));
  },

  listFiles(dir: string): Promise<string[]> {
    return withPath(dir, async () => {
      const out: string[] = [];
      const walk = async (folder: string): Promise<void> => {
        for await (const entry of denoApi().readDir(folder)) {
          const full = childPath(folder, entry.name);
          if (await entryIsDirectory(folder, entry)) await walk(full);
          else out.push(full);
        }
      };
      await walk(dir);
      return out.sort();
    });
  },

  readDir(dir: string): Promise<{ name: string; isDirectory: boolean }[]> {
    return withPath(dir, async () => {
      const out: { name: string; isDirectory: boolean }[] = [];
      for await (const entry of denoApi().readDir(dir)) {
        out.push({ name: entry.name, isDirectory: await entryIsDirectory(dir, entry) });
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  },

  async stat(path: string): Promise<FileInfo | null> {
    try {
      const info = await denoApi().stat(path);
      return {
        isFile: info.isFile,
        isDirectory: info.isDirectory,
        size: info.size,
        mtimeMs: info.mtime?.getTime() ?? 0,
      };
    } catch (error) {
      if (isNotFound(error) || (error as { code?: string }).code === "ENOTDIR") return null;
      throw error;
    }
  },

  mkdir: (path) => withPath(path, () => denoApi().mkdir(path, { recursive: true })),

  async remove(path: string): Promise<void> {
    try {
      await denoApi().remove(path, { recursive: true });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },

  rename: (from, to) => withPath(from, () => denoApi().rename(from, to)),

  watch(dir: string, onChange: (path: string) => void, options: WatchOptions = {}) {
    return withPath(dir, async () => {
      const { signal } = options;
      if (signal?.aborted) return;
      const watcher = denoApi().watchFs(dir, { recursive: true });
      const close = () => watcher.close();
      signal?.addEventListener("abort", close, { once: true });
      try {
        for await (const event of watcher) {
          for (const path of event.paths) onChange(path.replaceAll("\\", "/"));
        }
      } finally {
        signal?.removeEventListener("abort", close);
      }
    });
  },
};

async function pump(stream: ReadableStream<Uint8Array>, collector: OutputCollector): Promise<void> {
  try {
    for await (const chunk of stream) collector.push(chunk);
  } catch {
    // Cancelled after an abort.
  }
  collector.end();
}

/**
 * Runs a program to completion with `Deno.Command`. The child is `detached`
 * (its own process group), so an abort kills it and its grandchildren with
 * one `kill(-pid)`.
 */
export async function denoSpawn(
  command: readonly string[],
  options: SpawnOptions = {},
): Promise<SpawnResult> {
  const [program, ...args] = command;
  if (!program) throw new Error("spawn needs a program name");
  const signal = options.signal;
  if (signal?.aborted) throw abortReason(signal);
  const deno = denoApi();
  const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const keep = options.keep ?? "head";
  const stdout = new OutputCollector(max, keep, options.onStdout);
  const stderr = new OutputCollector(max, keep, options.onStderr);
  let child: DenoChildProcess;
  try {
    child = new deno.Command(program, {
      args,
      cwd: options.cwd,
      ...denoCommandEnv(() => deno.env.toObject(), options.unsetEnv, options.env),
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
  } catch (error) {
    throw isNotFound(error) ? programNotFound(program, error) : error;
  }
  const pumps = Promise.all([pump(child.stdout, stdout), pump(child.stderr, stderr)]);
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    writer.write(new TextEncoder().encode(options.stdin))
      .then(() => writer.close())
      .catch(() => {/* the child may exit without reading stdin */});
  }
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    try {
      deno.kill(-child.pid, "SIGKILL");
    } catch {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
    }
    child.stdout.cancel().catch(() => {});
    child.stderr.cancel().catch(() => {});
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const status = await child.status;
    if (aborted) throw abortReason(signal!);
    await pumps;
    if (aborted) throw abortReason(signal!);
    return {
      code: status.signal === null ? status.code : null,
      signal: status.signal,
      stdout: stdout.text(),
      stderr: stderr.text(),
      stdoutDropped: stdout.dropped,
      stderrDropped: stderr.dropped,
    };
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Starts a long-lived child with piped stdio (see {@linkcode Spawner.open}). */
export function denoOpen(
  command: readonly string[],
  options: OpenOptions = {},
): Promise<OpenProcess> {
  const [program, ...args] = command;
  if (!program) return Promise.reject(new Error("spawn needs a program name"));
  const deno = denoApi();
  let child: DenoChildProcess;
  try {
    child = new deno.Command(program, {
      args,
      cwd: options.cwd,
      ...denoCommandEnv(() => deno.env.toObject(), options.unsetEnv, options.env),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
  } catch (error) {
    return Promise.reject(isNotFound(error) ? programNotFound(program, error) : error);
  }
  const stdout = new OutputCollector(0, "head", options.onStdout);
  const stderr = new OutputCollector(0, "head", options.onStderr);
  const pumps = Promise.all([pump(child.stdout, stdout), pump(child.stderr, stderr)]);
  const writer = child.stdin.getWriter();
  writer.closed.catch(() => {/* reported by write() and exited */});
  const encoder = new TextEncoder();
  const exited = child.status.then(async (status) => {
    await pumps;
    return { code: status.signal === null ? status.code : null, signal: status.signal };
  });
  return Promise.resolve({
    pid: child.pid,
    write: (text: string) => writer.write(encoder.encode(text)),
    exited,
    kill() {
      try {
        deno.kill(-child.pid, "SIGKILL");
      } catch {
        try {
          child.kill("SIGKILL");
        } catch {
          // Already exited.
        }
      }
    },
    unref: () => child.unref(),
    ref: () => child.ref(),
  });
}

/**
 * Creates the Deno runtime adapter.
 *
 * @example
 * ```ts
 * const runtime = createDenoRuntime();
 * const text = await runtime.fs.readText("conf/demo.yml");
 * ```
 */
export function createDenoRuntime(): Runtime {
  const deno = denoApi();
  const processes = createProcessTable({
    pid: deno.pid,
    hostname: () => deno.hostname(),
    readTextSync: (path) => deno.readTextFileSync(path),
    readText: (path) => deno.readTextFile(path),
  });
  return {
    name: "deno",
    fs: denoFs,
    clock: systemClock,
    env: { get: (name) => deno.env.get(name), toObject: () => deno.env.toObject() },
    spawn: { spawn: denoSpawn, open: denoOpen },
    workers: denoWorkers,
    cwd: () => deno.cwd().replaceAll("\\", "/"),
    processes,
  };
}
