/**
 * Node `worker_threads` behind the {@linkcode WorkerLike} shape. A tiny
 * bootstrap (evaluated as the worker's first script) gives the worker a Web
 * Worker-like global (`self`, `postMessage`, `onmessage`) and, for `.ts`
 * entries (dev under tsx), registers tsx's loader inside the worker before
 * importing the entry: Node 20 cannot load a `.ts` worker file otherwise.
 * The npm build ships `.js` entries and never needs tsx. Any end of the worker
 * that `terminate()` did not cause (`process.exit(0)` included) is reported
 * through `onerror`, so a job never waits on a worker that is gone. Node
 * cannot confine a worker thread's permissions (`--permission` applies to a
 * whole process).
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { childEnv } from "./_env.ts";
import { confinementUnsupported } from "./_confine.ts";
import type { CreateWorkerOptions, WorkerErrorEvent, WorkerFactory, WorkerLike } from "./types.ts";

// CommonJS, because Node 20 evaluates `eval: true` worker code as a script.
const BOOTSTRAP = `
const { parentPort, workerData } = require("node:worker_threads");
globalThis.self = globalThis;
globalThis.postMessage = (message) => parentPort.postMessage(message);
let early = [];
const deliver = (data) => {
  const handler = globalThis.onmessage;
  if (typeof handler === "function") handler({ data });
};
parentPort.on("message", (data) => (early ? early.push(data) : deliver(data)));
(async () => {
  if (workerData.tsxUrl) {
    const { register } = await import(workerData.tsxUrl);
    register();
  }
  await import(workerData.url);
  const queued = early;
  early = undefined;
  for (const data of queued) deliver(data);
})().catch((error) => { setImmediate(() => { throw error; }); });
`;

/** Where tsx's ESM API lives, when a `.ts` worker entry needs it. */
function tsxApiUrl(): string | undefined {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return undefined;
  }
}

/** Wraps a started `worker_threads` worker as a {@linkcode WorkerLike}. */
class NodeWorker implements WorkerLike {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: WorkerErrorEvent) => void) | null = null;
  readonly #worker: Worker;
  #terminated = false;

  constructor(url: URL, name: string | undefined, unsetEnv: readonly string[]) {
    const isTs = url.pathname.endsWith(".ts") || url.pathname.endsWith(".mts");
    const tsxUrl = isTs ? tsxApiUrl() : undefined;
    this.#worker = new Worker(BOOTSTRAP, {
      eval: true,
      name,
      workerData: { url: url.href, tsxUrl },
      // A `--import tsx` inherited from the parent cannot load the entry in a worker
      // (the loader shim above does); dropping the flags keeps worker start-up lean.
      execArgv: [],
      // The worker's `process.env` is a copy of this one without the hidden names.
      ...(unsetEnv.length ? { env: childEnv(process.env, unsetEnv) } : {}),
    });
    this.#worker.on("message", (data: unknown) => this.onmessage?.({ data }));
    this.#worker.on("error", (error: Error) => this.onerror?.({ message: error.message, error }));
    // A message this side cannot deserialize (an object nested deeper than the stack allows)
    // is lost otherwise, and whoever waits for it would wait forever.
    this.#worker.on("messageerror", (error: Error) =>
      this.onerror?.({
        message: `a message from the worker could not be read (${error.message})`,
        error,
      }));
    this.#worker.on("exit", (code: number) => {
      if (this.#terminated) return;
      this.#terminated = true;
      this.onerror?.({ message: `worker exited with code ${code}`, exitCode: code });
    });
  }

  postMessage(message: unknown): void {
    this.#worker.postMessage(message);
  }

  terminate(): void {
    this.#terminated = true;
    void this.#worker.terminate();
  }

  ref(): void {
    this.#worker.ref();
  }

  unref(): void {
    this.#worker.unref();
  }
}

/** A {@linkcode WorkerFactory} on Node `worker_threads`. */
export const nodeWorkers: WorkerFactory = {
  create(url: URL, options?: CreateWorkerOptions): WorkerLike {
    if (options?.permissions) throw confinementUnsupported("Node");
    return new NodeWorker(url, options?.name, options?.unsetEnv ?? []);
  },
};
