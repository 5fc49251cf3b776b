/**
 * An in-memory {@linkcode Runtime} for tests and edge hosts: a virtual
 * filesystem, a hand-driven {@linkcode FakeClock}, a fixed environment, and
 * no subprocesses or workers unless handlers are injected.
 *
 * @module
 */
import { UnsupportedError } from "../errors.ts";
import { FakeClock } from "./fake_clock.ts";
import { MemoryFs, normalizeAbsolute } from "./_memory_fs.ts";
import type {
  OpenOptions,
  OpenProcess,
  Runtime,
  SpawnOptions,
  SpawnResult,
  WorkerFactory,
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
  /** Handles `open` calls (long-lived children); without it `open` rejects with an
   * `UnsupportedError`. */
  readonly open?: (command: readonly string[], options?: OpenOptions) => Promise<OpenProcess>;
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
  const openHandler = options.open;
  const workerFactory = options.workers;
  return {
    name: "memory",
    capabilities: {
      subprocesses: spawnHandler !== undefined,
      workers: workerFactory !== undefined,
    },
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
      open(command, openOptions) {
        if (openHandler) return openHandler(command, openOptions);
        return Promise.reject(
          new UnsupportedError(
            `The memory runtime cannot run "${command[0] ?? ""}": it has no subprocesses ` +
              "(pass an open handler to createMemoryRuntime())",
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
