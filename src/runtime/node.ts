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
import type { Runtime, RuntimeEnv } from "./types.ts";

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
    importModule: (specifier) => importNodeModule(specifier, processCwd()),
  };
}
