/**
 * A bounded in-memory registry of the runs started through the API: their status, their
 * lifecycle events (for replay to late Server-Sent-Events subscribers) and their final result.
 * Runs started elsewhere are found through the trace store instead.
 *
 * @module
 */

import type { LifecycleDetail } from "../executor/events.ts";
import type { Status } from "../models/types.ts";
import type { ResultJson } from "../results/result.ts";

/** A listener of one run's events; `done` is called once the run has ended. */
export interface RunListener {
  event(detail: LifecycleDetail, index: number): void;
  done(): void;
}

/** One run started through the API. */
export class ApiRun {
  /** The run id. */
  readonly runId: string;
  /** Workflow name. */
  readonly workflow: string;
  /** Epoch ms the API accepted the run. */
  readonly acceptedAt: number;
  /** Aborting cancels the run. */
  readonly controller: AbortController = new AbortController();
  /** Status so far: `WAIT` until the run ends. */
  status: Status = "WAIT";
  /** Epoch ms of the run's end. */
  endedAt?: number;
  /** The masked result once the run has ended. */
  result?: ResultJson;
  /** Error that stopped the run before it produced a result. */
  failure?: { name: string; message: string };
  /** `true` when older events were dropped because the run produced too many. */
  truncated = false;
  /** Epoch ms of the run's `run-start` event (the start its trace store summary shows). */
  startedAt?: number;
  /** The run this one re-runs, when `POST /runs/{id}/rerun` started it. */
  rerunOf?: string;
  /** The params the run was started with, unmasked: kept in memory only, for a re-run. */
  params?: Readonly<Record<string, unknown>>;
  /** The run's unmasked context once it has ended: kept in memory only, for a re-run that
   * keeps the jobs that succeeded. */
  context?: Readonly<Record<string, unknown>>;
  readonly #events: LifecycleDetail[] = [];
  readonly #listeners = new Set<RunListener>();
  readonly #maxEvents: number;
  #dropped = 0;
  #settle!: () => void;
  /** Resolves once the run has ended (whatever its status). */
  readonly settled: Promise<void> = new Promise((resolve) => this.#settle = resolve);

  /** Creates a run record. */
  constructor(runId: string, workflow: string, acceptedAt: number, maxEvents: number) {
    this.runId = runId;
    this.workflow = workflow;
    this.acceptedAt = acceptedAt;
    this.#maxEvents = maxEvents;
  }

  /** `true` once the run has ended. */
  get finished(): boolean {
    return this.endedAt !== undefined;
  }

  /** Index of the first event still held (events before it were dropped). */
  get firstIndex(): number {
    return this.#dropped;
  }

  /** Events held, oldest first, with their absolute index. */
  events(fromIndex = 0): { detail: LifecycleDetail; index: number }[] {
    const start = Math.max(0, fromIndex - this.#dropped);
    return this.#events.slice(start).map((detail, i) => ({
      detail,
      index: this.#dropped + start + i,
    }));
  }

  /** Records an event and forwards it to listeners. */
  record(detail: LifecycleDetail): void {
    if (this.finished) return;
    if (detail.type === "run-start" && detail.runId === this.runId) this.startedAt ??= detail.time;
    const index = this.#dropped + this.#events.length;
    this.#events.push(detail);
    if (this.#events.length > this.#maxEvents) {
      this.#events.shift();
      this.#dropped++;
      this.truncated = true;
    }
    for (const listener of this.#listeners) listener.event(detail, index);
  }

  /** Marks the run ended and releases every listener. */
  finish(
    endedAt: number,
    outcome: { result?: ResultJson; failure?: { name: string; message: string } },
  ): void {
    if (this.finished) return;
    this.endedAt = endedAt;
    this.result = outcome.result;
    this.failure = outcome.failure;
    this.status = outcome.result?.status ?? "FAILED";
    for (const listener of this.#listeners) listener.done();
    this.#listeners.clear();
    this.#settle();
  }

  /** Adds a listener; returns a function that removes it. A finished run calls `done` at once. */
  subscribe(listener: RunListener): () => void {
    if (this.finished) {
      listener.done();
      return () => {};
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Status of each job seen so far, from the events (the live view of an in-flight run). */
  jobs(): Record<string, Status> {
    const out: Record<string, Status> = {};
    for (const detail of this.#events) {
      if (detail.runId !== this.runId || detail.job === undefined) continue;
      if (detail.type === "job-start") out[detail.job] = "WAIT";
      if (detail.type === "job-end") out[detail.job] = detail.status ?? "SUCCESS";
    }
    return out;
  }
}

/** Options of {@linkcode RunRegistry}. */
export interface RunRegistryOptions {
  /** Most runs kept; the oldest finished ones are forgotten first. @default 1000 */
  readonly maxRuns?: number;
  /** Most events kept per run; older ones are dropped. @default 10000 */
  readonly maxEventsPerRun?: number;
}

/** The runs started through one API instance. */
export class RunRegistry {
  readonly #runs = new Map<string, ApiRun>();
  readonly #maxRuns: number;
  readonly #maxEvents: number;

  /** Creates an empty registry. */
  constructor(options: RunRegistryOptions = {}) {
    this.#maxRuns = Math.max(1, options.maxRuns ?? 1000);
    this.#maxEvents = Math.max(1, options.maxEventsPerRun ?? 10_000);
  }

  /** Registers a new run, forgetting the oldest finished runs beyond the bound. */
  add(runId: string, workflow: string, acceptedAt: number): ApiRun {
    const run = new ApiRun(runId, workflow, acceptedAt, this.#maxEvents);
    this.#runs.set(runId, run);
    if (this.#runs.size > this.#maxRuns) {
      for (const [id, old] of this.#runs) {
        if (this.#runs.size <= this.#maxRuns) break;
        if (old.finished) this.#runs.delete(id);
      }
    }
    return run;
  }

  /** The run with that id, if this API started it and still remembers it. */
  get(runId: string): ApiRun | undefined {
    return this.#runs.get(runId);
  }

  /** Forgets a run. */
  delete(runId: string): void {
    this.#runs.delete(runId);
  }

  /** Runs, newest first. */
  list(): ApiRun[] {
    return [...this.#runs.values()].reverse();
  }

  /** Runs that have not ended. */
  inFlight(): ApiRun[] {
    return [...this.#runs.values()].filter((run) => !run.finished);
  }
}
