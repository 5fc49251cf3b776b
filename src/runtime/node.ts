/**
 * The Node runtime adapter: `node:fs/promises`, `node:child_process` and
 * `node:worker_threads`; TypeScript user modules through native type stripping or the
 * project's `tsx`.
 *
 * @module
 */
import { systemClock } from "./_clock.ts";
import { nodeFs } from "./_node_fs.ts";
import { importNodeModule } from "./_node_import.ts";
import { nodeSpawner } from "./_node_spawn.ts";
import { nodeWorkers } from "./_node_worker.ts";
import type { ProcessTable, Runtime, RuntimeEnv } from "./types.ts";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { createProcessTable } from "./_process_table.ts";

/** The process table of a Node or Bun process. */
export const nodeProcesses: ProcessTable = createProcessTable({
  pid: process.pid,
  hostname,
  readTextSync: (path) => readFileSync(path, "utf8"),
  readText: (path) => readFile(path, "utf8"),
  signalZero(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      const code = (error as { code?: string }).code;
      return code === "ESRCH" ? false : code === "EPERM" ? true : undefined;
    }
  },
});

/** Environment variables from `process.env`. */
export const processEnv: RuntimeEnv = {
  get: (name: string) => process.env[name],
  toObject() {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined) out[key] = value;
    }
    return out;
  },
};

/** The current folder with `/` separators. */
export function processCwd(): string {
  return process.cwd().replaceAll("\\", "/");
}

/**
 * Creates the Node runtime adapter.
 *
 * @example
 * ```ts
 * const runtime = createNodeRuntime();
 * await runtime.fs.writeText("out.txt", "hi", { atomic: true });
 * ```
 */
export function createNodeRuntime(): Runtime {
  return {
    name: "node",
    fs: nodeFs,
    clock: systemClock,
    env: processEnv,
    spawn: nodeSpawner,
    workers: nodeWorkers,
    cwd: processCwd,
    processes: nodeProcesses,
    importModule: (specifier) => importNodeModule(specifier, processCwd()),
  };
}
