/**
 * {@linkcode RuntimeFs} on `node:fs/promises` (Node, and Bun which implements it natively).
 *
 * @module
 */
import * as fsp from "node:fs/promises";
import { type Dirent, watch as watchTree } from "node:fs";
import type { FileInfo, RuntimeFs, WatchOptions, WriteOptions } from "./types.ts";
import { pollWatch } from "./_poll_watch.ts";
import { type ByteFileOps, writeTextFile } from "./_write.ts";
import { childPath } from "./_paths.ts";

const NODE_BYTE_OPS: ByteFileOps = {
  mkdirp: (dir) => fsp.mkdir(dir, { recursive: true }).then(() => {}),
  write: (path, bytes, append) => append ? fsp.appendFile(path, bytes) : fsp.writeFile(path, bytes),
  rename: (from, to) => fsp.rename(from, to),
  link: (from, to) => fsp.link(from, to),
  isExists: (error) => (error as { code?: string } | null)?.code === "EEXIST",
  remove: (path) => fsp.rm(path, { force: true }),
};

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

async function isDirectoryEntry(dir: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  const info = await fsp.stat(childPath(dir, entry.name)).catch(() => null);
  return info?.isDirectory() ?? false;
}

async function collectFiles(dir: string, out: string[]): Promise<void> {
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    const full = childPath(dir, entry.name);
    if (await isDirectoryEntry(dir, entry)) await collectFiles(full, out);
    else out.push(full);
  }
}

/** The Node/Bun filesystem adapter. */
export const nodeFs: RuntimeFs = {
  async readText(path: string): Promise<string> {
    return await fsp.readFile(path, "utf8");
  },

  writeText(path: string, data: string, options: WriteOptions = {}): Promise<void> {
    return writeTextFile(NODE_BYTE_OPS, path, data, options);
  },

  async listFiles(dir: string): Promise<string[]> {
    const out: string[] = [];
    await collectFiles(dir, out);
    return out.sort();
  },

  async readDir(dir: string): Promise<{ name: string; isDirectory: boolean }[]> {
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    const out = await Promise.all(
      entries.map(async (entry) => ({
        name: entry.name,
        isDirectory: await isDirectoryEntry(dir, entry),
      })),
    );
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  },

  async stat(path: string): Promise<FileInfo | null> {
    try {
      const info = await fsp.stat(path);
      return {
        isFile: info.isFile(),
        isDirectory: info.isDirectory(),
        size: info.size,
        mtimeMs: info.mtimeMs,
      };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  },

  async mkdir(path: string): Promise<void> {
    await fsp.mkdir(path, { recursive: true });
  },

  async remove(path: string): Promise<void> {
    await fsp.rm(path, { recursive: true, force: true });
  },

  async rename(from: string, to: string): Promise<void> {
    await fsp.rename(from, to);
  },

  async watch(dir: string, onChange: (path: string) => void, options: WatchOptions = {}) {
    const { signal } = options;
    if (signal?.aborted) return;
    const info = await fsp.stat(dir);
    if (!info.isDirectory()) throw new Error(`ENOTDIR: '${dir}' is not a folder`);
    let watcher: ReturnType<typeof watchTree>;
    try {
      watcher = watchTree(dir, { recursive: true }, (_event, name) => {
        onChange(name ? childPath(dir, String(name).replaceAll("\\", "/")) : dir);
      });
    } catch (error) {
      // Node before 20 on Linux, and hosts without a recursive watcher: poll instead.
      if ((error as { code?: string } | null)?.code !== "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM") {
        throw error;
      }
      return await pollWatch(nodeFs, dir, onChange, options);
    }
    await new Promise<void>((resolve, reject) => {
      const stop = () => {
        watcher.close();
        resolve();
      };
      signal?.addEventListener("abort", stop, { once: true });
      watcher.on("error", (error) => {
        signal?.removeEventListener("abort", stop);
        watcher.close();
        reject(error);
      });
    });
  },
};
