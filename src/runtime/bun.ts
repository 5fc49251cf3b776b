/**
 * The Bun runtime adapter. Bun implements `node:fs/promises` and
 * `node:child_process` (including `detached` process groups) natively, so
 * those parts are shared with the Node adapter; workers use Bun's own Web
 * `Worker`, which loads `.ts` directly, stops busy loops on `terminate()` and
 * can be `unref()`'d. A worker that ends by itself (`process.exit()`, an
 * uncaught error) only fires `close`, never `error`, so the adapter reports
 * that `close` as the worker's end; without it a pending job would wait
 * forever and, once nothing else kept it alive, the process would exit 0.
 * Bun cannot confine a worker's permissions.
 *
 * @module
 */
import { systemClock } from "./_clock.ts";
import { nodeFs } from "./_node_fs.ts";
import { nodeSpawner } from "./_node_spawn.ts";
import { nodeProcesses, processCwd, processEnv } from "./node.ts";
import { childEnv } from "./_env.ts";
import { confinementUnsupported } from "./_confine.ts";
import type {
  CreateWorkerOptions,
  Runtime,
  WorkerErrorEvent,
  WorkerFactory,
  WorkerLike,
} from "./types.ts";

/** The parts of Bun's `Worker` this adapter uses. */
interface BunWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  ref(): void;
  unref(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message?: string; error?: unknown }) => void) | null;
  addEventListener(type: "close", listener: (event: { code?: number }) => void): void;
}

type BunWorkerConstructor = new (
  url: URL,
  options: { type: "module"; name?: string; env?: Record<string, string> },
) => BunWorker;

/** Wraps a Web `Worker` (Bun) as a {@linkcode WorkerLike}. */
class WebWorker implements WorkerLike {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: WorkerErrorEvent) => void) | null = null;
  readonly #worker: BunWorker;
  #terminated = false;

  constructor(url: URL, name: string | undefined, unsetEnv: readonly string[]) {
    const WorkerClass = (globalThis as unknown as { Worker: BunWorkerConstructor }).Worker;
    // Bun's `env` option sets the worker's `process.env`/`Bun.env`.
    const env = unsetEnv.length ? childEnv(processEnv.toObject(), unsetEnv) : undefined;
    this.#worker = new WorkerClass(url, { type: "module", name, ...(env ? { env } : {}) });
    this.#worker.onmessage = (event) => this.onmessage?.({ data: event.data });
    this.#worker.onerror = (event) => {
      this.onerror?.({ message: event.message, error: event.error });
    };
    this.#worker.addEventListener("close", (event) => {
      if (this.#terminated) return;
      this.#terminated = true;
      const exitCode = typeof event.code === "number" ? event.code : 0;
      this.onerror?.({ message: `worker exited with code ${exitCode}`, exitCode });
    });
  }

  postMessage(message: unknown): void {
    this.#worker.postMessage(message);
  }

  terminate(): void {
    this.#terminated = true;
    this.#worker.terminate();
  }

  ref(): void {
    this.#worker.ref();
  }

  unref(): void {
    this.#worker.unref();
  }
}

/** A {@linkcode WorkerFactory} on Bun's Web `Worker`. */
export const bunWorkers: WorkerFactory = {
  create(url: URL, options?: CreateWorkerOptions): WorkerLike {
    if (options?.permissions) throw confinementUnsupported("Bun");
    return new WebWorker(url, options?.name, options?.unsetEnv ?? []);
  },
};

/**
 * Creates the Bun runtime adapter.
 *
 * @example
 * ```ts
 * const runtime = createBunRuntime();
 * const result = await runtime.spawn.spawn(["echo", "hi"]);
 * ```
 */
export function createBunRuntime(): Runtime {
  return {
    name: "bun",
    fs: nodeFs,
    clock: systemClock,
    env: processEnv,
    spawn: nodeSpawner,
    workers: bunWorkers,
    cwd: processCwd,
    processes: nodeProcesses,
  };
}
