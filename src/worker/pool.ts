/**
 * A pool of workers that run user JavaScript (`run` stages). Workers start
 * lazily, serve one job at a time, and are `unref`'d while idle so an idle
 * pool never keeps the process alive. A job that times out or is cancelled
 * gets its worker terminated (which really stops even `while (true) {}`: the
 * pool asks for killable workers, which on Deno are subprocesses) and a fresh
 * worker replaces it on demand.
 *
 * A worker belongs to one {@linkcode JsSession} (the engine opens one per
 * run) and never serves another: user code can rewrite anything in its realm
 * (`onmessage`, `postMessage`, prototypes, a `setInterval` that watches for
 * later messages), so a worker that served one run must not see the next
 * run's `vars`. `JsRunner.run()` outside a session uses a worker once. The
 * pool's `size` bounds the workers of all sessions together; a session that
 * needs one while the pool is full takes over an idle worker of another
 * session by ending it and starting a fresh one. Once JavaScript has run, the
 * pool keeps one spare worker that has never run a job (and so is clean)
 * ready for the next session, so a run does not wait for a worker to start
 * (a `deno` process on Deno: a few hundred ms on a busy machine).
 *
 * @module
 */
import { CancelError, StageError, StageTimeoutError } from "../errors.ts";
import type { Runtime, WorkerErrorEvent, WorkerLike } from "../runtime/types.ts";
import { isWorkerMessage, type LogLevel, type RunRequest, type WorkerMessage } from "./protocol.ts";
import { ContextMirror } from "./context_sync.ts";

/** One piece of user JavaScript to run. */
export interface JsJob {
  /** Body of an async function. */
  readonly code: string;
  /** Values the code sees as named variables (names must be JavaScript identifiers). */
  readonly vars: Record<string, unknown>;
  /** Data the code sees, deep-frozen, as `context`. A worker that ran an earlier job of the
   * same session is sent only the entries of `context`, and of its plain-object entries, that
   * are not the same (`===`) as in its previous job: replace an object to change it, rather
   * than changing it in place after a job has seen it. */
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

/** Jobs that may share workers (one run's stages); no other session sees its workers. */
export interface JsSession {
  /** Runs `job` in a worker of this session; as {@linkcode JsRunner.run}. */
  run(job: JsJob, options?: JsRunOptions): Promise<Record<string, unknown>>;
  /** Ends this session's workers; its pending and later jobs reject with a `CancelError`. */
  close(): Promise<void>;
}

/** Runs user JavaScript in pooled workers. */
export interface JsRunner {
  /** Runs `job` in a worker used for this job only; resolves with its outputs (`outputs`
   * merged with the returned object). Rejects with a `StageError` carrying the code's error
   * message (or saying the worker exited before the job finished), a `StageTimeoutError`,
   * or a `CancelError`. */
  run(job: JsJob, options?: JsRunOptions): Promise<Record<string, unknown>>;
  /** Opens a session whose jobs reuse each other's workers and nobody else's. */
  session(): JsSession;
  /** Terminates every worker; pending and later runs reject with a `CancelError`. */
  close(): Promise<void>;
}

/** Options of {@linkcode createJsRunner}. */
export interface JsRunnerOptions {
  /** Most workers alive at once, over all sessions. @default min(4, CPU cores) */
  readonly size?: number;
  /** Deno `--allow-*` flags for the workers (see `CreateWorkerOptions.permissions`).
   * @default the engine's own permissions */
  readonly permissions?: readonly string[];
}

interface PendingJob {
  readonly id: number;
  readonly session: number;
  readonly job: JsJob;
  readonly options: JsRunOptions;
  readonly resolve: (outputs: Record<string, unknown>) => void;
  readonly reject: (error: unknown) => void;
  stopWatching?: () => void;
}

/** The session of a spare worker, which has not run any job yet. */
const SPARE = 0;

interface Slot {
  readonly worker: WorkerLike;
  /** The session it serves, or {@linkcode SPARE}. */
  session: number;
  ready: boolean;
  /** Whether the worker keeps the host alive (`ref`); a new worker does. */
  held: boolean;
  job?: PendingJob;
  /** What the worker's `context` holds, so a job sends only what changed. */
  readonly context: ContextMirror;
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

function workerEndError(event: WorkerErrorEvent): StageError {
  const reason = event.message ?? (event.error instanceof Error ? event.error.message : "");
  if (event.exitCode === undefined) {
    return new StageError(`the JavaScript worker failed${reason ? `: ${reason}` : ""}`);
  }
  const detail = reason.replace(/^worker (process )?exited with code -?\d+:?\s*/, "");
  return new StageError(
    `the JavaScript worker exited (code ${event.exitCode}) before the stage finished` +
      (detail ? `: ${detail}` : ""),
  );
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
 * import { detectRuntime } from "@ddeutil/workflow";
 *
 * const runner = createJsRunner(detectRuntime());
 * const session = runner.session(); // one per run: its workers serve no other run
 * const outputs = await session.run(
 *   { code: "return { total: a + b };", vars: { a: 1, b: 2 }, context: {} },
 *   { timeoutMs: 5000 },
 * );
 * // outputs: { total: 3 }
 * await session.close();
 * await runner.close();
 * ```
 */
export function createJsRunner(runtime: Runtime, options: JsRunnerOptions = {}): JsRunner {
  const size = Math.max(1, options.size ?? defaultSize());
  const slots: Slot[] = [];
  const queue: PendingJob[] = [];
  let nextId = 1;
  let nextSession = 1;
  let closed = false;
  /** Keep a fresh worker (session 0: never ran a job) ready; set once JavaScript has run. */
  let wantSpare = false;

  function retire(slot: Slot): void {
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    slot.worker.onmessage = null;
    slot.worker.onerror = null;
    slot.worker.terminate();
  }

  /** Lets an idle worker's process or thread stop keeping the host alive, or not. */
  function hold(slot: Slot, held: boolean): void {
    if (slot.held === held) return;
    slot.held = held;
    if (held) slot.worker.ref?.();
    else slot.worker.unref?.();
  }

  function finish(slot: Slot | undefined, job: PendingJob): void {
    job.stopWatching?.();
    if (slot && slot.job === job) slot.job = undefined;
    dispatch();
    // After dispatch, so a worker that goes straight on to its next job stays held.
    if (slot && !slot.job && slots.includes(slot)) hold(slot, false);
  }

  function onMessage(slot: Slot, message: WorkerMessage): void {
    if (message.type === "ready") {
      slot.ready = true;
      dispatch();
      if (!slot.job) hold(slot, false);
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

  function failQueued(error: unknown): void {
    for (const waiting of queue.splice(0)) {
      waiting.stopWatching?.();
      waiting.reject(error);
    }
  }

  function startWorker(session: number): void {
    const worker = runtime.workers.create(entryUrl(), {
      name: "js-runner",
      killable: true,
      ...(options.permissions ? { permissions: options.permissions } : {}),
    });
    const slot: Slot = {
      worker,
      session,
      ready: false,
      held: true,
      context: new ContextMirror(),
    };
    worker.onmessage = (event) => {
      if (isWorkerMessage(event.data)) onMessage(slot, event.data);
    };
    worker.onerror = (event) => {
      const job = slot.job;
      const wasReady = slot.ready;
      retire(slot);
      const error = workerEndError(event);
      if (job) {
        finish(undefined, job);
        job.reject(error);
      } else if (!wasReady) {
        // The entry itself cannot load: fail what is waiting instead of retrying forever.
        wantSpare = false;
        failQueued(error);
      } else {
        // An idle worker ended (e.g. a timer of a finished job threw): start afresh on demand.
        dispatch();
      }
    };
    slots.push(slot);
  }

  /** Deadlines (`clock.monotonic()` ms) of the running jobs that have a timeout. One timer
   * watches them all, set for the earliest: a timer per job cost ~15 µs on Deno, a tenth of a
   * trivial job, and lingered until it fired. */
  const deadlines = new Map<PendingJob, number>();
  /** The deadline the earliest timer still to fire was set for. */
  let timerFor = Infinity;

  function watchDeadline(job: PendingJob, ms: number): void {
    const at = runtime.clock.monotonic() + ms;
    deadlines.set(job, at);
    const previous = job.stopWatching;
    job.stopWatching = () => {
      previous?.();
      deadlines.delete(job);
    };
    if (at < timerFor) setTimer(at);
  }

  function setTimer(at: number): void {
    timerFor = at;
    // Whole ms (Node refuses fractions), rounded up so the deadline has passed when it fires.
    runtime.clock.timeout(Math.max(0, Math.ceil(at - runtime.clock.monotonic()))).addEventListener(
      "abort",
      () => onTimer(at),
      { once: true },
    );
  }

  function onTimer(firedFor: number): void {
    if (firedFor === timerFor) timerFor = Infinity;
    const now = runtime.clock.monotonic();
    let next = Infinity;
    for (const [job, at] of [...deadlines]) {
      if (!deadlines.has(job)) continue;
      if (at <= now) {
        const ms = job.options.timeoutMs;
        stopJob(job, new StageTimeoutError(`run code did not finish within ${ms} ms`));
      } else if (at < next) next = at;
    }
    if (next < timerFor) setTimer(next);
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
    hold(slot, true);
    if (job.options.timeoutMs !== undefined) watchDeadline(job, job.options.timeoutMs);
    try {
      const sync = slot.context.diff(job.job.context);
      const request: RunRequest = {
        type: "run",
        id: job.id,
        code: job.job.code,
        vars: job.job.vars,
        context: sync.patch,
      };
      slot.worker.postMessage(request);
      sync.commit();
    } catch (error) {
      finish(slot, job);
      const reason = error instanceof Error ? error.message : String(error);
      job.reject(
        new StageError(`run vars and context must be plain data (structured-cloneable): ${reason}`),
      );
    }
  }

  /** Gives queued jobs idle workers of their own session, or starts workers for them. */
  function dispatch(): void {
    if (closed) return;
    const starting = new Map<number, number>();
    for (const slot of slots) {
      if (!slot.ready) starting.set(slot.session, (starting.get(slot.session) ?? 0) + 1);
    }
    let index = 0;
    while (index < queue.length) {
      const job = queue[index];
      const idle = slots.find((s) => s.ready && !s.job && s.session === job.session) ??
        slots.find((s) => s.ready && !s.job && s.session === SPARE);
      if (idle) {
        // A spare has never run a job, so it may join any session.
        idle.session = job.session;
        queue.splice(index, 1);
        assign(idle, job);
        continue;
      }
      const owner = (starting.get(job.session) ?? 0) > 0 ? job.session : SPARE;
      const coming = starting.get(owner) ?? 0;
      if (coming > 0) {
        // A worker already starting for this session (or a spare) will take this job.
        starting.set(owner, coming - 1);
        index++;
        continue;
      }
      if (slots.length >= size) {
        // Full: end an idle worker of another session (never hand it over) to make room.
        const spare = slots.find((s) => s.ready && !s.job);
        if (!spare) break;
        retire(spare);
      }
      try {
        startWorker(job.session);
      } catch (error) {
        // The runtime cannot make workers at all (e.g. the memory runtime).
        wantSpare = false;
        failQueued(error);
        return;
      }
      index++;
    }
    if (wantSpare && slots.length < size && !slots.some((s) => s.session === SPARE)) {
      try {
        startWorker(SPARE);
      } catch {
        wantSpare = false;
      }
    }
  }

  function enqueue(
    session: number,
    job: JsJob,
    runOptions: JsRunOptions,
  ): Promise<Record<string, unknown>> {
    if (closed) return Promise.reject(new CancelError("the JavaScript runner is closed"));
    const signal = runOptions.signal;
    if (signal?.aborted) return Promise.reject(cancelError(signal));
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const pending: PendingJob = {
        id: nextId++,
        session,
        job,
        options: runOptions,
        resolve,
        reject,
      };
      if (signal) {
        const onAbort = () => stopJob(pending, cancelError(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        pending.stopWatching = () => signal.removeEventListener("abort", onAbort);
      }
      queue.push(pending);
      wantSpare = true;
      dispatch();
    });
  }

  function endSession(session: number, error: unknown): void {
    for (const job of queue.filter((j) => j.session === session)) {
      queue.splice(queue.indexOf(job), 1);
      job.stopWatching?.();
      job.reject(error);
    }
    for (const slot of slots.filter((s) => s.session === session)) {
      const job = slot.job;
      retire(slot);
      if (job) {
        job.stopWatching?.();
        job.reject(error);
      }
    }
    dispatch();
  }

  function openSession(): JsSession {
    const id = nextSession++;
    let ended = false;
    return {
      run(job, runOptions = {}) {
        if (ended) return Promise.reject(new CancelError("the JavaScript session is closed"));
        return enqueue(id, job, runOptions);
      },
      close() {
        if (!ended) {
          ended = true;
          endSession(id, new CancelError("the JavaScript session was closed"));
        }
        return Promise.resolve();
      },
    };
  }

  return {
    async run(job, runOptions = {}) {
      const once = openSession();
      try {
        return await once.run(job, runOptions);
      } finally {
        await once.close();
      }
    },

    session: openSession,

    close() {
      closed = true;
      const error = new CancelError("the JavaScript runner was closed");
      failQueued(error);
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
