/**
 * A reusable pool of workers that run user JavaScript (`run` stages). Workers
 * start lazily, serve one job at a time, and are `unref`'d while idle so an
 * idle pool never keeps the process alive. A job that times out or is
 * cancelled gets its worker terminated (which really stops even
 * `while (true) {}`: the pool asks for killable workers, which on Deno are
 * subprocesses) and a fresh worker replaces it on demand.
 *
 * @module
 */
import { CancelError, StageError, StageTimeoutError } from "../errors.ts";
import type { Runtime, WorkerLike } from "../runtime/types.ts";
import { isWorkerMessage, type LogLevel, type WorkerMessage } from "./protocol.ts";

/** One piece of user JavaScript to run. */
export interface JsJob {
  /** Body of an async function. */
  readonly code: string;
  /** Values the code sees as named variables (names must be JavaScript identifiers). */
  readonly vars: Record<string, unknown>;
  /** Data the code sees, deep-frozen, as `context`. */
  readonly context: unknown;
}

/** Options of {@linkcode JsRunner.run}. */
export interface JsRunOptions {
  /** Aborting stops the job and rejects with a `CancelError`. */
  readonly signal?: AbortSignal;
  /** Stops the job after this many ms of running and rejects with a `StageTimeoutError`. */
  readonly timeoutMs?: number;
  /** Receives each `console.*` line the code prints. */
  readonly onLog?: (level: LogLevel, message: string) => void;
}

/** Runs user JavaScript in pooled workers. */
export interface JsRunner {
  /** Runs `job`; resolves with its outputs (`outputs` merged with the returned object).
   * Rejects with a `StageError` carrying the code's error message, a `StageTimeoutError`, or
   * a `CancelError`. */
  run(job: JsJob, options?: JsRunOptions): Promise<Record<string, unknown>>;
  /** Terminates every worker; pending and later runs reject with a `CancelError`. */
  close(): Promise<void>;
}

/** Options of {@linkcode createJsRunner}. */
export interface JsRunnerOptions {
  /** Most workers alive at once. @default min(4, CPU cores) */
  readonly size?: number;
}

interface PendingJob {
  readonly id: number;
  readonly job: JsJob;
  readonly options: JsRunOptions;
  readonly resolve: (outputs: Record<string, unknown>) => void;
  readonly reject: (error: unknown) => void;
  stopWatching?: () => void;
}

interface Slot {
  readonly worker: WorkerLike;
  ready: boolean;
  job?: PendingJob;
}

function defaultSize(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  return Math.max(1, Math.min(4, cores && cores > 0 ? cores : 4));
}

function entryUrl(): URL {
  // tsc keeps this URL as written, so choose the extension this module was loaded with.
  const extension = import.meta.url.endsWith(".js") ? ".js" : ".ts";
  return new URL(`./js_entry${extension}`, import.meta.url);
}

function cancelError(signal: AbortSignal): CancelError {
  const reason = signal.reason;
  const detail = reason instanceof Error && reason.message ? `: ${reason.message}` : "";
  return new CancelError(`run code was cancelled${detail}`, { cause: reason });
}

/**
 * Creates a pool that runs user JavaScript in workers of `runtime`.
 *
 * @example
 * ```ts
 * const runner = createJsRunner(detectRuntime());
 * const outputs = await runner.run(
 *   { code: "return { total: a + b };", vars: { a: 1, b: 2 }, context: {} },
 *   { timeoutMs: 5000 },
 * );
 * // outputs: { total: 3 }
 * await runner.close();
 * ```
 */
export function createJsRunner(runtime: Runtime, options: JsRunnerOptions = {}): JsRunner {
  const size = Math.max(1, options.size ?? defaultSize());
  const slots: Slot[] = [];
  const queue: PendingJob[] = [];
  let nextId = 1;
  let closed = false;

  function retire(slot: Slot): void {
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    slot.worker.onmessage = null;
    slot.worker.onerror = null;
    slot.worker.terminate();
  }

  function finish(slot: Slot | undefined, job: PendingJob): void {
    job.stopWatching?.();
    if (slot && slot.job === job) {
      slot.job = undefined;
      slot.worker.unref?.();
    }
    dispatch();
  }

  function onMessage(slot: Slot, message: WorkerMessage): void {
    if (message.type === "ready") {
      slot.ready = true;
      dispatch();
      if (!slot.job) slot.worker.unref?.();
      return;
    }
    const job = slot.job;
    if (!job || message.id !== job.id) return;
    if (message.type === "log") {
      job.options.onLog?.(message.level, message.message);
    } else if (message.type === "result") {
      finish(slot, job);
      job.resolve(message.outputs);
    } else {
      finish(slot, job);
      const { name, message: text } = message.error;
      const shown = name && name !== "Error" ? `${name}: ${text}` : text;
      job.reject(new StageError(shown));
    }
  }

  function startWorker(): Slot {
    const worker = runtime.workers.create(entryUrl(), { name: "js-runner", killable: true });
    const slot: Slot = { worker, ready: false };
    worker.onmessage = (event) => {
      if (isWorkerMessage(event.data)) onMessage(slot, event.data);
    };
    worker.onerror = (event) => {
      const job = slot.job;
      retire(slot);
      const reason = event.message ?? (event.error instanceof Error ? event.error.message : "");
      const error = new StageError(`run worker failed${reason ? `: ${reason}` : ""}`);
      if (job) {
        finish(undefined, job);
        job.reject(error);
      } else if (!slot.ready) {
        // The entry itself cannot load: fail what is waiting instead of retrying forever.
        for (const waiting of queue.splice(0)) {
          waiting.stopWatching?.();
          waiting.reject(error);
        }
      }
    };
    slots.push(slot);
    return slot;
  }

  function stopJob(job: PendingJob, error: unknown): void {
    const queued = queue.indexOf(job);
    if (queued >= 0) queue.splice(queued, 1);
    const slot = slots.find((s) => s.job === job);
    if (slot) retire(slot);
    finish(undefined, job);
    job.reject(error);
  }

  function assign(slot: Slot, job: PendingJob): void {
    slot.job = job;
    slot.worker.ref?.();
    if (job.options.timeoutMs !== undefined) {
      const ms = job.options.timeoutMs;
      const timer = runtime.clock.timeout(ms);
      const onTimeout = () =>
        stopJob(job, new StageTimeoutError(`run code did not finish within ${ms} ms`));
      timer.addEventListener("abort", onTimeout, { once: true });
      const previous = job.stopWatching;
      job.stopWatching = () => {
        previous?.();
        timer.removeEventListener("abort", onTimeout);
      };
    }
    try {
      slot.worker.postMessage({
        type: "run",
        id: job.id,
        code: job.job.code,
        vars: job.job.vars,
        context: job.job.context,
      });
    } catch (error) {
      finish(slot, job);
      const reason = error instanceof Error ? error.message : String(error);
      job.reject(
        new StageError(`run vars and context must be plain data (structured-cloneable): ${reason}`),
      );
    }
  }

  function dispatch(): void {
    while (queue.length > 0 && !closed) {
      const idle = slots.find((s) => s.ready && !s.job);
      if (idle) {
        assign(idle, queue.shift()!);
        continue;
      }
      const starting = slots.filter((s) => !s.ready).length;
      if (slots.length < size && starting < queue.length) {
        try {
          startWorker();
        } catch (error) {
          // The runtime cannot make workers at all (e.g. the memory runtime).
          for (const waiting of queue.splice(0)) {
            waiting.stopWatching?.();
            waiting.reject(error);
          }
        }
        continue;
      }
      break;
    }
  }

  return {
    run(job, runOptions = {}) {
      if (closed) return Promise.reject(new CancelError("the JavaScript runner is closed"));
      const signal = runOptions.signal;
      if (signal?.aborted) return Promise.reject(cancelError(signal));
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        const pending: PendingJob = { id: nextId++, job, options: runOptions, resolve, reject };
        if (signal) {
          const onAbort = () => stopJob(pending, cancelError(signal));
          signal.addEventListener("abort", onAbort, { once: true });
          pending.stopWatching = () => signal.removeEventListener("abort", onAbort);
        }
        queue.push(pending);
        dispatch();
      });
    },

    close() {
      closed = true;
      const error = new CancelError("the JavaScript runner was closed");
      for (const job of queue.splice(0)) {
        job.stopWatching?.();
        job.reject(error);
      }
      for (const slot of [...slots]) {
        const job = slot.job;
        retire(slot);
        if (job) {
          job.stopWatching?.();
          job.reject(error);
        }
      }
      return Promise.resolve();
    },
  };
}
