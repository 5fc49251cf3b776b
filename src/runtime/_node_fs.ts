/**
 * {@linkcode RuntimeFs} on `node:fs/promises` (Node, and Bun which implements it natively).
 *
 * @module
 */
import * as fsp from "node:fs/promises";
import type { Dirent } from "node:fs";
import type { FileInfo, RuntimeFs, WriteOptions } from "./types.ts";
import { withUtf8 } from "./_encode.ts";
import { childPath, parentOf, tempSibling } from "./_paths.ts";

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

  async writeText(path: string, data: string, options: WriteOptions = {}): Promise<void> {
    if (options.createDirs) await fsp.mkdir(parentOf(path), { recursive: true });
    if (options.append) {
      await withUtf8(data, (bytes) => fsp.appendFile(path, bytes));
      return;
    }
    if (!options.atomic) {
      await withUtf8(data, (bytes) => fsp.writeFile(path, bytes));
      return;
    }
    const temp = tempSibling(path);
    try {
      await withUtf8(data, (bytes) => fsp.writeFile(temp, bytes));
      await fsp.rename(temp, path);
    } catch (error) {
      await fsp.rm(temp, { force: true }).catch(() => {});
      throw error;
    }
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
};
