/**
 * How an engine keeps run records: each run it executes is recorded in the run store as running
 * under this process (owner, lease, attempt), every job that ends is checkpointed into the
 * record before the jobs that need it start, the lease is renewed while the run goes on, and
 * the record ends with the run's status. Every write carries the attempt, so a process that
 * was taken over writes nothing more (and its run is cancelled).
 *
 * @module
 */

import type { Clock, ProcessTable } from "./runtime/types.ts";
import type { Status, Workflow } from "./models/types.ts";
import type { JobContext } from "./models/run_context.ts";
import { StaleAttemptError } from "./errors.ts";
import { toJsonValue } from "./results/result.ts";
import type { RunOwner, RunRecord, RunRelease, RunStore } from "./results/run_store.ts";

/** One recorded run of this process: its attempt, the checkpoint hook and its end. */
export interface RunTicket {
  /** The attempt this process owns (the fencing token of every write). */
  readonly attempt: number;
  /** Checkpoints a job's end into the record. */
  onJobEnd(job: string, entry: JobContext): Promise<void>;
  /** Ends the record (unless another owner has it) and stops renewing the lease. */
  close(end: { status: Status; reason?: string }): Promise<void>;
}

/** The run store of one engine, with the owner it writes as. */
export class RunRecorder {
  readonly store: RunStore;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #owner: () => RunOwner;
  /** Called with what could not be written (never a reason to fail the run). */
  readonly #onError: (message: string) => void;

  /**
   * @param store The run store.
   * @param options Clock, lease length, the owner (lazily: it may need the process table) and
   *   where write errors are told.
   */
  constructor(
    store: RunStore,
    options: {
      clock: Clock;
      leaseMs: number;
      owner: () => RunOwner;
      onError: (message: string) => void;
    },
  ) {
    this.store = store;
    this.#clock = options.clock;
    this.#leaseMs = options.leaseMs;
    this.#owner = options.owner;
    this.#onError = options.onError;
  }

  /** Records a new run, owned by this process from the start. */
  async open(
    workflow: Workflow,
    runId: string,
    params: Readonly<Record<string, unknown>>,
    extra: { parentRunId?: string; release?: RunRelease },
  ): Promise<RunTicket> {
    const now = this.#clock.now();
    const record = await this.store.enqueue({
      runId,
      workflow: workflow.name,
      params: toJsonValue(params) as Record<string, unknown>,
      labels: runnerLabels(workflow),
      ...(extra.parentRunId === undefined ? {} : { parentRunId: extra.parentRunId }),
      ...(extra.release === undefined ? {} : { release: extra.release }),
      queuedAt: now,
    }, { owner: this.#owner(), leaseMs: this.#leaseMs, now });
    return this.#ticket(record);
  }

  /** A ticket for a record this process has claimed (a takeover). */
  adopt(record: RunRecord): RunTicket {
    return this.#ticket(record);
  }

  #ticket(record: RunRecord): RunTicket {
    const { runId, attempt } = record;
    const stop = new AbortController();
    let lost = false;
    const renew = async () => {
      // A third of the lease between renewals leaves two more tries before it runs out.
      const every = Math.max(1, Math.floor(this.#leaseMs / 3));
      while (!stop.signal.aborted) {
        try {
          await this.#clock.sleep(every, { signal: stop.signal });
        } catch {
          return;
        }
        try {
          await this.store.renew(runId, attempt, this.#clock.now() + this.#leaseMs);
        } catch (error) {
          if (error instanceof StaleAttemptError) {
            lost = true;
            return;
          }
          this.#onError(`could not renew the lease of run '${runId}': ${message(error)}`);
        }
      }
    };
    const renewing = renew();
    return {
      attempt,
      onJobEnd: async (job, entry) => {
        if (lost) throw new StaleAttemptError(runId, attempt, undefined, "the lease was lost");
        await this.store.checkpoint(
          runId,
          attempt,
          job,
          toJsonValue(entry) as Record<string, unknown>,
          this.#clock.now(),
        );
      },
      close: async (end) => {
        stop.abort();
        await renewing;
        try {
          await this.store.finish(runId, attempt, { ...end, now: this.#clock.now() });
        } catch (error) {
          // A run taken over is the new owner's to end.
          if (!(error instanceof StaleAttemptError)) {
            this.#onError(`could not end the record of run '${runId}': ${message(error)}`);
          }
        }
      },
    };
  }
}

/** The owner an engine writes as: `host:pid` of its process, or a random id without one. */
export function ownerOf(processes: ProcessTable | undefined): RunOwner {
  if (!processes) return { id: `engine-${crypto.randomUUID().slice(0, 8)}` };
  const self = processes.self();
  return { id: `${self.host}:${self.pid}`, process: self };
}

/** The worker labels a workflow needs: every `runs-on.with.labels` of its jobs, sorted. */
export function runnerLabels(workflow: Workflow): string[] {
  const labels = new Set<string>();
  for (const job of Object.values(workflow.jobs)) {
    const given = job.runsOn.with.labels;
    const list = typeof given === "string" ? [given] : Array.isArray(given) ? given : [];
    for (const label of list) if (typeof label === "string") labels.add(label);
  }
  return [...labels].sort();
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
