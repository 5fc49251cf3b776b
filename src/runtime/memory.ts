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
  ProcessIdentity,
  ProcessTable,
  Runtime,
  SpawnOptions,
  SpawnResult,
  WorkerFactory,
} from "./types.ts";

export { FakeClock } from "./fake_clock.ts";

/**
 * A make-believe process table for tests: processes are started and ended by hand, and a
 * later process may get the pid of an ended one (with another start time), as on a real host.
 * Several memory runtimes given one table act as processes of one machine.
 *
 * @example
 * ```ts
 * const table = new FakeProcessTable();
 * const a = createMemoryRuntime({ processes: table });
 * const owner = a.processes.self();
 * table.end(owner.pid);
 * await a.processes.isAlive(owner); // false
 * ```
 */
export class FakeProcessTable {
  /** The host name every process of this table reports. */
  readonly host: string;
  readonly #alive = new Map<number, string>();
  #started = 0;
  #nextPid = 1000;

  /** A table of the machine `host`. @param host Its host name. @default "memory-host" */
  constructor(host = "memory-host") {
    this.host = host;
  }

  /** Starts a process; `pid` reuses an ended process's pid. @throws {Error} for a pid in use. */
  start(pid?: number): ProcessIdentity {
    const id = pid ?? this.#nextPid++;
    if (this.#alive.has(id)) throw new Error(`pid ${id} is in use`);
    const startTime = String(++this.#started);
    this.#alive.set(id, startTime);
    return { host: this.host, pid: id, startTime };
  }

  /** Ends the process `pid` (a crash, a `kill -9`). */
  end(pid: number): void {
    this.#alive.delete(pid);
  }

  /** Whether `identity` names a running process of this table (other hosts: alive). */
  isAlive(identity: ProcessIdentity): boolean {
    if (identity.host !== this.host) return true;
    return this.#alive.get(identity.pid) === identity.startTime;
  }
}

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
  /** The process table this runtime's process lives in; it starts one process there.
   * @default a table of its own */
  readonly processes?: FakeProcessTable;
}

/** A {@linkcode Runtime} whose clock is a {@linkcode FakeClock}. */
export interface MemoryRuntime extends Runtime {
  /** Always `"memory"`. */
  readonly name: "memory";
  /** The hand-driven clock (`advance`, `set`, `runUntilIdle`). */
  readonly clock: FakeClock;
  /** This runtime's process in its {@linkcode FakeProcessTable}. */
  readonly processes: ProcessTable;
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
  const table = options.processes ?? new FakeProcessTable();
  let self: ProcessIdentity | undefined;
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
    processes: {
      // Started on first use, so a runtime that never asks takes no pid.
      self: () => self ??= table.start(),
      isAlive: (identity) => Promise.resolve(table.isAlive(identity)),
    },
  };
}
